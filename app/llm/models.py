"""Which models an endpoint offers, which of them take images, and what they cost."""

from __future__ import annotations

from typing import Any

import openai

from app.core.catalog import ModelInfo, Prices, known_window
from app.llm.errors import map_error


def _parse_language_model(raw: dict[str, Any]) -> ModelInfo:
    model_id = str(raw["id"])
    prices = None
    if isinstance(raw.get("prompt_text_token_price"), int | float):
        prices = Prices(
            prompt_text=int(raw["prompt_text_token_price"]),
            prompt_image=int(raw.get("prompt_image_token_price") or raw["prompt_text_token_price"]),
            completion_text=int(raw.get("completion_text_token_price") or 0),
            cached_prompt_text=int(raw.get("cached_prompt_text_token_price") or 0),
        )
    return ModelInfo(
        id=model_id,
        takes_images="image" in (raw.get("input_modalities") or []),
        context_window=known_window(model_id),
        prices=prices,
        aliases=tuple(str(a) for a in raw.get("aliases") or ()),
        owned_by=str(raw.get("owned_by") or ""),
    )


def _guess_takes_images(model_id: str) -> bool:
    """For endpoints without modality data: names that say so, and xAI's grok-4 family."""
    low = model_id.lower()
    return any(word in low for word in ("vision", "grok-4", "gpt-4o", "gpt-4.1", "vl", "llava"))


def sort_models(models: list[ModelInfo]) -> list[ModelInfo]:
    """Image-capable first, then by id."""
    return sorted(models, key=lambda m: (not m.takes_images, m.id))


async def discover_models(client: openai.AsyncOpenAI) -> list[ModelInfo]:
    """xAI's /language-models (modalities and prices), else the standard /models list.

    Raises ChatError when neither answers.
    """
    try:
        body = await client.get("/language-models", cast_to=object)
        if isinstance(body, dict) and isinstance(body.get("models"), list):
            return sort_models(
                [
                    _parse_language_model(m)
                    for m in body["models"]
                    if isinstance(m, dict) and "id" in m
                ]
            )
    except openai.NotFoundError:
        pass  # not xAI: the standard list follows
    except openai.APIError as exc:
        raise map_error(exc) from exc
    try:
        page = await client.models.list()
    except openai.APIError as exc:
        raise map_error(exc) from exc
    return sort_models(
        [
            ModelInfo(
                id=m.id,
                takes_images=_guess_takes_images(m.id),
                context_window=known_window(m.id),
                owned_by=m.owned_by or "",
            )
            for m in page.data
        ]
    )


async def check_key(client: openai.AsyncOpenAI) -> dict[str, Any]:
    """xAI's /api-key: details of the key (redacted) without spending tokens. Raises ChatError."""
    try:
        body = await client.get("/api-key", cast_to=object)
    except openai.APIError as exc:
        raise map_error(exc) from exc
    return body if isinstance(body, dict) else {}
