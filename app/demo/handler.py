"""HTTP plumbing: the threaded server, routing, the bearer key, bodies, and chunked events."""

from __future__ import annotations

import hmac
import json
import logging
import os
import socket
import socketserver
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, cast
from urllib.parse import unquote, urlsplit

from app.core.images.formats import human_bytes
from app.core.limits import MIB

from . import catalog
from .cache import CONV_ID_HEADER
from .chat import handle_chat
from .errors import (
    DEMO_API_KEY,
    DemoError,
    error_body,
    incorrect_key,
    missing_key,
    redact_key,
    unknown_path,
)
from .faults import Fault, FaultPlan
from .responses import handle_responses
from .sse import EventSink, Outcome
from .state import DemoState, RecordedRequest

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 256 * MIB  # a request with a dozen 20 MiB images still fits
# Another limit, in MiB, for a run that sends more (the benchmark of 50 large photos) or less.
MAX_BODY_ENV = "GROK_VISION_DEMO_MAX_BODY_MIB"
_DISCARD_PIECE = MIB
LINGER_SECONDS = 5.0  # how long a refused body may pause before it is no longer read
RESPONSES_PATH = "/v1/responses"
IDLE_TIMEOUT = 60.0  # seconds a kept-alive connection may stay silent


def _max_body_bytes() -> int:
    setting = os.environ.get(MAX_BODY_ENV, "").strip()
    return int(float(setting) * MIB) if setting.replace(".", "", 1).isdigit() else MAX_BODY_BYTES


class DemoHTTPServer(ThreadingHTTPServer):
    """A threaded HTTP server that carries the endpoint's shared state. Its request threads
    are joined when it closes (`DemoServer.stop` first cuts their connections and stalls)."""

    daemon_threads = False
    block_on_close = True

    def __init__(self, address: tuple[str, int], state: DemoState) -> None:
        self.state = state
        super().__init__(address, DemoRequestHandler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind would look the host name up (getfqdn): not needed on loopback.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = int(port)

    def handle_error(self, request: Any, client_address: Any) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, OSError):  # a client went away mid-answer; nothing to report
            log.debug("demo: connection from %s ended: %s", client_address, exc)
            return
        log.error("demo: request from %s failed", client_address, exc_info=exc)


Action = Callable[["DemoRequestHandler", Any, str], None]


@dataclass(frozen=True)
class Route:
    method: str
    action: Action
    auth: bool = True  # the bearer key is checked first
    json_body: bool = False  # a JSON body is required (415 / 400 otherwise)


def _chat(h: DemoRequestHandler, body: Any, _tail: str) -> None:
    handle_chat(h.demo, body, h.record, h, h.headers.get(CONV_ID_HEADER))


def _responses(h: DemoRequestHandler, body: Any, _tail: str) -> None:
    handle_responses(h.demo, body, h.record, h)


_EXACT: dict[str, Route] = {
    "/v1/chat/completions": Route("POST", _chat, json_body=True),
    RESPONSES_PATH: Route("POST", _responses, json_body=True),
    "/v1/models": Route("GET", lambda h, _b, _t: h.send_json(200, catalog.models_body())),
    "/v1/language-models": Route(
        "GET", lambda h, _b, _t: h.send_json(200, catalog.language_models_body())
    ),
    "/v1/tokenize-text": Route(
        "POST", lambda h, b, _t: h.send_json(200, catalog.tokenize_text(b)), json_body=True
    ),
    "/v1/api-key": Route("GET", lambda h, _b, _t: h.send_json(200, catalog.api_key_body())),
    "/demo/faults": Route(
        "POST",
        lambda h, b, _t: h.send_json(200, catalog.demo_faults(h.demo, b)),
        auth=False,
        json_body=True,
    ),
    "/demo/pace": Route(
        "POST",
        lambda h, b, _t: h.send_json(200, catalog.demo_pace(h.demo, b)),
        auth=False,
        json_body=True,
    ),
    "/demo/think": Route(
        "POST",
        lambda h, b, _t: h.send_json(200, catalog.demo_think(h.demo, b)),
        auth=False,
        json_body=True,
    ),
}
_PREFIXES: dict[str, Route] = {
    "/v1/models/": Route("GET", lambda h, _b, t: h.send_json(200, catalog.model(t))),
    "/v1/language-models/": Route(
        "GET", lambda h, _b, t: h.send_json(200, catalog.language_model(t))
    ),
}


