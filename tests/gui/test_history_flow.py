"""Conversations that last, in the window: saved as they happen, reopened, regenerated,
edited, searched and exported — against the local endpoint and a real SQLite history."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QPlainTextEdit, QPushButton, QWidget
from pytestqt.qtbot import QtBot
from support.qtevents import drag_and_drop, file_mime
from support.sessions import start_session, stop_session
from support.turns import finished

from app.core.conversation import Conversation, Message, Status, TextPart
from app.demo import Fault
from app.store.history import HistoryStore
from app.store.paths import data_directory
from app.ui.conversation_document import SHOWN_LIMIT


class Running:
    """An app session on the test's loop, closed on exit."""

    def __init__(self, qtbot: QtBot, qloop: asyncio.AbstractEventLoop) -> None:
        self.qtbot = qtbot
        self.session, self.task = start_session(qtbot, qloop)
        qtbot.waitUntil(lambda: self.session.history_flow.history.info is not None, timeout=5000)

    def ask(self, text: str) -> Message:
        window = self.session.window
        window.composer.setPlainText(text)
        self.qtbot.waitUntil(window.send_button.isEnabled, timeout=5000)
        self.qtbot.mouseClick(window.send_button, Qt.MouseButton.LeftButton)
        self.qtbot.waitUntil(
            finished(self.session, Status.COMPLETE, Status.STOPPED, Status.FAILED), timeout=15_000
        )
        return self.last

    @property
    def last(self) -> Message:
        return self.session.chat.conversation.messages[-1]

    def close(self) -> None:
        stop_session(self.qtbot, self.session, self.task)


@pytest.fixture
def app(qtbot: QtBot, qloop: asyncio.AbstractEventLoop) -> Iterator[Running]:
    running = Running(qtbot, qloop)
    yield running
    if not running.task.done():
        running.close()


def stored(conv_id: str) -> list[Message]:
    with HistoryStore(data_directory(), read_only=True) as store:
        return store.load_conversation(conv_id).messages


def test_the_question_is_saved_before_the_request_leaves(app: Running, qtbot: QtBot) -> None:
    app.session.demo_server.stall_seconds = 30
    app.session.demo_server.inject(Fault.STALL_BEFORE_HEADERS)
    app.session.window.composer.setPlainText("Saved first?")
    qtbot.waitUntil(app.session.window.send_button.isEnabled, timeout=5000)
    qtbot.mouseClick(app.session.window.send_button, Qt.MouseButton.LeftButton)
    # The server has the request (and is stalling on it): the question is already on disk.
    qtbot.waitUntil(lambda: bool(app.session.demo_server.model_requests), timeout=5000)
    conv_id = app.session.chat.conversation.id
    messages = stored(conv_id)
    assert [m.text for m in messages if m.role == "user"] == ["Saved first?"]
    app.session.chat.stop()
    qtbot.waitUntil(finished(app.session, Status.STOPPED), timeout=5000)


