"""Versions of a turn, editing a question in place and Continue, in the window against the demo
endpoint: real clicks on the conversation's links, real keys in the editor, and what the
endpoint received checked."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QCheckBox, QPlainTextEdit, QPushButton, QWidget
from pytestqt.qtbot import QtBot
from support.message_bar import press
from support.sessions import demo_session
from support.turns import finished

from app.core.continuation import CONTINUE_PROMPT
from app.core.conversation import Message, Status
from app.demo.state import RecordedRequest
from app.gui.session import AppSession
from app.llm.stream import RetryPolicy
from app.store.history import HistoryStore
from app.store.paths import data_directory
from app.ui.conversation_render import action_url

APIS = ["responses", "chat"]


@pytest.fixture
def session(qtbot: QtBot, qloop: asyncio.AbstractEventLoop) -> Iterator[AppSession]:
    with demo_session(qtbot, qloop, RetryPolicy(max_retries=0)) as app_session:
        app_session.demo_server.pace = 0.0
        qtbot.waitUntil(lambda: app_session.history_flow.history.info is not None, timeout=5000)
        yield app_session


def ask(qtbot: QtBot, session: AppSession, text: str, status: Status = Status.COMPLETE) -> Message:
    window = session.window
    window.composer.setFocus()
    window.composer.setPlainText(text)
    qtbot.waitUntil(window.send_button.isEnabled, timeout=5000)
    count = len(session.chat.conversation.messages)
    qtbot.keyClick(window.composer, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(session.chat.conversation.messages) == count + 2, timeout=5000)
    qtbot.waitUntil(finished(session, status), timeout=15_000)
    return session.chat.conversation.messages[-1]


def shown_text(session: AppSession) -> str:
    session.window.view.flush()
    return session.window.view.browser.toPlainText()


def click_link(qtbot: QtBot, session: AppSession, href: str) -> None:
    """Click the link `href` in the conversation, where it is drawn."""
    browser = session.window.view.browser
    block = browser.document().begin()
    while block.isValid():
        fragments = block.begin()
        while not fragments.atEnd():
            fragment = fragments.fragment()
            if fragment.charFormat().anchorHref() == href:
                cursor = QTextCursor(browser.document())
                cursor.setPosition(fragment.position() + fragment.length() // 2)
                browser.setTextCursor(cursor)
                browser.ensureCursorVisible()
                rect = browser.cursorRect(cursor)
                point = QPoint(rect.left(), rect.center().y())
                qtbot.mouseClick(browser.viewport(), Qt.MouseButton.LeftButton, pos=point)
                return
            fragments += 1
        block = block.next()
    raise AssertionError(f"no link {href} in the conversation")


def said(request: RecordedRequest) -> list[tuple[str, str]]:
    """(role, text) of each message the request sent, in either API."""
    body: dict[str, Any] = request.body
    items = body.get("messages") or body.get("input") or []
    out: list[tuple[str, str]] = []
    for item in items:
        content = item.get("content")
        if isinstance(content, str):
            out.append((item.get("role", ""), content))
        elif isinstance(content, list):
            texts = [part.get("text", "") for part in content if "text" in part]
            out.append((item.get("role", ""), "".join(t for t in texts if t)))
    return out


def regenerate(qtbot: QtBot, session: AppSession) -> Message:
    old = session.chat.conversation.messages[-1].id
    action = next(
        a
        for a in session.window.menu("conversation").actions()
        if a.text().startswith("Regenerate")
    )
    action.trigger()
    qtbot.waitUntil(
        lambda: (
            session.chat.conversation.messages[-1].id != old
            and finished(session, Status.COMPLETE)()
        ),
        timeout=15_000,
    )
    return session.chat.conversation.messages[-1]


def stored(conv_id: str) -> list[str]:
    with HistoryStore(data_directory(), read_only=True) as store:
        return [m.text for m in store.load_conversation(conv_id).messages]


def test_regenerated_replies_are_versions_and_switching_changes_what_is_sent(
    qtbot: QtBot, session: AppSession
) -> None:
    first = ask(qtbot, session, "Which colour is the sky?")
    regenerate(qtbot, session)
    third = regenerate(qtbot, session)
    conv = session.chat.conversation
    assert len(conv.messages) == 2
    assert conv.version(third.id) == (3, 3)
    assert "3 / 3" in shown_text(session)
    ask(qtbot, session, "And at night?")  # follows the third version

    click_link(qtbot, session, action_url("version", third.id, "2"))
    click_link(qtbot, session, action_url("version", conv.messages[1].id, "1"))
    assert conv.messages[1].id == first.id
    assert [m.text for m in conv.messages] == ["Which colour is the sky?", first.text]
    assert "1 / 3" in shown_text(session)
    assert "And at night?" not in shown_text(session)  # that turn went with the third version

    ask(qtbot, session, "Why?")
    request = session.demo_server.model_requests[-1]
    assert [text for _role, text in said(request) if text] == [
        "Which colour is the sky?",
        first.text,
        "Why?",
    ]
    # Back to the third version: the turn that followed it comes back with it.
    click_link(qtbot, session, action_url("version", conv.messages[1].id, "2"))
    click_link(qtbot, session, action_url("version", conv.messages[1].id, "3"))
    assert [m.text for m in conv.messages][2] == "And at night?"
    qtbot.waitUntil(lambda: "And at night?" in stored(conv.id), timeout=5000)


def test_a_question_edited_in_place_is_a_new_version(qtbot: QtBot, session: AppSession) -> None:
    question = ask(qtbot, session, "First question") and session.chat.conversation.messages[0]
    ask(qtbot, session, "Second question")
    conv = session.chat.conversation
    press(qtbot, session.window.view, question.id, "edit")
    editor = session.window.findChild(QWidget, "inlineEditor")
    assert editor is not None
    assert editor.isVisible()
    assert editor.parent() is session.window.view.browser.viewport()  # over the message
    text = editor.findChild(QPlainTextEdit, "inlineEditorText")
    assert text.toPlainText() == "First question"
    assert session.window.composer.toPlainText() == ""  # not in the composer

    qtbot.keyClick(text, Qt.Key.Key_Escape)  # Esc cancels: nothing changed
    assert not editor.isVisible()
    assert len(conv.messages) == 4

    press(qtbot, session.window.view, question.id, "edit")
    editor = next(w for w in session.window.findChildren(QWidget, "inlineEditor") if w.isVisible())
    text = editor.findChild(QPlainTextEdit, "inlineEditorText")
    text.selectAll()
    qtbot.keyClicks(text, "First question, rephrased")
    qtbot.keyClick(text, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(
        lambda: len(conv.messages) == 2 and finished(session, Status.COMPLETE)(), timeout=15_000
    )
    assert conv.messages[0].text == "First question, rephrased"
    assert conv.version(conv.messages[0].id) == (2, 2)
    sent = said(session.demo_server.model_requests[-1])
    assert [text for role, text in sent if role == "user"] == ["First question, rephrased"]

    # The old version, and the turns after it, are still there.
    click_link(qtbot, session, action_url("version", conv.messages[0].id, "1"))
    assert [m.text for m in conv.messages if m.role == "user"] == [
        "First question",
        "Second question",
    ]
    qtbot.waitUntil(lambda: "Second question" in stored(conv.id), timeout=5000)


def test_the_editor_chooses_which_images_the_question_keeps(
    qtbot: QtBot, session: AppSession, tmp_path: Any
) -> None:
    from PIL import Image

    for name, colour in (("a.png", (200, 0, 0)), ("b.png", (0, 0, 200))):
        Image.new("RGB", (300, 200), colour).save(tmp_path / name)
    session.attachments.add_paths([str(tmp_path / "a.png"), str(tmp_path / "b.png")])
    qtbot.waitUntil(
        lambda: (
            len(session.attachments.items()) == 2 and session.attachments.blocking_reason() is None
        ),
        timeout=5000,
    )
    ask(qtbot, session, "Compare them")
    question = session.chat.conversation.messages[0]
    assert session.demo_server.model_requests[-1].image_count == 2
    session.edit_question(question.id)
    editor = next(w for w in session.window.findChildren(QWidget, "inlineEditor") if w.isVisible())
    second = editor.findChild(QCheckBox, "inlineEditorImage2")
    second.setFocus()
    qtbot.keyClick(second, Qt.Key.Key_Space)
    assert not second.isChecked()
    qtbot.mouseClick(editor.findChild(QPushButton, "inlineEditorSend"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: (
            session.chat.conversation.messages[0].id != question.id
            and finished(session, Status.COMPLETE)()
        ),
        timeout=15_000,
    )
    edited = session.chat.conversation.messages[0]
    assert [p.name for p in edited.images] == ["a.png"]
    assert session.demo_server.model_requests[-1].image_count == 1


@pytest.mark.parametrize("api", APIS)
def test_continue_after_a_cut_at_the_token_limit(
    qtbot: QtBot, session: AppSession, api: str
) -> None:
    session.chat.api_choice = api  # Settings → API
    session.settings_changed(dataclasses.replace(session.settings, max_tokens=20), None)
    cut = ask(qtbot, session, "Describe the sky")
    assert cut.cut
    assert session.demo_server.model_requests[-1].finish_reason == "length"
    before = cut.text
    assert "Continue" in shown_text(session)

    session.settings_changed(dataclasses.replace(session.settings, max_tokens=4096), None)
    click_link(qtbot, session, action_url("continue", cut.id))
    qtbot.waitUntil(finished(session, Status.COMPLETE), timeout=15_000)
    conv = session.chat.conversation
    assert len(conv.messages) == 2  # the same reply, longer
    assert conv.messages[-1] is cut
    assert cut.text.startswith(before)
    assert len(cut.text) > len(before)
    assert not cut.cut
    assert cut.text.count("Simulated reply") == 1  # the model went on; it did not start over
    sent = said(session.demo_server.model_requests[-1])
    assert sent[-2:] == [("assistant", before), ("user", CONTINUE_PROMPT)]
    qtbot.waitUntil(lambda: stored(conv.id)[-1] == cut.text, timeout=5000)


def test_continue_after_stop_appends_to_the_same_reply(qtbot: QtBot, session: AppSession) -> None:
    window = session.window
    session.demo_server.pace = 0.1
    window.composer.setPlainText("Describe slowly")
    qtbot.waitUntil(window.send_button.isEnabled, timeout=5000)
    qtbot.keyClick(window.composer, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "simulated" in shown_text(session).lower(), timeout=10_000)
    qtbot.mouseClick(window.stop_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(finished(session, Status.STOPPED), timeout=5000)
    stopped = session.chat.conversation.messages[-1]
    before = stopped.text
    assert before
    session.demo_server.pace = 0.0
    action = next(
        a for a in window.menu("conversation").actions() if a.objectName() == "continueAction"
    )
    action.trigger()
    qtbot.waitUntil(finished(session, Status.COMPLETE), timeout=15_000)
    assert session.chat.conversation.messages[-1] is stopped
    assert stopped.text.startswith(before)
    assert len(stopped.text) > len(before)
    assert "Stopped" not in shown_text(session)
    assert stopped.text.count("Simulated reply") == 1
    sent = said(session.demo_server.model_requests[-1])
    assert sent[-2:] == [("assistant", before), ("user", CONTINUE_PROMPT)]
