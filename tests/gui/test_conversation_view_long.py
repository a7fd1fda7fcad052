"""Long replies and long conversations in the conversation view: replies painted in bounded
batches while they stream and rendered on a worker thread when they finish, without the GUI
thread waiting for either; thumbnails decoded only while they are being painted."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QUrl
from PySide6.QtGui import QColor, QGuiApplication, QImage
from pytestqt.qtbot import QtBot

from app.core.conversation import ImagePart, Message, Status, TextPart
from app.core.imagetypes import PreparedImage
from app.core.markdown import MAX_TABLE_CELLS
from app.ui import render_cache, reply_landing
from app.ui.conversation_browser import DECODED_KEEP, ConversationBrowser
from app.ui.conversation_document import BACKGROUND_CHARS, SHOWN_LIMIT, TRIM_STEP
from app.ui.conversation_live import BATCH_CHARS
from app.ui.conversation_view import ConversationView

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


def test_a_long_reply_is_rendered_off_the_gui_thread(
    qtbot: QtBot, view: ConversationView, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: list[str] = []
    render = render_cache.message_html_pieces

    def recording(*args: object, **kwargs: object) -> str:
        threads.append(threading.current_thread().name)
        return render(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(render_cache, "message_html_pieces", recording)

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
    assert "| 5 | 25 |" not in shown  # the streamed pipes became a table
    assert view.message_span(reply.id) is not None  # in the document as one message


def test_a_short_reply_is_rendered_at_once(view: ConversationView) -> None:
    reply = _streaming()
    view.add_message(reply)
    view.finish_message(_finish(reply, "Short **answer**."))
    assert not view.rendering
    assert "Short answer." in view.browser.toPlainText()


def test_a_render_that_lands_after_the_view_moved_on_is_dropped(
    qtbot: QtBot, view: ConversationView
) -> None:
    reply = _streaming()
    view.add_message(reply)
    view.finish_message(_finish(reply, TABLE))
    view.clear()  # a new conversation, say
    other = Message(role="user", parts=[TextPart("A new question")])
    view.add_message(other)
    qtbot.waitUntil(lambda: not view.rendering)
    assert view.browser.toPlainText().strip().startswith("You · ")
    assert "\nA new question\n" in view.browser.toPlainText()
    assert "square" not in view.browser.toPlainText()


def test_a_rebuild_while_rendering_shows_the_whole_reply(
    qtbot: QtBot, view: ConversationView
) -> None:
    reply = _streaming()
    view.add_message(reply)
    view.append_delta(reply.id, TABLE[:1_000])
    view.flush()
    view.finish_message(_finish(reply, TABLE))
    view.refresh()  # a palette change does this
    qtbot.waitUntil(lambda: not view.rendering)
    shown = view.browser.toPlainText()
    assert shown.count("Table cut to the first") == 1
    assert f"of {ROWS:,} rows" in shown


def test_thumbnails_of_a_long_conversation_are_decoded_only_when_painted(
    qtbot: QtBot, view: ConversationView
) -> None:
    turns = 3 * DECODED_KEEP
    thumbs: dict[str, bytes] = {}
    for turn in range(turns):
        sha = f"{turn:064x}"
        thumbs[sha] = _jpeg(QColor.fromHsv(turn * 7 % 360, 200, 220))
        view.add_message(
            Message(
                role="user",
                parts=[TextPart(f"Turn {turn}"), ImagePart(image=_prepared(thumbs[sha], sha))],
            ),
            thumbs,
        )
    assert view.browser.decoded_thumbnails <= DECODED_KEEP
    # Scrolling through all of it paints every one of them, each from its own bytes.
    bar = view.browser.verticalScrollBar()
    for value in range(0, bar.maximum() + bar.pageStep(), bar.pageStep()):
        bar.setValue(value)
        view.browser.viewport().grab()
        assert view.browser.decoded_thumbnails <= DECODED_KEEP
    # Turn 0's thumbnail (red) was dropped long ago; back at the top it is decoded again.
    bar.setValue(0)
    frame = view.browser.viewport().grab().toImage()
    hues = {
        frame.pixelColor(x, y).hue()
        for x in range(0, 200, 4)
        for y in range(0, frame.height(), 4)
        if frame.pixelColor(x, y).saturation() > 150
    }
    assert hues & {0, 1, 359}
    assert view.refused_loads == []


def _jpeg(colour: QColor) -> bytes:
    image = QImage(256, 160, QImage.Format.Format_RGB32)
    image.fill(colour)
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "JPEG")  # type: ignore[call-overload]  # the stubs want bytes
    return bytes(data.data())


def _prepared(data: bytes, sha: str) -> PreparedImage:
    return PreparedImage(
        name=f"{sha[-3:]}.jpg",
        data=data,
        mime="image/jpeg",
        width=256,
        height=160,
        sha256=sha,
        original_size=(256, 160),
        original_format="JPEG",
        original_bytes=len(data),
    )


def _turns(view: ConversationView, count: int, start: int = 0) -> list[Message]:
    messages = []
    for turn in range(start, start + count):
        question = Message(role="user", parts=[TextPart(f"Question {turn}")])
        view.add_message(question)
        reply = _streaming()
        view.add_message(reply)
        view.append_delta(reply.id, f"Answer {turn} with **bold** and a list:\n\n- one\n- two\n")
        view.flush()
        view.finish_message(
            _finish(reply, f"Answer {turn} with **bold** and a list:\n\n- one\n- two\n")
        )
        messages += [question, reply]
    return messages


def test_a_long_session_keeps_only_its_last_messages_in_the_document(
    view: ConversationView,
) -> None:
    messages = _turns(view, (SHOWN_LIMIT + TRIM_STEP) // 2 + 5)
    shown = view.browser.toPlainText()
    assert view.hidden_messages >= TRIM_STEP
    assert SHOWN_LIMIT <= shown.count("You · ") * 2 <= SHOWN_LIMIT + TRIM_STEP
    assert "Question 0\n" not in shown
    assert view.earlier_bar.isVisible()
    assert f"{view.hidden_messages} earlier messages are not shown" in view.earlier_bar.text()
    # The document starts with a turn header, formatted as every other header.
    first = view.browser.document().begin()
    assert first.text().startswith("You · ")
    header = view.browser.anchor_position(f"m-{messages[-2].id}")
    assert header is not None
    assert first.blockFormat() == view.browser.document().findBlock(header).blockFormat()

    # Streaming goes on where it should after the document lost its top.
    question = Message(role="user", parts=[TextPart("After the trim")])
    view.add_message(question)
    reply = _streaming()
    view.add_message(reply)
    view.append_delta(reply.id, "Still **streaming** fine.")
    view.flush()
    view.finish_message(_finish(reply, "Still **streaming** fine."))
    assert view.browser.toPlainText().rstrip().endswith("Still streaming fine.")
    assert view.browser.document().blockCount() < 20 * (SHOWN_LIMIT + TRIM_STEP)


def test_no_trim_while_the_user_reads_further_up(qtbot: QtBot, view: ConversationView) -> None:
    _turns(view, SHOWN_LIMIT // 2)
    view.browser.verticalScrollBar().setValue(0)
    _turns(view, TRIM_STEP, start=SHOWN_LIMIT // 2)
    assert view.hidden_messages == 0
    assert "Question 0\n" in view.browser.toPlainText()


def test_earlier_messages_come_back_on_request(qtbot: QtBot, view: ConversationView) -> None:
    messages = _turns(view, SHOWN_LIMIT + 30)  # 2 × SHOWN_LIMIT + 60 messages
    hidden = view.hidden_messages
    assert hidden > SHOWN_LIMIT
    first_shown = messages[hidden]
    view.earlier_bar.linkActivated.emit("more")
    assert view.hidden_messages == hidden - SHOWN_LIMIT
    shown = view.browser.toPlainText()
    assert f"Question {(hidden - SHOWN_LIMIT) // 2}\n" in shown
    assert f"Question {(hidden - SHOWN_LIMIT) // 2 - 1}\n" not in shown
    # What was first is where the user is looking.
    top = view.browser.cursorForPosition(view.browser.viewport().rect().topLeft())
    anchor = view.browser.anchor_position(f"m-{first_shown.id}")
    assert anchor is not None
    assert top.block().position() == anchor
    # A search hit in what is still hidden brings it back, and there.
    view.scroll_to_message(messages[0].id)
    assert view.hidden_messages == 0
    assert "Question 0\n" in view.browser.toPlainText()


def test_a_long_conversation_opens_on_its_last_messages(view: ConversationView) -> None:
    messages = [
        Message(role="user" if n % 2 == 0 else "assistant", parts=[TextPart(f"m{n}")])
        for n in range(SHOWN_LIMIT + 30)
    ]
    view.set_messages(messages, {})
    assert view.hidden_messages == 30
    assert "m29\n" not in view.browser.toPlainText()
    assert "m30\n" in view.browser.toPlainText()
    view.remove_message(messages[0].id)  # hidden: nothing to redraw
    assert view.hidden_messages == 29
    view.clear()
    assert view.hidden_messages == 0
    assert not view.earlier_bar.isVisible()


def test_every_turn_of_a_document_built_at_once_can_be_jumped_to(view: ConversationView) -> None:
    messages = [
        Message(
            role="user" if n % 2 == 0 else "assistant",
            parts=[TextPart(f"Message {n}\n\n" + "Some text. " * 40)],
        )
        for n in range(60)
    ]
    view.set_messages(messages, {})
    for target in (messages[0], messages[31], messages[44]):
        view.scroll_to_message(target.id)
        anchor = view.browser.anchor_position(f"m-{target.id}")
        assert anchor is not None
        top = view.browser.cursorForPosition(view.browser.viewport().rect().topLeft())
        assert top.block().position() == anchor


@pytest.mark.parametrize("first", [True, False], ids=["first-in-document", "after-a-question"])
def test_a_long_reply_goes_in_a_few_pieces_at_a_time(
    qtbot: QtBot, view: ConversationView, monkeypatch: pytest.MonkeyPatch, first: bool
) -> None:
    monkeypatch.setattr(reply_landing, "SLICE_S", 0.0)  # one piece per turn of the event loop
    edits: list[int] = []
    replace = ConversationBrowser.replace

    def counting(self: ConversationBrowser, start: int, end: int, html: str) -> int:
        edits.append(len(html))
        return replace(self, start, end, html)

    question = Message(role="user", parts=[TextPart("Write a lot")])
    messages = [] if first else [question]
    for message in messages:
        view.add_message(message)
    if not first:  # a mark on the question's block: a block rebuilt would not keep it
        view.browser.document().firstBlock().setUserState(77)
    reply = _streaming()
    view.add_message(reply)
    text = "".join(f"Paragraph {n}: " + "word " * 60 + "\n\n- a\n- b\n\n" for n in range(120))
    assert len(text) > BACKGROUND_CHARS
    view.append_delta(reply.id, text)
    view.flush()
    monkeypatch.setattr(ConversationBrowser, "replace", counting)
    view.finish_message(_finish(reply, text))
    qtbot.waitUntil(lambda: not view.rendering)
    # Many small edits (the streamed copy out, the final HTML in), not one big one.
    assert len(edits) >= 8
    assert max(edits) < sum(edits) / 4

    fresh = ConversationView()
    qtbot.addWidget(fresh)
    fresh.set_messages([*messages, reply], {})
    assert view.browser.toPlainText() == fresh.browser.toPlainText()
    assert view.message_span(reply.id) == fresh.message_span(reply.id)
    if not first:
        assert view.browser.document().firstBlock().userState() == 77
