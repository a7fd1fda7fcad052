"""The key never lands in a file, a log line or an error: a whole session, then a scan."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import keyring
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QPushButton
from pytestqt.qtbot import QtBot

from app.core.conversation import Status
from app.demo import DEMO_API_KEY, DemoServer, Fault
from app.gui.session import AppSession
from app.keystore import SERVICE
from app.llm.client import make_client
from app.llm.errors import ChatError
from app.llm.stream import ReplyRequest, RetryPolicy, stream_reply
from app.logs import DIR_ENV, LEVEL_ENV, setup_logging


@pytest.fixture
def debug_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The app's own logging set-up at debug level, into a folder of the test's."""
    monkeypatch.setenv(LEVEL_ENV, "debug")
    monkeypatch.setenv(DIR_ENV, str(tmp_path / "logs"))
    root = logging.getLogger()
    before, level = list(root.handlers), root.level
    path = setup_logging()
    assert path is not None
    yield path
    for handler in root.handlers[:]:
        if handler not in before:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)


def files_under(*folders: Path) -> list[Path]:
    return [p for folder in folders if folder.exists() for p in folder.rglob("*") if p.is_file()]


def test_a_full_session_leaves_the_key_nowhere(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, debug_log: Path
) -> None:
    config = Path(os.environ["GROK_VISION_CONFIG_DIR"])
    data = Path(os.environ["GROK_VISION_DATA_DIR"])
    with DemoServer() as server:
        (config / "settings.json").write_text(json.dumps({"base_url": server.base_url}))
        session = AppSession(demo=False)
        qtbot.addWidget(session.window)
        task = qloop.create_task(session.run([]))
        qtbot.waitUntil(session.window.isVisible, timeout=5000)
        # The key typed into Settings, as a user does.
        session.settings_flow.open()
        dialog = session.settings_flow.dialog
        assert dialog is not None
        dialog.findChild(QLineEdit, "apiKeyEdit").setText(DEMO_API_KEY)
        qtbot.mouseClick(dialog.findChild(QPushButton, "okButton"), Qt.MouseButton.LeftButton)
        qtbot.waitUntil(
            lambda: keyring.get_password(SERVICE, "custom:127.0.0.1") == DEMO_API_KEY, timeout=5000
        )
        qtbot.waitUntil(lambda: session.endpoint.has_key and bool(session.models), timeout=5000)
        # A turn that works, and one that fails after retries.
        for fault in (None, Fault.SERVER_ERROR):
            if fault:
                server.inject(fault, count=5)
            session.chat.retry_policy = RetryPolicy(max_retries=1, base_delay=0.01)
            session.window.composer.setPlainText("What is in the picture?")
            qtbot.waitUntil(session.window.send_button.isEnabled, timeout=5000)
            qtbot.mouseClick(session.window.send_button, Qt.MouseButton.LeftButton)
            qtbot.waitUntil(
                lambda: (
                    session.chat.conversation.messages[-1].status
                    in (Status.COMPLETE, Status.FAILED)
                ),
                timeout=10_000,
            )
        session.window.close()
        qtbot.waitUntil(task.done, timeout=10_000)
    logging.getLogger("app.test").debug("Authorization: Bearer %s", DEMO_API_KEY)
    for handler in logging.getLogger().handlers:
        handler.flush()
    written = files_under(config, data, debug_log.parent)
    assert debug_log in written
    assert debug_log.stat().st_size > 0
    for path in written:
        content = path.read_bytes()
        assert DEMO_API_KEY.encode() not in content, f"the key was written to {path}"
    assert "Bearer xai-…" in debug_log.read_text()  # what would have leaked, redacted


class _EchoingKeyServer(BaseHTTPRequestHandler):
    """A careless endpoint that quotes the whole key back in its error."""

    def do_POST(self) -> None:
        key = self.headers.get("Authorization", "").removeprefix("Bearer ")
        body = json.dumps({"code": "Unauthenticated", "error": f"Key {key} is not valid"})
        self.send_response(401)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, format: str, *args: object) -> None:
        return


def test_an_error_that_echoes_the_key_shows_it_redacted() -> None:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _EchoingKeyServer)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,))
    thread.start()
    secret = "xai-" + "S3cr3tK3y" * 4

    async def main() -> ChatError:
        client = make_client(f"http://127.0.0.1:{httpd.server_address[1]}/v1", secret)
        try:
            async for _ in stream_reply(
                client, ReplyRequest("grok-4", [{"role": "user", "content": "hi"}])
            ):
                pass
        except ChatError as error:
            return error
        finally:
            await client.close()
        raise AssertionError("the request should have failed")

    try:
        error = asyncio.run(main())
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()
    assert secret not in error.describe()
    assert "xai-…" in error.describe()
