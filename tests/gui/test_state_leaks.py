"""Nothing of one conversation leaks into the next (issue 13, bug 3): the preset, JSON mode, the
structured-reply panel, the fit panel and the tray belong to the open conversation, whichever
way another one is opened (Ctrl+N, the sidebar's New, a row of the sidebar); OK in Settings
leaves a preset's system prompt alone. Real keys and clicks in the window, against the local
endpoint."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QPushButton, QWidget
from pytestqt.qtbot import QtBot
from support.qtevents import drag_and_drop, file_mime
from support.sessions import demo_session
from support.turns import finished

from app.core.budget import image_tokens
from app.core.conversation import Status
from app.core.presets import builtin
from app.gui.session import AppSession
from app.llm.stream import RetryPolicy
from app.ui.fit_panel import FitPanel

BIG = (1400, 1000)


@pytest.fixture
def session(qtbot: QtBot, qloop: asyncio.AbstractEventLoop) -> Iterator[AppSession]:
    with demo_session(qtbot, qloop, RetryPolicy(max_retries=0)) as app_session:
        app_session.demo_server.pace = 0.0
        qtbot.waitUntil(lambda: app_session.history_flow.history.info is not None, timeout=5000)
        yield app_session


def png(path: Path, size: tuple[int, int] = (300, 200), colour: str = "teal") -> Path:
    Image.new("RGB", size, colour).save(path)
    return path


def add_images(qtbot: QtBot, session: AppSession, *paths: Path) -> None:
    before = session.attachments.count()
    assert drag_and_drop(session.window.tray, file_mime(*paths))
    qtbot.waitUntil(
        lambda: (
            session.attachments.count() == before + len(paths)
            and session.attachments.blocking_reason() is None
        ),
        timeout=10_000,
    )


def choose_preset(qtbot: QtBot, session: AppSession, name: str) -> None:
    """The keyboard way: arrow keys on the focused picker."""
    combo = session.window.preset_picker.combo
    target = combo.findData(name)
    assert target >= 0, name
    combo.setFocus()
    while combo.currentIndex() != target:
        qtbot.keyClick(combo, Qt.Key.Key_Down if combo.currentIndex() < target else Qt.Key.Key_Up)


def ask(qtbot: QtBot, session: AppSession, text: str) -> None:
    window = session.window
    window.composer.setPlainText(text)
    qtbot.waitUntil(window.send_button.isEnabled, timeout=5000)
    qtbot.mouseClick(window.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(finished(session, Status.COMPLETE, Status.STOPPED), timeout=15_000)
    session.window.view.flush()


def dock(session: AppSession) -> QDockWidget:
    found = session.window.findChild(QDockWidget, "structuredReplyDock")
    assert isinstance(found, QDockWidget)
    return found


def an_invoice_conversation(qtbot: QtBot, session: AppSession, tmp_path: Path) -> str:
    """JSON mode switched on with the mouse, the invoice preset chosen, an invoice asked about:
    the structured panel shows it. Returns the conversation's id."""
    toggle = session.window.preset_picker.json_toggle
    qtbot.mouseClick(toggle, Qt.MouseButton.LeftButton)
    assert toggle.isChecked()
    choose_preset(qtbot, session, "invoice-json")
    add_images(qtbot, session, png(tmp_path / "receipt.png", (200, 400)))
    ask(qtbot, session, "")
    assert session.demo_server.model_requests[-1].response_format is not None
    assert dock(session).isVisible()
    assert "line_items" in session.presets.json_view.text.toPlainText()
    return session.chat.conversation.id


def assert_fresh(session: AppSession) -> None:
    """Nothing of the invoice conversation is left on show or in force."""
    window = session.window
    picker = window.preset_picker
    assert picker.current_name() == ""
    assert not picker.json_toggle.isChecked()
    assert picker.json_toggle.isEnabled()
    assert session.chat.response_format is None
    assert session.chat.tools is None
    assert not dock(session).isVisible()
    assert session.presets.json_view.text.toPlainText() == ""
    assert window.system_prompt_edit.text() == session.settings.system_prompt


