"""The demo endpoint on a real socket: wire format, usage, image tokens, life cycle.

Everything goes through real HTTP: the raw stream with urllib, the rest with the real `openai`
client (sync and async). Errors are in test_demo_errors.py, faults in test_demo_faults.py.
"""

from __future__ import annotations

import asyncio
import http.client
import logging
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import openai
import pytest
from support.demo import (
    Pause,
    open_stream,
    png_bytes,
    post_json,
    sse_blocks,
    sse_payloads,
    user_message,
)

from app.core.budget import TOKENS_PER_MESSAGE, TOKENS_PER_REQUEST, estimate_text_tokens
from app.demo import DEMO_API_KEY, DemoServer, Fault
from app.demo.state import DemoState

CHAT = "/chat/completions"
MODEL = "grok-4.7"


def _chat_body(
    text: str = "What is in this picture?", *images: bytes, **extra: Any
) -> dict[str, Any]:
    return {"model": MODEL, "messages": [user_message(text, *images)], **extra}


# -- the raw stream ----------------------------------------------------------------------------


def test_stream_wire_format_matches_the_recorded_real_stream(demo_server: DemoServer) -> None:
    body = _chat_body(
        "Describe it.", png_bytes(64, 64), stream=True, stream_options={"include_usage": True}
    )
    with open_stream(demo_server.base_url + CHAT, body) as response:
        assert response.status == 200
        assert response.headers.get_content_type() == "text/event-stream"
        raw = response.read()

    blocks = sse_blocks(raw)
    assert ": keep-alive" in blocks, "at least one SSE comment line"
    payloads = sse_payloads(raw)
    assert payloads[-1] == "[DONE]"
    chunks = payloads[:-1]
    ids = {c["id"] for c in chunks}
    assert len(ids) == 1
    assert re.fullmatch(r"[0-9a-f-]{36}_us-east-1", ids.pop())
    for chunk in chunks:
        assert chunk["object"] == "chat.completion.chunk"
        assert chunk["model"] == MODEL
        assert isinstance(chunk["created"], int)
        assert chunk["system_fingerprint"].startswith("fp_")
        assert "usage" not in chunk or chunk["choices"] == []

    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    assert all("role" not in c["choices"][0]["delta"] for c in chunks[1:] if c["choices"])
    assert any(
        c["choices"] and c["choices"][0]["delta"] == {} and "finish_reason" not in c["choices"][0]
        for c in chunks
    ), "empty deltas appear"
    assert chunks[-2]["choices"] == [{"index": 0, "delta": {}, "finish_reason": "stop"}]
    usage_chunk = chunks[-1]
    assert usage_chunk["choices"] == []
    usage = usage_chunk["usage"]
    assert usage["prompt_tokens_details"]["image_tokens"] == 512
    reasoning = usage["completion_tokens_details"]["reasoning_tokens"]
    assert reasoning == 1024  # grok-4.7 thinks at high effort unless told otherwise
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"] + reasoning

    text = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks if c["choices"])
    assert usage["completion_tokens"] == estimate_text_tokens(text)
    sizes = [
        len(c["choices"][0]["delta"]["content"])
        for c in chunks
        if c["choices"] and c["choices"][0]["delta"].get("content")
    ]
    assert max(sizes) == 12
    assert all(s <= 12 for s in sizes)


def test_stream_without_include_usage_has_no_usage(demo_server: DemoServer) -> None:
    with open_stream(demo_server.base_url + CHAT, _chat_body(stream=True)) as response:
        chunks = sse_payloads(response.read())[:-1]
    assert all("usage" not in c for c in chunks)
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"


def test_usage_in_every_chunk_is_cumulative() -> None:
    with DemoServer(usage_in_every_chunk=True) as server:
        body = _chat_body(
            "Hi", png_bytes(10, 10), stream=True, stream_options={"include_usage": True}
        )
        with open_stream(server.base_url + CHAT, body) as response:
            chunks = sse_payloads(response.read())[:-1]
        assert all("usage" in c for c in chunks)
        assert all(c["choices"] for c in chunks), "no separate choices:[] chunk in this shape"
        completions = [c["usage"]["completion_tokens"] for c in chunks]
        assert completions == sorted(completions)
        assert completions[-1] > completions[0]
        prompt = chunks[0]["usage"]["prompt_tokens"]
        assert all(c["usage"]["prompt_tokens"] == prompt for c in chunks)

        with (
            openai.OpenAI(base_url=server.base_url, api_key=DEMO_API_KEY, max_retries=0) as client,
            client.chat.completions.create(**body) as stream,
        ):
            last = None
            for chunk in stream:
                last = chunk
        assert last is not None
        assert last.usage is not None
        assert last.usage.completion_tokens == completions[-1]


