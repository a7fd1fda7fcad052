"""The Responses API's response object and its stream, in the shape of the recorded real xAI
streams (tests/fixtures/xai_responses): `response.created`, `response.in_progress`, a
`reasoning` item whose summary streams in deltas (reasoning models), then a `message` item
whose text streams in deltas, or a `function_call` item whose arguments come in one delta (as
xAI sends a tool call's input whole), and `response.completed` (or `response.incomplete`) with
every item and the usage. Each event is `event: <type>` and `data: <json>` carrying its `type`
and `sequence_number`.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .billing import responses_usage_body
from .faults import Fault, FaultPlan
from .reply import SERVER_ERROR_MESSAGE, Answer
from .responses_request import ResponsesRequest
from .sse import EventSink, Outcome, split_text

MALFORMED = b"event: response.output_text.delta\ndata: {not json\n\n"
# Unconfirmed: the code xAI puts in a failed response's `error` was not recorded (OpenAI's).
FAILURE_CODE = "server_error"
DEFAULT_TEMPERATURE = 0.7  # what the recorded responses echo when none is sent
DEFAULT_TOP_P = 0.95


@dataclass(frozen=True)
class ResponseSpec:
    response_id: str  # a UUID, as xAI's
    created_at: int
    request: ResponsesRequest
    answer: Answer
    chunk_chars: int
    think_seconds: float = 0.0  # the silence before the reasoning summary

    @property
    def reasoning_id(self) -> str:
        return f"rs_{self.response_id}"

    @property
    def message_id(self) -> str:
        return f"msg_{self.response_id}"

    @property
    def call_id(self) -> str:
        call = self.answer.call
        return f"fc_{self.response_id}_{call.id}" if call is not None else ""

    @property
    def cut(self) -> bool:
        return self.answer.finish_reason == "length"


def encrypted_content(text: str) -> str:
    """An opaque stand-in for the encrypted reasoning: only the server could read the real one."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return base64.b64encode(digest * 12).decode("ascii")


def output_text(text: str) -> dict[str, Any]:
    return {"type": "output_text", "text": text, "logprobs": [], "annotations": []}


def reasoning_item(spec: ResponseSpec, text: str | None) -> dict[str, Any]:
    """The reasoning item, in progress (`text` None) or done."""
    summary = [] if text is None else [{"text": text, "type": "summary_text"}]
    item: dict[str, Any] = {
        "id": spec.reasoning_id,
        "summary": summary,
        "type": "reasoning",
        "status": "in_progress" if text is None else "completed",
    }
    if text is not None and spec.request.encrypted_reasoning:
        item["encrypted_content"] = encrypted_content(text)
    return item


def message_item(spec: ResponseSpec, text: str | None) -> dict[str, Any]:
    status = "in_progress" if text is None else "incomplete" if spec.cut else "completed"
    return {
        "content": [] if text is None else [output_text(text)],
        "id": spec.message_id,
        "role": "assistant",
        "type": "message",
        "status": status,
    }


def call_item(spec: ResponseSpec, arguments: str | None) -> dict[str, Any]:
    call = spec.answer.call
    assert call is not None
    return {
        "call_id": call.id,
        "arguments": arguments or "",
        "name": call.name,
        "type": "function_call",
        "id": spec.call_id,
        "status": "in_progress" if arguments is None else "completed",
    }


def output_items(spec: ResponseSpec) -> list[dict[str, Any]]:
    answer = spec.answer
    items = [reasoning_item(spec, answer.reasoning)] if answer.reasoning else []
    if answer.call is not None:
        items.append(call_item(spec, answer.content))
    else:
        items.append(message_item(spec, answer.content))
    return items


