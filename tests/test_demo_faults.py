"""Injected faults, through `DemoServer.inject` and through `POST /demo/faults`."""

from __future__ import annotations

import http.client
import json
import time
from typing import Any

import openai
import pytest
from openai.types.chat import ChatCompletionChunk
from support.demo import (
    Pause,
    open_stream,
    png_bytes,
    post_json,
    sse_blocks,
    user_message,
)

from app.demo import DEMO_API_KEY, DemoServer, Fault

BODY: dict[str, Any] = {"model": "grok-4.7", "messages": [user_message("Fault?", png_bytes(8, 8))]}


def _stream_text(client: openai.OpenAI) -> str:
    with client.chat.completions.create(**BODY, stream=True) as stream:
        return "".join(c.choices[0].delta.content or "" for c in stream if c.choices)


def _collect(stream: openai.Stream[ChatCompletionChunk], into: list[str]) -> None:
    for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            into.append(chunk.choices[0].delta.content)


def test_drop_mid_stream_is_a_connection_error(
    demo_server: DemoServer, demo_client: openai.OpenAI
) -> None:
    demo_server.inject(Fault.DROP_MID_STREAM, after_chunks=2)
    received: list[str] = []
    stream = demo_client.chat.completions.create(**BODY, stream=True)
    with stream, pytest.raises(openai.APIConnectionError):
        _collect(stream, received)
    assert len(received) == 2  # the chunks before the drop arrived
    assert demo_server.chat_requests[-1].fault is Fault.DROP_MID_STREAM
    assert _stream_text(demo_client).startswith("*Simulated")  # the next request is fine


def test_drop_on_a_non_streaming_request(
    demo_server: DemoServer, demo_client: openai.OpenAI
) -> None:
    demo_server.inject(Fault.DROP_MID_STREAM)
    with pytest.raises(openai.APIConnectionError):
        demo_client.chat.completions.create(**BODY)


def test_drop_seen_on_the_wire_has_no_done(demo_server: DemoServer) -> None:
    demo_server.inject(Fault.DROP_MID_STREAM, after_chunks=1)
    with (
        open_stream(demo_server.base_url + "/chat/completions", {**BODY, "stream": True}) as r,
        pytest.raises(http.client.IncompleteRead) as cut,
    ):
        r.read()  # the body ends without its last chunk
    assert b"[DONE]" not in cut.value.partial
    assert cut.value.partial.count(b'"content"') == 1


def test_stall_mid_stream_trips_the_client_read_timeout(
    demo_server: DemoServer, pauses: list[Pause]
) -> None:
    demo_server.inject(Fault.STALL_MID_STREAM, after_chunks=2)
    with openai.OpenAI(
        base_url=demo_server.base_url, api_key=DEMO_API_KEY, max_retries=0, timeout=0.5
    ) as client:
        with pytest.raises(openai.APITimeoutError):
            _stream_text(client)
        stalls = [p for p in pauses if p.seconds == demo_server.stall_seconds]
        # The client gave up while the stall still went on, not once it was over.
        assert [p.ran_out for p in stalls] in ([], [None])
    assert demo_server.chat_requests[-1].fault is Fault.STALL_MID_STREAM


def test_a_short_stall_mid_stream_then_completes(pauses: list[Pause]) -> None:
    with (
        DemoServer(stall_seconds=0.3) as server,
        openai.OpenAI(base_url=server.base_url, api_key=DEMO_API_KEY, max_retries=0) as client,
    ):
        server.inject(Fault.STALL_MID_STREAM)
        started = time.monotonic()
        text = _stream_text(client)
        # the request spans the whole stall, which ran its course before the stream went on
        assert time.monotonic() - started >= 0.3
        assert [p.ran_out for p in pauses if p.seconds == 0.3] == [True]
    assert text.startswith("*Simulated")


def test_stall_before_headers_trips_the_client_timeout(demo_server: DemoServer) -> None:
    demo_server.inject(Fault.STALL_BEFORE_HEADERS)
    with (
        openai.OpenAI(
            base_url=demo_server.base_url, api_key=DEMO_API_KEY, max_retries=0, timeout=0.5
        ) as client,
        pytest.raises(openai.APITimeoutError),
    ):
        client.chat.completions.create(**BODY)


def test_malformed_event_breaks_the_client_parse(
    demo_server: DemoServer, demo_client: openai.OpenAI
) -> None:
    demo_server.inject(Fault.MALFORMED_EVENT)
    with pytest.raises(json.JSONDecodeError):
        _stream_text(demo_client)


def test_malformed_event_on_the_wire(demo_server: DemoServer) -> None:
    demo_server.inject(Fault.MALFORMED_EVENT, after_chunks=3)
    with open_stream(demo_server.base_url + "/chat/completions", {**BODY, "stream": True}) as r:
        blocks = sse_blocks(r.read())
    assert "data: {not json" in blocks
    assert blocks[-1] == "data: [DONE]"  # a lenient client could go on


def test_rate_limit_is_429_with_retry_after(
    demo_server: DemoServer, demo_client: openai.OpenAI
) -> None:
    demo_server.inject(Fault.RATE_LIMIT, retry_after=7)
    with pytest.raises(openai.RateLimitError) as info:
        demo_client.chat.completions.create(**BODY)
    assert info.value.status_code == 429
    assert info.value.response.headers["retry-after"] == "7"
    assert info.value.response.json() == {
        "code": "Some resource has been exhausted",
        "error": "The service is temporarily at capacity. Please retry your request shortly.",
    }


