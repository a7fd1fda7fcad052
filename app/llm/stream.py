"""Streaming one reply as typed events, in either wire dialect, with visible retries and a
connection always closed."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncGenerator, AsyncIterator, Iterator, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import httpx2
import openai
from openai.types.chat import ChatCompletion, ChatCompletionChunk

from app.llm.api_dialect import (
    Api,
    path_of,
    responses_tool,
    responses_tool_choice,
    text_format,
)
from app.llm.body import ImageSlots, RequestBody
from app.llm.chat_events import chat_events
from app.llm.errors import ChatError, map_error
from app.llm.events import ReplyEvent, Retrying
from app.llm.responses_events import responses_events
from app.llm.too_large import too_large

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
    """One request. `messages` are in the dialect's own shape (Chat Completions messages, or
    Responses `input` items); the answer's shape and tools in Chat Completions' shape, mapped
    for Responses when the body is written."""

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
    api: Api = Api.CHAT
    # Responses: ask for the reasoning in encrypted form, to send back next turn.
    keep_reasoning: bool = False
    # The images behind the placeholders in `messages` (None: data URIs are in them), and the
    # thread that writes their base64 while the body is sent (None: the event loop).
    images: ImageSlots | None = field(default=None, compare=False, repr=False)
    worker: Executor | None = field(default=None, compare=False, repr=False)

    def body(self) -> dict[str, Any]:
        """The request's JSON body."""
        if self.api is Api.RESPONSES:
            return self._responses_body()
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

    def _responses_body(self) -> dict[str, Any]:
        # Never stored: the whole history is sent (and billed) each turn anyway, and xAI warns
        # that stored histories with images may fail. The cache key keeps the prefix cached.
        body: dict[str, Any] = {
            "model": self.model,
            "input": list(self.messages),
            "stream": True,
            "store": False,
        }
        if self.conversation_id:
            body["prompt_cache_key"] = self.conversation_id
        if self.max_tokens is not None:
            body["max_output_tokens"] = self.max_tokens
        if self.temperature is not None:
            body["temperature"] = self.temperature
        if self.reasoning_effort is not None:
            body["reasoning"] = {"effort": self.reasoning_effort}
        if self.keep_reasoning:
            body["include"] = ["reasoning.encrypted_content"]
        if self.response_format is not None:
            body["text"] = {"format": text_format(self.response_format)}
        if self.tools:
            body["tools"] = [responses_tool(tool) for tool in self.tools]
            if self.tool_choice is not None:
                body["tool_choice"] = responses_tool_choice(self.tool_choice)
        return body

    def headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json"}
        if self.conversation_id:
            headers[CONVERSATION_HEADER] = self.conversation_id
        return headers

    @cached_property
    def prepared(self) -> RequestBody:
        """The body as sent, made once: read this first on a worker thread, not on the event
        loop (the GUI thread). Its JSON is made a message part at a time (json.dumps holds the
        GIL from start to end) with each image as a placeholder, so it is kilobytes; the images'
        base64 is written while it is sent (`RequestBody.stream`). The messages are plain JSON
        already (`Conversation.to_api_messages`): nothing in the client needs to walk them (its
        typed-parameter transform took 2 ms a message)."""
        rest = self.body()
        field_name = "input" if self.api is Api.RESPONSES else "messages"
        messages = rest.pop(field_name)
        body = bytearray(b'{"' + field_name.encode() + b'":[')  # grown piece by piece
        for index, message in enumerate(messages):
            if index:
                body += b","
            for piece in _message_json(message):
                body += piece
        body += b"]"
        body += _rest_of_object(rest)
        return RequestBody.cut(bytes(body), self.images)

    @property
    def encoded(self) -> bytes:
        """The whole body in one piece (tests, small requests): the app streams `prepared`."""
        return self.prepared.joined()


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
            stream = await _post(client, request)
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
        read = responses_events if request.api is Api.RESPONSES else chat_events
        async for event in read(stream, silence):
            yield event
        return


async def _post(client: openai.AsyncOpenAI, request: ReplyRequest) -> openai.AsyncStream[Any]:
    options = _options(client, request)
    prepared = request.prepared
    sent = 0

    async def body() -> AsyncGenerator[bytes]:
        # In pieces, each written when the connection takes it: one write of hundreds of MB
        # held the GUI thread for a second. A fresh stream for each attempt.
        nonlocal sent
        async for chunk in prepared.stream(request.worker):
            yield chunk
            sent += len(chunk)

    pieces = body()
    try:
        return await _posted(client, request, pieces, options)
    except (openai.APIStatusError, openai.APIConnectionError) as exc:
        error = too_large(exc, prepared.length, all_sent=sent >= prepared.length)
        if error is None:
            raise
        raise error from exc
    finally:
        await pieces.aclose()


async def _posted(
    client: openai.AsyncOpenAI,
    request: ReplyRequest,
    body: AsyncIterator[bytes],
    options: RequestOptions,
) -> openai.AsyncStream[Any]:
    if request.api is Api.RESPONSES:
        # Responses events arrive as plain dicts: the reader takes what it knows, and a field
        # a server adds or leaves out breaks nothing.
        return await client.post(
            path_of(request.api),
            cast_to=object,
            content=body,
            options=options,
            stream=True,
            stream_cls=openai.AsyncStream[object],
        )
    return await client.post(
        path_of(request.api),
        cast_to=ChatCompletion,
        content=body,
        options=options,
        stream=True,
        stream_cls=openai.AsyncStream[ChatCompletionChunk],
    )


def _options(client: openai.AsyncOpenAI, request: ReplyRequest) -> RequestOptions:
    headers = {**request.headers(), "Content-Length": str(request.prepared.length)}
    options: RequestOptions = {"headers": headers}
    if request.thinks and isinstance(client.timeout, httpx2.Timeout):
        options["timeout"] = httpx2.Timeout(
            client.timeout.connect,
            read=max(THINKING_READ_TIMEOUT, client.timeout.read or 0.0),
            write=client.timeout.write,
            pool=client.timeout.pool,
        )
    return options
