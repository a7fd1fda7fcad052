"""`POST /v1/chat/completions`: faults first, then the checked request, then the reply."""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from dataclasses import replace
from typing import Any, Protocol

from app.core.budget import estimate_text_tokens

from .billing import UsageCounts, usage_body
from .chat_request import ChatRequest, PartialInfo, parse_chat_request
from .errors import (
    BAD_GATEWAY_PAGE,
    CAPACITY_MESSAGE,
    DEMO_TEAM_ID,
    DemoError,
    credits_exhausted_message,
)
from .faults import Fault, FaultPlan
from .reasoning import reasoning_tokens, think_seconds, thinks
from .simulated import SimulatedCall, simulated_reply, thinking_text, tool_call_reply
from .sse import EventSink, Outcome, StreamSpec, write_stream
from .state import DemoState, RecordedRequest
from .tokens import cut_to_tokens

# Unconfirmed wordings: the real 500 and 503 bodies were not recorded.
SERVER_ERROR_MESSAGE = "Internal server error. Please retry your request."
UNAVAILABLE_MESSAGE = "The service is currently unavailable. Please retry your request shortly."


class Responder(Protocol):
    """The HTTP side of one exchange, as the chat endpoint needs it."""

    def send_json(
        self, status: int, body: Any, headers: Mapping[str, str] | None = None
    ) -> None: ...

    def send_faulty_json(self, body: Any, plan: FaultPlan, stall_seconds: float) -> None:
        """A 200 JSON answer spoilt by a mid-stream fault (non-streaming requests)."""

    def start_events(self) -> EventSink:
        """Send the headers of an event stream; events then go to the returned sink."""

    def end_events(self, outcome: Outcome) -> None:
        """End the body properly (COMPLETE) or cut the connection (DROPPED, ABORTED)."""

    def abort(self) -> None:
        """Close the connection without an answer."""


def status_fault(plan: FaultPlan) -> DemoError | None:
    if plan.fault is Fault.RATE_LIMIT:
        return DemoError(429, CAPACITY_MESSAGE, headers={"retry-after": str(plan.retry_after)})
    if plan.fault is Fault.SERVER_ERROR:
        return DemoError(500, SERVER_ERROR_MESSAGE)
    if plan.fault is Fault.UNAVAILABLE:
        return DemoError(503, UNAVAILABLE_MESSAGE)
    if plan.fault is Fault.CREDITS_EXHAUSTED:
        return DemoError(429, credits_exhausted_message(DEMO_TEAM_ID))
    if plan.fault is Fault.PROXY_HTML:
        return DemoError(502, "Bad Gateway", page=BAD_GATEWAY_PAGE)
    return None


def _record_request(record: RecordedRequest, info: PartialInfo) -> None:
    record.model = info.model
    record.stream = info.stream
    record.max_tokens = info.max_tokens
    record.response_format = info.response_format
    record.image_count = info.image_count
    record.image_sizes = [(im.width, im.height) for im in info.images]
    record.image_bytes = [im.nbytes for im in info.images]
    record.roles = list(info.roles)


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
    plan = state.faults.take()
    record.fault = plan.fault if plan is not None else None
    if plan is not None and plan.fault is Fault.STALL_BEFORE_HEADERS:
        if not state.pause(state.stall_seconds):
            responder.abort()
            return
        plan = None
    if plan is not None and (error := status_fault(plan)) is not None:
        raise error

    info = PartialInfo()
    try:
        request = parse_chat_request(
            body, state.image_tokens_fn, info, accepts_json_schema=state.accepts_json_schema
        )
    finally:
        _record_request(record, info)
    counts = UsageCounts(
        text_tokens=request.text_tokens,
        image_tokens=request.image_tokens,
        completion_tokens=0,
        cached_tokens=state.prompt_cache.exchange(
            conv_id, request.message_keys, request.message_tokens
        ),
        reasoning_tokens=reasoning_tokens(request.effort),
    )
    model = request.model
    reasoning = (
        thinking_text(request, state.image_tokens_fn)
        if model.streams_reasoning and thinks(request.effort)
        else ""
    )
    think = 0.0 if reasoning else think_seconds(state.think_seconds, request.effort)

    call = tool_call_reply(request)
    if call is not None:
        content, finish_reason = call.arguments, "tool_calls"
    else:
        content, cut = cut_to_tokens(
            simulated_reply(request, state.image_tokens_fn), request.max_tokens
        )
        finish_reason = "length" if cut else "stop"
    usage = _record_reply(
        record,
        request,
        finish_reason,
        replace(counts, completion_tokens=estimate_text_tokens(content)),
    )
    completion_id = f"{uuid.uuid4()}_us-east-1"
    if request.stream:
        spec = StreamSpec(
            completion_id=completion_id,
            created=int(time.time()),
            model=model.id,
            fingerprint=model.fingerprint,
            content=content,
            chunk_chars=state.chunk_chars,
            finish_reason=finish_reason,
            counts=counts,
            prices=model.prices,
            long_prices=model.long_prices,
            include_usage=request.include_usage,
            usage_in_every_chunk=state.usage_in_every_chunk,
            tool_call=(call.id, call.name) if call is not None else None,
            reasoning=reasoning,
            think_seconds=think,
        )
        sink = responder.start_events()
        outcome = write_stream(sink, spec, plan, state.stall_seconds)
        responder.end_events(outcome)
        return
    answer = completion_body(
        request, completion_id, content, finish_reason, usage=usage, call=call, reasoning=reasoning
    )
    if think > 0 and not state.pause(think):
        responder.abort()
    elif plan is not None:
        responder.send_faulty_json(answer, plan, state.stall_seconds)
    else:
        responder.send_json(200, answer)


def _record_reply(
    record: RecordedRequest, request: ChatRequest, finish_reason: str, counts: UsageCounts
) -> dict[str, Any]:
    """Record what the reply reports; its whole usage object (with the bill) is returned."""
    record.include_usage = request.include_usage
    record.served_model = request.model.id
    record.reasoning_effort = request.effort
    record.prompt_tokens = counts.prompt_tokens
    record.image_tokens = counts.image_tokens
    record.cached_tokens = counts.cached_tokens
    record.completion_tokens = counts.completion_tokens
    record.reasoning_tokens = counts.reasoning_tokens
    record.finish_reason = finish_reason
    usage = usage_body(counts, request.model.prices, request.model.long_prices)
    record.cost_in_usd_ticks = usage["cost_in_usd_ticks"]
    return usage


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
