"""What both dialects (Chat Completions and Responses) share: the HTTP side of one exchange,
the faults answered before any reply, what is recorded of a request, and the simulated answer
with its token counts (prompt, cache, reasoning, reply)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Protocol

from app.core.budget import estimate_text_tokens

from .billing import UsageCounts
from .chat_request import ChatRequest, ImageTokensFn, PartialInfo
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
from .sse import EventSink, Outcome
from .state import DemoState, RecordedRequest
from .tokens import cut_to_tokens

# Unconfirmed wordings: the real 500 and 503 bodies were not recorded.
SERVER_ERROR_MESSAGE = "Internal server error. Please retry your request."
UNAVAILABLE_MESSAGE = "The service is currently unavailable. Please retry your request shortly."


class Responder(Protocol):
    """The HTTP side of one exchange, as the endpoints need it."""

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


def take_fault(
    state: DemoState, record: RecordedRequest, responder: Responder
) -> tuple[FaultPlan | None, bool]:
    """The request's fault, once the ones answered before any reply have acted: raises the
    status faults, stalls before the headers. False: the connection was cut, answer nothing."""
    plan = state.faults.take()
    record.fault = plan.fault if plan is not None else None
    if plan is not None and plan.fault is Fault.STALL_BEFORE_HEADERS:
        if not state.pause(state.stall_seconds):
            responder.abort()
            return None, False
        plan = None
    if plan is not None and (error := status_fault(plan)) is not None:
        raise error
    return plan, True


def record_request(record: RecordedRequest, info: PartialInfo) -> None:
    record.model = info.model
    record.stream = info.stream
    record.max_tokens = info.max_tokens
    record.response_format = info.response_format
    record.image_count = info.image_count
    record.image_sizes = [(im.width, im.height) for im in info.images]
    record.image_bytes = [im.nbytes for im in info.images]
    record.roles = list(info.roles)


@dataclass(frozen=True)
class Answer:
    """The simulated model's answer to a checked request, with its counts."""

    counts: UsageCounts  # completion_tokens: the reply's (or the call's arguments')
    content: str  # the reply's text, or the call's arguments
    finish_reason: str  # "stop", "length" (cut by the token limit) or "tool_calls"
    call: SimulatedCall | None
    reasoning: str  # the thinking text said aloud ("" when silent or not reasoning)
    think_seconds: float  # silence before the first token when the thinking is not said


ReplyFn = Callable[[ChatRequest, ImageTokensFn], str]


def compose_answer(
    state: DemoState,
    request: ChatRequest,
    conv_id: str | None,
    *,
    says_reasoning: bool,
    reply: ReplyFn = simulated_reply,
) -> Answer:
    """The answer, and the exchange with the prompt cache of `conv_id`. `says_reasoning`: the
    thinking is streamed (grok-3-mini on Chat Completions; every reasoning model on Responses).
    `reply` writes the text (each dialect passes its own, so that tests can replace it)."""
    counts = UsageCounts(
        text_tokens=request.text_tokens,
        image_tokens=request.image_tokens,
        completion_tokens=0,
        cached_tokens=state.prompt_cache.exchange(
            conv_id, request.message_keys, request.message_tokens
        ),
        reasoning_tokens=reasoning_tokens(request.effort),
    )
    reasoning = (
        thinking_text(request, state.image_tokens_fn)
        if says_reasoning and thinks(request.effort)
        else ""
    )
    think = 0.0 if reasoning else think_seconds(state.think_seconds, request.effort)
    call = tool_call_reply(request)
    if call is not None:
        content, finish_reason = call.arguments, "tool_calls"
    else:
        content, cut = cut_to_tokens(reply(request, state.image_tokens_fn), request.max_tokens)
        finish_reason = "length" if cut else "stop"
    return Answer(
        counts=replace(counts, completion_tokens=estimate_text_tokens(content)),
        content=content,
        finish_reason=finish_reason,
        call=call,
        reasoning=reasoning,
        think_seconds=think,
    )


def record_answer(record: RecordedRequest, request: ChatRequest, answer: Answer) -> None:
    """Record what the reply reports (the bill is recorded by the dialect's usage)."""
    counts = answer.counts
    record.include_usage = request.include_usage
    record.served_model = request.model.id
    record.reasoning_effort = request.effort
    record.prompt_tokens = counts.prompt_tokens
    record.image_tokens = counts.image_tokens
    record.cached_tokens = counts.cached_tokens
    record.completion_tokens = counts.completion_tokens
    record.reasoning_tokens = counts.reasoning_tokens
    record.finish_reason = answer.finish_reason
