"""The Responses dialect without a server: the conversation as `input` items, the request body
(store false, the cache key, effort and encrypted reasoning only where they belong), xAI's
Responses usage, the choice of dialect and the failures a stream reports."""

from __future__ import annotations

import asyncio
import json

import pytest
from support.replay import ReplayServer
from test_conversation import fake_encoder, prepared

from app.core.conversation import (
    Conversation,
    ImagePart,
    SealedReasoning,
    Status,
    TextPart,
    ToolCall,
    Usage,
)
from app.core.presets import builtin
from app.core.responses_input import responses_input
from app.llm.api_dialect import Api
from app.llm.client import make_client
from app.llm.dialect_fallback import falls_back, first_api, refuses_responses, stream_turn
from app.llm.errors import ChatError, ErrorKind, stream_failure
from app.llm.events import TextDelta
from app.llm.stream import ReplyRequest
from app.store.message_extras import apply_extras, extras_json


def conversation_with_everything() -> Conversation:
    conv = Conversation(system_prompt="Be brief.", model="grok-4.7")
    conv.add_user(
        [
            ImagePart(image=prepared("before.png")),
            ImagePart(image=prepared("after.png"), detail="low"),
            TextPart("What changed?"),
        ]
    )
    reply = conv.begin_reply("grok-4.7")
    reply.parts = [TextPart("The button moved.")]
    reply.status = Status.COMPLETE
    reply.sealed_reasoning = [SealedReasoning("rs_1", "opaque==")]
    conv.add_user([TextPart("Extract it.")])
    call = conv.begin_reply("grok-4.7")
    call.tool_calls = [ToolCall("call_1", "record_invoice", '{"total": 3}')]
    call.status = Status.COMPLETE
    conv.add_user([TextPart("Thanks.")])
    return conv


def test_the_history_becomes_input_items_in_order() -> None:
    items = responses_input(conversation_with_everything(), fake_encoder, model="grok-4.7")
    assert items[0] == {"role": "system", "content": "Be brief."}
    assert items[1] == {
        "role": "user",
        "content": [
            {"type": "input_text", "text": "Image 1: before.png"},
            {
                "type": "input_image",
                "image_url": "data:image/png;base64,<before.png>",
                "detail": "high",
            },
            {"type": "input_text", "text": "Image 2: after.png"},
            {
                "type": "input_image",
                "image_url": "data:image/png;base64,<after.png>",
                "detail": "low",
            },
            {"type": "input_text", "text": "What changed?"},
        ],
    }
    assert items[2] == {
        "type": "reasoning",
        "id": "rs_1",
        "summary": [],
        "encrypted_content": "opaque==",
    }
    assert items[3] == {"role": "assistant", "content": "The button moved."}
    assert items[4] == {"role": "user", "content": "Extract it."}
    assert items[5] == {
        "type": "function_call",
        "call_id": "call_1",
        "name": "record_invoice",
        "arguments": '{"total": 3}',
    }
    assert items[6]["type"] == "function_call_output"
    assert items[6]["call_id"] == "call_1"
    assert items[7] == {"role": "user", "content": "Thanks."}
    assert len(items) == 8


def test_sealed_reasoning_goes_back_only_to_the_model_that_wrote_it() -> None:
    items = responses_input(conversation_with_everything(), fake_encoder, model="grok-4.3")
    assert all(item.get("type") != "reasoning" for item in items)
    chat = conversation_with_everything().to_api_messages(fake_encoder)
    assert "opaque==" not in json.dumps(chat)  # Chat Completions never carries it


def test_sealed_reasoning_is_kept_with_the_saved_message() -> None:
    reply = conversation_with_everything().messages[1]
    restored = apply_extras(
        conversation_with_everything().begin_reply("grok-4.7"), extras_json(reply)
    )
    assert restored.sealed_reasoning == [SealedReasoning("rs_1", "opaque==")]


def request(**overrides: object) -> ReplyRequest:
    fields: dict[str, object] = {
        "model": "grok-4.7",
        "messages": [{"role": "user", "content": "hi"}],
        "api": Api.RESPONSES,
        "conversation_id": "conv-1",
    }
    fields.update(overrides)
    return ReplyRequest(**fields)  # type: ignore[arg-type]


def test_a_responses_body_is_never_stored_and_carries_the_cache_key() -> None:
    body = request(max_tokens=900, reasoning_effort="low", keep_reasoning=True).body()
    assert body["input"] == [{"role": "user", "content": "hi"}]
    assert "messages" not in body
    assert body["store"] is False
    assert body["prompt_cache_key"] == "conv-1"
    assert body["max_output_tokens"] == 900
    assert body["reasoning"] == {"effort": "low"}
    assert body["include"] == ["reasoning.encrypted_content"]
    assert json.loads(request(max_tokens=900).encoded) == {
        k: v for k, v in request(max_tokens=900).body().items() if k not in ("reasoning", "include")
    }


def test_no_effort_and_no_include_unless_asked() -> None:
    body = request().body()
    assert "reasoning" not in body
    assert "include" not in body
    assert "max_output_tokens" not in body


