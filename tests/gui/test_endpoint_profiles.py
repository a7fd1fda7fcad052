"""Endpoint profiles in the settings dialog and in the session: xAI, OpenRouter, any other
OpenAI-compatible server, each with its own key and image limits."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

import keyring
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QPushButton
from pytestqt.qtbot import QtBot

from app.demo import DEMO_API_KEY, DemoServer
from app.gui.session import AppSession
from app.keystore import SERVICE
from app.store.settings import Settings
from app.ui.settings_dialog import SettingsDialog


def choose(qtbot: QtBot, combo: QComboBox, name: str) -> None:
    index = combo.findData(name)
    assert index >= 0
    combo.setCurrentIndex(index)
    combo.activated.emit(index)


def test_picking_a_profile_fills_the_address_and_the_image_limits(qtbot: QtBot) -> None:
    dialog = SettingsDialog(Settings(), [])
    qtbot.addWidget(dialog)
    profile = dialog.findChild(QComboBox, "endpointCombo")
    url = dialog.findChild(QLineEdit, "baseUrlEdit")
    limits = dialog.findChild(QComboBox, "limitsCombo")
    warning = dialog.findChild(QLabel, "baseUrlWarningLabel")
    key = dialog.findChild(QLineEdit, "apiKeyEdit")
    assert profile.currentData() == "xai"

    choose(qtbot, profile, "openrouter")
    assert url.text() == "https://openrouter.ai/api/v1"
    assert limits.currentData() == "openrouter"
    assert "OpenRouter" in key.placeholderText()

    choose(qtbot, profile, "custom")
    assert url.text() == "http://localhost:8000/v1"
    assert limits.currentData() == "openai-compatible"
    assert not warning.isVisibleTo(dialog)  # loopback: the key stays on this computer
    url.setText("http://192.168.1.5:8080/v1")
    assert warning.isVisibleTo(dialog)
    assert profile.currentData() == "custom"
    url.setText("https://api.x.ai/v1")  # typing an address follows the profile
    assert profile.currentData() == "xai"
    assert not warning.isVisibleTo(dialog)

    saved: list[Settings] = []
    dialog.saveRequested.connect(lambda settings, _key: saved.append(settings))
    choose(qtbot, profile, "openrouter")
    dialog.findChild(QPushButton, "okButton").click()
    assert saved[0].base_url == "https://openrouter.ai/api/v1"
    assert saved[0].limits_profile == "openrouter"


def test_each_endpoint_reads_its_own_key(qtbot: QtBot, qloop: asyncio.AbstractEventLoop) -> None:
    keyring.set_password(SERVICE, "xai", "xai-" + "k" * 30)  # xAI's key: not this server's
    with DemoServer() as server:
        config = Path(os.environ["GROK_VISION_CONFIG_DIR"])
        (config / "settings.json").write_text(json.dumps({"base_url": server.base_url}))
        session = AppSession(demo=False)
        qtbot.addWidget(session.window)
        task = qloop.create_task(session.run([]))
        qtbot.waitUntil(lambda: "No API key" in session.window.send_reason.text(), timeout=5000)
        assert session.key_account == "custom:127.0.0.1"
        assert not session.endpoint.has_key
        keyring.set_password(SERVICE, "custom:127.0.0.1", DEMO_API_KEY)
        task2 = qloop.create_task(session.reconnect())
        qtbot.waitUntil(lambda: task2.done() and session.endpoint.has_key, timeout=5000)
        qtbot.waitUntil(lambda: bool(session.models), timeout=5000)
        session.window.close()
        qtbot.waitUntil(task.done, timeout=10_000)
        assert task.result() == 0


def test_the_stored_key_is_never_checked_against_another_endpoint(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    from app.controllers.endpoint import EndpointController

    with DemoServer() as ours, DemoServer() as other:
        controller = EndpointController()
        controller.configure(ours.base_url, DEMO_API_KEY)
        with qtbot.waitSignal(controller.keyChecked, timeout=3000) as refused:
            controller.check_key("", other.base_url)
        assert refused.args[0] is False
        assert "its own key" in refused.args[1]
        assert other.requests == []
        with qtbot.waitSignal(controller.keyChecked, timeout=5000) as accepted:
            controller.check_key("", ours.base_url + "/")
        assert accepted.args[0] is True
        qtbot.waitUntil(lambda: not controller._tasks.running, timeout=3000)
        task = qloop.create_task(controller.aclose())
        qtbot.waitUntil(task.done, timeout=3000)
