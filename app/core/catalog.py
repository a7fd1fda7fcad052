"""The models the app knows: windows, prices and their long-context tier, reasoning, retired ids.

No endpoint reports a model's context window, its long-context price tier or the reasoning
efforts it takes, so the current xAI image models are kept here (the facts and their sources are
in XAI_API.md, "The API as of December 2026"). Discovery adds what an endpoint lists (image input,
prices, aliases); the user may override a window; a window learned from the server's own
"maximum prompt length is N" error is kept per model. A window that is merely unknown never
blocks a send: the meter warns instead.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

# A request whose prompt reaches this many tokens is billed at the long-context rate, for every
# one of its tokens (input, cached input and output alike).
LONG_CONTEXT_FROM = 200_000
LONG_CONTEXT_FACTOR = 2

# The default model when discovery has not answered: current, takes images, the largest window
# at the lowest price among xAI's image models.
DEFAULT_MODEL = "grok-4.3"
FALLBACK_CONTEXT_WINDOW = 32_768  # what the meter shows for a window nobody knows (not a limit)


@dataclass(frozen=True)
class Prices:
    """Prices in USD cents per 100 million tokens, as xAI's /v1/language-models gives them.

    That unit is also the server's `cost_in_usd_ticks` per token (10^10 ticks = $1), so a
    bill computed from these prices is an exact integer number of ticks.
    """

    prompt_text: int
    prompt_image: int
    completion_text: int
    cached_prompt_text: int = 0  # 0: not known, cached input is charged at the full price

    @property
    def cached(self) -> int:
        return self.cached_prompt_text or self.prompt_text

    def cache_saving(self, cached_tokens: int) -> int:
        """Ticks that `cached_tokens` save against the full input price (never negative)."""
        return max(0, cached_tokens * (self.prompt_text - self.cached))

    def scaled(self, factor: int) -> Prices:
        return Prices(
            self.prompt_text * factor,
            self.prompt_image * factor,
            self.completion_text * factor,
            self.cached_prompt_text * factor,
        )

    def usd(self, *, text_in: int, image_in: int, out: int, cached_in: int = 0) -> float:
        ticks = (
            text_in * self.prompt_text
            + image_in * self.prompt_image
            + cached_in * self.cached
            + out * self.completion_text
        )
        return ticks / TICKS_PER_USD


TICKS_PER_USD = 10_000_000_000


def per_million(price: int) -> float:
    """USD per million tokens of a price in cents per 100 million."""
    return price / 10_000


@dataclass(frozen=True)
class Pricing:
    """A model's prices, with the tier a long prompt falls in (None: the model has none)."""

    base: Prices
    long_from: int | None = None

    def for_prompt(self, prompt_tokens: int) -> Prices:
        return self.base.scaled(LONG_CONTEXT_FACTOR) if self.is_long(prompt_tokens) else (self.base)

    def is_long(self, prompt_tokens: int) -> bool:
        return self.long_from is not None and prompt_tokens >= self.long_from


@dataclass(frozen=True)
class Reasoning:
    """How a model reasons: the `reasoning_effort` values it takes (empty: it refuses the
    parameter), what it does when none is sent, and whether it thinks at all by default."""

    efforts: tuple[str, ...] = ()
    default: str | None = None
    thinks: bool = False

    def accepts(self, effort: str | None) -> bool:
        return effort is not None and effort in self.efforts


NO_REASONING = Reasoning()
_EFFORTS_4X = ("low", "medium", "high", "xhigh")


@dataclass(frozen=True)
class CatalogModel:
    id: str
    context_window: int
    prices: Prices
    reasoning: Reasoning = NO_REASONING
    aliases: tuple[str, ...] = ()
    takes_images: bool = True
    long_from: int | None = LONG_CONTEXT_FROM

    @property
    def pricing(self) -> Pricing:
        return Pricing(self.prices, self.long_from)


def _xai(
    model_id: str,
    window: int,
    prices: tuple[int, int, int],
    reasoning: Reasoning,
    aliases: tuple[str, ...] = (),
) -> CatalogModel:
    prompt, cached, completion = prices
    return CatalogModel(
        model_id, window, Prices(prompt, prompt, completion, cached), reasoning, aliases
    )


