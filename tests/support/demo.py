"""Fixtures and helpers for tests that talk to the local demo endpoint through real HTTP.

Import the fixtures where they are used (or from conftest.py):
    from support.demo import demo_server, demo_client  # noqa: F401
"""

from __future__ import annotations

import base64
import io
import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import openai
import pytest
from PIL import Image

from app.demo import DEMO_API_KEY, DemoServer
from app.demo.state import DemoState

Colour = tuple[int, int, int]


# -- images in memory --------------------------------------------------------------------------


def png_bytes(width: int, height: int, color: Colour = (255, 0, 0)) -> bytes:
    """A solid-colour PNG of this size."""
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, "PNG")
    return buffer.getvalue()


def jpeg_bytes(width: int, height: int, color: Colour = (0, 0, 255), quality: int = 90) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def image_bytes(width: int, height: int, fmt: str, color: Colour = (0, 128, 0)) -> bytes:
    """An image in any format Pillow writes ("GIF", "WEBP", "BMP", ...)."""
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, fmt)
    return buffer.getvalue()


def split_png(
    width: int, height: int, left: Colour, right: Colour, left_fraction: float = 0.75
) -> bytes:
    """A PNG whose left part (by width) is one colour and the rest another."""
    image = Image.new("RGB", (width, height), right)
    image.paste(left, (0, 0, round(width * left_fraction), height))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def data_url(data: bytes, mime: str = "image/png") -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def image_part(data: bytes | str, mime: str = "image/png", detail: str = "high") -> Any:
    """An `image_url` content part from bytes (made a data URL) or from a URL."""
    url = data if isinstance(data, str) else data_url(data, mime)
    return {"type": "image_url", "image_url": {"url": url, "detail": detail}}


def user_message(text: str, *images: bytes | str) -> Any:
    """A user message: the text part first, then one image part per image (PNG bytes or URL)."""
    parts: list[dict[str, Any]] = [{"type": "text", "text": text}]
    parts.extend(image_part(image) for image in images)
    return {"role": "user", "content": parts}


# -- fixtures ----------------------------------------------------------------------------------


@pytest.fixture
def demo_server() -> Iterator[DemoServer]:
    """A started demo endpoint (no pacing), stopped and joined after the test."""
    server = DemoServer()
    with server:
        yield server
    assert not server.running


@pytest.fixture
def demo_client(demo_server: DemoServer) -> Iterator[openai.OpenAI]:
    """The real `openai` client on the demo endpoint, no retries, short timeout, closed after."""
    with openai.OpenAI(
        base_url=demo_server.base_url, api_key=DEMO_API_KEY, max_retries=0, timeout=10.0
    ) as client:
        yield client


class ImageHost:
    """A tiny HTTP server on 127.0.0.1 that serves registered bytes (for image URLs)."""

    def __init__(self) -> None:
        self.files: dict[str, tuple[bytes, str]] = {}
        host = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                found = host.files.get(self.path)
                if found is None:
                    self.send_error(404)
                    return
                data, mime = found
                self.send_response(200)
                self.send_header("Content-Type", mime)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            daemon=True,
            name="image-host",
        )
        self._thread.start()

    def url(self, name: str, data: bytes, mime: str = "image/png") -> str:
        path = f"/{name}"
        self.files[path] = (data, mime)
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}{path}"

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()


@pytest.fixture
def image_host() -> Iterator[ImageHost]:
    host = ImageHost()
    try:
        yield host
    finally:
        host.close()


# -- raw HTTP with the standard library (wire-format checks) -----------------------------------

# No proxy, whatever the environment says: these requests go to 127.0.0.1.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass
class RawResponse:
    status: int
    headers: Message
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def raw_request(
    url: str,
    *,
    method: str = "GET",
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 10.0,
) -> RawResponse:
    """Any request; error statuses are returned, not raised."""
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with _OPENER.open(req, timeout=timeout) as response:
            return RawResponse(response.status, response.headers, response.read())
    except urllib.error.HTTPError as err:
        with err:
            return RawResponse(err.code, err.headers, err.read())


def post_json(
    url: str, payload: Any, *, key: str | None = DEMO_API_KEY, timeout: float = 10.0
) -> RawResponse:
    """POST a JSON body, with the bearer key unless `key` is None."""
    headers = {"Content-Type": "application/json"}
    if key is not None:
        headers["Authorization"] = f"Bearer {key}"
    return raw_request(
        url, method="POST", body=json.dumps(payload).encode(), headers=headers, timeout=timeout
    )


def open_stream(url: str, payload: Any, *, key: str = DEMO_API_KEY, timeout: float = 10.0) -> Any:
    """An open streaming response (use it in `with`), to read line by line."""
    req = urllib.request.Request(
        url,
        data=json.dumps(payload).encode(),
        method="POST",
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {key}"},
    )
    return _OPENER.open(req, timeout=timeout)


def sse_blocks(body: bytes) -> list[str]:
    """The blocks of an event stream (events and comment lines), in order."""
    text = body.decode("utf-8")
    assert text.endswith("\n\n"), "an event stream ends with a blank line"
    return [block for block in text.split("\n\n") if block]


def sse_payloads(body: bytes) -> list[Any]:
    """The data of every event: JSON objects, and the final "[DONE]" as a string."""
    payloads: list[Any] = []
    for block in sse_blocks(body):
        if block.startswith(":"):
            continue
        assert block.startswith("data: "), block
        data = block[len("data: ") :]
        payloads.append(data if data == "[DONE]" else json.loads(data))
    return payloads


# -- what the endpoint waited for ------------------------------------------------------------


@dataclass
class Pause:
    seconds: float
    thread: threading.Thread
    ran_out: bool | None = None  # None while it lasts; False when the server's stop() cut it


@pytest.fixture
def pauses(monkeypatch: pytest.MonkeyPatch) -> list[Pause]:
    """Every pause the endpoint makes (the pace between chunks, stalls), in order."""
    made: list[Pause] = []
    pause = DemoState.pause

    def recorded(state: DemoState, seconds: float) -> bool:
        made.append(item := Pause(seconds, threading.current_thread()))
        item.ran_out = pause(state, seconds)
        return item.ran_out

    monkeypatch.setattr(DemoState, "pause", recorded)
    return made
