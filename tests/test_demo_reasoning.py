"""Reasoning on the demo endpoint: effort, reasoning tokens, the silent think time, the one model
that thinks aloud, and the parameters reasoning models refuse (XAI_API.md, December 2026)."""

from __future__ import annotations

import http.client
import time
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

from app.core.budget import estimate_text_tokens
from app.demo import DEMO_API_KEY, DemoServer

CHAT = "/chat/completions"
INVALID = "Client specified an invalid argument"


def _body(model: str, text: str = "What is this?", *images: bytes, **extra: Any) -> dict[str, Any]:
    return {"model": model, "messages": [user_message(text, *images)], **extra}


def _usage(client: openai.OpenAI, model: str, **extra: Any) -> Any:
    reply = client.chat.completions.create(**_body(model), **extra)
    assert reply.usage is not None
    return reply.usage


# -- reasoning tokens ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "effort", "tokens"),
    [
        ("grok-4.7", None, 1024),  # its default: high
        ("grok-4.7", "low", 64),
        ("grok-4.7", "medium", 256),
        ("grok-4.7", "high", 1024),
        ("grok-4.7", "xhigh", 2048),
        ("grok-4.6", "xhigh", 2048),
        ("grok-4.5-latest", None, 1024),
        ("grok-4.3", None, 256),  # its default: medium
        ("grok-4.3", "none", 0),  # at none it does not reason
        ("grok-4.3", "high", 1024),
        ("grok-4.20-0309-reasoning", None, 256),
        ("grok-4.20-0309-non-reasoning", None, 0),
        ("grok-vision-demo-8k", None, 0),
        ("grok-demo-thinking-mini", "high", 1024),
    ],
)
def test_reasoning_tokens_follow_the_effort(
    demo_client: openai.OpenAI, model: str, effort: str | None, tokens: int
) -> None:
    extra = {} if effort is None else {"reasoning_effort": effort}
    usage = _usage(demo_client, model, **extra)
    assert usage.completion_tokens_details.reasoning_tokens == tokens
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens + tokens


def test_completion_tokens_exclude_reasoning(demo_client: openai.OpenAI) -> None:
    reply = demo_client.chat.completions.create(**_body("grok-4.7", "Hi", png_bytes(9, 9)))
    content = reply.choices[0].message.content or ""
    assert reply.usage is not None
    assert reply.usage.completion_tokens == estimate_text_tokens(content)
    assert reply.usage.completion_tokens_details.reasoning_tokens == 1024
    assert "reasoning_content" not in (reply.choices[0].message.model_extra or {})


def test_the_streamed_usage_counts_reasoning_too(demo_server: DemoServer) -> None:
    body = _body(
        "grok-4.7", stream=True, stream_options={"include_usage": True}, reasoning_effort="medium"
    )
    with open_stream(demo_server.base_url + CHAT, body) as response:
        chunks = sse_payloads(response.read())[:-1]
    usage = chunks[-1]["usage"]
    assert usage["completion_tokens_details"]["reasoning_tokens"] == 256
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"] + 256
    assert not any("reasoning_content" in c["choices"][0]["delta"] for c in chunks if c["choices"])
    record = demo_server.chat_requests[-1]
    assert (record.reasoning_effort, record.reasoning_tokens) == ("medium", 256)


# -- thinking in silence -------------------------------------------------------------------------


def test_a_reasoning_model_is_silent_for_the_think_time_before_its_first_chunk() -> None:
    with DemoServer(think_seconds=0.4) as server:
        started = time.monotonic()
        with open_stream(server.base_url + CHAT, _body("grok-4.7", stream=True)) as response:
            headers_after = time.monotonic() - started
            first = response.readline()
            first_after = time.monotonic() - started
            rest = response.read()
    assert headers_after < 0.4  # the headers come at once
    assert first_after >= 0.4  # high effort: the whole think time
    # Nothing at all during the pause, not even a comment: the first line is the first chunk,
    # which carries the role.
    assert first.startswith(b"data: ")
    blocks = sse_blocks(first + rest)
    payloads = sse_payloads(first + rest)
    assert payloads[0]["choices"][0]["delta"]["role"] == "assistant"
    assert blocks.index(": keep-alive") > 0