CREDITS = (
    "Your team demo-team has either used all available credits or reached its monthly "
    "spending limit. To continue making API requests, please purchase more credits or "
    "raise your spending limit."
)


@pytest.mark.parametrize("stream", [False, True])
def test_credits_exhausted_is_429_without_retry_after(
    demo_server: DemoServer, demo_client: openai.OpenAI, stream: bool
) -> None:
    demo_server.inject(Fault.CREDITS_EXHAUSTED)
    with pytest.raises(openai.RateLimitError) as info:
        demo_client.chat.completions.create(**BODY, stream=stream)
    assert info.value.status_code == 429
    assert "retry-after" not in info.value.response.headers
    assert info.value.response.json() == {
        "code": "Some resource has been exhausted",
        "error": CREDITS,
    }
    assert demo_client.chat.completions.create(**BODY).choices  # one request only


@pytest.mark.parametrize("stream", [False, True])
def test_proxy_html_is_a_502_page(
    demo_server: DemoServer, demo_client: openai.OpenAI, stream: bool
) -> None:
    demo_server.inject(Fault.PROXY_HTML)
    with pytest.raises(openai.InternalServerError) as info:
        demo_client.chat.completions.create(**BODY, stream=stream)
    response = info.value.response
    assert info.value.status_code == 502
    assert response.headers["content-type"].startswith("text/html")
    assert "<title>502 Bad Gateway</title>" in response.text
    assert int(response.headers["content-length"]) == len(response.content)
    with pytest.raises(json.JSONDecodeError):
        response.json()


def test_new_faults_through_the_control_endpoint(
    demo_server: DemoServer, demo_client: openai.OpenAI
) -> None:
    control = demo_server.base_url.removesuffix("/v1") + "/demo/faults"
    assert post_json(control, {"fault": "credits_exhausted"}, key=None).status == 200
    assert post_json(control, {"fault": "PROXY_HTML"}, key=None).status == 200
    statuses = []
    for _ in range(3):
        try:
            demo_client.chat.completions.create(**BODY)
            statuses.append(200)
        except openai.APIStatusError as exc:
            statuses.append(exc.status_code)
    assert statuses == [429, 502, 200]


def test_the_client_retries_a_rate_limit_honouring_retry_after(demo_server: DemoServer) -> None:
    demo_server.inject(Fault.RATE_LIMIT, retry_after=0)
    with openai.OpenAI(
        base_url=demo_server.base_url, api_key=DEMO_API_KEY, max_retries=1
    ) as client:
        client.chat.completions.create(**BODY)
    assert [r.status for r in demo_server.chat_requests] == [429, 200]


@pytest.mark.parametrize(
    ("fault", "status", "error"),
    [
        (Fault.SERVER_ERROR, 500, openai.InternalServerError),
        (Fault.UNAVAILABLE, 503, openai.InternalServerError),
    ],
)
def test_server_errors(
    demo_server: DemoServer,
    demo_client: openai.OpenAI,
    fault: Fault,
    status: int,
    error: type[openai.APIStatusError],
) -> None:
    demo_server.inject(fault)
    with pytest.raises(error) as info:
        demo_client.chat.completions.create(**BODY, stream=True)
    assert info.value.status_code == status
    assert set(info.value.response.json()) == {"code", "error"}


def test_count_applies_to_that_many_requests_in_order(
    demo_server: DemoServer, demo_client: openai.OpenAI
) -> None:
    demo_server.inject(Fault.SERVER_ERROR, count=2)
    demo_server.inject(Fault.UNAVAILABLE)
    statuses = []
    for _ in range(4):
        try:
            demo_client.chat.completions.create(**BODY)
            statuses.append(200)
        except openai.APIStatusError as exc:
            statuses.append(exc.status_code)
    assert statuses == [500, 500, 503, 200]


def test_faults_do_not_touch_other_endpoints(
    demo_server: DemoServer, demo_client: openai.OpenAI
) -> None:
    demo_server.inject(Fault.SERVER_ERROR)
    assert demo_client.models.list().data
    with pytest.raises(openai.InternalServerError):
        demo_client.chat.completions.create(**BODY)


def test_http_control_endpoint_injects_and_sets_pace(
    demo_server: DemoServer, demo_client: openai.OpenAI
) -> None:
    control = demo_server.base_url.removesuffix("/v1") + "/demo"
    response = post_json(control + "/faults", {"fault": "rate_limit", "count": 1}, key=None)
    assert response.status == 200
    assert response.json()["pending"] == 1
    with pytest.raises(openai.RateLimitError):
        demo_client.chat.completions.create(**BODY)

    assert post_json(control + "/faults", {"fault": "no_such_fault"}, key=None).status == 422
    assert post_json(control + "/faults", {"fault": "unavailable", "count": 3}).status == 200
    assert post_json(control + "/faults", {"clear": True}).json() == {"pending": 0}
    demo_client.chat.completions.create(**BODY)

    assert post_json(control + "/pace", {"pace": 0.05}, key=None).json() == {"pace": 0.05}
    assert demo_server.pace == 0.05
    assert post_json(control + "/pace", {"pace": -1}, key=None).status == 422


def test_fault_names_parse_in_any_case() -> None:
    assert Fault.parse("RATE_LIMIT") is Fault.RATE_LIMIT
    assert Fault.parse("stall_before_headers") is Fault.STALL_BEFORE_HEADERS
    assert Fault.parse("Credits_Exhausted") is Fault.CREDITS_EXHAUSTED
    assert Fault.PROXY_HTML.is_status
    with pytest.raises(ValueError, match="unknown fault"):
        Fault.parse("meteor")
