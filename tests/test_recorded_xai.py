"""Recorded real xAI streams (tests/fixtures/xai), replayed by a local server through the real
`openai` client: the parser's text, reasoning, tool calls and usage, and the bill, which must
equal the server's own `cost_in_usd_ticks` with or without it."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest
from support.replay import ReplayServer, recorded

from app.core.billing import bill, format_usd, usage_ticks
from app.core.catalog import Prices, Pricing
from app.llm.client import make_client
from app.llm.errors import ChatError
from app.llm.events import Finished, ReasoningDelta, TextDelta, ToolCallDelta, UsageReport
from app.llm.stream import ReplyRequest, stream_reply

# grok-3-mini's list prices when these were recorded: $0.30 / $0.075 cached / $0.50 per million.
GROK_3_MINI = Pricing(
    Prices(prompt_text=3_000, prompt_image=3_000, completion_text=5_000, cached_prompt_text=750)
)


def replay(
    server: ReplayServer, stream: str | bytes, request: ReplyRequest | None = None
) -> list[object]:
    """The events of a recorded stream (a fixture's name, or the bytes themselves)."""
    server.stream = recorded(stream) if isinstance(stream, str) else stream

    async def main() -> list[object]:
        client = make_client(server.base_url, "xai-test")
        try:
            return [
                event
                async for event in stream_reply(
                    client,
                    request
                    or ReplyRequest("grok-3-mini", [{"role": "user", "content": "Say hello"}]),
                )
            ]
        finally:
            await client.close()

    return asyncio.run(main())


def test_text_stream_reasoning_answer_and_usage(replay_server: ReplayServer) -> None:
    events = replay(replay_server, "xai/grok-3-mini-text.sse")
    reasoning = "".join(e.text for e in events if isinstance(e, ReasoningDelta))
    text = "".join(e.text for e in events if isinstance(e, TextDelta))
    assert reasoning == "First, the user said"
    assert text == "Hello"  # the reasoning is never part of the answer
    usage = next(e.usage for e in events if isinstance(e, UsageReport))
    assert (usage.prompt_tokens, usage.completion_tokens, usage.total_tokens) == (12, 1, 303)
    assert (usage.cached_tokens, usage.reasoning_tokens, usage.image_tokens) == (11, 290, 0)
    assert usage.cost_ticks == 1_466_250
    assert events[-1] == Finished("stop")


def test_the_bill_is_the_servers_and_the_formula_gives_the_same(
    replay_server: ReplayServer,
) -> None:
    for name, ticks in (
        ("xai/grok-3-mini-text.sse", 1_466_250),
        ("xai/grok-3-mini-tool-call.sse", 1_330_500),
    ):
        events = replay(replay_server, name)
        usage = next(e.usage for e in events if isinstance(e, UsageReport))
        shown = bill(usage, GROK_3_MINI)
        assert shown is not None
        assert shown.exact
        assert shown.ticks == ticks
        # Without the server's figure the formula gives the same bill, to the tick.
        computed = bill(dataclasses.replace(usage, cost_ticks=None), GROK_3_MINI)
        assert computed is not None
        assert not computed.exact
        assert computed.ticks == usage_ticks(usage, GROK_3_MINI.base) == ticks
    assert format_usd(1_466_250 / 10**10) == "$0.000147"


def test_leaving_out_reasoning_or_the_cached_price_misses_the_bill(
    replay_server: ReplayServer,
) -> None:
    usage = next(
        e.usage
        for e in replay(replay_server, "xai/grok-3-mini-text.sse")
        if isinstance(e, UsageReport)
    )
    no_reasoning = dataclasses.replace(usage, reasoning_tokens=0, cost_ticks=None)
    no_cache = dataclasses.replace(usage, cached_tokens=0, cost_ticks=None)
    assert usage_ticks(no_reasoning, GROK_3_MINI.base) < 1_466_250 / 30
    assert usage_ticks(no_cache, GROK_3_MINI.base) > 1_466_250


def test_tool_call_stream(replay_server: ReplayServer) -> None:
    events = replay(replay_server, "xai/grok-3-mini-tool-call.sse")
    calls = [e for e in events if isinstance(e, ToolCallDelta)]
    assert [(c.id, c.name, c.arguments) for c in calls] == [
        ("call_55117580", "weather", '{"location":"San Francisco"}')
    ]
    assert not [e for e in events if isinstance(e, TextDelta)]
    assert events[-1] == Finished("tool_calls")


def test_requests_carry_the_conversation_id_and_only_a_given_effort(
    replay_server: ReplayServer,
) -> None:
    request = ReplyRequest(
        "grok-4.3",
        [{"role": "user", "content": "hi"}],
        conversation_id="c0ffee",
        reasoning_effort="low",
    )
    replay(replay_server, "xai/grok-3-mini-text.sse", request)
    replay(
        replay_server,
        "xai/grok-3-mini-text.sse",
        ReplyRequest("grok-4.20-0309-non-reasoning", [{"role": "user", "content": "hi"}]),
    )
    first, second = replay_server.received
    assert first.headers["x-grok-conv-id"] == "c0ffee"
    assert first.body["reasoning_effort"] == "low"
    assert "x-grok-conv-id" not in second.headers
    assert "reasoning_effort" not in second.body
    for body in (first.body, second.body):
        assert not {"stop", "presence_penalty", "frequency_penalty"} & body.keys()


def test_an_empty_finish_reason_after_a_tool_call_ends_the_reply(
    replay_server: ReplayServer,
) -> None:
    """xAI may end a tool call with `finish_reason: ""`."""
    stream = recorded("xai/grok-3-mini-tool-call.sse").replace(
        b'"finish_reason":"tool_calls"', b'"finish_reason":""'
    )
    assert replay(replay_server, stream)[-1] == Finished("tool_calls")


def test_no_finish_reason_at_all_is_a_cut_reply(replay_server: ReplayServer) -> None:
    stream = recorded("xai/grok-3-mini-text.sse").replace(
        b'"finish_reason":"stop"', b'"finish_reason":null'
    )
    with pytest.raises(ChatError, match="ended before the reply was complete"):
        replay(replay_server, stream)


def test_ask_prints_the_answer_alone_and_the_exact_bill(
    replay_server: ReplayServer, capsys: pytest.CaptureFixture[str]
) -> None:
    from app.cli import main

    replay_server.stream = recorded("xai/grok-3-mini-text.sse")
    assert (
        main(
            [
                *("ask", "--base-url", replay_server.base_url, "--api", "chat"),
                *("--model", "grok-3-mini", "Say hello"),
            ]
        )
        == 0
    )
    out, err = capsys.readouterr()
    assert out == "Hello\n"
    assert "reasoning: First, the user said\n" in err
    assert (
        "usage: 12 prompt tokens (0 image, 11 cached), 1 completion + 290 reasoning "
        "tokens, $0.000147 (exact)"
    ) in err
    assert replay_server.received[-1].headers["x-grok-conv-id"]
