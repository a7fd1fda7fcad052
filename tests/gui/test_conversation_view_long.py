"""Long replies in the conversation view: painted in bounded batches while they stream, and
rendered on a worker thread when they finish, without the GUI thread waiting for either."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from app.core.conversation import Message, Status, TextPart
from app.core.markdown import MAX_TABLE_CELLS
from app.ui import conversation_view
from app.ui.conversation_view import BACKGROUND_CHARS, BATCH_CHARS, ConversationView

ROWS = 3_000
TABLE = "| n | square |\n|---|---|\n" + "".join(f"| {n} | {n * n} |\n" for n in range(ROWS))


@pytest.fixture
def view(qtbot: QtBot) -> Iterator[ConversationView]:
    widget = ConversationView()
    qtbot.addWidget(widget)
    widget.resize(700, 500)
    widget.show()
    yield widget
    qtbot.waitUntil(lambda: not widget.rendering)


def _streaming() -> Message:
    return Message(role="assistant", parts=[], status=Status.STREAMING, model="grok-4")


def _finish(message: Message, text: str) -> Message:
    message.parts = [TextPart(text)]
    message.status = Status.COMPLETE
    return message


def test_a_big_batch_is_painted_in_slices(qtbot: QtBot, view: ConversationView) -> None:
    reply = _streaming()
    view.add_message(reply)
    text = "".join(f"Paragraph {n}: " + "word " * 40 + "\n\n" for n in range(2_000))
    assert len(text) > 10 * BATCH_CHARS
    view.append_delta(reply.id, text)
    # The timer paints one slice a turn: the event loop runs between slices.
    qtbot.waitUntil(lambda: view.paint_batches >= 1)
    assert "Paragraph 1999" not in view.browser.toPlainText()
    qtbot.waitUntil(lambda: "Paragraph 1999" in view.browser.toPlainText())
    assert view.paint_batches >= len(text) // BATCH_CHARS


def test_flush_paints_everything_at_once(view: ConversationView) -> None:
    reply = _streaming()
    view.add_message(reply)
    text = "".join(f"Line {n} " + "x" * 60 + "\n\n" for n in range(3_000))
    view.append_delta(reply.id, text)
    view.flush()
    assert "Line 2999" in view.browser.toPlainText()


def test_a_long_reply_is_rendered_off_the_gui_thread(qtbot: QtBot, view: ConversationView,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    threads: list[str] = []
    render = conversation_view.message_html

    def recording(*args: object, **kwargs: object) -> str:
        threads.append(threading.current_thread().name)
        return render(*args, **kwargs)  # type: ignore[arg-type]
    monkeypatch.setattr(conversation_view, "message_html", recording)

    reply = _streaming()
    view.add_message(reply)
    assert len(TABLE) > BACKGROUND_CHARS
    view.append_delta(reply.id, TABLE)
    view.flush()
    view.finish_message(_finish(reply, TABLE))
    assert view.rendering
    # Copy gives the whole reply even before its final HTML is in.
    view.browser.anchorClicked.emit(QUrl(f"action:copy:{reply.id}"))
    assert QGuiApplication.clipboard().text() == TABLE

    qtbot.waitUntil(lambda: not view.rendering)
    assert threads == ["render-reply"]
    shown = view.browser.toPlainText()
    rows = min(200, MAX_TABLE_CELLS // 2)
    assert f"Table cut to the first {rows} of {ROWS:,} rows" in shown
    assert "| 5 | 25 |" not in shown          # the streamed pipes became a table
    assert "Copy" in shown


def test_a_short_reply_is_rendered_at_once(view: ConversationView) -> None:
    reply = _streaming()
    view.add_message(reply)
    view.finish_message(_finish(reply, "Short **answer**."))
    assert not view.rendering
    assert "Short answer." in view.browser.toPlainText()


def test_a_render_that_lands_after_the_view_moved_on_is_dropped(
        qtbot: QtBot, view: ConversationView) -> None:
    reply = _streaming()
    view.add_message(reply)
    view.finish_message(_finish(reply, TABLE))
    view.clear()                                  # a new conversation, say
    other = Message(role="user", parts=[TextPart("A new question")])
    view.add_message(other)
    qtbot.waitUntil(lambda: not view.rendering)
    assert view.browser.toPlainText().strip().startswith("You\nA new question")
    assert "square" not in view.browser.toPlainText()


def test_a_rebuild_while_rendering_shows_the_whole_reply(
        qtbot: QtBot, view: ConversationView) -> None:
    reply = _streaming()
    view.add_message(reply)
    view.append_delta(reply.id, TABLE[:1_000])
    view.flush()
    view.finish_message(_finish(reply, TABLE))
    view.refresh()                                # a palette change does this
    qtbot.waitUntil(lambda: not view.rendering)
    shown = view.browser.toPlainText()
    assert shown.count("Table cut to the first") == 1
    assert f"of {ROWS:,} rows" in shown
