"""A Chat Completions stream (`chat.completion.chunk` objects) as the reply's typed events."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx2
import openai

from app.core.conversation import Usage
from app.llm.events import (
    Finished,
    ReasoningDelta,
    ReplyEvent,
    TextDelta,
    ToolCallDelta,
    UsageReport,
)
from app.llm.pacing import ended_early, interrupted, paced


def _reasoning_of(delta: Any) -> str | None:
    """`reasoning_content` of a delta (xAI's, outside the OpenAI schema), if any."""
    extra = getattr(delta, "model_extra", None) or {}
    text = extra.get("reasoning_content")
    return text if isinstance(text, str) and text else None


def _has_words(chunk: Any) -> bool:
    return any(
        c.delta is not None and (c.delta.content or c.delta.tool_calls or _reasoning_of(c.delta))
        for c in chunk.choices
    )


async def chat_events(
    stream: openai.AsyncStream[Any], silence: float | None = None
) -> AsyncIterator[ReplyEvent]:
    """The reply's events. `silence`: the longest pause between chunks once the reply has
    started (a thinking model's request allows a much longer one before that)."""
    usage: dict[str, Any] | None = None
    finish: str | None = None
    saw_calls = False
    async with stream:
        try:
            async for chunk in paced(stream, silence, _has_words):
                if chunk.usage is not None:  # one final chunk, or cumulative in every chunk
                    usage = chunk.usage.model_dump()
                for choice in chunk.choices:
                    delta = choice.delta
                    reasoning = _reasoning_of(delta) if delta is not None else None
                    if reasoning:
                        yield ReasoningDelta(reasoning)
                    if delta is not None and delta.content:
                        yield TextDelta(delta.content)
                    if delta is not None and delta.tool_calls:
                        saw_calls = True
                        for call in delta.tool_calls:
                            function = call.function
                            yield ToolCallDelta(
                                call.index,
                                call.id,
                                function.name if function else None,
                                (function.arguments or "") if function else "",
                            )
                    if choice.finish_reason is not None:  # xAI sends "" after tool calls
                        finish = choice.finish_reason or ("tool_calls" if saw_calls else "stop")
        except (openai.APIError, httpx2.HTTPError, json.JSONDecodeError, OSError) as exc:
            raise interrupted(exc) from exc
    if finish is None:
        raise ended_early()
    if usage is not None:
        yield UsageReport(Usage.from_api(usage))
    yield Finished(finish)