def test_ctrl_n_resets_preset_json_mode_structured_panel_and_tray(
    qtbot: QtBot, session: AppSession, tmp_path: Path
) -> None:
    window = session.window
    first = an_invoice_conversation(qtbot, session, tmp_path)
    add_images(qtbot, session, png(tmp_path / "chart.png", colour="navy"))  # left in the tray
    assert window.tray.findChildren(QWidget)

    window.activateWindow()
    window.composer.setFocus()
    qtbot.keyClick(window.composer, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: session.chat.conversation.id != first, timeout=3000)
    assert_fresh(session)
    assert session.attachments.count() == 0

    # A chart question now goes out as plain text, not in invoice-JSON mode.
    ask(qtbot, session, "What does this chart show?")
    request = session.demo_server.model_requests[-1]
    assert request.response_format is None
    assert request.image_count == 0
    assert not dock(session).isVisible()
    reply = session.chat.conversation.messages[-1]
    with pytest.raises(json.JSONDecodeError):
        json.loads(reply.text)


def test_the_sidebar_new_button_resets_too(
    qtbot: QtBot, session: AppSession, tmp_path: Path
) -> None:
    first = an_invoice_conversation(qtbot, session, tmp_path)
    new = session.window.findChild(QPushButton, "newConversationButton")
    assert isinstance(new, QPushButton)
    qtbot.mouseClick(new, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: session.chat.conversation.id != first, timeout=3000)
    assert_fresh(session)


def test_opening_another_conversation_from_the_sidebar_resets(
    qtbot: QtBot, session: AppSession, tmp_path: Path
) -> None:
    ask(qtbot, session, "A plain first conversation")
    plain = session.chat.conversation.id
    qtbot.keyClick(session.window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: session.chat.conversation.id != plain, timeout=3000)
    an_invoice_conversation(qtbot, session, tmp_path)

    sidebar = session.history_flow.sidebar
    qtbot.waitUntil(lambda: sidebar.model.row_of(plain) >= 0, timeout=5000)
    row = sidebar.model.row_of(plain)
    rect = sidebar.list_view.visualRect(sidebar.model.index(row, 0))
    qtbot.mouseClick(sidebar.list_view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: session.chat.conversation.id == plain, timeout=5000)
    assert_fresh(session)

    ask(qtbot, session, "And a chart question?")
    assert session.demo_server.model_requests[-1].response_format is None


def test_ok_in_settings_keeps_the_presets_system_prompt(qtbot: QtBot, session: AppSession) -> None:
    window = session.window
    chart = builtin("chart-reading")
    assert chart is not None
    choose_preset(qtbot, session, "chart-reading")
    assert window.system_prompt_edit.text() == chart.system_prompt

    window.activateWindow()
    qtbot.keyClick(window.composer, Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: session.settings_flow.dialog is not None, timeout=3000)
    dialog = session.settings_flow.dialog
    assert dialog is not None
    ok = dialog.findChild(QPushButton, "okButton")
    assert isinstance(ok, QPushButton)
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: session.settings_flow.dialog is None, timeout=3000)

    assert window.preset_picker.current_name() == "chart-reading"
    assert window.system_prompt_edit.text() == chart.system_prompt
    ask(qtbot, session, "What does it show?")
    assert session.chat.conversation.system_prompt == chart.system_prompt


def write_settings(**values: object) -> None:
    config = Path(os.environ["GROK_VISION_CONFIG_DIR"])
    (config / "settings.json").write_text(json.dumps(values), encoding="utf-8")


@pytest.fixture
def small_window(qtbot: QtBot, qloop: asyncio.AbstractEventLoop) -> Iterator[AppSession]:
    model = "grok-4.20-0309-non-reasoning"
    # Room for the prompt: 1,024 tokens, less than one big image costs.
    write_settings(model=model, context_overrides={model: 2048}, max_tokens=1024)
    assert image_tokens(*BIG) > 1024
    with demo_session(qtbot, qloop, RetryPolicy(max_retries=0)) as app_session:
        yield app_session


def test_ctrl_n_closes_the_fit_panel_and_empties_the_tray(
    qtbot: QtBot, small_window: AppSession, tmp_path: Path
) -> None:
    session = small_window
    window = session.window
    panel = window.findChild(FitPanel, "fitPanel")
    assert isinstance(panel, FitPanel)
    add_images(qtbot, session, png(tmp_path / "big.png", BIG))
    qtbot.waitUntil(panel.isVisible, timeout=5000)  # over the window: the panel opens

    window.composer.setFocus()
    qtbot.keyClick(window.composer, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: session.attachments.count() == 0, timeout=3000)
    assert not panel.isVisible()
    assert not window.meter.over_window
    assert window.send_button.toolTip() == "" or "Over" not in window.send_button.toolTip()