@pytest.mark.parametrize(
    ("model", "effort", "seconds"),
    [
        ("grok-4.7", None, 0.2),
        ("grok-4.7", "xhigh", 0.4),
        ("grok-4.7", "medium", 0.1),
        ("grok-4.7", "low", 0.05),
        ("grok-4.3", None, 0.1),
        ("grok-4", None, 0.05),
        ("grok-4.3", "none", None),
        ("grok-4.20-0309-non-reasoning", None, None),
        ("grok-vision-demo-8k", None, None),
    ],
)
@pytest.mark.parametrize("stream", [True, False])
def test_the_think_time_is_scaled_by_effort(
    pauses: list[Pause], model: str, effort: str | None, seconds: float | None, stream: bool
) -> None:
    extra: dict[str, Any] = {"stream": stream}
    if effort is not None:
        extra["reasoning_effort"] = effort
    with (
        DemoServer(think_seconds=0.2) as server,
        openai.OpenAI(base_url=server.base_url, api_key=DEMO_API_KEY, max_retries=0) as client,
    ):
        reply = client.chat.completions.create(**_body(model), **extra)
        if stream:
            with reply as events:
                list(events)
    expected = [] if seconds is None else [(pytest.approx(seconds), True)]
    assert [(p.seconds, p.ran_out) for p in pauses if p.seconds > 0] == expected


def test_think_time_is_set_over_http(demo_server: DemoServer) -> None:
    control = demo_server.base_url.removesuffix("/v1") + "/demo/think"
    assert demo_server.think_seconds == 0.0  # tests run without it unless they ask
    assert post_json(control, {"seconds": 1.5}, key=None).json() == {"seconds": 1.5}
    assert demo_server.think_seconds == 1.5
    assert post_json(control, {"seconds": -1}, key=None).status == 422
    assert post_json(control, {"seconds": "long"}, key=None).status == 422
    demo_server.think_seconds = 0
    with pytest.raises(ValueError, match="negative"):
        demo_server.think_seconds = -0.5


def test_stop_ends_a_think_pause_promptly(pauses: list[Pause]) -> None:
    server = DemoServer(think_seconds=60).start()
    with open_stream(server.base_url + CHAT, _body("grok-4.7", stream=True)) as response:
        while not [p for p in pauses if p.seconds == 60]:
            time.sleep(0.01)
        server.stop()
        with pytest.raises(http.client.IncompleteRead) as cut:
            response.read()  # the body ends without its last chunk
        assert cut.value.partial == b""
    thinking = [p for p in pauses if p.seconds == 60]
    thinking[0].thread.join()
    assert thinking[0].ran_out is False


# -- the model that thinks aloud -------------------------------------------------------------------


def test_thinking_mini_streams_reasoning_content_before_the_answer(demo_server: DemoServer) -> None:
    body = _body(
        "grok-demo-thinking-mini",
        "Which colour?",
        png_bytes(449, 448),
        stream=True,
        stream_options={"include_usage": True},
    )
    with open_stream(demo_server.base_url + CHAT, body) as response:
        chunks = sse_payloads(response.read())[:-1]
    deltas = [c["choices"][0]["delta"] for c in chunks if c["choices"]]
    kinds = [
        ("reasoning" if "reasoning_content" in d else "content")
        for d in deltas
        if "reasoning_content" in d or d.get("content")
    ]
    first_content = kinds.index("content")
    assert first_content > 1
    assert set(kinds[:first_content]) == {"reasoning"}
    assert "reasoning" not in kinds[first_content:]
    assert deltas[0]["role"] == "assistant"
    assert "reasoning_content" in deltas[0]
    assert all("role" not in d for d in deltas[1:])
    thinking = "".join(d.get("reasoning_content", "") for d in deltas)
    assert "Which colour?" in thinking
    assert "449×448 px" in thinking
    assert "#ff0000" in thinking
    assert "cannot see" in thinking
    answer = "".join(d.get("content") or "" for d in deltas)
    assert answer.startswith("*Simulated reply")
    usage = chunks[-1]["usage"]
    assert usage["completion_tokens"] == estimate_text_tokens(answer)
    assert usage["completion_tokens_details"]["reasoning_tokens"] == 64  # low, its default


def test_thinking_mini_through_the_openai_client(demo_client: openai.OpenAI) -> None:
    body = _body("grok-demo-thinking-mini", "Hm?", png_bytes(20, 20))
    reply = demo_client.chat.completions.create(**body)
    message = reply.choices[0].message
    assert "Hm?" in (message.model_extra or {})["reasoning_content"]
    with demo_client.chat.completions.create(**body, stream=True) as stream:
        pieces = [
            getattr(c.choices[0].delta, "reasoning_content", None) for c in stream if c.choices
        ]
    assert "".join(p for p in pieces if p) == message.model_extra["reasoning_content"]


