"""The whole window against the local endpoint: drop, price, send, stream, stop, retry.

The session runs on the test's qasync loop; widgets are driven with real events.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot
from support.qtevents import drag_and_drop, file_mime
from support.sessions import demo_session
from support.turns import finished

from app.core.conversation import Message, Status
from app.demo import Fault
from app.gui.session import AppSession
from app.llm.stream import RetryPolicy


@pytest.fixture
def session(qtbot: QtBot, qloop: asyncio.AbstractEventLoop) -> Iterator[AppSession]:
    with demo_session(
        qtbot, qloop, RetryPolicy(max_retries=2, base_delay=0.05, max_delay=0.1)
    ) as app_session:
        yield app_session


def make_png(path: Path, width: int, height: int) -> Path:
    Image.new("RGB", (width, height), (30, 120, 220)).save(path)
    return path


def meter_numbers(session: AppSession) -> tuple[int, int]:
    used, _, total = session.window.meter.accessibleDescription().split(" ")[:3]
    return int(used), int(total)


def ask(qtbot: QtBot, session: AppSession, text: str) -> None:
    window = session.window
    window.composer.setPlainText(text)
    qtbot.waitUntil(window.send_button.isEnabled, timeout=5000)
    qtbot.mouseClick(window.send_button, Qt.MouseButton.LeftButton)


def last_reply(session: AppSession) -> Message:
    return session.chat.conversation.messages[-1]


def test_drop_price_send_stream_and_reconcile(
    qtbot: QtBot, session: AppSession, tmp_path: Path
) -> None:
    session.chat.api_choice = "chat"  # its usage counts the image tokens (Responses' has none)
    window = session.window
    assert window.objectName() == "mainWindow"
    assert window.findChild(object, "demoBanner").isVisible()
    before, total = meter_numbers(session)
    first = make_png(tmp_path / "before.png", 448, 448)
    second = make_png(tmp_path / "after.png", 900, 500)
    assert drag_and_drop(window.tray, file_mime(first, second))
    # Priced from the headers: 512 + 1792 image tokens join the meter.
    qtbot.waitUntil(lambda: meter_numbers(session)[0] >= before + 512 + 1792, timeout=5000)
    assert meter_numbers(session)[1] == total
    ask(qtbot, session, "What changed between Image 1 and Image 2?")
    qtbot.waitUntil(finished(session, Status.COMPLETE), timeout=15_000)
    reply = last_reply(session)
    assert "simulat" in reply.text.lower()
    assert reply.usage is not None
    assert reply.usage.image_tokens == 512 + 1792
    window.view.flush()
    assert "What changed between" in window.view.browser.toPlainText()
    assert "Simulated reply from the local demo endpoint" in window.view.browser.toPlainText()
    # The tray is empty again and the meter now counts the history at the server's figure.
    assert not session.attachments.items()
    qtbot.waitUntil(
        lambda: (
            "history ≈" not in window.meter.summary_text()
            and "(counted by the server)" in window.meter.accessibleDescription()
        ),
        timeout=3000,
    )
    used, _ = meter_numbers(session)
    assert used == reply.usage.prompt_tokens + reply.usage.completion_tokens + 4

    # A follow-up about the same images re-sends them (the stateless API needs the history).
    ask(qtbot, session, "And the colours?")
    qtbot.waitUntil(
        lambda: (
            len(session.chat.conversation.messages) == 4 and finished(session, Status.COMPLETE)()
        ),
        timeout=15_000,
    )
    followup = session.chat.conversation.messages[-1]
    assert followup.usage is not None
    assert followup.usage.image_tokens == 512 + 1792


def test_stop_before_the_first_token(qtbot: QtBot, session: AppSession) -> None:
    session.demo_server.stall_seconds = 30
    session.demo_server.inject(Fault.STALL_BEFORE_HEADERS)
    ask(qtbot, session, "Describe")
    qtbot.waitUntil(session.window.stop_button.isEnabled, timeout=3000)
    qtbot.keyClick(session.window.composer, Qt.Key.Key_Escape)
    qtbot.waitUntil(finished(session, Status.STOPPED), timeout=3000)
    assert not session.chat.busy
    assert session.window.send_button.isEnabled() or session.window.composer.toPlainText() == ""


def test_stop_during_the_stream_keeps_the_text(qtbot: QtBot, session: AppSession) -> None:
    session.demo_server.pace = 0.1
    ask(qtbot, session, "Describe slowly")
    qtbot.waitUntil(
        lambda: (
            session.window.view.browser.toPlainText().count("Simulated") > 0
            or "simulated" in session.window.view.browser.toPlainText().lower()
        ),
        timeout=10_000,
    )
    qtbot.mouseClick(session.window.stop_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(finished(session, Status.STOPPED), timeout=3000)
    stopped = last_reply(session)
    assert stopped.text
    assert "Stopped" in session.window.view.browser.toPlainText()


def test_server_error_is_shown_inline_and_retry_works(qtbot: QtBot, session: AppSession) -> None:
    session.demo_server.inject(Fault.SERVER_ERROR, count=3)
    ask(qtbot, session, "hello")
    qtbot.waitUntil(finished(session, Status.FAILED), timeout=10_000)
    failed = last_reply(session)
    assert failed.error is not None
    assert "HTTP 500" in failed.error
    session.window.view.flush()
    assert "Retry" in session.window.view.browser.toPlainText()
    session.window.view.retryRequested.emit(failed.id)
    qtbot.waitUntil(finished(session, Status.COMPLETE), timeout=10_000)
    roles = [m.role for m in session.chat.conversation.messages]
    assert roles == ["user", "assistant"]  # the user's message was kept and sent again


def test_retired_model_offers_current_image_models(qtbot: QtBot, session: AppSession) -> None:
    session.choose_model("grok-2-vision-1212")
    ask(qtbot, session, "hello")
    qtbot.waitUntil(session.window.model_banner.isVisible, timeout=10_000)
    assert "grok-2-vision-1212" in session.window.model_banner.label.text()
    button = session.window.model_banner.findChild(QPushButton, "useModel:grok-4.3")
    assert button is not None
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert session.settings.model == "grok-4.3"
    assert session.window.current_model() == "grok-4.3"
    session.window.view.retryRequested.emit(last_reply(session).id)
    qtbot.waitUntil(finished(session, Status.COMPLETE), timeout=10_000)


def test_closing_mid_stream_exits_cleanly(qtbot: QtBot, session: AppSession) -> None:
    session.demo_server.pace = 0.2
    ask(qtbot, session, "Describe")
    qtbot.waitUntil(lambda: session.chat.busy, timeout=3000)
    # The fixture closes the window while the reply streams and checks the session ends.


def test_the_request_body_is_encoded_off_the_gui_thread(
    qtbot: QtBot, session: AppSession, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.llm import stream

    encoded_on: list[str] = []
    body = stream.ReplyRequest.body

    def recording(request: stream.ReplyRequest) -> dict[str, object]:
        encoded_on.append(threading.current_thread().name)
        return body(request)

    monkeypatch.setattr(stream.ReplyRequest, "body", recording)
    drag_and_drop(session.window.tray, file_mime(make_png(tmp_path / "a.png", 600, 400)))
    ask(qtbot, session, "What is it?")
    qtbot.waitUntil(finished(session, Status.COMPLETE), timeout=15_000)
    assert len(encoded_on) == 1
    assert encoded_on[0] != threading.main_thread().name