def test_reopened_in_a_new_session_with_its_images(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    image = tmp_path / "chart.png"
    Image.new("RGB", (900, 500), (200, 40, 40)).save(image)
    first = Running(qtbot, qloop)
    assert drag_and_drop(first.session.window.tray, file_mime(image))
    qtbot.waitUntil(
        lambda: (
            first.session.attachments.blocking_reason() is None
            and bool(first.session.attachments.items())
        ),
        timeout=5000,
    )
    reply = first.ask("What colour is the chart?")
    assert reply.status is Status.COMPLETE
    conv_id = first.session.chat.conversation.id
    first.close()
    image.unlink()  # history survives the original being deleted

    second = Running(qtbot, qloop)
    sidebar = second.session.history_flow.sidebar
    qtbot.waitUntil(
        lambda: sidebar.current_id() is not None or sidebar.select(conv_id), timeout=5000
    )
    second.session.history_flow.open_conversation(conv_id)
    qtbot.waitUntil(lambda: second.session.chat.conversation.id == conv_id, timeout=5000)
    messages = second.session.chat.conversation.messages
    assert [m.role for m in messages] == ["user", "assistant"]
    assert messages[0].images[0].image is not None
    assert (messages[0].images[0].image.width, messages[0].images[0].image.height) == (900, 500)
    second.session.window.view.flush()
    assert "What colour is the chart?" in second.session.window.view.browser.toPlainText()
    # A follow-up re-sends the stored image: the server counts it again.
    followup = second.ask("And the shape?")
    assert followup.status is Status.COMPLETE
    assert second.session.demo_server.model_requests[-1].image_tokens == 1792
    second.close()


def test_regenerate_and_edit_keep_the_old_versions(app: Running, qtbot: QtBot) -> None:
    app.ask("First question")
    app.ask("Second question")
    conv = app.session.chat.conversation
    old_reply = app.last.id
    app.session.regenerate()
    qtbot.waitUntil(
        lambda: app.last.id != old_reply and finished(app.session, Status.COMPLETE)(),
        timeout=15_000,
    )
    assert len(conv.messages) == 4
    assert conv.version(app.last.id) == (2, 2)
    first_question = conv.messages[0]
    app.session.edit_question(first_question.id)
    editor = next(w for w in app.session.window.findChildren(QWidget, "inlineEditor"))
    text = editor.findChild(QPlainTextEdit, "inlineEditorText")
    assert text.toPlainText() == "First question"
    text.setPlainText("First question, rephrased")
    qtbot.mouseClick(editor.findChild(QPushButton, "inlineEditorSend"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: len(conv.messages) == 2 and finished(app.session, Status.COMPLETE)(),
        timeout=15_000,
    )
    assert [m.text for m in conv.messages if m.role == "user"] == ["First question, rephrased"]
    qtbot.waitUntil(lambda: len(stored(conv.id)) == 2, timeout=5000)
    assert stored(conv.id)[0].text == "First question, rephrased"
    with HistoryStore(data_directory(), read_only=True) as store:
        every = store.load_conversation(conv.id).all_messages()
    assert len(every) == 7  # both versions of the first turn, the second turn with two replies


def test_a_search_hit_in_a_version_not_shown_brings_it_forward(app: Running, qtbot: QtBot) -> None:
    app.ask("Where is the zebra crossing?")
    conv = app.session.chat.conversation
    app.session.edit_question(conv.messages[0].id)
    editor = next(w for w in app.session.window.findChildren(QWidget, "inlineEditor"))
    editor.findChild(QPlainTextEdit, "inlineEditorText").setPlainText("Where is the bus stop?")
    qtbot.mouseClick(editor.findChild(QPushButton, "inlineEditorSend"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: (
            conv.messages[0].text.startswith("Where is the bus")
            and finished(app.session, Status.COMPLETE)()
        ),
        timeout=15_000,
    )
    flow = app.session.history_flow
    flow.sidebar.search_edit.setText("zebra")
    results = flow.sidebar.results_view
    qtbot.waitUntil(lambda: results.model().rowCount() > 0, timeout=5000)
    rect = results.visualRect(results.model().index(0, 0))
    qtbot.mouseClick(results.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: conv.messages[0].text.startswith("Where is the zebra"), timeout=5000)
    app.session.window.view.flush()
    assert "zebra crossing" in app.session.window.view.browser.toPlainText()
    assert "bus stop" not in app.session.window.view.browser.toPlainText()


def test_search_finds_a_reply_and_export_writes_files(
    app: Running, qtbot: QtBot, tmp_path: Path
) -> None:
    app.ask("Where is the zebra crossing?")
    conv_id = app.session.chat.conversation.id
    flow = app.session.history_flow
    flow.sidebar.search_edit.setText("zebra")
    results = flow.sidebar.results_view
    qtbot.waitUntil(lambda: results.model().rowCount() > 0, timeout=5000)
    app.session.new_conversation()
    assert app.session.chat.conversation.id != conv_id
    rect = results.visualRect(results.model().index(0, 0))
    qtbot.mouseClick(results.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: app.session.chat.conversation.id == conv_id, timeout=5000)
    window = app.session.window
    export = next(
        a
        for a in window.menu("conversation").actions()
        if a.text().startswith("Export as Markdown")
    )
    export.trigger()
    dialog = window.findChild(QFileDialog, "exportDialog")
    assert dialog is not None
    dialog.fileSelected.emit(str(tmp_path))
    qtbot.waitUntil(lambda: any(tmp_path.glob("*.md")), timeout=5000)
    text = next(tmp_path.glob("*.md")).read_text()
    assert "Where is the zebra crossing?" in text
    assert "xai-" not in text


def test_a_long_conversation_opens_on_its_last_messages_and_shows_the_rest_on_request(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    conversation = Conversation(title="A long one")
    for turn in range(150):
        topic = "walrus" if turn == 2 else "chart"
        conversation.add_user([TextPart(f"Question {turn} about the {topic}")])
        reply = conversation.begin_reply("grok-4")
        reply.append_text(f"Answer {turn}.")
        reply.status = Status.COMPLETE
    store = HistoryStore(data_directory())
    store.save_conversation(conversation)
    store.close()
    app = Running(qtbot, qloop)
    try:
        flow, view = app.session.history_flow, app.session.window.view
        flow.open_conversation(conversation.id)
        qtbot.waitUntil(
            lambda: (
                app.session.chat.conversation.id == conversation.id
                and view.hidden_messages == 300 - SHOWN_LIMIT
            ),
            timeout=10_000,
        )
        assert view.earlier_bar.isVisible()
        shown = view.browser.toPlainText()
        assert "Answer 149." in shown
        assert "Question 2 about" not in shown
        # A search hit in the part not shown brings it in.
        flow.sidebar.search_edit.setText("walrus")
        results = flow.sidebar.results_view
        qtbot.waitUntil(lambda: results.model().rowCount() > 0, timeout=5000)
        rect = results.visualRect(results.model().index(0, 0))
        qtbot.mouseClick(results.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.waitUntil(
            lambda: "Question 2 about the walrus" in view.browser.toPlainText(), timeout=5000
        )
        assert view.hidden_messages <= 4
        view.earlier_bar.linkActivated.emit("more")
        assert view.hidden_messages == 0
        assert "Question 0 about" in view.browser.toPlainText()
    finally:
        app.close()