def test_thinking_mini_thinks_aloud_instead_of_in_silence(pauses: list[Pause]) -> None:
    with (
        DemoServer(think_seconds=5) as server,
        open_stream(
            server.base_url + CHAT, _body("grok-demo-thinking-mini", stream=True)
        ) as response,
    ):
        response.read()
    assert not [p for p in pauses if p.seconds > 0]


# -- parameters refused ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "model", ["grok-4.20-0309-non-reasoning", "grok-4.20-0309-reasoning", "grok-vision-demo-8k"]
)
def test_reasoning_effort_on_a_model_that_refuses_it(demo_server: DemoServer, model: str) -> None:
    response = post_json(demo_server.base_url + CHAT, _body(model, reasoning_effort="low"))
    assert response.status == 400
    assert response.json() == {
        "code": INVALID,
        "error": f"Model {model} does not support parameter reasoningEffort.",
    }


def test_reasoning_effort_on_a_refusing_model_named_by_alias(demo_server: DemoServer) -> None:
    response = post_json(
        demo_server.base_url + CHAT, _body("grok-4.20-non-reasoning", reasoning_effort="high")
    )
    assert response.json()["error"] == (
        "Model grok-4.20-0309-non-reasoning does not support parameter reasoningEffort."
    )


@pytest.mark.parametrize(
    ("model", "effort", "allowed"),
    [
        ("grok-4.3", "xhigh", "none, low, medium, high"),
        ("grok-4.7", "none", "low, medium, high, xhigh"),
        ("grok-demo-thinking-mini", "medium", "low, high"),
        ("grok-4.7", "extreme", "low, medium, high, xhigh"),
    ],
)
def test_an_effort_the_model_does_not_take(
    demo_client: openai.OpenAI, model: str, effort: str, allowed: str
) -> None:
    with pytest.raises(openai.BadRequestError) as info:
        demo_client.chat.completions.create(**_body(model), reasoning_effort=effort)
    assert info.value.response.json()["code"] == INVALID
    message = info.value.response.json()["error"]
    assert allowed in message
    assert effort in message


@pytest.mark.parametrize(
    ("field", "value", "name"),
    [
        ("stop", ["\n\n"], "stop"),
        ("stop", "END", "stop"),
        ("presence_penalty", 0.5, "presencePenalty"),
        ("frequency_penalty", 0, "frequencyPenalty"),
    ],
)
@pytest.mark.parametrize(
    "model", ["grok-4.7", "grok-4.3", "grok-4.20-0309-reasoning", "grok-demo-thinking-mini"]
)
def test_reasoning_models_refuse_stop_and_the_penalties(
    demo_server: DemoServer, model: str, field: str, value: Any, name: str
) -> None:
    response = post_json(demo_server.base_url + CHAT, _body(model, **{field: value}))
    assert response.status == 400
    assert response.json() == {
        "code": INVALID,
        "error": f"Model {model} does not support parameter {name}.",
    }


@pytest.mark.parametrize(
    ("model", "extra"),
    [
        ("grok-4.20-0309-non-reasoning", {}),
        ("grok-vision-demo-8k", {}),
        ("grok-4.3", {"reasoning_effort": "none"}),  # not reasoning at none
    ],
)
def test_models_that_do_not_reason_take_stop_and_the_penalties(
    demo_client: openai.OpenAI, model: str, extra: dict[str, Any]
) -> None:
    reply = demo_client.chat.completions.create(
        **_body(model), stop=["\n\n"], presence_penalty=0.5, frequency_penalty=0.1, **extra
    )
    assert reply.choices[0].finish_reason == "stop"


@pytest.mark.parametrize(
    ("temperature", "status"),
    [
        (0, 200),
        (0.7, 200),
        (2, 200),
        (2.01, 400),
        (-0.1, 400),
        (7, 400),
        ("hot", 422),
        (True, 422),
    ],
)
def test_temperature_must_be_between_0_and_2(
    demo_server: DemoServer, temperature: Any, status: int
) -> None:
    response = post_json(demo_server.base_url + CHAT, _body("grok-4.7", temperature=temperature))
    assert response.status == status
    if status == 400:
        assert response.json()["code"] == INVALID
        assert "temperature" in response.json()["error"]
