"""A small server on 127.0.0.1 that answers chat requests with a recorded event stream (and
Responses API requests with a recorded Responses stream or response object), and keeps what
each request carried (headers and body), for parser and wire tests."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def recorded(name: str) -> bytes:
    """A recorded stream from tests/fixtures (e.g. "xai/grok-3-mini-text.sse")."""
    return (FIXTURES / name).read_bytes()


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class ReplayServer:
    """Answers every POST with `stream` (an SSE body) and every GET with `listing` (JSON).
    A POST to `/v1/responses` gets `responses` instead when set: a recorded Responses stream,
    or a whole response object (sent as JSON when it starts with `{`)."""

    stream: bytes = b""
    responses: bytes | None = None
    listing: Any = field(default_factory=lambda: {"object": "list", "data": []})
    received: list[Received] = field(default_factory=list)

    def __post_init__(self) -> None:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                server._keep(self, json.loads(raw) if raw else None)
                answer, kind = server.stream, "text/event-stream"
                if self.path.rstrip("/").endswith("/v1/responses") and server.responses is not None:
                    answer = server.responses
                    if answer.lstrip().startswith(b"{"):
                        kind = "application/json"
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def do_GET(self) -> None:
                server._keep(self, None)
                data = json.dumps(server.listing).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="replay"
        )
        self._thread.start()

    def _keep(self, handler: BaseHTTPRequestHandler, body: Any) -> None:
        with self._lock:
            self.received.append(
                Received(handler.path, {k.lower(): v for k, v in handler.headers.items()}, body)
            )

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()


@pytest.fixture
def replay_server() -> Iterator[ReplayServer]:
    server = ReplayServer()
    try:
        yield server
    finally:
        server.close()
