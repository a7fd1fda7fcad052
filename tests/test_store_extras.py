"""A reply's tool calls and JSON flag survive the history (schema version 2)."""

from __future__ import annotations

from pathlib import Path

from app.core.conversation import Conversation, Status, TextPart, ToolCall
from app.store.db import SCHEMA_VERSION
from app.store.history import HistoryStore


def test_tool_calls_and_the_json_flag_round_trip(tmp_path: Path) -> None:
    assert SCHEMA_VERSION >= 2
    conversation = Conversation(model="grok-4")
    question = conversation.add_user([TextPart("Extract the line items")])
    reply = conversation.begin_reply("grok-4")
    with HistoryStore(tmp_path) as store:
        store.save_conversation_meta(conversation)
        store.append_message(conversation.id, question)
        store.append_message(conversation.id, reply)
        reply.status = Status.COMPLETE
        reply.expects_json = True
        reply.tool_calls = [
            ToolCall(
                id="call_1",
                name="record_line_items",
                arguments='{"items": [{"sku": "A1", "qty": 2}]}',
            )
        ]
        store.finish_message(reply)
    with HistoryStore(tmp_path, read_only=True) as store:
        loaded = store.load_conversation(conversation.id).messages[-1]
    assert loaded.expects_json
    assert loaded.tool_calls == reply.tool_calls
    # The history sent on the next turn stays valid: the call and its result.
    api = Conversation(messages=[question, loaded]).to_api_messages(lambda image: "")
    assert [m["role"] for m in api] == ["user", "assistant", "tool"]
