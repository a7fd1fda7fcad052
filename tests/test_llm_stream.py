"""The llm layer against the local endpoint, through the real openai client over loopback."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Sequence
from typing import Any

import pytest
from support.demo import png_bytes, user_message

from app.demo import DEMO_API_KEY, DemoServer, Fault
from app.llm.client import Timeouts, make_client
from app.llm.errors import ChatError, ErrorKind
from app.llm.events import Finished, ReplyEvent, Retrying, TextDelta, UsageReport
from app.llm.stream import ReplyRequest, RetryPolicy, stream_reply

FAST_RETRY = RetryPolicy(max_retries=2, base_delay=0.01, max_delay=0.05)


def collect(
    server: DemoServer,
    messages: Sequence[dict[str, Any]],
    *,
    model: str = "grok-4",
    key: str = DEMO_API_KEY,
    retry: RetryPolicy = FAST_RETRY,
    timeouts: Timeouts | None = None,
    **kwargs: Any,
) -> tuple[list[ReplyEvent], ChatError | None]:
    """Run one streamed reply; the events seen and the error it ended with, if any."""
    events: list[ReplyEvent] = []

    async def main() -> ChatError | None:
        client = make_client(server.base_url, key, timeouts)
        try:
            async for event in stream_reply(client, ReplyRequest(model, messages, **kwargs), retry):
                events.append(event)
        except ChatError as error:
            return error
        finally:
            await client.close()
        return None

    return events, asyncio.run(main())


def text_of(events: Sequence[ReplyEvent]) -> str:
    return "".join(e.text for e in events if isinstance(e, TextDelta))


def test_streams_text_then_usage_then_finish(demo_server: DemoServer) -> None:
    events, error = collect(demo_server, [user_message("What is this?", png_bytes(448, 449))])
    assert error is None
    assert "simulat" in text_of(events).lower()
    assert isinstance(events[-1], Finished)
    assert events[-1].reason == "stop"
    usage = next(e.usage for e in events if isinstance(e, UsageReport))
    assert usage.image_tokens == 768  # 1×2 tiles + 1, by the tile formula on the decoded image
    assert usage.prompt_tokens > usage.image_tokens


def test_cumulative_usage_in_every_chunk_is_accepted() -> None:
    with DemoServer(usage_in_every_chunk=True) as server:
        events, error = collect(server, [user_message("hi", png_bytes(900, 900))])
    assert error is None
    reports = [e for e in events if isinstance(e, UsageReport)]
    assert len(reports) == 1
    assert reports[0].usage.image_tokens == 256 * (min(6, 9) + 1)
    assert reports[0].usage.completion_tokens > 0


def test_max_tokens_ends_with_length(demo_server: DemoServer) -> None:
    events, error = collect(demo_server, [user_message("Describe it")], max_tokens=5)
    assert error is None
    assert isinstance(events[-1], Finished)
    assert events[-1].reason == "length"


@pytest.mark.parametrize(
    ("kwargs", "kind", "words"),
    [
        ({"key": "xai-wrong-key-123456"}, ErrorKind.BAD_KEY, "Incorrect API key"),
        ({"model": "grok-2-vision-1212"}, ErrorKind.MODEL_NOT_FOUND, "grok-2-vision-1212"),
        (
            {"model": "grok-vision-demo-8k", "messages": [user_message("x " * 9000)]},
            ErrorKind.TOO_LONG,
            "maximum prompt length",
        ),
    ],
)
def test_errors_carry_the_servers_own_message(
    demo_server: DemoServer, kwargs: dict[str, Any], kind: ErrorKind, words: str
) -> None:
    messages = kwargs.pop("messages", [user_message("hi")])
    _, error = collect(demo_server, messages, **kwargs)
    assert error is not None
    assert error.kind is kind
    assert words in error.message
    assert "Error code" not in error.describe()
    assert error.hint in error.describe()


def test_a_refused_image_names_the_reason(demo_server: DemoServer) -> None:
    webp = {
        "role": "user",
        "content": [
            {"type": "text", "text": "hi"},
            {"type": "image_url", "image_url": {"url": "data:image/webp;base64,UklGRg=="}},
        ],
    }
    _, error = collect(demo_server, [webp])
    assert error is not None
    assert error.kind is ErrorKind.BAD_IMAGE
    assert error.message


def test_the_key_never_appears_in_an_error(demo_server: DemoServer) -> None:
    secret = "xai-SECRETsecretSECRET1234"
    _, error = collect(demo_server, [user_message("hi")], key=secret)
    assert error is not None
    assert secret not in error.describe()


def test_rate_limit_is_retried_visibly_then_succeeds(demo_server: DemoServer) -> None:
    demo_server.inject(Fault.RATE_LIMIT, count=1, retry_after=0)
    events, error = collect(demo_server, [user_message("hi")])
    assert error is None
    retries = [e for e in events if isinstance(e, Retrying)]
    assert len(retries) == 1
    assert retries[0].error.kind is ErrorKind.RATE_LIMITED
    assert retries[0].attempt == 1
    assert text_of(events)


def test_persistent_server_errors_give_up_after_the_retries(demo_server: DemoServer) -> None:
    demo_server.inject(Fault.SERVER_ERROR, count=3)
    events, error = collect(demo_server, [user_message("hi")])
    assert error is not None
    assert error.kind is ErrorKind.SERVER_ERROR
    assert error.status == 500
    assert len([e for e in events if isinstance(e, Retrying)]) == 2


def test_retry_after_is_honoured(demo_server: DemoServer) -> None:
    demo_server.inject(Fault.RATE_LIMIT, count=3, retry_after=7)
    _, error = collect(demo_server, [user_message("hi")], retry=RetryPolicy(max_retries=0))
    assert error is not None
    assert error.kind is ErrorKind.RATE_LIMITED
    assert error.retry_after == 7
    assert RetryPolicy(max_delay=30).delay(1, error) == 7


@pytest.mark.parametrize("fault", [Fault.DROP_MID_STREAM, Fault.MALFORMED_EVENT])
def test_a_broken_stream_keeps_the_text_so_far(demo_server: DemoServer, fault: Fault) -> None:
    demo_server.inject(fault, after_chunks=3)
    events, error = collect(demo_server, [user_message("hi")])
    assert error is not None
    assert error.kind is ErrorKind.STREAM_INTERRUPTED
    assert text_of(events)  # what arrived before the break is there
    assert not any(isinstance(e, Finished) for e in events)


def test_a_stall_mid_stream_times_out_as_interrupted() -> None:
    with DemoServer(stall_seconds=5) as server:
        server.inject(Fault.STALL_MID_STREAM, after_chunks=2)
        events, error = collect(
            server, [user_message("hi")], timeouts=Timeouts(connect=2, read=0.5)
        )
    assert error is not None
    assert error.kind is ErrorKind.STREAM_INTERRUPTED
    assert "stopped answering" in error.message
    assert text_of(events)


def test_a_thinking_model_may_be_silent_first_but_not_mid_reply() -> None:
    """The long allowance for a reasoning model's silence ends with its first words."""
    with DemoServer(stall_seconds=5, think_seconds=1.0) as server:
        quiet, error = collect(
            server,
            [user_message("hi")],
            model="grok-4.7",
            timeouts=Timeouts(connect=2, read=0.5),
            thinks=True,
        )
        assert error is None  # a second of thinking at high effort, then the answer
        assert text_of(quiet)
        server.inject(Fault.STALL_MID_STREAM, after_chunks=2)
        events, error = collect(
            server,
            [user_message("hi")],
            model="grok-4.7",
            timeouts=Timeouts(connect=2, read=0.5),
            thinks=True,
        )
    assert error is not None
    assert error.kind is ErrorKind.STREAM_INTERRUPTED
    assert "stopped answering" in error.message
    assert text_of(events)


