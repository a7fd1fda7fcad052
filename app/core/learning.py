"""Learning how an endpoint really counts images, from the usage it reports after each turn.

After every reply the image tokens the server counted (`usage.prompt_tokens_details.
image_tokens`) are compared with the tile formula's figure for the images that were sent.
When the last `RUN` turns agree on one rule — the same ratio to the formula, or the same number
of tokens more (or fewer) per image — and it is not the formula itself, the meter uses that rule
for that endpoint and model, and says so ("image cost learned from the server: 1.5× the
formula"). Three turns that agree with the formula again forget the rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

RUN = 3  # turns in a row that must agree
RATIO_TOLERANCE = 0.02  # relative: 1.5 and 1.52 agree
OFFSET_TOLERANCE = 1.0  # tokens per image
MAX_OBSERVATIONS = RUN


@dataclass(frozen=True)
class Observation:
    """One request's images: the tile formula's tokens, what the server counted, how many."""

    formula: int
    reported: int
    images: int

    @property
    def ratio(self) -> float:
        return self.reported / self.formula

    @property
    def offset(self) -> float:
        """Tokens per image beyond the formula (negative: fewer)."""
        return (self.reported - self.formula) / self.images

    def to_dict(self) -> dict[str, int]:
        return {"formula": self.formula, "reported": self.reported, "images": self.images}


@dataclass(frozen=True)
class ImageRule:
    """How an endpoint's image count differs from the tile formula, per image."""

    kind: Literal["ratio", "offset"]
    value: float

    def apply(self, formula_tokens: int) -> int:
        if self.kind == "ratio":
            return max(0, round(formula_tokens * self.value))
        return max(0, formula_tokens + round(self.value))

    def describe(self) -> str:
        """ "1.5× the formula", "85 tokens more per image than the formula"."""
        if self.kind == "ratio":
            return f"{self.value:.3g}× the formula"
        amount = abs(round(self.value))
        more = "more" if self.value > 0 else "fewer"
        return f"{amount:,} tokens {more} per image than the formula"

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "value": self.value}


def observation_of(
    formula: int, reported: int | None, images: int, unknown_images: int = 0
) -> Observation | None:
    """An observation, or None when the turn teaches nothing (no images, no figure, or images
    whose formula cost is unknown, such as web addresses the server downloads)."""
    if reported is None or formula <= 0 or images <= 0 or unknown_images:
        return None
    return Observation(formula, reported, images)


def _agree(values: list[float], tolerance: float) -> bool:
    return max(values) - min(values) <= tolerance


def rule_from(observations: list[Observation]) -> ImageRule | Literal["formula"] | None:
    """What the last RUN observations agree on: a rule, "formula" (they match it), or None."""
    if len(observations) < RUN:
        return None
    recent = observations[-RUN:]
    ratios = [o.ratio for o in recent]
    mean_ratio = sum(ratios) / RUN
    offsets = [o.offset for o in recent]
    mean_offset = sum(offsets) / RUN
    if _agree(offsets, OFFSET_TOLERANCE) and abs(mean_offset) < OFFSET_TOLERANCE:
        return "formula"
    if _agree(ratios, RATIO_TOLERANCE * mean_ratio):
        if abs(mean_ratio - 1) <= RATIO_TOLERANCE:
            return "formula"
        return ImageRule("ratio", round(mean_ratio, 4))
    if _agree(offsets, max(OFFSET_TOLERANCE, RATIO_TOLERANCE * abs(mean_offset))):
        return ImageRule("offset", round(mean_offset, 2))
    return None


@dataclass
class ImageCostLearner:
    """Observations and learned rules, by endpoint and model (see `learning_key`)."""

    observations: dict[str, list[Observation]] = field(default_factory=dict)
    rules: dict[str, ImageRule] = field(default_factory=dict)

    def rule(self, key: str) -> ImageRule | None:
        return self.rules.get(key)

    def observe(self, key: str, observation: Observation) -> bool:
        """Record one turn; True when the rule for `key` changed (learned, replaced, forgotten)."""
        seen = [*self.observations.get(key, []), observation][-MAX_OBSERVATIONS:]
        self.observations[key] = seen
        found = rule_from(seen)
        if found is None:
            return False
        before = self.rules.get(key)
        if found == "formula":
            self.rules.pop(key, None)
            return before is not None
        self.rules[key] = found
        return before != found

    def to_dict(self) -> dict[str, Any]:
        keys = sorted(set(self.observations) | set(self.rules))
        return {
            key: {
                "observations": [o.to_dict() for o in self.observations.get(key, [])],
                "rule": self.rules[key].to_dict() if key in self.rules else None,
            }
            for key in keys
        }

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> ImageCostLearner:
        """From `to_dict`'s form; entries that do not parse are skipped."""
        learner = cls()
        for key, entry in raw.items():
            if not isinstance(key, str) or not isinstance(entry, dict):
                continue
            seen = [
                o for o in map(_observation_from, entry.get("observations") or []) if o is not None
            ]
            if seen:
                learner.observations[key] = seen[-MAX_OBSERVATIONS:]
            rule = _rule_from_dict(entry.get("rule"))
            if rule is not None:
                learner.rules[key] = rule
        return learner


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _observation_from(raw: object) -> Observation | None:
    if not isinstance(raw, dict):
        return None
    formula, reported, images = raw.get("formula"), raw.get("reported"), raw.get("images")
    if not (_is_count(formula) and _is_count(reported) and _is_count(images)):
        return None
    return observation_of(int(str(formula)), int(str(reported)), int(str(images)))


def _rule_from_dict(raw: object) -> ImageRule | None:
    if not isinstance(raw, dict):
        return None
    kind, value = raw.get("kind"), raw.get("value")
    if (
        kind not in ("ratio", "offset")
        or isinstance(value, bool)
        or not isinstance(value, int | float)
    ):
        return None
    if kind == "ratio" and not 0 < value < 100:
        return None
    return ImageRule("ratio" if kind == "ratio" else "offset", float(value))


def learning_key(endpoint: str, model: str) -> str:
    """One endpoint's model: its base URL (without a trailing slash) and the model id."""
    return f"{endpoint.rstrip('/')}|{model}"
