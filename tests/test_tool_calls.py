"""Function calls: streamed pieces put back together, the demo's call split across many deltas
on the wire, and a history that stays valid on the next turn (call, then its tool result)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from support.demo import open_stream, png_bytes, post_json, sse_payloads, user_message

from app.core.conversation import (
    TOOL_RESULT_SHOWN,
    Conversation,
    Status,
    TextPart,
    ToolCall,
)
from app.core.json_reply import validate
from app.core.presets import builtin
from app.demo import DEMO_API_KEY, DemoServer
from app.llm.client import make_client
from app.llm.errors import ChatError
from app.llm.events import Finished, ReplyEvent, TextDelta, ToolCallDelta
from app.llm.stream import ReplyRequest, RetryPolicy, stream_reply
from app.llm.tool_calls import ToolCallAssembler

PRESET = builtin("invoice-function")
assert PRESET is not None
TOOLS = PRESET.tools()
SCHEMA = PRESET.schema
assert TOOLS is not None
assert SCHEMA is not None


def test_pieces_are_joined_by_index_even_interleaved() -> None:
    calls = ToolCallAssembler()
    assert calls.feed(ToolCallDelta(1, "call_b", "second", ""))
    assert calls.feed(ToolCallDelta(0, "call_a", "first", '{"x"'))
    assert not calls.feed(ToolCallDelta(1, None, None, '{"y": '))
    assert not calls.feed(ToolCallDelta(0, None, None, ": 1}"))
    assert not calls.feed(ToolCallDelta(1, None, "second", "2}"))  # a repeated name is harmless
    assert calls.deltas == 5
    assert calls.names() == ["first", "second"]
    assert calls.calls() == [
        ToolCall("call_a", "first", '{"x": 1}'),
        ToolCall("call_b", "second", '{"y": 2}'),
    ]


def test_a_call_without_an_id_gets_one_that_stays() -> None:
    calls = ToolCallAssembler()
    calls.feed(ToolCallDelta(0, None, "f", "{}"))
    first = calls.calls()[0].id
    assert first.startswith("call_0_")
    assert calls.calls()[0].id == first
    assert not ToolCallAssembler()


def collect(server: DemoServer, request: ReplyRequest) -> list[ReplyEvent]:
    async def main() -> list[ReplyEvent]:
        client = make_client(server.base_url, DEMO_API_KEY)
        try:
            return [
                event async for event in stream_reply(client, request, RetryPolicy(max_retries=0))
            ]
        finally:
            await client.close()

    return asyncio.run(main())


def test_a_call_split_across_many_deltas_is_assembled(demo_server: DemoServer) -> None:
    request = ReplyRequest(
        "grok-4",
        [user_message("Record the items", png_bytes(30, 30))],
        tools=TOOLS,
        tool_choice=PRESET.tool_choice(),
    )
    events = collect(demo_server, request)
    deltas = [e for e in events if isinstance(e, ToolCallDelta)]
    assert len(deltas) > 50
    assert deltas[0].name == "record_line_items"
    assert deltas[0].id is not None
    assert all(d.name is None and d.id is None for d in deltas[1:])
    assert not any(isinstance(e, TextDelta) for e in events)
    assert isinstance(events[-1], Finished)
    assert events[-1].reason == "tool_calls"
    calls = ToolCallAssembler()
    for delta in deltas:
        calls.feed(delta)
    [call] = calls.calls()
    assert call.name == "record_line_items"
    assert validate(json.loads(call.arguments), SCHEMA) == []
    assert demo_server.chat_requests[-1].finish_reason == "tool_calls"


def test_the_wire_shape_of_a_streamed_call(demo_server: DemoServer) -> None:
    body = {"model": "grok-4", "stream": True, "messages": [user_message("go")], "tools": TOOLS}
    with open_stream(f"{demo_server.base_url}/chat/completions", body) as response:
        payloads = sse_payloads(response.read())
    assert payloads[-1] == "[DONE]"
    chunks = [p for p in payloads[:-1] if p["choices"]]
    first = chunks[0]["choices"][0]["delta"]
    assert first["role"] == "assistant"
    assert first["tool_calls"][0]["function"] == {"name": "record_line_items", "arguments": ""}
    assert first["tool_calls"][0]["type"] == "function"
    pieces = [
        c["choices"][0]["delta"]["tool_calls"][0]
        for c in chunks[1:]
        if c["choices"][0]["delta"].get("tool_calls")
    ]
    assert all(set(p) == {"index", "function"} for p in pieces)
    arguments = "".join(p["function"]["arguments"] for p in pieces)
    assert validate(json.loads(arguments), SCHEMA) == []
    assert chunks[-1]["choices"][0]["finish_reason"] == "tool_calls"


def test_tool_choice_none_and_a_non_streamed_call(demo_server: DemoServer) -> None:
    url = f"{demo_server.base_url}/chat/completions"
    plain = post_json(
        url,
        {
            "model": "grok-4",
            "messages": [user_message("hi")],
            "tools": TOOLS,
            "tool_choice": "none",
        },
    ).json()
    assert plain["choices"][0]["message"]["content"].startswith("*Simulated")
    called = post_json(
        url, {"model": "grok-4", "messages": [user_message("hi")], "tools": TOOLS}
    ).json()
    choice = called["choices"][0]
    assert choice["finish_reason"] == "tool_calls"
    assert choice["message"]["content"] is None
    assert choice["message"]["tool_calls"][0]["function"]["name"] == "record_line_items"
    unknown = post_json(
        url,
        {
            "model": "grok-4",
            "messages": [user_message("hi")],
            "tools": TOOLS,
            "tool_choice": {"type": "function", "function": {"name": "nope"}},
        },
    )
    assert unknown.status == 400
    assert "no tool is named 'nope'" in unknown.json()["error"]


def conversation_with_a_call() -> tuple[Conversation, ToolCall]:
    conversation = Conversation(system_prompt="Extract.")
    conversation.add_user([TextPart("Record the items")])
    reply = conversation.begin_reply("grok-4")
    call = ToolCall("call_1", "record_line_items", '{"vendor": "V"}')
    reply.tool_calls = [call]
    reply.status = Status.COMPLETE
    conversation.add_user([TextPart("Thanks. What is the total?")])
    return conversation, call


def test_the_history_has_the_call_then_its_tool_result() -> None:
    conversation, call = conversation_with_a_call()
    messages = conversation.to_api_messages(lambda image: "")
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "tool", "user"]
    assert messages[2] == {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {
                "id": "call_1",
                "type": "function",
                "function": {"name": "record_line_items", "arguments": '{"vendor": "V"}'},
            }
        ],
    }
    assert messages[3] == {"role": "tool", "tool_call_id": call.id, "content": TOOL_RESULT_SHOWN}


def test_a_stopped_call_is_shown_but_never_sent() -> None:
    conversation = Conversation()
    conversation.add_user([TextPart("go")])
    reply = conversation.begin_reply()
    reply.tool_calls = [ToolCall("call_1", "f", '{"half": ')]
    reply.status = Status.STOPPED
    assert not reply.sendable
    assert [m["role"] for m in conversation.to_api_messages(lambda image: "")] == ["user"]
    reply.parts = [TextPart("Some text first")]
    assert reply.sendable
    assert "tool_calls" not in conversation.to_api_messages(lambda image: "")[1]


def test_the_endpoint_takes_the_next_turn_and_refuses_a_broken_history(
    demo_server: DemoServer,
) -> None:
    conversation, _ = conversation_with_a_call()
    messages = conversation.to_api_messages(lambda image: "")
    events = collect(demo_server, ReplyRequest("grok-4", messages))
    text = "".join(e.text for e in events if isinstance(e, TextDelta))
    assert "Simulated reply" in text
    assert demo_server.chat_requests[-1].roles == ["system", "user", "assistant", "tool", "user"]
    again = collect(demo_server, ReplyRequest("grok-4", messages, tools=TOOLS))
    assert any(isinstance(e, ToolCallDelta) for e in again)  # the function is still offered
    with pytest.raises(ChatError) as missing:  # without the tool result it is refused
        collect(demo_server, ReplyRequest("grok-4", [m for m in messages if m["role"] != "tool"]))
    assert missing.value.status == 400
    assert "followed by a 'tool' message" in missing.value.message
    stray: list[dict[str, Any]] = [
        *messages[:2],
        {"role": "tool", "tool_call_id": "x", "content": "{}"},
    ]
    with pytest.raises(ChatError) as orphan:
        collect(demo_server, ReplyRequest("grok-4", stray))
    assert "no open call has the id 'x'" in orphan.value.message
