"""The window set to another OpenAI-compatible endpoint sends it only that endpoint's key: never
xAI's stored key, never XAI_API_KEY, never the key of the endpoint it used before. The servers
here (127.0.0.1) record the Authorization header of every request."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import keyring
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QPushButton
from pytestqt.qtbot import QtBot
from support.recorder import RecordingServer, openai_compatible
from support.sessions import start_saved, stop_session
from support.turns import finished

from app.core.conversation import Status
from app.gui.session import AppSession
from app.keystore import ENV_VAR, SERVICE
from app.ui.settings_dialog import SettingsDialog

XAI_KEY = "xai-stored-for-xai-0123456789abcdef"
ENV_KEY = "xai-from-the-environment-0123456789"
LOCAL_KEY = "sk-local-server-key-0123456789"
OTHER_KEY = "sk-other-server-key-9876543210"


@pytest.fixture
def xai_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    keyring.set_password(SERVICE, "xai", XAI_KEY)
    monkeypatch.setenv(ENV_VAR, ENV_KEY)


@pytest.fixture
def server() -> Iterator[RecordingServer]:
    with RecordingServer(openai_compatible) as recording:
        yield recording


def open_settings(qtbot: QtBot, session: AppSession) -> SettingsDialog:
    if session.window.settings_button.isVisible():  # the way out shown beside "No API key"
        qtbot.mouseClick(session.window.settings_button, Qt.MouseButton.LeftButton)
    else:
        session.settings_flow.open()
    qtbot.waitUntil(
        lambda: (
            session.settings_flow.dialog is not None and session.settings_flow.dialog.isVisible()
        ),
        timeout=3000,
    )
    dialog = session.settings_flow.dialog
    assert dialog is not None
    return dialog


def save_settings(
    qtbot: QtBot, dialog: SettingsDialog, *, base_url: str | None = None, key: str | None = None
) -> None:
    if base_url is not None:
        dialog.findChild(QLineEdit, "baseUrlEdit").setText(base_url)
    if key is not None:
        dialog.findChild(QLineEdit, "apiKeyEdit").setText(key)
    qtbot.mouseClick(dialog.findChild(QPushButton, "okButton"), Qt.MouseButton.LeftButton)


def send(qtbot: QtBot, session: AppSession, text: str) -> None:
    window = session.window
    window.composer.setPlainText(text)
    qtbot.waitUntil(window.send_button.isEnabled, timeout=5000)
    qtbot.mouseClick(window.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(finished(session, Status.COMPLETE, Status.FAILED), timeout=10_000)
    assert session.chat.conversation.messages[-1].status is Status.COMPLETE, (
        session.chat.conversation.messages[-1].error
    )


def assert_only(server: RecordingServer, key: str) -> None:
    headers = server.authorizations
    assert headers, "the server got no request"
    assert set(headers) == {f"Bearer {key}"}, headers


@pytest.mark.usefixtures("xai_keys")
def test_a_custom_endpoint_never_gets_xais_key(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, server: RecordingServer
) -> None:
    session, task = start_saved(qtbot, qloop, base_url=server.base_url)
    window = session.window
    window.composer.setPlainText("What is in this picture?")
    # xAI's key (stored and in the environment) is not this endpoint's: the window has none.
    qtbot.waitUntil(lambda: "No API key" in window.send_reason.text(), timeout=5000)
    assert session.key_account == "custom:127.0.0.1"
    assert not session.endpoint.has_key
    assert server.requests == []

    save_settings(qtbot, open_settings(qtbot, session), key=LOCAL_KEY)
    qtbot.waitUntil(
        lambda: keyring.get_password(SERVICE, "custom:127.0.0.1") == LOCAL_KEY, timeout=5000
    )
    qtbot.waitUntil(
        lambda: bool(session.models) and any(m.id == "llava-test" for m in session.models),
        timeout=5000,
    )
    send(qtbot, session, "What is in this picture?")
    assert any(seen.path == "/v1/chat/completions" for seen in server.requests)
    assert_only(server, LOCAL_KEY)
    assert keyring.get_password(SERVICE, "xai") == XAI_KEY  # xAI's own key is untouched
    stop_session(qtbot, session, task)
    assert_only(server, LOCAL_KEY)


@pytest.mark.usefixtures("xai_keys")
def test_switching_endpoints_in_settings_takes_no_key_along(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, server: RecordingServer
) -> None:
    keyring.set_password(SERVICE, "custom:127.0.0.1", LOCAL_KEY)
    with RecordingServer(openai_compatible) as other:
        # The same computer under another name: another endpoint, with a key of its own.
        other_url = other.base_url.replace("127.0.0.1", "localhost")
        session, task = start_saved(qtbot, qloop, base_url=server.base_url)
        qtbot.waitUntil(lambda: session.endpoint.has_key and bool(session.models), timeout=5000)
        send(qtbot, session, "first")

        save_settings(qtbot, open_settings(qtbot, session), base_url=other_url)
        qtbot.waitUntil(
            lambda: session.key_account == "custom:localhost" and not session.endpoint.has_key,
            timeout=5000,
        )
        session.window.composer.setPlainText("second")
        qtbot.waitUntil(lambda: "No API key" in session.window.send_reason.text(), timeout=5000)
        assert other.requests == []  # nothing was sent there, with anyone's key

        save_settings(qtbot, open_settings(qtbot, session), key=OTHER_KEY)
        qtbot.waitUntil(lambda: session.endpoint.has_key, timeout=5000)
        send(qtbot, session, "second")
        stop_session(qtbot, session, task)
    assert_only(server, LOCAL_KEY)
    assert_only(other, OTHER_KEY)
    assert keyring.get_password(SERVICE, "custom:localhost") == OTHER_KEY
    assert keyring.get_password(SERVICE, "custom:127.0.0.1") == LOCAL_KEY