CATALOGUE: tuple[CatalogModel, ...] = (
    _xai(
        "grok-4.7",
        500_000,
        (20_000, 5_000, 60_000),
        Reasoning(_EFFORTS_4X, default="high", thinks=True),
    ),
    _xai("grok-4.6", 500_000, (20_000, 5_000, 60_000), Reasoning(_EFFORTS_4X, thinks=True)),
    _xai(
        "grok-4.5",
        500_000,
        (20_000, 3_000, 60_000),
        Reasoning(_EFFORTS_4X, thinks=True),
        ("grok-4.5-latest",),
    ),
    _xai(
        "grok-4.3",
        1_000_000,
        (12_500, 2_000, 25_000),
        Reasoning(("none", "low", "medium", "high"), thinks=True),
        ("grok-4.3-latest",),
    ),
    _xai(
        "grok-4.20-0309-reasoning",
        1_000_000,
        (12_500, 2_000, 25_000),
        Reasoning(thinks=True),
        ("grok-4.20-reasoning", "grok-4.20-reasoning-latest"),
    ),
    _xai(
        "grok-4.20-0309-non-reasoning",
        1_000_000,
        (12_500, 2_000, 25_000),
        NO_REASONING,
        ("grok-4.20-non-reasoning", "grok-4.20-non-reasoning-latest"),
    ),
)


@dataclass(frozen=True)
class Retired:
    """A model id xAI no longer serves as itself: gone, or answered by another model."""

    on: str  # ISO date
    served_by: str | None = None  # None: "Model not found"
    effort: str | None = None  # the effort it is served at

    def describe(self, model_id: str) -> str:
        if self.served_by is None:
            return f"{model_id} was retired on {self.on}: the server answers “Model not found”."
        return (
            f"{model_id} was retired on {self.on}: xAI answers it with {self.served_by} "
            f"and bills it at {self.served_by}'s prices."
        )


_GONE = "2026-02-28"
_REDIRECTED = "2026-05-15"
RETIRED: dict[str, Retired] = {
    **{
        name: Retired(_GONE)
        for name in (
            "grok-2-vision-1212",
            "grok-2-vision",
            "grok-2-vision-latest",
            "grok-3-mini",
            "grok-3-mini-latest",
        )
    },
    **{
        name: Retired(_REDIRECTED, "grok-4.3", "low")
        for name in (
            "grok-4",
            "grok-4-0709",
            "grok-4-latest",
            "grok-4-fast-reasoning",
            "grok-4-1-fast-reasoning",
        )
    },
    **{
        name: Retired(_REDIRECTED, "grok-4.3", "none")
        for name in (
            "grok-4-fast-non-reasoning",
            "grok-4-1-fast-non-reasoning",
            "grok-3",
            "grok-3-latest",
            "grok-code-fast-1",
        )
    },
}

# Other providers' image models an OpenAI-compatible endpoint may offer (windows only).
OTHER_WINDOWS: dict[str, int] = {
    "gpt-4o": 128_000,
    "gpt-4o-mini": 128_000,
    "gpt-4.1": 1_047_576,
    "gpt-4.1-mini": 1_047_576,
}

_BY_NAME: dict[str, CatalogModel] = {
    name: model for model in CATALOGUE for name in (model.id, *model.aliases)
}


def lookup(model_id: str) -> CatalogModel | None:
    """The catalogued model an id or alias names; a retired id that xAI redirects gives the
    model that answers it."""
    found = _BY_NAME.get(model_id)
    if found is not None:
        return found
    retired = RETIRED.get(model_id)
    if retired is not None and retired.served_by is not None:
        return _BY_NAME.get(retired.served_by)
    return None


def reasoning_of(model_id: str) -> Reasoning:
    found = _BY_NAME.get(model_id)
    return found.reasoning if found is not None else NO_REASONING


def effort_to_send(model_id: str, chosen: str | None) -> str | None:
    """The `reasoning_effort` to send: the choice when the model takes it, else nothing (a
    model that refuses the parameter answers 400; an unknown model is sent none)."""
    return chosen if reasoning_of(model_id).accepts(chosen) else None


