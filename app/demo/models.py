"""The demo endpoint's model table and the bodies of `/v1/models` and `/v1/language-models`."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from app.core.limits import RETIRED_SEED_MODELS


@dataclass(frozen=True)
class DemoModel:
    """One model the demo serves. Prices in USD cents per 100 million tokens, as xAI gives them."""

    id: str
    created: int
    takes_images: bool
    context_window: int
    prompt_text_price: int
    prompt_image_price: int
    completion_price: int
    cached_prompt_price: int
    aliases: tuple[str, ...] = ()
    version: str = "1.0.0"

    @property
    def fingerprint(self) -> str:
        """A stable `fp_...` string, used as `system_fingerprint` and in language-models."""
        return "fp_" + hashlib.sha256(self.id.encode()).hexdigest()[:10]

    @property
    def input_modalities(self) -> list[str]:
        return ["text", "image"] if self.takes_images else ["text"]


DEMO_MODELS: tuple[DemoModel, ...] = (
    DemoModel("grok-4", created=1752019200, takes_images=True, context_window=256_000,
              prompt_text_price=30_000, prompt_image_price=30_000, completion_price=150_000,
              cached_prompt_price=7_500, aliases=("grok-4-0709", "grok-4-latest")),
    DemoModel("grok-4-fast-non-reasoning", created=1758153600, takes_images=True,
              context_window=2_000_000, prompt_text_price=2_000, prompt_image_price=2_000,
              completion_price=5_000, cached_prompt_price=500,
              aliases=("grok-4-fast-non-reasoning-latest",)),
    # Not a real model: a small window so that tests can reach "prompt too long".
    DemoModel("grok-vision-demo-8k", created=1767225600, takes_images=True, context_window=8192,
              prompt_text_price=2_000, prompt_image_price=2_000, completion_price=5_000,
              cached_prompt_price=500),
    DemoModel("grok-3-mini", created=1743724800, takes_images=False, context_window=131_072,
              prompt_text_price=3_000, prompt_image_price=0, completion_price=5_000,
              cached_prompt_price=750, aliases=("grok-3-mini-latest",)),
)

_BY_NAME: dict[str, DemoModel] = {
    name: model for model in DEMO_MODELS for name in (model.id, *model.aliases)
}


def resolve_model(name: str) -> DemoModel | None:
    """The model a name or alias refers to; None for unknown and retired ids."""
    if name in RETIRED_SEED_MODELS:
        return None
    return _BY_NAME.get(name)


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
        "prompt_text_token_price": model.prompt_text_price,
        "cached_prompt_text_token_price": model.cached_prompt_price,
        "prompt_image_token_price": model.prompt_image_price,
        "completion_text_token_price": model.completion_price,
        "search_price": 0,
        "aliases": list(model.aliases),
    }


def language_models_body() -> dict[str, Any]:
    return {"models": [language_model_object(m) for m in DEMO_MODELS]}
