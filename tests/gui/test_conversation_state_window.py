"""One state per conversation, seen in the window (issue 13's redesign): leaving a conversation
parks its draft, tray, preset and the question edited in place; going back brings them back; the
reasoning effort chosen for a conversation is saved with it. Real keys and clicks against the
local endpoint."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPlainTextEdit, QWidget
from pytestqt.qtbot import QtBot
from support.qtevents import drag_and_drop, file_mime
from support.sessions import demo_session
from support.turns import finished

from app.core.conversation import Status
from app.gui.meter_model import MeterReading
from app.gui.session import AppSession
from app.llm.stream import RetryPolicy


@pytest.fixture
def session(qtbot: QtBot, qloop: asyncio.AbstractEventLoop) -> Iterator[AppSession]:
    with demo_session(qtbot, qloop, RetryPolicy(max_retries=0)) as app_session:
        app_session.demo_server.pace = 0.0
        qtbot.waitUntil(lambda: app_session.history_flow.history.info is not None, timeout=5000)
        yield app_session


def ask(qtbot: QtBot, session: AppSession, text: str) -> None:
    window = session.window
    window.composer.setFocus()
    qtbot.keyClicks(window.composer, text)
    qtbot.keyClick(window.composer, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(session.chat.conversation.messages), timeout=5000)
    qtbot.waitUntil(finished(session, Status.COMPLETE), timeout=15_000)


def open_from_sidebar(qtbot: QtBot, session: AppSession, conv_id: str) -> None:
    sidebar = session.history_flow.sidebar
    qtbot.waitUntil(lambda: sidebar.model.row_of(conv_id) >= 0, timeout=5000)
    rect = sidebar.list_view.visualRect(sidebar.model.index(sidebar.model.row_of(conv_id), 0))
    qtbot.mouseClick(sidebar.list_view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: session.chat.conversation.id == conv_id, timeout=5000)


def new_conversation(qtbot: QtBot, session: AppSession) -> None:
    before = session.chat.conversation.id
    qtbot.keyClick(session.window.composer, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: session.chat.conversation.id != before, timeout=3000)


def test_going_back_to_a_conversation_brings_back_its_draft_tray_and_preset(
    qtbot: QtBot, session: AppSession, tmp_path: Path
) -> None:
    window = session.window
    ask(qtbot, session, "What is in a dashboard?")
    first = session.chat.conversation.id
    combo = window.preset_picker.combo
    combo.setCurrentIndex(combo.findData("chart-reading"))
    combo.activated.emit(combo.currentIndex())
    picture = tmp_path / "revenue chart.png"
    Image.new("RGB", (400, 300), "navy").save(picture)
    assert drag_and_drop(window.tray, file_mime(picture))
    qtbot.waitUntil(lambda: session.attachments.blocking_reason() is None, timeout=10_000)
    window.composer.setFocus()
    qtbot.keyClicks(window.composer, "and the second axis")

    new_conversation(qtbot, session)
    assert window.composer.toPlainText() == ""
    assert session.attachments.count() == 0
    assert window.preset_picker.current_name() == ""
    qtbot.keyClicks(window.composer, "a draft of the new one")

    open_from_sidebar(qtbot, session, first)
    assert window.composer.toPlainText() == "and the second axis"
    assert [i.name for i in session.attachments.items()] == ["revenue chart.png"]
    assert window.preset_picker.current_name() == "chart-reading"
    assert [t.item.name for t in window.tray.tiles()] == ["revenue chart.png"]
    qtbot.waitUntil(window.send_button.isEnabled, timeout=5000)

    # What came back is what goes out: the image and the draft, under the chart preset.
    qtbot.keyClick(window.composer, Qt.Key.Key_Return)
    qtbot.waitUntil(finished(session, Status.COMPLETE), timeout=15_000)
    request = session.demo_server.model_requests[-1]
    assert request.image_count == 1
    assert "and the second axis" in session.chat.conversation.messages[-2].text


def test_an_edit_in_progress_stays_with_its_conversation(qtbot: QtBot, session: AppSession) -> None:
    window = session.window
    ask(qtbot, session, "First question")
    first = session.chat.conversation.id
    question = session.chat.conversation.messages[0]
    session.edit_question(question.id)
    editor = open_editor(window)
    assert editor is not None
    text = editor.findChild(QPlainTextEdit, "inlineEditorText")
    qtbot.keyClicks(text, ", rephrased")

    new_conversation(qtbot, session)
    assert open_editor(window) is None
    assert window.composer.toPlainText() == ""

    open_from_sidebar(qtbot, session, first)
    editor = open_editor(window)
    assert editor is not None
    assert session.editing == question.id
    text = editor.findChild(QPlainTextEdit, "inlineEditorText")
    assert text.toPlainText() == "First question, rephrased"
    assert window.composer.toPlainText() == ""


def open_editor(window: QWidget) -> QWidget | None:
    """The editor open over a question of the conversation, if any."""
    shown = [w for w in window.findChildren(QWidget, "inlineEditor") if w.isVisible()]
    return shown[0] if shown else None


def test_the_effort_chosen_for_a_conversation_is_saved_with_it(
    qtbot: QtBot, session: AppSession
) -> None:
    session.choose_model("grok-4.3")
    picker = session.window.effort_picker
    picker.setCurrentIndex(picker.findData("high"))
    picker.activated.emit(picker.currentIndex())
    ask(qtbot, session, "Think hard")
    first = session.chat.conversation.id
    new_conversation(qtbot, session)
    assert picker.current_effort() is None  # a new conversation: the model's default

    open_from_sidebar(qtbot, session, first)
    assert session.chat.conversation.reasoning_effort == "high"
    assert picker.current_effort() == "high"


def test_typing_publishes_one_reading_that_the_meter_and_send_share(
    qtbot: QtBot, session: AppSession
) -> None:
    window = session.window
    readings: list[MeterReading] = []
    session.meter.changed.connect(readings.append)
    window.composer.setFocus()
    qtbot.keyClicks(window.composer, "twelve words")  # one key after another, no pause
    qtbot.waitUntil(lambda: bool(readings), timeout=3000)
    qtbot.wait(300)
    assert len(readings) == 1  # one estimate for the burst, not one per key
    assert readings[0].blocked is None
    assert window.send_button.isEnabled()
    assert f"{readings[0].estimate.prompt_tokens:,} of" in window.meter.summary_text()
