"""Recorded real xAI Responses streams (tests/fixtures/xai_responses), replayed by a local
server through the app's own reader (`stream_reply` with the Responses dialect): the text,
the reasoning summary, the sealed reasoning, function calls, the usage and the bill, which must
equal the server's own `cost_in_usd_ticks` with or without it."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest
from support.replay import ReplayServer, recorded

from app.core.billing import bill
from app.core.catalog import pricing_for
from app.demo import DEMO_API_KEY, DemoServer, Fault
from app.demo.reply import SERVER_ERROR_MESSAGE
from app.llm.api_dialect import Api
from app.llm.client import make_client
from app.llm.errors import ChatError, ErrorKind
from app.llm.events import (
    Finished,
    ReasoningDelta,
    ReasoningSealed,
    TextDelta,
    ToolCallDelta,
    UsageReport,
)
from app.llm.stream import ReplyRequest, stream_reply
from app.llm.tool_calls import ToolCallAssembler


def replay(server: ReplayServer, name: str) -> list[object]:
    server.responses = recorded(f"xai_responses/{name}")
    request = ReplyRequest(
        "grok-4.3",
        [{"role": "user", "content": "Reply with only: OK"}],
        api=Api.RESPONSES,
        conversation_id="conv-1",
        keep_reasoning=True,
    )

    async def main() -> list[object]:
        client = make_client(server.base_url, "xai-test")
        try:
            return [event async for event in stream_reply(client, request)]
        finally:
            await client.close()

    return asyncio.run(main())


def test_a_reasoning_stream_gives_text_summary_usage_and_the_exact_bill(
    replay_server: ReplayServer,
) -> None:
    events = replay(replay_server, "grok-4.3-reasoning.sse")
    assert "".join(e.text for e in events if isinstance(e, TextDelta)) == "OK"
    reasoning = "".join(e.text for e in events if isinstance(e, ReasoningDelta))
    assert reasoning == 'The user said: "Reply with only: OK"\n'
    usage = next(e.usage for e in events if isinstance(e, UsageReport))
    # 123 output tokens of which 122 reasoning: one answer token, the reasoning billed once.
    assert (usage.prompt_tokens, usage.cached_tokens) == (197, 192)
    assert (usage.completion_tokens, usage.reasoning_tokens, usage.total_tokens) == (1, 122, 320)
    assert usage.cost_ticks == 3_521_500
    assert events[-1] == Finished("stop")
    pricing = pricing_for("grok-4.3")
    shown = bill(usage, pricing)
    assert shown is not None
    assert shown.exact
    assert shown.ticks == 3_521_500
    formula = bill(dataclasses.replace(usage, cost_ticks=None), pricing)
    assert formula is not None
    assert not formula.exact
    assert formula.ticks == 3_521_500  # xAI's price list gives the server's bill to the tick
    sent = replay_server.received[-1]
    assert sent.path == "/v1/responses"
    assert sent.body["store"] is False
    assert sent.body["prompt_cache_key"] == "conv-1"
    assert sent.body["include"] == ["reasoning.encrypted_content"]


def test_the_sealed_reasoning_comes_with_the_finished_item(replay_server: ReplayServer) -> None:
    events = replay(replay_server, "grok-code-fast-1-encrypted-reasoning.sse")
    sealed = [e for e in events if isinstance(e, ReasoningSealed)]
    assert len(sealed) == 1
    assert sealed[0].id.startswith("rs_")
    assert len(sealed[0].encrypted) > 100
    text = "".join(e.text for e in events if isinstance(e, TextDelta))
    assert "Sonoran" in text
    assert sealed[0].encrypted not in text
    usage = next(e.usage for e in events if isinstance(e, UsageReport))
    assert (usage.prompt_tokens, usage.cached_tokens) == (216, 192)
    assert (usage.completion_tokens, usage.reasoning_tokens) == (831 - 253, 253)


def test_a_function_call_adds_up_and_ends_as_tool_calls(replay_server: ReplayServer) -> None:
    events = replay(replay_server, "function-call.sse")
    calls = ToolCallAssembler()
    for event in events:
        if isinstance(event, ToolCallDelta):
            calls.feed(event)
    [call] = calls.calls()
    assert (call.id, call.name) == ("call_123", "weather")
    assert call.arguments.startswith('{"location"')
    assert events[-1] == Finished("tool_calls")


@pytest.mark.parametrize("fault", [Fault.FAILED_MID_STREAM, Fault.ERROR_EVENT])
def test_a_failure_reported_in_the_stream_keeps_the_servers_words(
    demo_server: DemoServer, fault: Fault
) -> None:
    demo_server.inject(fault)
    request = ReplyRequest(
        "grok-4.3", [{"role": "user", "content": "hi"}], api=Api.RESPONSES, conversation_id="c"
    )

    async def main() -> list[object]:
        client = make_client(demo_server.base_url, DEMO_API_KEY)
        try:
            return [event async for event in stream_reply(client, request)]
        finally:
            await client.close()

    with pytest.raises(ChatError) as failed:
        asyncio.run(main())
    assert failed.value.kind is ErrorKind.SERVER_ERROR
    assert failed.value.message == SERVER_ERROR_MESSAGE