def find_route(path: str) -> tuple[Route, str] | None:
    if path in _EXACT:
        return _EXACT[path], ""
    for prefix, route in _PREFIXES.items():
        if path.startswith(prefix) and len(path) > len(prefix):
            return route, unquote(path[len(prefix) :])
    return None


class _ChunkedSink:
    """Events written as HTTP/1.1 chunks, straight to the socket."""

    def __init__(self, handler: DemoRequestHandler) -> None:
        self._handler = handler

    def send(self, data: bytes) -> None:
        self._handler.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))

    def pause(self, seconds: float) -> bool:
        return self._handler.demo.pause(seconds)

    def pace(self) -> float:
        return self._handler.demo.pace


class DemoRequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "grok-vision-demo/0.1"
    sys_version = ""
    timeout = IDLE_TIMEOUT
    record: RecordedRequest
    _unread = 0  # bytes of a refused body still on the way

    @property
    def demo(self) -> DemoState:
        return cast(DemoHTTPServer, self.server).state

    # -- connection life -------------------------------------------------------------------

    def setup(self) -> None:
        super().setup()
        if not self.demo.open_connection(self.connection):
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError as exc:
                log.debug("demo: refusing a connection while stopping: %s", exc)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.demo.close_connection(self.connection)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("demo: " + format, *args)

    # -- dispatch ------------------------------------------------------------------------------

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def do_PUT(self) -> None:
        self._dispatch()

    def do_PATCH(self) -> None:
        self._dispatch()

    def do_DELETE(self) -> None:
        self._dispatch()

    def _dispatch(self) -> None:
        path = urlsplit(self.path).path
        self.record = RecordedRequest(
            method=self.command, path=path, authorization=self._redacted_authorization()
        )
        self.demo.record(self.record)
        try:
            raw = self._read_body()
            self._serve(path, raw)
        except DemoError as err:
            if err.close_connection:
                self.close_connection = True
            if err.page is not None:
                self.send_page(err.status, err.page, err.headers)
            else:
                self.send_json(err.status, err.body(), err.headers)
            if self._unread:
                self._discard_unread()
        except OSError as exc:  # the client went away, or stop() cut the connection
            log.debug("demo: %s %s: connection ended: %s", self.command, path, exc)
            self.close_connection = True
        except Exception:
            log.exception("demo: %s %s failed", self.command, path)
            self.close_connection = True
            if self.record.status is None:
                self.send_json(500, error_body(500, "The demo endpoint failed on this request."))

    def _serve(self, path: str, raw: bytes) -> None:
        found = find_route(path)
        if found is None or (path == RESPONSES_PATH and not self.demo.responses):
            raise unknown_path()
        route, tail = found
        if self.command != route.method:
            # Unconfirmed wording.
            raise DemoError(
                405,
                f"Method {self.command} is not allowed on {path}; use {route.method}.",
                headers={"Allow": route.method},
            )
        if route.auth:
            self._check_key()
        body = self._json_body(raw) if route.json_body else None
        self.record.body = body
        route.action(self, body, tail)

    # -- request parts -------------------------------------------------------------------------

    def _redacted_authorization(self) -> str | None:
        header = self.headers.get("Authorization")
        if header is None:
            return None
        scheme, _, key = header.strip().partition(" ")
        return f"{scheme} {redact_key(key.strip())}" if key.strip() else scheme

    def _check_key(self) -> None:
        scheme, _, key = (self.headers.get("Authorization") or "").strip().partition(" ")
        key = key.strip()
        if scheme.lower() != "bearer" or not key:
            raise missing_key()
        if not hmac.compare_digest(key.encode(), DEMO_API_KEY.encode()):
            raise incorrect_key(key)

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            # Unconfirmed wording; the demo reads bodies with a Content-Length only.
            raise DemoError(
                411, "Send the request body with a Content-Length header.", close_connection=True
            )
        length_text = self.headers.get("Content-Length")
        if length_text is None:
            return b""
        length = int(length_text) if length_text.strip().isdigit() else -1
        if length < 0:
            raise DemoError(
                400, f"Invalid Content-Length header: {length_text!r}.", close_connection=True
            )
        limit = _max_body_bytes()
        if length > limit:
            self._unread = length
            raise DemoError(
                413,
                f"Request body too large: {human_bytes(length)} is over the "
                f"demo's limit of {human_bytes(limit)}.",
                close_connection=True,
            )
        return self.rfile.read(length)

    def _discard_unread(self) -> None:
        """Read the refused body to its end after answering (as servers linger on close): a
        connection closed with the body unread is reset, and the client never sees the answer
        (it saw "ReadError" instead). Given up when the client stops sending."""
        left, self._unread = self._unread, 0
        try:
            self.wfile.flush()
            self.connection.settimeout(LINGER_SECONDS)
            while left > 0:
                read = self.rfile.read1(min(left, _DISCARD_PIECE))
                if not read:
                    return
                left -= len(read)
        except OSError as exc:
            log.debug("demo: stopped reading a refused body: %s", exc)

    def _json_body(self, raw: bytes) -> Any:
        # Unconfirmed wordings; the statuses (415 for empty or non-JSON, 400) are documented.
        if not raw:
            raise DemoError(
                415, "Empty request body: send a JSON object with 'Content-Type: application/json'."
            )
        if (
            self.headers.get("Content-Type") is None
            or self.headers.get_content_type() != "application/json"
        ):
            raise DemoError(
                415,
                "Unsupported content type "
                f"{self.headers.get('Content-Type')!r}: "
                "send 'Content-Type: application/json'.",
            )
        try:
            return json.loads(raw)
        except ValueError as exc:
            raise DemoError(400, f"Malformed JSON in the request body: {exc}.") from exc

    # -- answers (the chat endpoint's Responder) -----------------------------------------------

    def send_json(self, status: int, body: Any, headers: Mapping[str, str] | None = None) -> None:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        self._send_head(status, "application/json", len(data), headers)
        self.wfile.write(data)

    def send_page(self, status: int, page: str, headers: Mapping[str, str] | None = None) -> None:
        data = page.encode("utf-8")
        self._send_head(status, "text/html; charset=utf-8", len(data), headers)
        self.wfile.write(data)

    def _send_head(
        self,
        status: int,
        content_type: str,
        length: int | None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.record.status = status
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        if length is None:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(length))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()

    def send_faulty_json(self, body: Any, plan: FaultPlan, stall_seconds: float) -> None:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        if plan.fault is Fault.MALFORMED_EVENT:
            data = b"{not json"
        self._send_head(200, "application/json", len(data))
        if plan.fault is Fault.DROP_MID_STREAM:
            self.wfile.write(data[: len(data) // 2])
            self.close_connection = True
            return
        if plan.fault is Fault.STALL_MID_STREAM and not self.demo.pause(stall_seconds):
            self.close_connection = True
            return
        self.wfile.write(data)

    def start_events(self) -> EventSink:
        self._send_head(200, "text/event-stream", None, {"Cache-Control": "no-cache"})
        return _ChunkedSink(self)

    def end_events(self, outcome: Outcome) -> None:
        if outcome is Outcome.COMPLETE:
            self.wfile.write(b"0\r\n\r\n")
        else:  # the body ends without its last chunk: the client sees a broken stream
            self.close_connection = True

    def abort(self) -> None:
        self.record.status = 0
        self.close_connection = True