def thinks(model_id: str, effort: str | None) -> bool:
    """Whether a reply may start after a silent pause while the model reasons."""
    retired = RETIRED.get(model_id)
    if retired is not None:
        return retired.effort not in (None, "none")
    reasoning = reasoning_of(model_id)
    if effort_to_send(model_id, effort) == "none":
        return False
    return reasoning.thinks


@dataclass(frozen=True)
class ModelInfo:
    """One model as discovered from an endpoint, or as known from the built-in table."""

    id: str
    takes_images: bool
    context_window: int | None = None
    prices: Prices | None = None
    aliases: tuple[str, ...] = field(default_factory=tuple)
    owned_by: str = ""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form, for the cached model list in the settings."""
        return {
            "id": self.id,
            "takes_images": self.takes_images,
            "context_window": self.context_window,
            "aliases": list(self.aliases),
            "owned_by": self.owned_by,
            "prices": asdict(self.prices) if self.prices else None,
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> ModelInfo:
        prices = raw.get("prices")
        return cls(
            id=str(raw["id"]),
            takes_images=bool(raw.get("takes_images")),
            context_window=raw.get("context_window") or None,
            prices=Prices(**prices) if isinstance(prices, dict) else None,
            aliases=tuple(raw.get("aliases") or ()),
            owned_by=str(raw.get("owned_by", "")),
        )


def known_window(model_id: str) -> int | None:
    """The window the catalogue (or the small table of other providers' models) gives."""
    found = lookup(model_id)
    return found.context_window if found is not None else OTHER_WINDOWS.get(model_id)


def context_window_for(
    model_id: str, override: int | None = None, learned: int | None = None
) -> tuple[int, bool]:
    """The window to budget against, and whether it is known (not a placeholder): the user's
    override, else what the server said in a "maximum prompt length" error, else the table."""
    for window in (override, learned, known_window(model_id)):
        if window:
            return window, True
    return FALLBACK_CONTEXT_WINDOW, False


def pricing_for(model_id: str, listed: Sequence[ModelInfo] = ()) -> Pricing | None:
    """The prices of a model: as the endpoint lists them, else the catalogue's; with the
    catalogue's long-context tier when the catalogue knows the model."""
    catalogued = lookup(model_id)
    info = next((m for m in listed if m.id == model_id or model_id in m.aliases), None)
    long_from = catalogued.long_from if catalogued is not None else None
    if info is not None and info.prices is not None and RETIRED.get(model_id) is None:
        return Pricing(info.prices, long_from)
    return catalogued.pricing if catalogued is not None else None


def pick_default(models: Sequence[ModelInfo]) -> str:
    """The model to start with: the catalogue's default when the endpoint lists it, else the
    first catalogued image model it lists, else its first image model, else DEFAULT_MODEL."""
    images = [m for m in models if m.takes_images]
    names = {name for m in images for name in (m.id, *m.aliases)}
    if DEFAULT_MODEL in names:
        return DEFAULT_MODEL
    for model in CATALOGUE:
        if model.takes_images and model.id in names:
            return model.id
    return images[0].id if images else DEFAULT_MODEL


def describe_model(info: ModelInfo | CatalogModel) -> str:
    """ "1,000,000 tokens · reasons" — what the model picker shows beside an id."""
    window = info.context_window or known_window(info.id)
    reasoning = reasoning_of(info.id)
    bits = [f"{window:,} tokens" if window else "window unknown"]
    if reasoning.efforts:
        bits.append("reasons (" + ", ".join(reasoning.efforts) + ")")
    elif reasoning.thinks:
        bits.append("reasons")
    return " · ".join(bits)


def retired_note(model_id: str) -> str | None:
    retired = RETIRED.get(model_id)
    return retired.describe(model_id) if retired is not None else None


_MAX_PROMPT = re.compile(r"maximum (?:prompt|context) length is (\d[\d,]*)", re.IGNORECASE)


def window_from_error(message: str) -> int | None:
    """The window a server gave in its "maximum prompt length is N" error, if it did."""
    found = _MAX_PROMPT.search(message)
    return int(found.group(1).replace(",", "")) if found else None
