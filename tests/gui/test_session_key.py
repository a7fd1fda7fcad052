"""The window with a real endpoint setting and no key yet: refused with a way to Settings, the
key saved through the dialog into the keyring, then real turns — and a wrong key explained."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QPushButton
from pytestqt.qtbot import QtBot
from support.sessions import start_saved, stop_session
from support.turns import finished

from app.core.conversation import Status
from app.demo import DEMO_API_KEY, DemoServer
from app.keystore import SERVICE


@pytest.fixture
def endpoint() -> Iterator[DemoServer]:
    with DemoServer() as server:
        yield server


def test_no_key_then_key_saved_through_settings(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, endpoint: DemoServer
) -> None:
    session, task = start_saved(qtbot, qloop, base_url=endpoint.base_url)
    window = session.window
    window.composer.setPlainText("What is in this chart?")
    qtbot.waitUntil(lambda: "No API key" in window.send_reason.text(), timeout=5000)
    assert not window.send_button.isEnabled()
    assert window.settings_button.isVisible()

    qtbot.mouseClick(window.settings_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: (
            session.settings_flow.dialog is not None and session.settings_flow.dialog.isVisible()
        ),
        timeout=3000,
    )
    dialog = session.settings_flow.dialog
    assert dialog is not None
    key_edit = dialog.findChild(QLineEdit, "apiKeyEdit")
    key_edit.setText(DEMO_API_KEY)
    qtbot.mouseClick(dialog.findChild(QPushButton, "okButton"), Qt.MouseButton.LeftButton)

    # Stored in the keyring (the in-memory backend of the tests), never in the settings file.
    # Every endpoint has its own key: this local server's is "custom:<host>".
    qtbot.waitUntil(
        lambda: keyring.get_password(SERVICE, "custom:127.0.0.1") == DEMO_API_KEY, timeout=5000
    )
    settings_text = (Path(os.environ["GROK_VISION_CONFIG_DIR"]) / "settings.json").read_text()
    assert DEMO_API_KEY not in settings_text
    qtbot.waitUntil(
        lambda: session.endpoint.has_key and window.send_button.isEnabled(), timeout=5000
    )
    assert not window.settings_button.isVisible()
    qtbot.mouseClick(window.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(finished(session, Status.COMPLETE), timeout=10_000)
    stop_session(qtbot, session, task)


def test_a_wrong_key_is_explained_inline(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, endpoint: DemoServer
) -> None:
    keyring.set_password(SERVICE, "custom:127.0.0.1", "xai-wrong-key-123456")
    session, task = start_saved(qtbot, qloop, base_url=endpoint.base_url)
    session.window.composer.setPlainText("hello")
    qtbot.waitUntil(session.window.send_button.isEnabled, timeout=5000)
    qtbot.mouseClick(session.window.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(finished(session, Status.FAILED), timeout=10_000)
    error = session.chat.conversation.messages[-1].error or ""
    assert "Incorrect API key" in error
    assert "xai-wrong-key-123456" not in error
    session.window.view.flush()
    shown = session.window.view.browser.toPlainText()
    assert "Incorrect API key" in shown
    assert "Retry" in shown
    assert session.chat.conversation.messages[0].text == "hello"  # the question is kept
    stop_session(qtbot, session, task)