def test_connection_refused_is_network_down() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = DemoServer()
    server.base_url = f"http://127.0.0.1:{port}/v1"
    _, error = collect(server, [user_message("hi")], retry=RetryPolicy(max_retries=0))
    assert error is not None
    assert error.kind is ErrorKind.NETWORK_DOWN


def test_cancelling_mid_stream_stops_at_once() -> None:
    with DemoServer(pace=0.05) as server:
        received: list[str] = []

        async def main() -> None:
            client = make_client(server.base_url, DEMO_API_KEY)
            first = asyncio.Event()

            async def consume() -> None:
                async for event in stream_reply(
                    client, ReplyRequest("grok-4", [user_message("long answer please")])
                ):
                    if isinstance(event, TextDelta):
                        received.append(event.text)
                        first.set()

            task = asyncio.create_task(consume())
            await asyncio.wait_for(first.wait(), timeout=10)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            await client.close()

        asyncio.run(main())
    assert received


def test_the_encoded_body_is_the_body_as_json() -> None:
    messages = [
        {"role": "system", "content": "Read charts. “Quotes”, ünïcödé and \\ backslashes"},
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "Image 1: a.png"},
                {
                    "type": "image_url",
                    "image_url": {"url": "data:image/png;base64,AAAA", "detail": "high"},
                },
                {"type": "text", "text": "What is it?\nLine two"},
            ],
        },
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {"id": "c1", "type": "function", "function": {"name": "f", "arguments": '{"a": 1}'}}
            ],
        },
        {"role": "tool", "tool_call_id": "c1", "content": '{"status": "shown"}'},
        {"role": "user", "content": []},
    ]
    request = ReplyRequest(
        model="grok-4",
        messages=messages,
        max_tokens=100,
        temperature=0.5,
        response_format={"type": "json_object"},
        tools=[{"type": "function", "function": {"name": "f"}}],
        tool_choice="auto",
    )
    assert json.loads(request.encoded) == request.body()
    assert request.prepared is request.prepared  # made once
    bare = ReplyRequest(model="grok-4", messages=[])
    assert json.loads(bare.encoded) == bare.body()
