"""`POST /v1/chat/completions`: faults first, then the checked request, then the reply."""

from __future__ import annotations

import time
import uuid
from typing import Any

from .billing import usage_body
from .chat_request import ChatRequest, PartialInfo, parse_chat_request
from .reply import (
    SERVER_ERROR_MESSAGE,
    UNAVAILABLE_MESSAGE,
    Responder,
    compose_answer,
    record_answer,
    record_request,
    status_fault,
    take_fault,
)
from .simulated import SimulatedCall, simulated_reply
from .sse import StreamSpec, write_stream
from .state import DemoState, RecordedRequest

__all__ = [
    "SERVER_ERROR_MESSAGE",
    "UNAVAILABLE_MESSAGE",
    "Responder",
    "completion_body",
    "handle_chat",
    "status_fault",
]


def handle_chat(
    state: DemoState,
    body: Any,
    record: RecordedRequest,
    responder: Responder,
    conv_id: str | None = None,
) -> None:
    """Answer one chat request; DemoError escapes to the caller, which sends it.

    `conv_id` is the request's `x-grok-conv-id` header: the prompt cache's conversation.
    """
    record.conversation_id = conv_id
    plan, proceed = take_fault(state, record, responder)
    if not proceed:
        return
    info = PartialInfo()
    try:
        request = parse_chat_request(
            body, state.image_tokens_fn, info, accepts_json_schema=state.accepts_json_schema
        )
    finally:
        record_request(record, info)
    model = request.model
    answer = compose_answer(
        state, request, conv_id, says_reasoning=model.streams_reasoning, reply=simulated_reply
    )
    record_answer(record, request, answer)
    usage = usage_body(answer.counts, model.prices, model.long_prices)
    record.cost_in_usd_ticks = usage["cost_in_usd_ticks"]
    call = answer.call
    completion_id = f"{uuid.uuid4()}_us-east-1"
    if request.stream:
        spec = StreamSpec(
            completion_id=completion_id,
            created=int(time.time()),
            model=model.id,
            fingerprint=model.fingerprint,
            content=answer.content,
            chunk_chars=state.chunk_chars,
            finish_reason=answer.finish_reason,
            counts=answer.counts,
            prices=model.prices,
            long_prices=model.long_prices,
            include_usage=request.include_usage,
            usage_in_every_chunk=state.usage_in_every_chunk,
            tool_call=(call.id, call.name) if call is not None else None,
            reasoning=answer.reasoning,
            think_seconds=answer.think_seconds,
        )
        sink = responder.start_events()
        outcome = write_stream(sink, spec, plan, state.stall_seconds)
        responder.end_events(outcome)
        return
    reply = completion_body(
        request,
        completion_id,
        answer.content,
        answer.finish_reason,
        usage=usage,
        call=call,
        reasoning=answer.reasoning,
    )
    if answer.think_seconds > 0 and not state.pause(answer.think_seconds):
        responder.abort()
    elif plan is not None:
        responder.send_faulty_json(reply, plan, state.stall_seconds)
    else:
        responder.send_json(200, reply)


def completion_body(
    request: ChatRequest,
    completion_id: str,
    content: str,
    finish_reason: str,
    *,
    usage: dict[str, Any],
    call: SimulatedCall | None = None,
    reasoning: str = "",
) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": content, "refusal": None}
    if reasoning:
        message["reasoning_content"] = reasoning
    if call is not None:
        message["content"] = None
        message["tool_calls"] = [
            {
                "id": call.id,
                "type": "function",
                "function": {"name": call.name, "arguments": call.arguments},
            }
        ]
    return {
        "id": completion_id,
        "object": "chat.completion",
        "created": int(time.time()),
        "model": request.model.id,
        "choices": [
            {
                "index": 0,
                "message": message,
                "finish_reason": finish_reason,
            }
        ],
        "usage": usage,
        "system_fingerprint": request.model.fingerprint,
    }
