"""The conversation view with real widgets: streaming in batches, states, links, no remote loads."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt, QUrl
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPalette, QTextDocument
from PySide6.QtWidgets import QApplication, QMessageBox, QToolButton
from pytestqt.qtbot import QtBot
from support.message_bar import press

from app.core.conversation import ImagePart, Message, Status, TextPart, Usage
from app.core.imagetypes import PreparedImage
from app.core.markdown import render_markdown
from app.ui import conversation_render
from app.ui.conversation_browser import ConversationBrowser
from app.ui.conversation_document import SHOWN_LIMIT
from app.ui.conversation_stream import HARD_LIMIT, StreamSplitter
from app.ui.conversation_view import ConversationView

REPLY = (
    "# Plan\n\nFirst, a paragraph with *emphasis* and a [link](https://example.com).\n\n"
    "```python\ndef area(w: int, h: int) -> int:\n    return w * h\n```\n\n"
    "| a | b |\n|---|---|\n| 1 | 2 |\n\n- one\n- two\n\nThe end.\n"
)


def _png(width: int = 200, height: int = 100) -> bytes:
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("teal"))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")  # type: ignore[call-overload]  # the stubs want bytes
    return bytes(data.data())


def _prepared(png: bytes, sha: str, name: str = "shot.png") -> PreparedImage:
    return PreparedImage(
        name=name,
        data=png,
        mime="image/png",
        width=200,
        height=100,
        sha256=sha,
        original_size=(200, 100),
        original_format="PNG",
        original_bytes=len(png),
    )


def _user(text: str, images: list[ImagePart] | None = None) -> Message:
    parts: list[TextPart | ImagePart] = [TextPart(text)] if text else []
    return Message(role="user", parts=[*parts, *(images or [])])


def _reply(text: str = "", status: Status = Status.STREAMING, **extra: object) -> Message:
    return Message(
        role="assistant",
        parts=[TextPart(text)] if text else [],
        status=status,
        model="grok-4",
        **extra,
    )  # type: ignore[arg-type]


def _finished(
    message: Message, text: str, status: Status = Status.COMPLETE, **extra: object
) -> Message:
    message.parts = [TextPart(text)] if text else []
    message.status = status
    for key, value in extra.items():
        setattr(message, key, value)
    return message


def _plain(view: ConversationView) -> str:
    return view.browser.toPlainText()


def _hrefs(view: ConversationView, prefix: str) -> list[str]:
    return [h for h in re.findall(r'href="([^"]+)"', view.browser.toHtml()) if h.startswith(prefix)]


def _click(view: ConversationView, href: str) -> None:
    view.browser.anchorClicked.emit(QUrl(href))


def _stream(view: ConversationView, message_id: str, text: str, size: int = 7) -> None:
    for start in range(0, len(text), size):
        view.append_delta(message_id, text[start : start + size])


@pytest.fixture
def view(qtbot: QtBot) -> ConversationView:
    widget = ConversationView()
    qtbot.addWidget(widget)
    widget.resize(640, 420)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


class _CountingHandler(BaseHTTPRequestHandler):
    hits: list[str]

    def do_GET(self) -> None:
        self.hits.append(self.path)
        self.send_response(404)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def counting_server() -> Iterator[tuple[int, list[str]]]:
    hits: list[str] = []
    handler = type("Handler", (_CountingHandler,), {"hits": hits})
    server = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="counting-http-server"
    )
    thread.start()
    try:
        yield server.server_address[1], hits
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_names_for_tests_and_assistive_tools(view: ConversationView) -> None:
    assert view.objectName() == "conversationView"
    assert view.accessibleName() == "Conversation"
    assert view.browser.objectName() == "conversationBrowser"
    assert view.browser.accessibleName()
    assert view.browser.isReadOnly()
    assert not view.browser.openLinks()
    assert not view.browser.openExternalLinks()


def test_user_turn_shows_text_thumbnails_and_placeholders(
    view: ConversationView, qtbot: QtBot
) -> None:
    png = _png()
    shown = ImagePart(image=_prepared(png, "a" * 64))
    missing = ImagePart(image=_prepared(png, "b" * 64, name="lost.png"))
    remote = ImagePart(url="https://example.com/pic.png")
    user = _user("What is <b>this</b>?\nSecond line", [shown, missing, remote])
    view.add_message(user, {"a" * 64: png})
    text = _plain(view)
    assert "What is <b>this</b>?\nSecond line" in text
    assert "[image: lost.png — no preview]" in text
    assert "[image: https://example.com/pic.png — not loaded]" in text
    image = view.browser.document().resource(
        QTextDocument.ResourceType.ImageResource.value, QUrl("thumb:" + "a" * 64)
    )
    assert isinstance(image, QImage)
    assert not image.isNull()
    ratio = view.browser.devicePixelRatioF()
    assert image.devicePixelRatio() == ratio  # sharp on HiDPI screens
    assert image.width() / ratio <= 160
    assert image.height() / ratio <= 120
    assert "<img" in view.browser.toHtml()
    with qtbot.waitSignal(view.imageActivated) as blocker:
        _click(view, _hrefs(view, "action:image:")[1])
    assert blocker.args == [user.id, 1]
    view.browser.viewport().grab()
    assert view.refused_loads == []


def test_streaming_is_buffered_and_painted_in_a_few_batches(
    view: ConversationView, qtbot: QtBot
) -> None:
    view.add_message(_user("Explain"))
    reply = _reply()
    view.add_message(reply)
    deltas = [f"word{i} " + ("\n\n" if i % 25 == 24 else "") for i in range(200)]
    for first in range(0, len(deltas), 20):
        before = view.paint_batches
        for delta in deltas[first : first + 20]:
            view.append_delta(reply.id, delta)
        assert view.paint_batches == before  # buffered, not painted per call
        assert f"word{first}" not in _plain(view)
        last = f"word{first + 19}"
        qtbot.waitUntil(lambda last=last: last in _plain(view), timeout=10_000)
        assert view.paint_batches == before + 1  # all twenty in one batch
    assert view.paint_batches == 10
    assert "word0" in _plain(view)


def test_final_text_is_the_concatenation_and_matches_a_fresh_build(
    view: ConversationView, qtbot: QtBot
) -> None:
    user = _user("Plan it")
    reply = _reply()
    view.add_message(user)
    view.add_message(reply)
    _stream(view, reply.id, REPLY)
    view.flush()
    assert "The end." in _plain(view)
    view.finish_message(_finished(reply, REPLY, usage=Usage(1234, 87, 1321, image_tokens=512)))
    streamed = _plain(view)
    assert "1,234 prompt tokens (512 image) · 87 reply tokens" in streamed
    press(qtbot, view, reply.id, "copy")
    assert QGuiApplication.clipboard().text() == REPLY

    fresh = ConversationView()
    qtbot.addWidget(fresh)
    fresh.set_messages([user, reply], {})
    assert _plain(fresh) == streamed


def test_deltas_show_after_flush_before_the_reply_finishes(view: ConversationView) -> None:
    reply = _reply()
    view.add_message(reply)
    _stream(view, reply.id, REPLY)
    assert "Plan" not in _plain(view)
    view.flush()
    text = _plain(view)
    for expected in ("Plan", "emphasis", "def area", "return w * h", "one", "The end."):
        assert expected in text
    assert "```" not in text
    assert "action:" not in view.browser.toHtml()  # no action links in the document


def test_status_note_shows_and_clears(view: ConversationView) -> None:
    reply = _reply()
    view.add_message(reply)
    view.set_status_note(reply.id, "Waiting for the first token…")
    assert "Waiting for the first token…" in _plain(view)
    view.set_status_note(reply.id, "Retrying in 2 s (server busy)…")
    assert "Waiting" not in _plain(view)
    _stream(view, reply.id, "Hello there.\n\nMore text")
    view.flush()
    text = _plain(view)
    assert text.index("More text") < text.index("Retrying in 2 s (server busy)…")
    view.set_status_note(reply.id, "")
    assert "Retrying" not in _plain(view)
    assert "More text" in _plain(view)


def test_stopped_reply_keeps_its_text(view: ConversationView) -> None:
    reply = _reply()
    view.add_message(reply)
    _stream(view, reply.id, "Partial answer")
    view.finish_message(_finished(reply, "Partial answer", Status.STOPPED))
    text = _plain(view)
    assert "Partial answer" in text
    assert "Stopped" in text


def test_failed_reply_shows_the_error_inline_and_retry_emits(
    view: ConversationView, qtbot: QtBot
) -> None:
    view.add_message(_user("Hi"))
    reply = _reply()
    view.add_message(reply)
    view.set_status_note(reply.id, "Waiting for the first token…")
    error = "The server refused the image: it is larger than 20 MiB. Send a smaller one."
    view.finish_message(_finished(reply, "", Status.FAILED, error=error))
    text = _plain(view)
    assert error in text
    assert "Retry" in text
    assert "Waiting" not in text
    assert not [
        w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()
    ]
    with qtbot.waitSignal(view.retryRequested) as blocker:
        _click(view, _hrefs(view, "action:retry:")[0])
    assert blocker.args == [reply.id]


def test_interrupted_reply_is_marked(view: ConversationView) -> None:
    reply = _reply("Half an ans", Status.INTERRUPTED)
    view.set_messages([_user("Q"), reply], {})
    assert "Interrupted" in _plain(view)
    assert "Half an ans" in _plain(view)


def test_copy_code_puts_exactly_the_code_on_the_clipboard(view: ConversationView) -> None:
    reply = _reply()
    view.add_message(reply)
    _stream(view, reply.id, REPLY + "\n~~~\nsecond <block>\n  indented\n~~~\n")
    view.finish_message(_finished(reply, REPLY + "\n~~~\nsecond <block>\n  indented\n~~~\n"))
    links = _hrefs(view, "action:copy-code:")
    assert len(links) == 2
    _click(view, links[0])
    code = "def area(w: int, h: int) -> int:\n    return w * h"
    assert QGuiApplication.clipboard().text() == code
    _click(view, links[1])
    assert QGuiApplication.clipboard().text() == "second <block>\n  indented"


def test_copy_a_user_message(view: ConversationView, qtbot: QtBot) -> None:
    user = _user("Exact text\n  with indent & <tags>")
    view.add_message(user)
    press(qtbot, view, user.id, "copy")
    assert QGuiApplication.clipboard().text() == "Exact text\n  with indent & <tags>"


def test_hostile_reply_loads_nothing(
    view: ConversationView, qtbot: QtBot, counting_server: tuple[int, list[str]]
) -> None:
    port, hits = counting_server
    base = f"http://127.0.0.1:{port}"
    hostile = (
        f"Look: ![x]({base}/md.png)\n\n<img src={base}/raw.png>\n\n"
        f'<iframe src="{base}/frame"></iframe>\n\n<link rel=stylesheet href="{base}/s.css">'
        f"\n\n[![inner]({base}/inner.png)]({base}/page)\n"
    )
    reply = _reply()
    view.add_message(reply)
    _stream(view, reply.id, hostile)
    view.flush()
    view.browser.viewport().grab()
    view.finish_message(_finished(reply, hostile))
    view.set_messages([_user("again"), reply], {})
    view.browser.viewport().grab()
    qtbot.wait(100)
    assert hits == []
    assert view.refused_loads == []  # no image element was even created
    assert "<img" not in view.browser.toHtml()
    assert f"&lt;img src={base}/raw.png&gt;" in view.browser.toHtml()

    # Even an image element slipped into the document is refused, not fetched.
    view.browser.textCursor().insertHtml(f'<img src="{base}/slipped.png" width="20" height="20">')
    view.browser.viewport().grab()
    qtbot.wait(100)
    assert hits == []
    assert set(view.refused_loads) == {f"{base}/slipped.png"}


def test_links_open_only_for_web_and_mail(view: ConversationView) -> None:
    opened: list[str] = []
    view.open_url = lambda url: opened.append(url.toString())
    for href in (
        "https://example.com/a",
        "mailto:a@example.com",
        "javascript:alert(1)",
        "file:///etc/passwd",
        "relative/page",
        "action:unknown:1",
        "action:copy-code:99",
        "data:text/html,hi",
    ):
        _click(view, href)
    assert opened == ["https://example.com/a", "mailto:a@example.com"]


def test_follows_the_end_unless_scrolled_up(view: ConversationView, qtbot: QtBot) -> None:
    turns = [
        _user(f"Question {i}\n\nwith two lines")
        if i % 2 == 0
        else _reply(f"Answer {i}\n\n" + "text " * 60, Status.COMPLETE)
        for i in range(30)
    ]
    view.set_messages(turns, {})
    bar = view.browser.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0 and bar.value() == bar.maximum())
    reply = _reply()
    view.add_message(reply)
    for round_ in range(5):
        _stream(view, reply.id, f"Paragraph {round_} " + "more " * 80 + "\n\n")
        view.flush()
        assert bar.value() == bar.maximum()
    bar.setValue(0)
    before = bar.maximum()
    for round_ in range(5):
        _stream(view, reply.id, f"Later {round_} " + "more " * 80 + "\n\n")
        view.flush()
    qtbot.wait(50)
    assert bar.maximum() > before
    assert bar.value() == 0
    bar.setValue(bar.maximum())
    _stream(view, reply.id, "again " * 200 + "\n\n")
    view.flush()
    assert bar.value() == bar.maximum()


def test_three_hundred_turns(view: ConversationView, monkeypatch: pytest.MonkeyPatch) -> None:
    turns = [
        _user(f"Question number {i}")
        if i % 2 == 0
        else _reply(
            f"Answer **{i}**\n\n```python\nprint({i})\n```\n",
            Status.COMPLETE,
            usage=Usage(100 + i, 10, 110 + i),
        )
        for i in range(300)
    ]
    calls: list[str] = []
    set_html, replace = ConversationBrowser.set_document_html, ConversationBrowser.replace

    def counted_render(*args: Any, **kwargs: Any) -> str:
        calls.append("render")
        return render_markdown(*args, **kwargs)

    def counted_set_html(browser: ConversationBrowser, html: str) -> None:
        calls.append("set_document_html")
        set_html(browser, html)

    def counted_replace(browser: ConversationBrowser, start: int, end: int, html: str) -> int:
        calls.append("replace")
        return replace(browser, start, end, html)

    monkeypatch.setattr(conversation_render, "render_markdown", counted_render)
    monkeypatch.setattr(ConversationBrowser, "set_document_html", counted_set_html)
    monkeypatch.setattr(ConversationBrowser, "replace", counted_replace)
    view.set_messages(turns, {})
    # The last SHOWN_LIMIT turns: each reply's Markdown rendered once, and the document set
    # once, not turn by turn.
    assert calls == ["render"] * (SHOWN_LIMIT // 2) + ["set_document_html"]
    text = _plain(view)
    assert f"Question number {300 - SHOWN_LIMIT}" in text
    assert f"Question number {300 - SHOWN_LIMIT - 2}" not in text
    assert "Answer 299" in text
    assert len(_hrefs(view, "action:copy-code:")) == SHOWN_LIMIT // 2
    assert view.hidden_messages == 300 - SHOWN_LIMIT
    reply = _reply()
    view.add_message(reply)
    _stream(view, reply.id, "Streaming after **300** turns")
    view.flush()
    assert _plain(view).endswith("Streaming after 300 turns")


def test_two_streams_at_once_keep_their_places(view: ConversationView) -> None:
    first, second = _reply(), _reply()
    view.add_message(first)
    view.add_message(_user("between"))
    view.add_message(second)
    for round_ in range(4):
        view.append_delta(first.id, f"first {round_} " * 20 + "\n\n")
        view.append_delta(second.id, f"second {round_} " * 20 + "\n\n")
        view.set_status_note(first.id, f"note {round_}")
        view.flush()
    view.set_status_note(first.id, "")
    first_text = "".join(f"first {r} " * 20 + "\n\n" for r in range(4))
    second_text = "".join(f"second {r} " * 20 + "\n\n" for r in range(4))
    view.finish_message(_finished(first, first_text))
    _stream(view, second.id, "tail of the second")
    view.finish_message(_finished(second, second_text + "tail of the second"))
    text = _plain(view)
    assert text.index("first 3") < text.index("between") < text.index("second 0")
    assert text.endswith("tail of the second")
    assert "note" not in text


def test_clear_and_unknown_ids(view: ConversationView) -> None:
    view.add_message(_user("something"))
    view.append_delta("no-such-id", "ignored")
    view.set_status_note("no-such-id", "ignored")
    view.flush()
    view.clear()
    assert _plain(view) == ""
    late = _finished(_reply(), "Finished without streaming", Status.COMPLETE)
    view.finish_message(late)
    assert "Finished without streaming" in _plain(view)


def test_palette_change_restyles_and_keeps_content(view: ConversationView) -> None:
    reply = _reply()
    view.add_message(_user("Q"))
    view.add_message(reply)
    _stream(view, reply.id, "Streaming **text**\n\n```python\nx = 1\n```\n")
    view.flush()
    before = view.browser.document().defaultStyleSheet()
    dark = QPalette(view.palette())
    for role, colour in (
        (QPalette.ColorRole.Base, "#1e1e1e"),
        (QPalette.ColorRole.Text, "#eeeeee"),
        (QPalette.ColorRole.Link, "#66aaff"),
        (QPalette.ColorRole.AlternateBase, "#2a2a2a"),
    ):
        dark.setColor(role, QColor(colour))
    view.setPalette(dark)
    assert view.browser.document().defaultStyleSheet() != before
    assert "#66aaff" in view.browser.document().defaultStyleSheet()
    _stream(view, reply.id, "and more")
    view.flush()
    text = _plain(view)
    assert "Streaming text" in text
    assert text.endswith("and more")


@pytest.mark.parametrize(
    "text",
    [
        REPLY * 40,
        "```python\n"
        + "".join(f"value_{i} = compute({i})\n" for i in range(3000))
        + "```\n\nDone.\n",
        "word " * 20_000,
        "".join(f"- item {i}\n" for i in range(3000)),
        "".join("  " * (i % 8) + f"- nested {i}\n" for i in range(3000)),
    ],
)
def test_splitter_keeps_the_open_tail_bounded(text: str) -> None:
    splitter = StreamSplitter()
    longest = 0
    pieces: list[str] = []
    for start in range(0, len(text), 11):
        pieces += splitter.feed(text[start : start + 11])
        longest = max(longest, len(splitter.tail))
    assert splitter.text == text
    assert longest <= HARD_LIMIT + 200
    assert all(piece.strip() for piece in pieces)


def test_splitter_cuts_at_blank_lines_outside_fences_and_reopens_long_fences() -> None:
    splitter = StreamSplitter(soft_limit=100, hard_limit=400)
    pieces = splitter.feed("Para one.\n\n```py\na = 1\n\nb = 2\n```\n\nPara two.\n")
    assert pieces == ["Para one.\n\n", "```py\na = 1\n\nb = 2\n```\n\n"]
    assert splitter.tail == "Para two.\n"
    splitter = StreamSplitter(soft_limit=100, hard_limit=400)
    code = "~~~js\n" + "".join(f"let v{i} = {i};\n" for i in range(40))
    pieces = splitter.feed(code)
    assert len(pieces) >= 3
    assert all(piece.startswith("~~~js\n") for piece in pieces)
    splitter.feed("let last")
    assert splitter.tail.startswith("~~~js\n")
    assert splitter.tail.endswith("let last")


def test_remove_a_failed_reply_before_retrying(view: ConversationView) -> None:
    user = _user("Describe it")
    failed = _reply()
    view.add_message(user)
    view.add_message(failed)
    view.finish_message(_finished(failed, "", Status.FAILED, error="Server busy."))
    assert "Server busy." in _plain(view)
    view.remove_message(failed.id)
    assert _plain(view).rstrip().endswith("Describe it")
    again = _reply()
    view.add_message(again)
    _stream(view, again.id, "Second try.")
    view.finish_message(_finished(again, "Second try."))
    assert "Server busy." not in _plain(view)
    assert _plain(view).endswith("Second try.")


def test_remove_while_another_reply_streams_above(view: ConversationView) -> None:
    streaming, user, other = _reply(), _user("in between"), _reply("old", Status.COMPLETE)
    view.add_message(streaming)
    view.add_message(user)
    _stream(view, streaming.id, "grows above " * 50)
    view.flush()
    view.remove_message(user.id)
    view.add_message(other)
    view.remove_message(streaming.id)
    assert re.fullmatch(r"grok-4 · \d\d:\d\d\nold\n?", _plain(view))
    view.remove_message(other.id)
    assert _plain(view) == ""


def test_an_empty_conversation_welcomes_with_task_cards(
    view: ConversationView, qtbot: QtBot
) -> None:
    welcome = view.welcome
    assert welcome.isVisible()
    titles = [card.title.text() for card in welcome.cards]
    assert titles == [
        "Critique a UI",
        "Read a chart",
        "Extract an invoice",
        "Write alt text",
        "Spot the differences",
    ]
    ways = " ".join(line.text() for line in welcome.ways)
    assert "Ctrl+V" in ways
    assert "Add images…" in ways
    assert "Ctrl+Shift+S" in ways
    with qtbot.waitSignal(view.presetChosen) as chosen:
        qtbot.mouseClick(welcome.cards[1], Qt.MouseButton.LeftButton)
    assert chosen.args == ["chart-reading"]
    welcome.cards[4].setFocus()
    with qtbot.waitSignal(view.presetChosen) as chosen:
        qtbot.keyClick(welcome.cards[4], Qt.Key.Key_Space)
    assert chosen.args == ["spot-differences"]
    view.add_message(_user("Hello"))
    assert not welcome.isVisible()
    view.clear()
    assert welcome.isVisible()


def test_copy_says_copied(view: ConversationView, qtbot: QtBot) -> None:
    reply = _reply("Answer.", Status.COMPLETE)
    view.add_message(reply)
    assert not view.copied_toast.isVisible()
    press(qtbot, view, reply.id, "copy")
    assert QGuiApplication.clipboard().text() == "Answer."
    assert view.copied_toast.isVisible()
    copy = view.action_bar.findChild(QToolButton, "messageAction-copy")
    assert copy is not None
    assert copy.toolTip() == "Copied"
    assert view.copied_toast.text() == "Copied"
    qtbot.waitUntil(lambda: not view.copied_toast.isVisible(), timeout=5000)


def test_messages_have_a_header_quiet_actions_and_a_readable_column(
    qtbot: QtBot,
) -> None:
    view = ConversationView()
    qtbot.addWidget(view)
    view.resize(1400, 600)
    view.show()
    qtbot.waitExposed(view)
    user = _user("Look at this")
    view.add_message(user)
    reply = _reply('{"items": [' + ", ".join(f'"entry number {i}"' for i in range(80)) + "]}")
    view.add_message(reply)
    view.finish_message(_finished(reply, reply.text))
    html = view.browser.toHtml()
    # One line per message says who and when; the actions are icon buttons on hover, not text.
    assert re.search(r"You · \d\d:\d\d", _plain(view))
    assert re.search(r"grok-4 · \d\d:\d\d", _plain(view))
    assert "Copy ·" not in _plain(view)
    assert "· Edit" not in _plain(view)
    assert not _hrefs(view, "action:copy:")
    assert not _hrefs(view, "action:edit:")
    assert html.count("font-size:small") >= 1  # the header's time, smaller than the text
    # The column keeps a readable measure on a wide window; a one-line JSON reply wraps inside
    # it instead of giving the conversation a sideways scroll bar.
    column = view.browser.viewport().width() - 2 * view.browser.column_margin
    assert column <= view.browser.fontMetrics().averageCharWidth() * 90
    qtbot.wait(10)
    assert view.browser.horizontalScrollBar().maximum() == 0
    view.resize(500, 600)
    qtbot.waitUntil(lambda: view.browser.column_margin < 100)
    assert view.browser.horizontalScrollBar().maximum() == 0
