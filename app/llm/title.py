"""The title request: one short, non-streamed Chat Completions call, apart from the
conversation's own requests (no conversation id header, no prompt-cache key), so that it
neither reads nor spoils the conversation's cached prefix."""

from __future__ import annotations

from typing import Any, cast

import openai
from openai.types.chat import ChatCompletionMessageParam

from app.core.conversation import Usage
from app.core.titles import TITLE_MAX_TOKENS

TITLE_TIMEOUT = 20.0  # seconds: a title is not worth a long wait


async def request_title(
    client: openai.AsyncOpenAI, model: str, messages: list[dict[str, Any]]
) -> tuple[str, Usage | None]:
    """The model's answer and the usage the server reported. Raises openai's errors."""
    completion = await client.chat.completions.create(
        model=model,
        messages=cast("list[ChatCompletionMessageParam]", messages),
        max_tokens=TITLE_MAX_TOKENS,
        temperature=0.2,
        stream=False,
        timeout=TITLE_TIMEOUT,
    )
    text = (completion.choices[0].message.content or "") if completion.choices else ""
    usage = completion.usage
    return text, Usage.from_api(usage.model_dump()) if usage is not None else None
