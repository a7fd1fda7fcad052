"""`POST /v1/chat/completions`: faults first, then the checked request, then the reply."""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from typing import Any, Protocol

from app.core.budget import estimate_text_tokens

from .chat_request import ChatRequest, PartialInfo, parse_chat_request
from .errors import (
    BAD_GATEWAY_PAGE,
    CAPACITY_MESSAGE,
    DEMO_TEAM_ID,
    DemoError,
    credits_exhausted_message,
)
from .faults import Fault, FaultPlan
from .simulated import SimulatedCall, simulated_reply, tool_call_reply
from .sse import EventSink, Outcome, StreamSpec, write_stream
from .state import DemoState, RecordedRequest
from .tokens import cut_to_tokens, usage_body

# Unconfirmed wordings: the real 500 and 503 bodies were not recorded.
SERVER_ERROR_MESSAGE = "Internal server error. Please retry your request."
UNAVAILABLE_MESSAGE = "The service is currently unavailable. Please retry your request shortly."


class Responder(Protocol):
    """The HTTP side of one exchange, as the chat endpoint needs it."""

    def send_json(self, status: int, body: Any,
                  headers: Mapping[str, str] | None = None) -> None: ...

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


def handle_chat(state: DemoState, body: Any, record: RecordedRequest,
                responder: Responder) -> None:
    """Answer one chat request; DemoError escapes to the caller, which sends it."""
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
        request = parse_chat_request(body, state.image_tokens_fn, info,
                                     accepts_json_schema=state.accepts_json_schema)
    finally:
        _record_request(record, info)
    record.include_usage = request.include_usage
    record.prompt_tokens = request.prompt_tokens
    record.image_tokens = request.image_tokens

    call = tool_call_reply(request)
    if call is not None:
        content, finish_reason = call.arguments, "tool_calls"
    else:
        content, cut = cut_to_tokens(simulated_reply(request, state.image_tokens_fn),
                                     request.max_tokens)
        finish_reason = "length" if cut else "stop"
    record.completion_tokens = estimate_text_tokens(content)
    record.finish_reason = finish_reason
    completion_id = f"{uuid.uuid4()}_us-east-1"
    if request.stream:
        spec = StreamSpec(
            completion_id=completion_id, created=int(time.time()), model=request.model.id,
            fingerprint=request.model.fingerprint, content=content,
            chunk_chars=state.chunk_chars, finish_reason=finish_reason,
            text_tokens=request.text_tokens, image_tokens=request.image_tokens,
            include_usage=request.include_usage,
            usage_in_every_chunk=state.usage_in_every_chunk,
            tool_call=(call.id, call.name) if call is not None else None)
        sink = responder.start_events()
        outcome = write_stream(sink, spec, plan, state.stall_seconds)
        responder.end_events(outcome)
        return
    answer = completion_body(request, completion_id, content, finish_reason, call)
    if plan is not None:
        responder.send_faulty_json(answer, plan, state.stall_seconds)
    else:
        responder.send_json(200, answer)


def completion_body(request: ChatRequest, completion_id: str, content: str,
                    finish_reason: str, call: SimulatedCall | None = None) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": content, "refusal": None}
    if call is not None:
        message["content"] = None
        message["tool_calls"] = [{"id": call.id, "type": "function",
                                  "function": {"name": call.name, "arguments": call.arguments}}]
    return {
        "id": completion_id,
        "object": "chat.completion",
        "created": int(time.time()),
        "model": request.model.id,
        "choices": [{
            "index": 0,
            "message": message,
            "finish_reason": finish_reason,
        }],
        "usage": usage_body(text_tokens=request.text_tokens, image_tokens=request.image_tokens,
                            completion_tokens=estimate_text_tokens(content)),
        "system_fingerprint": request.model.fingerprint,
    }
