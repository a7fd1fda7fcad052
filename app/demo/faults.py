"""Faults a test can inject into the next chat requests, and the queue that holds them."""

from __future__ import annotations

import enum
import threading
from collections import deque
from dataclasses import dataclass


class Fault(enum.Enum):
    """What goes wrong with one chat request. Values are the names `POST /demo/faults` takes."""

    DROP_MID_STREAM = "drop_mid_stream"  # close the socket after N content chunks
    STALL_MID_STREAM = "stall_mid_stream"  # after N content chunks, say nothing for a while
    MALFORMED_EVENT = "malformed_event"  # send `data: {not json` after N content chunks
    RATE_LIMIT = "rate_limit"  # 429 with a retry-after header
    SERVER_ERROR = "server_error"  # 500
    UNAVAILABLE = "unavailable"  # 503
    STALL_BEFORE_HEADERS = "stall_before_headers"  # read the request, answer nothing for a while
    CREDITS_EXHAUSTED = "credits_exhausted"  # 429, credits spent: no retry-after
    PROXY_HTML = "proxy_html"  # 502 with an HTML page, from a proxy
    # Responses streams only (a chat stream is cut instead): after N deltas, the stream ends
    # with a `response.failed` event, or with an `error` event.
    FAILED_MID_STREAM = "failed_mid_stream"
    ERROR_EVENT = "error_event"

    @classmethod
    def parse(cls, name: str) -> Fault:
        """A fault from its value or its member name, in any case ("rate_limit", "RATE_LIMIT")."""
        key = name.strip().lower()
        for fault in cls:
            if fault.value == key:
                return fault
        names = ", ".join(f.value for f in cls)
        raise ValueError(f"unknown fault {name!r}; expected one of: {names}")

    @property
    def is_status(self) -> bool:
        """Faults answered with an error status instead of a reply."""
        return self in _STATUS_FAULTS


_STATUS_FAULTS = frozenset(
    {
        Fault.RATE_LIMIT,
        Fault.SERVER_ERROR,
        Fault.UNAVAILABLE,
        Fault.CREDITS_EXHAUSTED,
        Fault.PROXY_HTML,
    }
)


@dataclass(frozen=True)
class FaultPlan:
    """One injected fault with its parameters."""

    fault: Fault
    after_chunks: int = 3
    retry_after: int = 1


class FaultQueue:
    """Thread-safe queue of faults; each chat request takes the next one, in injection order."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._plans: deque[FaultPlan] = deque()

    def inject(
        self, fault: Fault, count: int = 1, *, after_chunks: int = 3, retry_after: int = 1
    ) -> None:
        if count < 0:
            raise ValueError(f"count must not be negative, got {count}")
        if after_chunks < 0:
            raise ValueError(f"after_chunks must not be negative, got {after_chunks}")
        if retry_after < 0:
            raise ValueError(f"retry_after must not be negative, got {retry_after}")
        plan = FaultPlan(fault, after_chunks=after_chunks, retry_after=retry_after)
        with self._lock:
            self._plans.extend([plan] * count)

    def take(self) -> FaultPlan | None:
        with self._lock:
            return self._plans.popleft() if self._plans else None

    def clear(self) -> None:
        with self._lock:
            self._plans.clear()

    def pending(self) -> int:
        with self._lock:
            return len(self._plans)
