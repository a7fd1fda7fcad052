"""Streaming one reply as typed events, with visible retries and a connection always closed."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

import httpx2
import openai
from openai.types.chat import ChatCompletion, ChatCompletionChunk

from app.core.conversation import Usage
from app.llm.errors import ChatError, ErrorKind, map_error
from app.llm.events import (
    Finished,
    ReasoningDelta,
    ReplyEvent,
    Retrying,
    TextDelta,
    ToolCallDelta,
    UsageReport,
)

if TYPE_CHECKING:
    from openai._types import RequestOptions


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 2
    base_delay: float = 1.0
    max_delay: float = 20.0

    def delay(self, attempt: int, error: ChatError) -> float:
        if error.retry_after is not None:
            return float(min(error.retry_after, self.max_delay))
        return float(min(self.base_delay * 2 ** (attempt - 1), self.max_delay))


CONVERSATION_HEADER = "x-grok-conv-id"
# How long a reasoning model may stay silent: its first word can take minutes at high effort.
THINKING_READ_TIMEOUT = 900.0


@dataclass(frozen=True)
class ReplyRequest:
    model: str
    messages: Sequence[dict[str, Any]]
    max_tokens: int | None = None
    temperature: float | None = None
    response_format: dict[str, Any] | None = None
    tools: Sequence[dict[str, Any]] | None = None
    tool_choice: str | dict[str, Any] | None = None
    # Sent as `x-grok-conv-id`: the requests of one conversation reach the server that holds
    # its cached prefix (xAI bills that prefix at the cached price; other servers ignore it).
    conversation_id: str | None = None
    reasoning_effort: str | None = None  # only for a model that takes it (catalog)
    thinks: bool = False  # the model may reason in silence for minutes before its first word

    def body(self) -> dict[str, Any]:
        """The request's JSON body."""
        body: dict[str, Any] = {
            "model": self.model,
            "messages": list(self.messages),
            "stream": True,
            "stream_options": {"include_usage": True},
        }
        if self.max_tokens is not None:
            body["max_tokens"] = self.max_tokens
        if self.temperature is not None:
            body["temperature"] = self.temperature
        if self.reasoning_effort is not None:
            body["reasoning_effort"] = self.reasoning_effort
        if self.response_format is not None:
            body["response_format"] = self.response_format
        if self.tools:
            body["tools"] = list(self.tools)
            if self.tool_choice is not None:
                body["tool_choice"] = self.tool_choice
        return body

    def headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json"}
        if self.conversation_id:
            headers[CONVERSATION_HEADER] = self.conversation_id
        return headers

    @cached_property
    def encoded(self) -> bytes:
        """The body as the bytes sent, made once. The whole history with its images is
        megabytes of JSON by turn 100, so read this first on a worker thread, not on the event
        loop (the GUI thread). It is encoded a message part at a time: json.dumps holds the
        GIL from start to end, and 10 MB in one call kept the GUI thread waiting for 40 ms.
        The messages are plain JSON already (`Conversation.to_api_messages`): nothing in the
        client needs to walk them (its typed-parameter transform took 2 ms a message)."""
        rest = self.body()
        messages = rest.pop("messages")
        body = bytearray(b'{"messages":[')  # grown piece by piece: each is freed at once
        for index, message in enumerate(messages):
            if index:
                body += b","
            for piece in _message_json(message):
                body += piece
        body += b"]"
        body += _rest_of_object(rest)
        return bytes(body)


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode(
        "utf-8"
    )


def _rest_of_object(fields: dict[str, Any]) -> bytes:
    """The remaining fields of an object whose first field is already written, and its "}"."""
    return b"," + _json(fields)[1:] if fields else b"}"


def _message_json(message: dict[str, Any]) -> Iterator[bytes]:
    """One message as JSON, in pieces: a content part at a time."""
    content = message.get("content")
    if not isinstance(content, list):
        yield _json(message)
        return
    yield b'{"content":['
    for index, part in enumerate(content):
        if index:
            yield b","
        yield _json(part)
    yield b"]"
    yield _rest_of_object({key: value for key, value in message.items() if key != "content"})


