"""What the running endpoint shares between its request threads: settings, faults, the record."""

from __future__ import annotations

import logging
import socket
import threading
from dataclasses import dataclass, field
from typing import Any

from app.core.budget import image_tokens

from .cache import PromptCache
from .chat_request import ImageTokensFn
from .faults import Fault, FaultQueue

log = logging.getLogger(__name__)


@dataclass
class RecordedRequest:
    """One HTTP request as the endpoint saw it. The key is never stored, only its redaction."""

    method: str
    path: str
    authorization: str | None = None  # "Bearer xa***ey", or None when absent
    model: str | None = None  # as requested (alias or unknown id included)
    stream: bool = False
    include_usage: bool = False
    image_count: int = 0
    image_sizes: list[tuple[int, int]] = field(default_factory=list)  # decoded pixels (w, h)
    image_bytes: list[int] = field(default_factory=list)  # encoded sizes received
    max_tokens: int | None = None
    response_format: dict[str, Any] | None = None
    roles: list[str] = field(default_factory=list)
    fault: Fault | None = None
    status: int | None = None  # None while the answer is still being sent
    served_model: str | None = None  # the model that answered (after any redirect)
    reasoning_effort: str | None = None  # the effort it ran at; None: it did not reason
    prompt_tokens: int | None = None
    image_tokens: int | None = None
    cached_tokens: int | None = None
    completion_tokens: int | None = None
    reasoning_tokens: int | None = None
    cost_in_usd_ticks: int | None = None
    finish_reason: str | None = None
    conversation_id: str | None = None  # x-grok-conv-id header, or Responses' prompt_cache_key
    body: Any = None  # the decoded JSON body, as received (POST routes)


class DemoState:
    """Settings (some changeable while serving), injected faults, and the request record."""

    def __init__(
        self,
        *,
        pace: float,
        chunk_chars: int,
        usage_in_every_chunk: bool,
        stall_seconds: float,
        image_tokens_fn: ImageTokensFn | None,
        think_seconds: float = 0.0,
    ) -> None:
        if chunk_chars < 1:
            raise ValueError(f"chunk_chars must be at least 1, got {chunk_chars}")
        if pace < 0 or stall_seconds < 0 or think_seconds < 0:
            raise ValueError(
                f"pace, stall_seconds and think_seconds must not be negative, got "
                f"{pace}, {stall_seconds}, {think_seconds}"
            )
        self.pace = pace
        self.think_seconds = think_seconds  # the silence before a reply at high effort
        self.prompt_cache = PromptCache()
        self.chunk_chars = chunk_chars
        self.usage_in_every_chunk = usage_in_every_chunk
        self.stall_seconds = stall_seconds
        self.image_tokens_fn: ImageTokensFn = image_tokens_fn or image_tokens
        self.accepts_json_schema = True  # False: answer json_schema formats with a 400
        self.responses = True  # False: /v1/responses is unknown (404), as on local servers
        self.faults = FaultQueue()
        self.requests: list[RecordedRequest] = []
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._connections: set[socket.socket] = set()

    def record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def pause(self, seconds: float) -> bool:
        """Sleep, unless the server stops first. True when the sleep ran its full course."""
        if seconds <= 0:
            return not self.stopping.is_set()
        return not self.stopping.wait(seconds)

    def open_connection(self, connection: socket.socket) -> bool:
        """Track a client connection so that stop() can end it; False once stopping."""
        with self._lock:
            if self.stopping.is_set():
                return False
            self._connections.add(connection)
            return True

    def close_connection(self, connection: socket.socket) -> None:
        with self._lock:
            self._connections.discard(connection)

    def begin(self) -> None:
        self.stopping.clear()

    def end_all(self) -> None:
        """Stop: wake every pause and cut every open connection so their threads finish."""
        with self._lock:
            self.stopping.set()
            connections = list(self._connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError as exc:  # already closed by the client or by its handler
                log.debug("demo: closing a connection: %s", exc)