def test_chunk_size_and_pace_are_honoured(pauses: list[Pause]) -> None:
    with DemoServer(chunk_chars=40, pace=0.0) as server:
        server.pace = 0.01
        started = time.monotonic()
        with open_stream(server.base_url + CHAT, _chat_body(stream=True)) as response:
            chunks = sse_payloads(response.read())[:-1]
        elapsed = time.monotonic() - started
    contents = [c["choices"][0]["delta"].get("content", "") for c in chunks if c["choices"]]
    pieces = [p for p in contents if p]
    assert max(len(p) for p in pieces) == 40
    assert len(pieces) > 2
    # A pause of the new pace between every two chunks, each waited out in full; the request
    # spans them all, so it cannot have taken less than their sum.
    assert [(p.seconds, p.ran_out) for p in pauses] == [(0.01, True)] * (len(pieces) - 1)
    assert elapsed >= 0.01 * (len(pieces) - 1)


# -- usage and image tokens ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("size", "tokens"),
    [
        ((448, 448), 512),
        ((449, 448), 768),
        ((448, 449), 768),
        ((896, 896), 1280),
        ((4000, 3000), 1792),
    ],
)
def test_image_tokens_follow_the_tile_formula(
    demo_server: DemoServer, demo_client: openai.OpenAI, size: tuple[int, int], tokens: int
) -> None:
    reply = demo_client.chat.completions.create(**_chat_body("Size?", png_bytes(*size)))
    assert reply.usage is not None
    assert reply.usage.prompt_tokens_details is not None
    assert reply.usage.prompt_tokens_details.image_tokens == tokens
    assert demo_server.chat_requests[-1].image_sizes == [size]


def test_usage_counts_every_image_and_text_of_the_whole_history(demo_client: openai.OpenAI) -> None:
    messages: list[Any] = [
        {"role": "system", "content": "You describe images."},
        user_message("First look", png_bytes(448, 448), png_bytes(900, 100)),
        {"role": "assistant", "content": "Two images."},
        user_message("And this one?", png_bytes(1000, 1000, (0, 0, 255))),
    ]
    reply = demo_client.chat.completions.create(
        model="grok-4.20-0309-non-reasoning", messages=messages
    )
    usage = reply.usage
    assert usage is not None
    assert usage.prompt_tokens_details is not None
    assert usage.prompt_tokens_details.image_tokens == 512 + 1024 + 1792
    texts = ["You describe images.", "First look", "Two images.", "And this one?"]
    expected_text = (
        sum(estimate_text_tokens(t) for t in texts) + 4 * TOKENS_PER_MESSAGE + TOKENS_PER_REQUEST
    )
    assert usage.prompt_tokens_details.text_tokens == expected_text
    assert usage.prompt_tokens == expected_text + 3328
    assert usage.prompt_tokens_details.cached_tokens == 0
    assert usage.completion_tokens_details is not None
    assert usage.completion_tokens_details.reasoning_tokens == 0
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens


def test_image_tokens_fn_changes_the_count() -> None:
    with (
        DemoServer(image_tokens_fn=lambda w, h: 1000 + w) as server,
        openai.OpenAI(base_url=server.base_url, api_key=DEMO_API_KEY, max_retries=0) as client,
    ):
        reply = client.chat.completions.create(**_chat_body("x", png_bytes(30, 20)))
    assert reply.usage is not None
    assert reply.usage.prompt_tokens_details is not None
    assert reply.usage.prompt_tokens_details.image_tokens == 1030


def test_non_streaming_reply(demo_client: openai.OpenAI) -> None:
    reply = demo_client.chat.completions.create(**_chat_body("Hello", png_bytes(20, 20)))
    assert reply.object == "chat.completion"
    assert reply.model == MODEL
    assert reply.id.endswith("_us-east-1")
    assert reply.system_fingerprint is not None
    assert reply.system_fingerprint.startswith("fp_")
    choice = reply.choices[0]
    assert choice.finish_reason == "stop"
    assert choice.message.role == "assistant"
    assert choice.message.content is not None
    assert "simulated" in choice.message.content.lower()
    assert reply.usage is not None
    assert reply.usage.completion_tokens == estimate_text_tokens(choice.message.content)


def test_the_reply_is_deterministic_and_equal_streamed_or_not(demo_client: openai.OpenAI) -> None:
    body = _chat_body("Same question", png_bytes(100, 50))
    first = demo_client.chat.completions.create(**body).choices[0].message.content
    second = demo_client.chat.completions.create(**body).choices[0].message.content
    with demo_client.chat.completions.create(**body, stream=True) as stream:
        streamed = "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
    assert first == second == streamed


def test_alias_resolves_to_the_model_id(demo_client: openai.OpenAI) -> None:
    reply = demo_client.chat.completions.create(
        model="grok-4.5-latest", messages=[{"role": "user", "content": "hi"}]
    )
    assert reply.model == "grok-4.5"


