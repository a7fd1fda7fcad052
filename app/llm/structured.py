"""Structured output where the endpoint allows it, and a stated fallback where it does not.

An endpoint that refuses ``response_format: {"type": "json_schema", ...}`` (an older
OpenAI-compatible server, a model without structured output) answers 400 or 422 naming the
field. The request is then made once more with JSON mode and the schema written into the system
prompt, and a `FormatFallback` event says so before the reply's own events.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from typing import Any

import openai

from app.core.json_reply import schema_instruction
from app.llm.errors import ChatError
from app.llm.events import ReplyEvent
from app.llm.stream import ReplyRequest, RetryPolicy, stream_reply

_REFUSAL_WORDS = (
    "response_format",
    "json_schema",
    "structured output",
    "response format",
    "text.format",
)


@dataclass(frozen=True)
class FormatFallback:
    """The schema could not be enforced by the endpoint; `message` says what was done instead."""

    message: str


StructuredEvent = ReplyEvent | FormatFallback


def schema_of(request: ReplyRequest) -> dict[str, Any] | None:
    """The JSON schema a request asks the endpoint to enforce, if any."""
    fmt = request.response_format or {}
    if fmt.get("type") != "json_schema":
        return None
    spec = fmt.get("json_schema")
    schema = spec.get("schema") if isinstance(spec, dict) else None
    return schema if isinstance(schema, dict) else None


def refuses_schema(request: ReplyRequest, error: ChatError) -> bool:
    """Whether ``error`` is the endpoint turning down the schema-constrained format."""
    if schema_of(request) is None or error.status not in (400, 422):
        return False
    words = error.message.lower()
    return any(word in words for word in _REFUSAL_WORDS)


def schema_fallback(request: ReplyRequest) -> ReplyRequest:
    """The same request in JSON mode, the schema appended to (or made) the system prompt."""
    schema = schema_of(request) or {}
    instruction = schema_instruction(schema)
    messages = [dict(message) for message in request.messages]
    if (
        messages
        and messages[0].get("role") == "system"
        and isinstance(messages[0].get("content"), str)
    ):
        messages[0]["content"] = f"{messages[0]['content']}\n\n{instruction}"
    else:
        messages.insert(0, {"role": "system", "content": instruction})
    return replace(request, messages=messages, response_format={"type": "json_object"})


async def stream_structured(
    client: openai.AsyncOpenAI, request: ReplyRequest, retry: RetryPolicy | None = None
) -> AsyncIterator[StructuredEvent]:
    """`stream_reply`, retried once in JSON mode if the endpoint refuses the schema."""
    try:
        async for event in stream_reply(client, request, retry):
            yield event
    except ChatError as error:
        if not refuses_schema(request, error):
            raise
        refusal = error.message
    else:
        return
    yield FormatFallback(
        f"This endpoint refused a JSON schema as the response format (“{refusal.rstrip('.')}”), "
        "so the request was sent again in JSON mode with the schema in the system prompt; the "
        "reply is checked against the schema here."
    )
    async for event in stream_reply(client, schema_fallback(request), retry):
        yield event
