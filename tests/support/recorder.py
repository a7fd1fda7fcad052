"""A tiny HTTP server on 127.0.0.1 that answers what the test tells it to and records every
request it gets (method, path, Authorization header).

    with RecordingServer(lambda request: Reply.json(404, {"detail": "Not Found"})) as server:
        ... server.base_url ...   # "http://127.0.0.1:PORT/v1"
        assert len(server.requests) == 1

`openai_compatible` answers like a minimal OpenAI-compatible server: the standard model list
and a streamed chat completion.
"""

from __future__ import annotations

import json
import socketserver
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any


@dataclass(frozen=True)
class Seen:
    """One request as the server received it."""

    method: str
    path: str
    authorization: str | None
    body: bytes


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes
    content_type: str = "application/json"
    headers: tuple[tuple[str, str], ...] = ()

    @classmethod
    def json(cls, status: int, value: Any, **headers: str) -> Reply:
        return cls(
            status,
            json.dumps(value).encode(),
            "application/json",
            tuple((name.replace("_", "-"), v) for name, v in headers.items()),
        )

    @classmethod
    def text(
        cls, status: int, text: str, content_type: str = "text/plain; charset=utf-8", **headers: str
    ) -> Reply:
        return cls(
            status,
            text.encode(),
            content_type,
            tuple((name.replace("_", "-"), v) for name, v in headers.items()),
        )


Answer = Callable[[Seen], Reply]


class RecordingServer:
    """Answers every request with ``answer(request)``; ``requests`` lists them in order."""

    def __init__(self, answer: Answer) -> None:
        self.requests: list[Seen] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                seen = Seen(
                    self.command,
                    self.path,
                    self.headers.get("Authorization"),
                    self.rfile.read(length) if length else b"",
                )
                with server._lock:
                    server.requests.append(seen)
                reply = answer(seen)
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                self.send_header("Content-Length", str(len(reply.body)))
                for name, value in reply.headers:
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(reply.body)

            do_GET = do_POST = do_PUT = do_DELETE = _serve

            def log_message(self, format: str, *args: Any) -> None:
                return

        class Server(ThreadingHTTPServer):
            block_on_close = True

            def server_bind(self) -> None:  # no host name look-up (getfqdn) on loopback
                socketserver.TCPServer.server_bind(self)

        self._httpd = Server(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="recording-server",
        )

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    @property
    def authorizations(self) -> list[str | None]:
        with self._lock:
            return [seen.authorization for seen in self.requests]

    def __enter__(self) -> RecordingServer:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()


# -- a minimal OpenAI-compatible server ----------------------------------------------------------

MODEL = "llava-test"


def _chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": MODEL,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


def chat_stream(text: str) -> bytes:
    """A whole streamed chat completion: role, the text, the finish, usage, [DONE]."""
    events = [
        _chunk({"role": "assistant", "content": ""}),
        _chunk({"content": text}),
        _chunk({}, "stop"),
        {
            "id": "chatcmpl-1",
            "object": "chat.completion.chunk",
            "created": 0,
            "model": MODEL,
            "choices": [],
            "usage": {"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7},
        },
    ]
    lines = [f"data: {json.dumps(event)}\n\n" for event in events] + ["data: [DONE]\n\n"]
    return "".join(lines).encode()


def openai_compatible(request: Seen) -> Reply:
    """`/v1/models` and a streamed `/v1/chat/completions`; a 404 in OpenAI's shape otherwise."""
    if request.method == "GET" and request.path == "/v1/models":
        return Reply.json(
            200,
            {
                "object": "list",
                "data": [{"id": MODEL, "object": "model", "created": 0, "owned_by": "local"}],
            },
        )
    if request.method == "POST" and request.path == "/v1/chat/completions":
        return Reply(200, chat_stream("A red square."), "text/event-stream")
    return Reply.json(
        404,
        {
            "error": {
                "message": f"Unknown path {request.path}",
                "type": "invalid_request_error",
                "code": None,
            }
        },
    )