def test_answer_shape_and_tools_are_written_in_the_responses_shape() -> None:
    preset = builtin("invoice-function")
    assert preset is not None
    tools = preset.tools()
    assert tools is not None
    name = tools[0]["function"]["name"]
    body = request(tools=tools, tool_choice={"type": "function", "function": {"name": name}}).body()
    assert body["tools"][0]["type"] == "function"
    assert body["tools"][0]["name"] == name
    assert "parameters" in body["tools"][0]
    assert "function" not in body["tools"][0]
    assert body["tool_choice"] == {"type": "function", "name": name}

    schema = {"type": "object", "properties": {"a": {"type": "string"}}}
    shaped = request(
        response_format={
            "type": "json_schema",
            "json_schema": {"name": "answer", "schema": schema, "strict": True},
        }
    ).body()
    assert shaped["text"] == {
        "format": {"type": "json_schema", "name": "answer", "schema": schema, "strict": True}
    }
    assert request(response_format={"type": "json_object"}).body()["text"] == {
        "format": {"type": "json_object"}
    }


def test_chat_completions_body_is_unchanged() -> None:
    body = request(api=Api.CHAT, max_tokens=10).body()
    assert body["messages"] == [{"role": "user", "content": "hi"}]
    assert body["max_tokens"] == 10
    assert "store" not in body
    assert "prompt_cache_key" not in body


def test_responses_usage_counts_reasoning_once() -> None:
    # xAI's recorded stream (vercel/ai xai-text-with-reasoning-streaming-store-false): output
    # 831 includes the 253 reasoning tokens; total = input + output.
    usage = Usage.from_responses(
        {
            "input_tokens": 216,
            "input_tokens_details": {"cached_tokens": 192},
            "output_tokens": 831,
            "output_tokens_details": {"reasoning_tokens": 253},
            "total_tokens": 1047,
        }
    )
    assert (usage.prompt_tokens, usage.cached_tokens) == (216, 192)
    assert (usage.completion_tokens, usage.reasoning_tokens, usage.total_tokens) == (578, 253, 1047)
    # A server that counts reasoning apart (total = input + output + reasoning) keeps its split.
    apart = Usage.from_responses(
        {"input_tokens": 10, "output_tokens": 5, "output_tokens_details": {"reasoning_tokens": 7}}
        | {"total_tokens": 22}
    )
    assert (apart.completion_tokens, apart.reasoning_tokens) == (5, 7)


def test_which_dialect_is_tried_first() -> None:
    assert first_api("auto", None) is Api.RESPONSES
    assert first_api("auto", "chat") is Api.CHAT
    assert first_api("chat", "responses") is Api.CHAT
    assert first_api("responses", "chat") is Api.RESPONSES
    assert falls_back("auto")
    assert not falls_back("chat")
    assert not falls_back("responses")


@pytest.mark.parametrize(
    ("error", "refused"),
    [
        (ChatError(ErrorKind.ENDPOINT_NOT_FOUND, "Not Found", 404), True),
        (ChatError(ErrorKind.BAD_REQUEST, "Not Implemented", 501), True),
        (ChatError(ErrorKind.MODEL_NOT_FOUND, "Model not found", 404), False),
        (ChatError(ErrorKind.SERVER_ERROR, "boom", 500), False),
    ],
)
def test_only_a_missing_endpoint_means_no_responses_api(error: ChatError, refused: bool) -> None:
    assert refuses_responses(error) is refused


def test_failures_reported_in_the_stream_keep_the_servers_words() -> None:
    limited = stream_failure("rate_limit_exceeded", "Slow down.")
    assert (limited.kind, limited.message) == (ErrorKind.RATE_LIMITED, "Slow down.")
    assert limited.retryable
    credits = stream_failure(
        "resource-exhausted", "Your team has either used all available credits or reached …"
    )
    assert credits.kind is ErrorKind.CREDITS_EXHAUSTED
    unknown = stream_failure(None, "")
    assert unknown.kind is ErrorKind.SERVER_ERROR
    assert unknown.message


def test_no_fallback_once_the_endpoint_has_answered_in_responses(
    replay_server: ReplayServer,
) -> None:
    """A 'not found' reported mid-stream is the turn's own failure: the turn is not sent again
    over Chat Completions (the text shown would come twice)."""
    events = [
        {"type": "response.created", "response": {"id": "r1", "status": "in_progress"}},
        {"type": "response.output_text.delta", "output_index": 0, "delta": "Hel"},
        {
            "type": "response.failed",
            "response": {"status": "failed", "error": {"code": "not_found", "message": "Gone."}},
        },
    ]
    replay_server.responses = b"".join(
        f"event: {e['type']}\ndata: {json.dumps(e)}\n\n".encode() for e in events
    )

    async def request_for(api: Api) -> ReplyRequest:
        return ReplyRequest("grok-4.3", [{"role": "user", "content": "hi"}], api=api)

    async def collect(seen: list[object]) -> None:
        client = make_client(replay_server.base_url, "xai-test")
        try:
            async for event in stream_turn(client, request_for, Api.RESPONSES, may_fall_back=True):
                seen.append(event)
        finally:
            await client.close()

    async def run() -> list[object]:
        seen: list[object] = []
        with pytest.raises(ChatError) as failed:
            await collect(seen)
        assert failed.value.kind is ErrorKind.ENDPOINT_NOT_FOUND
        return seen

    seen = asyncio.run(run())
    assert TextDelta("Hel") in seen
    assert [r.path for r in replay_server.received] == ["/v1/responses"]
