"""The demo endpoint's model table (December 2026) and the bodies of `/v1/models` and
`/v1/language-models`. Retired ids are either not found or silently served by grok-4.3."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from .billing import Prices


@dataclass(frozen=True)
class DemoModel:
    """One model the demo serves. Prices in USD cents per 100 million tokens, as xAI gives them.

    `efforts` are the values `reasoning_effort` takes (empty: the parameter is refused);
    `effort` is how hard the model thinks when the request does not say (None: it does not
    reason at all). Only `streams_reasoning` models send `delta.reasoning_content`.
    """

    id: str
    created: int
    takes_images: bool
    context_window: int
    prices: Prices
    long_prices: Prices
    aliases: tuple[str, ...] = ()
    efforts: tuple[str, ...] = ()
    effort: str | None = None
    streams_reasoning: bool = False
    version: str = "1.0.0"

    @property
    def fingerprint(self) -> str:
        """A stable `fp_...` string, used as `system_fingerprint` and in language-models."""
        return "fp_" + hashlib.sha256(self.id.encode()).hexdigest()[:10]

    @property
    def input_modalities(self) -> list[str]:
        return ["text", "image"] if self.takes_images else ["text"]


def _model(id: str, created: int, window: int, prices: Prices, **more: Any) -> DemoModel:
    return DemoModel(
        id,
        created=created,
        takes_images=True,
        context_window=window,
        prices=prices,
        long_prices=prices.doubled(),
        **more,
    )


_GROK_47_PRICES = Prices(prompt=20_000, cached=5_000, completion=60_000)
_GROK_43_PRICES = Prices(prompt=12_500, cached=2_000, completion=25_000)

DEMO_MODELS: tuple[DemoModel, ...] = (
    _model(
        "grok-4.7",
        1792540800,
        500_000,
        _GROK_47_PRICES,
        efforts=("low", "medium", "high", "xhigh"),
        effort="high",
    ),
    _model(
        "grok-4.6",
        1786492800,
        500_000,
        _GROK_47_PRICES,
        efforts=("low", "medium", "high", "xhigh"),
        effort="high",
    ),
    _model(
        "grok-4.5",
        1781740800,
        500_000,
        Prices(prompt=20_000, cached=3_000, completion=60_000),
        aliases=("grok-4.5-latest",),
        efforts=("low", "medium", "high", "xhigh"),
        effort="high",
    ),
    _model(
        "grok-4.3",
        1777507200,
        1_000_000,
        _GROK_43_PRICES,
        aliases=("grok-4.3-latest",),
        efforts=("none", "low", "medium", "high"),
        effort="medium",
    ),
    _model(
        "grok-4.20-0309-reasoning",
        1773014400,
        1_000_000,
        _GROK_43_PRICES,
        aliases=("grok-4.20-reasoning", "grok-4.20-reasoning-latest"),
        effort="medium",
    ),
    _model(
        "grok-4.20-0309-non-reasoning",
        1773014400,
        1_000_000,
        _GROK_43_PRICES,
        aliases=("grok-4.20-non-reasoning", "grok-4.20-non-reasoning-latest"),
    ),
    # Not a real model: a small window so that tests can reach "prompt too long".
    _model(
        "grok-vision-demo-8k", 1767225600, 8192, Prices(prompt=2_000, cached=500, completion=5_000)
    ),
    # Not a real model: thinks aloud in `delta.reasoning_content`, as grok-3-mini did.
    _model(
        "grok-demo-thinking-mini",
        1767225600,
        131_072,
        Prices(prompt=3_000, cached=750, completion=5_000),
        efforts=("low", "high"),
        effort="low",
        streams_reasoning=True,
    ),
)

REDIRECT_TARGET = "grok-4.3"
# Retired on 2026-05-15: still answered, by grok-4.3 at this effort, and billed as grok-4.3.
REDIRECTED: dict[str, str] = {
    "grok-4": "low",
    "grok-4-0709": "low",
    "grok-4-latest": "low",
    "grok-4-fast-reasoning": "low",
    "grok-4-fast-reasoning-latest": "low",
    "grok-4-1-fast-reasoning": "low",
    "grok-code-fast-1": "low",
    "grok-4-fast-non-reasoning": "none",
    "grok-4-fast-non-reasoning-latest": "none",
    "grok-4-1-fast-non-reasoning": "none",
    "grok-3": "none",
    "grok-3-latest": "none",
}
# Retired earlier: "Model not found", like any unknown id.
RETIRED: frozenset[str] = frozenset(
    {
        "grok-2-vision-1212",
        "grok-2-vision",
        "grok-2-vision-latest",
        "grok-3-mini",
        "grok-3-mini-latest",
    }
)

_BY_NAME: dict[str, DemoModel] = {
    name: model for model in DEMO_MODELS for name in (model.id, *model.aliases)
}


def listed_model(name: str) -> DemoModel | None:
    """The listed model a name or alias refers to; None for unknown, retired and redirected
    ids (none of them is listed)."""
    return None if name in RETIRED else _BY_NAME.get(name)


def resolve_model(name: str) -> tuple[DemoModel, str | None] | None:
    """The model that answers a chat request naming `name`, and the effort a redirect imposes
    (None: the model's own default); None for unknown and retired ids."""
    if name in REDIRECTED:
        return _BY_NAME[REDIRECT_TARGET], REDIRECTED[name]
    found = listed_model(name)
    return (found, None) if found is not None else None


def model_object(model: DemoModel) -> dict[str, Any]:
    return {"id": model.id, "created": model.created, "object": "model", "owned_by": "xai"}


def models_body() -> dict[str, Any]:
    return {"object": "list", "data": [model_object(m) for m in DEMO_MODELS]}


def language_model_object(model: DemoModel) -> dict[str, Any]:
    return {
        "id": model.id,
        "fingerprint": model.fingerprint,
        "created": model.created,
        "object": "model",
        "owned_by": "xai",
        "version": model.version,
        "input_modalities": model.input_modalities,
        "output_modalities": ["text"],
        "prompt_text_token_price": model.prices.prompt,
        "cached_prompt_text_token_price": model.prices.cached,
        "prompt_image_token_price": model.prices.prompt,
        "completion_text_token_price": model.prices.completion,
        "search_price": 0,
        "aliases": list(model.aliases),
    }


def language_models_body() -> dict[str, Any]:
    return {"models": [language_model_object(m) for m in DEMO_MODELS]}
