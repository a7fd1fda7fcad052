"""`POST /v1/responses`: xAI's Responses API, on the same checks, simulated model, prompt cache
(keyed by `prompt_cache_key`, as `x-grok-conv-id` keys Chat Completions), reasoning and bill
as `/v1/chat/completions`. Every reasoning model streams its reasoning summary here."""

from __future__ import annotations

import time
import uuid
from typing import Any

from .billing import responses_usage_body
from .chat_request import PartialInfo
from .errors import DemoError
from .faults import Fault
from .reasoning import think_seconds
from .reply import (
    SERVER_ERROR_MESSAGE,
    Responder,
    compose_answer,
    record_answer,
    record_request,
    take_fault,
)
from .responses_events import ResponseSpec, final_response, write_response_stream
from .responses_request import parse_responses_request
from .simulated import simulated_reply
from .state import DemoState, RecordedRequest

_FAILURES = (Fault.FAILED_MID_STREAM, Fault.ERROR_EVENT)


def handle_responses(
    state: DemoState, body: Any, record: RecordedRequest, responder: Responder
) -> None:
    """Answer one Responses request; DemoError escapes to the caller, which sends it."""
    plan, proceed = take_fault(state, record, responder)
    if not proceed:
        return
    info = PartialInfo()
    try:
        request = parse_responses_request(
            body, state.image_tokens_fn, info, accepts_json_schema=state.accepts_json_schema
        )
    finally:
        record_request(record, info)
    chat = request.chat
    record.conversation_id = request.prompt_cache_key
    answer = compose_answer(
        state, chat, request.prompt_cache_key, says_reasoning=True, reply=simulated_reply
    )
    record_answer(record, chat, answer)
    model = chat.model
    record.cost_in_usd_ticks = responses_usage_body(answer.counts, model.prices, model.long_prices)[
        "cost_in_usd_ticks"
    ]
    spec = ResponseSpec(
        response_id=str(uuid.uuid4()),
        created_at=int(time.time()),
        request=request,
        answer=answer,
        chunk_chars=state.chunk_chars,
        think_seconds=think_seconds(state.think_seconds, chat.effort),
    )
    if chat.stream:
        sink = responder.start_events()
        outcome = write_response_stream(
            sink, spec, plan, state.stall_seconds, lambda: int(time.time())
        )
        responder.end_events(outcome)
        return
    if spec.think_seconds > 0 and not state.pause(spec.think_seconds):
        responder.abort()
        return
    if plan is not None and plan.fault in _FAILURES:
        raise DemoError(500, SERVER_ERROR_MESSAGE)
    reply = final_response(spec, int(time.time()))
    if plan is not None:
        responder.send_faulty_json(reply, plan, state.stall_seconds)
    else:
        responder.send_json(200, reply)
