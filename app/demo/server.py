"""The demo endpoint as an object to start and stop, and as the `demo-server` command."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from types import TracebackType

from .errors import DEMO_API_KEY
from .faults import Fault
from .handler import RESPONSES_PATH, DemoHTTPServer
from .state import DemoState, RecordedRequest

_POLL_INTERVAL = 0.05  # seconds: how quickly serve_forever notices shutdown()
DEMO_THINK_SECONDS = 1.0  # the interactive demo's silence before a reply at high effort


class DemoServer:
    """A local xAI-compatible endpoint on a real socket, served from a daemon thread.

    >>> with DemoServer() as server:
    ...     client = openai.OpenAI(base_url=server.base_url, api_key=DEMO_API_KEY)
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        pace: float = 0.0,
        chunk_chars: int = 12,
        usage_in_every_chunk: bool = False,
        stall_seconds: float = 30.0,
        image_tokens_fn: Callable[[int, int], int] | None = None,
        think_seconds: float = 0.0,
        responses: bool = True,
    ) -> None:
        self.host = host
        self.port = port
        self._state = DemoState(
            pace=pace,
            chunk_chars=chunk_chars,
            usage_in_every_chunk=usage_in_every_chunk,
            stall_seconds=stall_seconds,
            image_tokens_fn=image_tokens_fn,
            think_seconds=think_seconds,
        )
        self._state.responses = responses
        self._httpd: DemoHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.base_url = ""

    # -- settings that may change while serving ------------------------------------------------

    @property
    def pace(self) -> float:
        return self._state.pace

    @pace.setter
    def pace(self, value: float) -> None:
        if value < 0:
            raise ValueError(f"pace must not be negative, got {value}")
        self._state.pace = value

    @property
    def think_seconds(self) -> float:
        """How long a reasoning model is silent before its first content token at high effort;
        scaled by effort (low a quarter, medium half, xhigh double). 0 (the default) for tests,
        `DEMO_THINK_SECONDS` for an interactive demo."""
        return self._state.think_seconds

    @think_seconds.setter
    def think_seconds(self, value: float) -> None:
        if value < 0:
            raise ValueError(f"think_seconds must not be negative, got {value}")
        self._state.think_seconds = value

    @property
    def stall_seconds(self) -> float:
        return self._state.stall_seconds

    @stall_seconds.setter
    def stall_seconds(self, value: float) -> None:
        self._state.stall_seconds = value

    @property
    def usage_in_every_chunk(self) -> bool:
        return self._state.usage_in_every_chunk

    @usage_in_every_chunk.setter
    def usage_in_every_chunk(self, value: bool) -> None:
        self._state.usage_in_every_chunk = value

    @property
    def accepts_json_schema(self) -> bool:
        """False makes the endpoint refuse `response_format` json_schema (400), as endpoints
        without structured output do."""
        return self._state.accepts_json_schema

    @accepts_json_schema.setter
    def accepts_json_schema(self, value: bool) -> None:
        self._state.accepts_json_schema = value

    @property
    def responses(self) -> bool:
        """Whether `POST /v1/responses` (xAI's Responses API) is served; False answers it 404,
        as a local OpenAI-compatible server without it does."""
        return self._state.responses

    @responses.setter
    def responses(self, value: bool) -> None:
        self._state.responses = value

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received so far, oldest first (the live list)."""
        return self._state.requests

    @property
    def chat_requests(self) -> list[RecordedRequest]:
        """Only the `POST /v1/chat/completions` requests."""
        return [
            r
            for r in self._state.requests
            if r.method == "POST" and r.path == "/v1/chat/completions"
        ]

    @property
    def model_requests(self) -> list[RecordedRequest]:
        """The requests for a reply, in either API (Chat Completions or Responses)."""
        paths = ("/v1/chat/completions", RESPONSES_PATH)
        return [r for r in self._state.requests if r.method == "POST" and r.path in paths]

    @property
    def responses_requests(self) -> list[RecordedRequest]:
        """Only the `POST /v1/responses` requests (each with its `body`)."""
        return [r for r in self._state.requests if r.method == "POST" and r.path == RESPONSES_PATH]

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    # -- faults -------------------------------------------------------------------------------

    def inject(
        self, fault: Fault, count: int = 1, *, after_chunks: int = 3, retry_after: int = 1
    ) -> None:
        """The next `count` chat or Responses requests get `fault`."""
        self._state.faults.inject(fault, count, after_chunks=after_chunks, retry_after=retry_after)

    def clear_faults(self) -> None:
        self._state.faults.clear()

    # -- life ---------------------------------------------------------------------------------

    def start(self) -> DemoServer:
        with self._lock:
            if self._httpd is not None:
                raise RuntimeError("the demo server is already running")
            self._state.begin()
            httpd = DemoHTTPServer((self.host, self.port), self._state)
            host, port = httpd.server_address[:2]
            self.base_url = f"http://{host!s}:{port}/v1"
            self._httpd = httpd
            self._thread = threading.Thread(
                target=httpd.serve_forever,
                kwargs={"poll_interval": _POLL_INTERVAL},
                name=f"demo-server:{port}",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, end open streams and stalls at once, join every thread. Idempotent."""
        with self._lock:
            httpd, thread = self._httpd, self._thread
            self._httpd = self._thread = None
            if httpd is None:
                return
            self._state.end_all()  # wakes stalls and pauses, cuts open connections
            httpd.shutdown()  # serve_forever returns
            httpd.server_close()  # closes the listening socket, joins the request threads
            if thread is not None:
                thread.join()

    def __enter__(self) -> DemoServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def run_demo_server(
    port: int = 8000,
    pace: float = 0.02,
    think_seconds: float = DEMO_THINK_SECONDS,
    *,
    responses: bool = True,
) -> int:
    """`grok-vision demo-server`: serve until Ctrl+C. Prints the base URL and the key first.
    `responses=False` (`--no-responses`) answers `/v1/responses` with 404."""
    server = DemoServer(port=port, pace=pace, think_seconds=think_seconds, responses=responses)
    try:
        server.start()
    except OSError as exc:
        sys.stderr.write(f"demo-server: cannot listen on 127.0.0.1:{port}: {exc}\n")
        sys.stderr.flush()
        return 1
    sys.stdout.write(f"{server.base_url}\n{DEMO_API_KEY}\n")
    sys.stdout.write("Local xAI-compatible demo endpoint (simulated replies). Ctrl+C stops it.\n")
    sys.stdout.flush()
    stopped = threading.Event()
    try:
        while not stopped.wait(0.5):
            pass
    except KeyboardInterrupt:
        sys.stdout.write("Stopping the demo endpoint.\n")
        sys.stdout.flush()
    finally:
        server.stop()
    return 0