def test_async_client_streams_with_usage(demo_server: DemoServer) -> None:
    async def run() -> tuple[str, Any]:
        client = openai.AsyncOpenAI(
            base_url=demo_server.base_url, api_key=DEMO_API_KEY, max_retries=0, timeout=10.0
        )
        try:
            stream = await client.chat.completions.create(
                **_chat_body("Async?", png_bytes(449, 449)),
                stream=True,
                stream_options={"include_usage": True},
            )
            text, usage = "", None
            async with stream:
                async for chunk in stream:
                    if chunk.choices:
                        text += chunk.choices[0].delta.content or ""
                    if chunk.usage is not None:
                        usage = chunk.usage
            return text, usage
        finally:
            await client.close()

    text, usage = asyncio.run(run())
    assert text.startswith("*Simulated reply")
    assert usage is not None
    assert usage.prompt_tokens_details.image_tokens == 1280


def test_requests_are_recorded_with_the_key_redacted(
    demo_server: DemoServer, demo_client: openai.OpenAI
) -> None:
    demo_client.chat.completions.create(
        **_chat_body("Rec", png_bytes(30, 40)),
        max_tokens=500,
        response_format={"type": "json_object"},
    )
    record = demo_server.requests[-1]
    assert (record.method, record.path, record.model) == ("POST", "/v1/chat/completions", MODEL)
    assert record.stream is False
    assert record.image_count == 1
    assert record.image_sizes == [(30, 40)]
    assert record.max_tokens == 500
    assert record.response_format == {"type": "json_object"}
    assert record.status == 200
    assert record.authorization == "Bearer xa***ey"
    assert DEMO_API_KEY not in repr(demo_server.requests)


def test_a_client_leaving_mid_stream_is_handled_quietly(
    demo_server: DemoServer, demo_client: openai.OpenAI, caplog: pytest.LogCaptureFixture
) -> None:
    demo_server.pace = 0.02
    with demo_client.chat.completions.create(**_chat_body(), stream=True) as stream:
        for count, _chunk in enumerate(stream):
            if count == 2:
                break
    demo_server.pace = 0.0
    reply = demo_client.chat.completions.create(**_chat_body())
    assert reply.choices[0].finish_reason == "stop"
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


# -- life cycle ----------------------------------------------------------------------------------


def test_stop_ends_a_stalled_stream_promptly_and_leaves_no_thread(pauses: list[Pause]) -> None:
    before = set(threading.enumerate())
    server = DemoServer(stall_seconds=60).start()
    server.inject(Fault.STALL_MID_STREAM, after_chunks=2)
    with open_stream(server.base_url + CHAT, _chat_body(stream=True)) as response:
        events = 0
        while events < 3:  # two content chunks and the empty delta after them: then the stall
            line = response.readline()
            assert line, "the stream ended before the stall"
            events += line.startswith(b"data: ")
        server.stop()
        with pytest.raises(http.client.IncompleteRead) as cut:
            response.read()  # the body ends without its last chunk
        assert b"[DONE]" not in cut.value.partial
    stalls = [p for p in pauses if p.seconds == 60]
    assert len(stalls) == 1
    stalls[0].thread.join()
    assert stalls[0].ran_out is False  # ended by stop(), not waited out
    assert not server.running
    assert set(threading.enumerate()) <= before


def test_stop_cuts_idle_keep_alive_connections(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="app.demo")
    serving: list[threading.Thread] = []
    open_connection = DemoState.open_connection

    def recorded(state: DemoState, connection: socket.socket) -> bool:
        serving.append(threading.current_thread())
        return open_connection(state, connection)

    monkeypatch.setattr(DemoState, "open_connection", recorded)
    before = set(threading.enumerate())
    server = DemoServer().start()
    with openai.OpenAI(base_url=server.base_url, api_key=DEMO_API_KEY, max_retries=0) as client:
        client.models.list()  # leaves a kept-alive connection open
        assert len(serving) == 1
        assert serving[0].is_alive()  # waiting for the next request on it
        server.stop()
        serving[0].join()  # while the client still holds the connection open
    # stop() cut the connection: it did not run into its idle timeout
    assert not [r for r in caplog.records if "timed out" in r.getMessage()]
    assert set(threading.enumerate()) <= before


def test_stop_is_idempotent_and_the_server_restarts() -> None:
    server = DemoServer()
    server.stop()  # never started: nothing to do
    with server:
        first_url = server.base_url
        assert (
            post_json(server.base_url + "/tokenize-text", {"text": "a", "model": MODEL}).status
            == 200
        )
    server.stop()
    with server:
        assert server.base_url.startswith("http://127.0.0.1:")
        assert (
            post_json(server.base_url + "/tokenize-text", {"text": "a", "model": MODEL}).status
            == 200
        )
    assert first_url.endswith("/v1")
    with pytest.raises(RuntimeError):
        server.start().start()
    server.stop()


def test_run_demo_server_prints_url_and_key_and_stops_on_ctrl_c() -> None:
    root = Path(__file__).resolve().parent.parent
    code = "import sys; from app.demo import run_demo_server; sys.exit(run_demo_server(port=0))"
    with subprocess.Popen(
        [sys.executable, "-c", code],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        key = process.stdout.readline().strip()
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/v1", url)
        assert key == DEMO_API_KEY
        assert post_json(url + "/tokenize-text", {"text": "hi", "model": MODEL}).status == 200
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=10)
    assert process.returncode == 0, err