def response_object(
    spec: ResponseSpec,
    status: str,
    *,
    output: list[dict[str, Any]] | None = None,
    completed_at: int | None = None,
    error: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The response object in its recorded field order; usage once it has ended."""
    request, model = spec.request, spec.request.chat.model
    ended = status in ("completed", "incomplete")
    return {
        "created_at": spec.created_at,
        "completed_at": completed_at,
        "id": spec.response_id,
        "max_output_tokens": request.max_output_tokens,
        "model": model.id,
        "object": "response",
        "output": output or [],
        "parallel_tool_calls": True,
        "previous_response_id": None,
        "reasoning": {
            "effort": request.reasoning.get("effort"),
            "summary": request.reasoning.get("summary"),
        },
        "temperature": (
            DEFAULT_TEMPERATURE if request.temperature is None else request.temperature
        ),
        "text": {"format": request.text_format},
        "tool_choice": request.tool_choice,
        "tools": request.tools,
        "top_p": DEFAULT_TOP_P,
        "usage": (
            responses_usage_body(spec.answer.counts, model.prices, model.long_prices)
            if ended
            else None
        ),
        "user": None,
        "incomplete_details": {"reason": "max_output_tokens"} if status == "incomplete" else None,
        "status": status,
        "store": request.store,
        "metadata": {"system_fingerprint": model.fingerprint},
        "background": False,
        "service_tier": "default",
        "truncation": "disabled",
        "top_logprobs": 0,
        "presence_penalty": 0.0,
        "frequency_penalty": 0.0,
        "prompt_cache_key": request.prompt_cache_key,
        "max_tool_calls": None,
        "safety_identifier": None,
        "error": error,
        "instructions": request.instructions,
    }


def final_status(spec: ResponseSpec) -> str:
    return "incomplete" if spec.cut else "completed"


def final_response(spec: ResponseSpec, completed_at: int) -> dict[str, Any]:
    """The whole response (the non-streamed answer, and `response.completed`'s)."""
    return response_object(
        spec, final_status(spec), output=output_items(spec), completed_at=completed_at
    )


class _Events:
    """Numbers and encodes the events of one stream."""

    def __init__(self, sink: EventSink) -> None:
        self.sink = sink
        self.sequence = 0

    def send(self, kind: str, **fields: Any) -> None:
        payload = {"sequence_number": self.sequence, "type": kind, **fields}
        self.sequence += 1
        data = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
        self.sink.send(f"event: {kind}\ndata: {data}\n\n".encode())

    def paced(self) -> bool:
        return self.sink.pause(self.sink.pace())


def _stream_reasoning(events: _Events, spec: ResponseSpec) -> bool:
    """The reasoning item, its summary in deltas; False when the server is stopping."""
    text, item_id = spec.answer.reasoning, spec.reasoning_id
    where = {"item_id": item_id, "output_index": 0}
    events.send("response.output_item.added", item=reasoning_item(spec, None), output_index=0)
    part = {"text": "", "type": "summary_text"}
    events.send("response.reasoning_summary_part.added", **where, part=part, summary_index=0)
    for piece in split_text(text, spec.chunk_chars):
        events.send("response.reasoning_summary_text.delta", delta=piece, **where, summary_index=0)
        if not events.paced():
            return False
    events.send("response.reasoning_summary_text.done", **where, summary_index=0, text=text)
    part = {"text": text, "type": "summary_text"}
    events.send("response.reasoning_summary_part.done", **where, part=part, summary_index=0)
    events.send("response.output_item.done", item=reasoning_item(spec, text), output_index=0)
    return True


class _Failure(Exception):
    """A fault ends the stream here, with this outcome."""

    def __init__(self, outcome: Outcome) -> None:
        self.outcome = outcome


def _apply_fault(
    events: _Events, spec: ResponseSpec, plan: FaultPlan, stall_seconds: float, done: list[Any]
) -> None:
    fault = plan.fault
    if fault is Fault.DROP_MID_STREAM:
        raise _Failure(Outcome.DROPPED)
    if fault is Fault.STALL_MID_STREAM and not events.sink.pause(stall_seconds):
        raise _Failure(Outcome.ABORTED)
    if fault is Fault.MALFORMED_EVENT:
        events.sink.send(MALFORMED)
    error = {"code": FAILURE_CODE, "message": SERVER_ERROR_MESSAGE}
    if fault is Fault.FAILED_MID_STREAM:
        failed = response_object(spec, "failed", output=done, error=error)
        events.send("response.failed", response=failed)
        raise _Failure(Outcome.COMPLETE)
    if fault is Fault.ERROR_EVENT:
        events.send("error", **error, param=None)
        raise _Failure(Outcome.COMPLETE)


class _AnswerItem:
    """The events of the answer's item: a message with one text part, or a function call."""

    def __init__(self, events: _Events, spec: ResponseSpec, index: int) -> None:
        self.events, self.spec, self.index = events, spec, index
        self.call = spec.answer.call is not None
        item_id = spec.call_id if self.call else spec.message_id
        self.where: dict[str, Any] = {"item_id": item_id, "output_index": index}
        self.text_where: dict[str, Any] = {"content_index": 0, **self.where}

    def pieces(self) -> list[str]:
        content = self.spec.answer.content
        return [content] if self.call else split_text(content, self.spec.chunk_chars) or [""]

    def _item(self, content: str | None) -> dict[str, Any]:
        return call_item(self.spec, content) if self.call else message_item(self.spec, content)

    def open(self) -> None:
        self.events.send(
            "response.output_item.added", item=self._item(None), output_index=self.index
        )
        if not self.call:
            self.events.send("response.content_part.added", **self.text_where, part=output_text(""))

    def delta(self, piece: str) -> None:
        if self.call:
            self.events.send("response.function_call_arguments.delta", **self.where, delta=piece)
            return
        self.events.send(
            "response.output_text.delta", content_index=0, delta=piece, **self.where, logprobs=[]
        )

    def close(self) -> None:
        content, events = self.spec.answer.content, self.events
        if self.call:
            events.send("response.function_call_arguments.done", **self.where, arguments=content)
        else:
            events.send("response.output_text.done", **self.text_where, text=content, logprobs=[])
            events.send("response.content_part.done", **self.text_where, part=output_text(content))
        events.send("response.output_item.done", item=self._item(content), output_index=self.index)


def write_response_stream(
    sink: EventSink,
    spec: ResponseSpec,
    plan: FaultPlan | None,
    stall_seconds: float,
    completed_at: Callable[[], int],
) -> Outcome:
    """Send the whole stream (or as much as a fault lets through). `completed_at()` gives the
    time the response ends."""
    events = _Events(sink)
    events.send("response.created", response=response_object(spec, "in_progress"))
    events.send("response.in_progress", response=response_object(spec, "in_progress"))
    if spec.think_seconds > 0 and not sink.pause(spec.think_seconds):
        return Outcome.ABORTED
    done: list[dict[str, Any]] = []
    if spec.answer.reasoning:
        if not _stream_reasoning(events, spec):
            return Outcome.ABORTED
        done.append(reasoning_item(spec, spec.answer.reasoning))
    item = _AnswerItem(events, spec, len(done))
    pieces = item.pieces()
    trigger = min(plan.after_chunks, len(pieces)) if plan is not None else -1
    try:
        item.open()
        if plan is not None and trigger == 0:
            _apply_fault(events, spec, plan, stall_seconds, done)
        for count, piece in enumerate(pieces, start=1):
            item.delta(piece)
            if plan is not None and count == trigger:
                _apply_fault(events, spec, plan, stall_seconds, done)
            if count < len(pieces) and not events.paced():
                return Outcome.ABORTED
    except _Failure as failure:
        return failure.outcome
    item.close()
    final = final_response(spec, completed_at())
    events.send(f"response.{final['status']}", response=final)
    return Outcome.COMPLETE