async def stream_reply(
    client: openai.AsyncOpenAI, request: ReplyRequest, retry: RetryPolicy | None = None
) -> AsyncIterator[ReplyEvent]:
    """Yield the reply's events. Raises ChatError; cancelling closes the connection at once.

    A failure before the first event is retried per `retry` (announced by a `Retrying` event);
    once text has arrived a failure is final, so that nothing is shown twice.
    """
    policy = retry or RetryPolicy()
    attempt = 0
    while True:
        try:
            stream = await client.post(
                "/chat/completions",
                cast_to=ChatCompletion,
                content=request.encoded,
                options=_options(client, request),
                stream=True,
                stream_cls=openai.AsyncStream[ChatCompletionChunk],
            )
        except (openai.APIError, json.JSONDecodeError) as exc:
            error = map_error(exc)
            attempt += 1
            if not error.retryable or attempt > policy.max_retries:
                raise error from exc
            delay = policy.delay(attempt, error)
            yield Retrying(attempt, policy.max_retries, delay, error)
            await asyncio.sleep(delay)
            continue
        # A thinking model's long allowance covers the silence before its first words only.
        silence = (
            client.timeout.read
            if (request.thinks and isinstance(client.timeout, httpx2.Timeout))
            else None
        )
        async for event in _events(stream, silence):
            yield event
        return


def _options(client: openai.AsyncOpenAI, request: ReplyRequest) -> RequestOptions:
    options: RequestOptions = {"headers": request.headers()}
    if request.thinks and isinstance(client.timeout, httpx2.Timeout):
        options["timeout"] = httpx2.Timeout(
            client.timeout.connect,
            read=max(THINKING_READ_TIMEOUT, client.timeout.read or 0.0),
            write=client.timeout.write,
            pool=client.timeout.pool,
        )
    return options


def _reasoning_of(delta: Any) -> str | None:
    """`reasoning_content` of a delta (xAI's, outside the OpenAI schema), if any."""
    extra = getattr(delta, "model_extra", None) or {}
    text = extra.get("reasoning_content")
    return text if isinstance(text, str) and text else None


async def _paced(stream: openai.AsyncStream[Any], silence: float | None) -> AsyncIterator[Any]:
    """The stream's chunks; once one has carried words (text, reasoning or a tool call), each
    next one must come within `silence` s."""
    chunks = stream.__aiter__()
    started = False
    while True:
        try:
            async with asyncio.timeout(silence if started else None):
                chunk = await anext(chunks)
        except StopAsyncIteration:
            return
        except TimeoutError:
            raise ChatError(
                ErrorKind.STREAM_INTERRUPTED, "the server stopped answering mid-reply"
            ) from None
        started = started or any(
            c.delta is not None
            and (c.delta.content or c.delta.tool_calls or _reasoning_of(c.delta))
            for c in chunk.choices
        )
        yield chunk


async def _events(
    stream: openai.AsyncStream[Any], silence: float | None = None
) -> AsyncIterator[ReplyEvent]:
    """The reply's events. `silence`: the longest pause between chunks once the reply has
    started (a thinking model's request allows a much longer one before that)."""
    usage: dict[str, Any] | None = None
    finish: str | None = None
    saw_calls = False
    async with stream:
        try:
            async for chunk in _paced(stream, silence):
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
            raise _interrupted(exc) from exc
    if finish is None:
        raise ChatError(
            ErrorKind.STREAM_INTERRUPTED, "the connection ended before the reply was complete"
        )
    if usage is not None:
        yield UsageReport(Usage.from_api(usage))
    yield Finished(finish)


def _interrupted(exc: BaseException) -> ChatError:
    error = map_error(exc)
    if error.kind in (ErrorKind.NETWORK_DOWN, ErrorKind.TIMEOUT):
        detail = (
            "the server stopped answering"
            if error.kind is ErrorKind.TIMEOUT
            else ("the connection was lost")
        )
        return ChatError(ErrorKind.STREAM_INTERRUPTED, f"{detail} mid-reply ({error.message})")
    return error
