"""The stream of a reply, event by event, in the shape of the recorded real xAI stream.

`data: {chunk}` events; a reasoning model first thinks in silence (or, like grok-3-mini, aloud
in `reasoning_content` deltas); the first delta carries the role; a function call streams its
arguments a few characters per delta (the first delta names the call); an empty delta after
every second content chunk; a `: keep-alive` comment after the first content chunk and then now
and then; a finish chunk; the usage either in a last `"choices":[]` chunk (recorded shape) or
cumulatively in every chunk (xAI's documentation); then `data: [DONE]`.
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass, replace
from typing import Any, Protocol

from app.core.budget import estimate_text_tokens

from .billing import Prices, UsageCounts, usage_body
from .faults import Fault, FaultPlan

KEEP_ALIVE = b": keep-alive\n\n"
DONE = b"data: [DONE]\n\n"
MALFORMED = b"data: {not json\n\n"
EMPTY_DELTA_EVERY = 2  # an empty delta after every second content chunk
KEEP_ALIVE_EVERY = 8  # a comment line after the first content chunk and every eighth
TOOL_ARGUMENT_DIVISOR = 3  # a function's arguments go in pieces a third of a text chunk


class EventSink(Protocol):
    """Where events go: the HTTP response body."""

    def send(self, data: bytes) -> None:
        """Write one event; raises OSError when the client has gone."""

    def pause(self, seconds: float) -> bool:
        """Sleep; False when the server is stopping and the stream must end now."""

    def pace(self) -> float:
        """Seconds between content chunks, read afresh for every chunk."""


class Outcome(enum.Enum):
    COMPLETE = "complete"  # [DONE] sent
    DROPPED = "dropped"  # a fault asks to close the connection without ending the body
    ABORTED = "aborted"  # the server is stopping


@dataclass(frozen=True)
class StreamSpec:
    completion_id: str
    created: int
    model: str
    fingerprint: str
    content: str
    chunk_chars: int
    finish_reason: str
    counts: UsageCounts  # the prompt's; completion is counted as sent
    prices: Prices
    long_prices: Prices
    include_usage: bool
    usage_in_every_chunk: bool
    tool_call: tuple[str, str] | None = None  # (id, function name): `content` is its arguments
    reasoning: str = ""  # thinking streamed as `reasoning_content` first
    think_seconds: float = 0.0  # silence before the first chunk

    def pieces(self) -> list[str]:
        if self.tool_call is not None:  # many small deltas, after one that names the call
            step = max(1, self.chunk_chars // TOOL_ARGUMENT_DIVISOR)
            return ["", *(self.content[i : i + step] for i in range(0, len(self.content), step))]
        return split_text(self.content, self.chunk_chars) or [""]

    def reasoning_pieces(self) -> list[str]:
        return split_text(self.reasoning, self.chunk_chars)


def split_text(text: str, step: int) -> list[str]:
    return [text[i : i + step] for i in range(0, len(text), step)]


def encode_event(payload: dict[str, Any]) -> bytes:
    return (
        b"data: "
        + json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        + b"\n\n"
    )


class _Chunks:
    """Builds chunk objects, adding the cumulative usage when every chunk must carry it."""

    def __init__(self, spec: StreamSpec) -> None:
        self.spec = spec
        self.sent_text = ""
        self.role_sent = False

    def usage(self) -> dict[str, Any]:
        spec = self.spec
        counts = replace(spec.counts, completion_tokens=estimate_text_tokens(self.sent_text))
        return usage_body(counts, spec.prices, spec.long_prices)

    def _role(self, delta: dict[str, Any]) -> dict[str, Any]:
        """The delta, led by the role if it is the stream's first."""
        if self.role_sent:
            return delta
        self.role_sent = True
        return {"role": "assistant", **delta}

    def chunk(self, choices: list[dict[str, Any]], *, with_usage: bool = False) -> bytes:
        spec = self.spec
        payload: dict[str, Any] = {
            "id": spec.completion_id,
            "object": "chat.completion.chunk",
            "created": spec.created,
            "model": spec.model,
            "choices": choices,
        }
        if with_usage or spec.usage_in_every_chunk:
            payload["usage"] = self.usage()
        payload["system_fingerprint"] = spec.fingerprint
        return encode_event(payload)

    def reasoning(self, piece: str) -> bytes:
        return self.chunk([{"index": 0, "delta": self._role({"reasoning_content": piece})}])

    def content(self, piece: str, *, first: bool) -> bytes:
        self.sent_text += piece
        call = self.spec.tool_call
        delta: dict[str, Any]
        if call is None:
            delta = {"content": piece}
        elif first:
            delta = {
                "content": None,
                "tool_calls": [
                    {
                        "index": 0,
                        "id": call[0],
                        "type": "function",
                        "function": {"name": call[1], "arguments": piece},
                    }
                ],
            }
        else:
            delta = {"tool_calls": [{"index": 0, "function": {"arguments": piece}}]}
        return self.chunk([{"index": 0, "delta": self._role(delta)}])

    def empty(self) -> bytes:
        return self.chunk([{"index": 0, "delta": {}}])

    def finish(self) -> bytes:
        return self.chunk([{"index": 0, "delta": {}, "finish_reason": self.spec.finish_reason}])


def _apply_fault(sink: EventSink, plan: FaultPlan, stall_seconds: float) -> Outcome | None:
    """Act on a mid-stream fault; an outcome when the stream must end here."""
    if plan.fault in (Fault.DROP_MID_STREAM, Fault.FAILED_MID_STREAM, Fault.ERROR_EVENT):
        return Outcome.DROPPED  # Chat Completions has no failure event: the stream is cut
    if plan.fault is Fault.STALL_MID_STREAM:
        return None if sink.pause(stall_seconds) else Outcome.ABORTED
    if plan.fault is Fault.MALFORMED_EVENT:
        sink.send(MALFORMED)
    return None


def write_stream(
    sink: EventSink, spec: StreamSpec, fault: FaultPlan | None, stall_seconds: float
) -> Outcome:
    """Send the whole stream (or as much as a fault lets through)."""
    chunks = _Chunks(spec)
    if spec.think_seconds > 0 and not sink.pause(spec.think_seconds):
        return Outcome.ABORTED
    for piece in spec.reasoning_pieces():
        sink.send(chunks.reasoning(piece))
        if not sink.pause(sink.pace()):
            return Outcome.ABORTED
    pieces = spec.pieces()
    trigger = min(fault.after_chunks, len(pieces)) if fault is not None else -1
    if fault is not None and trigger == 0:
        outcome = _apply_fault(sink, fault, stall_seconds)
        if outcome is not None:
            return outcome
    for count, piece in enumerate(pieces, start=1):
        sink.send(chunks.content(piece, first=count == 1))
        if count == 1 or count % KEEP_ALIVE_EVERY == 0:
            sink.send(KEEP_ALIVE)
        if count % EMPTY_DELTA_EVERY == 0:
            sink.send(chunks.empty())
        if fault is not None and count == trigger:
            outcome = _apply_fault(sink, fault, stall_seconds)
            if outcome is not None:
                return outcome
        if count < len(pieces) and not sink.pause(sink.pace()):
            return Outcome.ABORTED
    sink.send(chunks.finish())
    if spec.include_usage and not spec.usage_in_every_chunk:
        sink.send(chunks.chunk([], with_usage=True))
    sink.send(DONE)
    return Outcome.COMPLETE
