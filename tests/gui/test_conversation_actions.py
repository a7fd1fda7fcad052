"""A message's actions as icon buttons over the message under the pointer, and by keyboard
(Alt+Up / Alt+Down); Regenerate on the last reply, against the demo endpoint."""

from __future__ import annotations

import asyncio

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QToolButton
from pytestqt.qtbot import QtBot
from support.message_bar import button, hover, point_in
from support.sessions import demo_session
from support.turns import finished

from app.core.conversation import ImagePart, Message, Status, TextPart
from app.core.imagetypes import PreparedImage
from app.ui.conversation_render import ImageMark
from app.ui.conversation_view import ConversationView
from tests.gui.test_conversation_view import _png


def _turns(count: int) -> list[Message]:
    messages: list[Message] = []
    for n in range(count):
        messages.append(Message(role="user", parts=[TextPart(f"Question {n}")]))
        messages.append(Message(role="assistant", parts=[TextPart(f"Answer **{n}**.\n\n- a\n- b")]))
    return messages


def _view(qtbot: QtBot, messages: list[Message]) -> ConversationView:
    view = ConversationView()
    qtbot.addWidget(view)
    view.resize(800, 500)
    view.show()
    qtbot.waitExposed(view)
    view.set_messages(messages, {})
    return view


def _verbs(view: ConversationView) -> list[str]:
    return [b.objectName().removeprefix("messageAction-") for b in view.action_bar.buttons]


def test_the_bar_follows_the_pointer_with_each_messages_actions(qtbot: QtBot) -> None:
    messages = _turns(3)
    view = _view(qtbot, messages)
    first_question, first_answer, last_answer = messages[0], messages[1], messages[-1]
    assert not view.action_bar.isVisible()

    bar = hover(qtbot, view, last_answer.id)
    assert _verbs(view) == ["copy", "regenerate"]  # only the last reply regenerates
    assert button(bar, "regenerate").toolTip() == "Regenerate (Ctrl+R)"
    header = view.browser.cursorRect(view.browser.textCursor())
    assert abs(bar.geometry().center().y() - header.center().y()) < bar.height()
    assert bar.geometry().right() <= view.browser.viewport().width()

    hover(qtbot, view, first_answer.id)
    assert _verbs(view) == ["copy"]
    hover(qtbot, view, first_question.id)
    assert _verbs(view) == ["copy", "edit"]
    with qtbot.waitSignal(view.editRequested) as edit:
        qtbot.mouseClick(button(bar, "edit"), Qt.MouseButton.LeftButton)
    assert edit.args == [first_question.id]
    qtbot.mouseClick(button(bar, "copy"), Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == "Question 0"
    assert button(bar, "copy").toolTip() == "Copied"


def test_the_keyboard_moves_the_bar_from_message_to_message(qtbot: QtBot) -> None:
    messages = _turns(2)
    view = _view(qtbot, messages)
    view.browser.setFocus()
    qtbot.waitUntil(view.browser.hasFocus)
    qtbot.keyClick(view.browser, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    assert view.hover.shown_for == messages[-1].id
    focused = QApplication.focusWidget()
    assert isinstance(focused, QToolButton)
    assert focused.objectName() == "messageAction-copy"
    qtbot.keyClick(focused, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    assert view.hover.shown_for == messages[1].id
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    assert view.hover.shown_for == messages[0].id
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Right)
    assert QApplication.focusWidget().objectName() == "messageAction-edit"
    with qtbot.waitSignal(view.editRequested) as edit:
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    assert edit.args == [messages[0].id]
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Left)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Space)
    assert QGuiApplication.clipboard().text() == "Question 0"
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)
    assert view.browser.hasFocus()


def _image(sha: str) -> ImagePart:
    png = _png()
    return ImagePart(
        image=PreparedImage(
            name=f"{sha}.png",
            data=png,
            mime="image/png",
            width=200,
            height=100,
            sha256=sha,
            original_size=(200, 100),
            original_format="PNG",
            original_bytes=len(png),
        )
    )


def test_image_switches_are_on_the_bar(qtbot: QtBot) -> None:
    question = Message(role="user", parts=[TextPart("Look"), _image("a1")])
    reply = Message(role="assistant", parts=[TextPart("Seen.")])
    view = ConversationView()
    qtbot.addWidget(view)
    view.resize(800, 500)
    view.show()
    view.image_marks = lambda message: [ImageMark()]
    view.set_messages([question, reply], {"a1": _png()})
    bar = hover(qtbot, view, question.id)
    assert _verbs(view) == ["copy", "edit", "detail", "send"]
    assert button(bar, "detail").toolTip() == "Send image at low detail"
    with qtbot.waitSignal(view.imageDetailRequested) as low:
        qtbot.mouseClick(button(bar, "detail"), Qt.MouseButton.LeftButton)
    assert low.args == [question.id, 0, True]
    with qtbot.waitSignal(view.imageSendRequested) as left_out:
        qtbot.mouseClick(button(bar, "send"), Qt.MouseButton.LeftButton)
    assert left_out.args == [question.id, 0, False]


def test_a_fit_choice_renders_and_replaces_only_its_message(qtbot: QtBot) -> None:
    messages = _turns(20)
    question = messages[20]
    question.parts.append(_image("b2"))
    marks = {question.id: [ImageMark()]}
    view = ConversationView()
    qtbot.addWidget(view)
    view.resize(800, 500)
    view.show()
    view.image_marks = lambda message: marks.get(message.id)
    view.set_messages(messages, {"b2": _png()})
    others = [m for m in messages if m.id != question.id]
    before = {m.id: _text_of(view, m.id) for m in others}
    # A mark on a block of another message: a block rebuilt would not keep it.
    neighbour = view.browser.document().findBlock(view.message_span(messages[21].id)[1])
    neighbour.setUserState(4242)
    renders = view.render_count

    marks[question.id] = [ImageMark(low=True)]
    view.refresh()
    assert view.render_count == renders + 1
    assert "Image 1: low detail" in _text_of(view, question.id)
    assert {m.id: _text_of(view, m.id) for m in others} == before
    assert neighbour.isValid()
    assert neighbour.userState() == 4242
    view.refresh()  # nothing changed: nothing rendered
    assert view.render_count == renders + 1


def test_the_whole_conversation_after_its_last_page_renders_each_message_once(
    qtbot: QtBot,
) -> None:
    messages = _turns(60)
    view = _view(qtbot, messages[-40:])
    assert view.render_count == 40
    view.set_messages(messages, {})
    qtbot.waitUntil(lambda: not view.rendering)
    assert view.render_count == 120
    fresh = ConversationView()
    qtbot.addWidget(fresh)
    fresh.set_messages(messages, {})
    assert view.browser.toPlainText() == fresh.browser.toPlainText()
    hover(qtbot, view, messages[0].id)  # the earlier ones are messages like the rest
    assert point_in(view, messages[0].id).y() >= 0


def _text_of(view: ConversationView, message_id: str) -> str:
    span = view.message_span(message_id)
    assert span is not None
    cursor = view.browser.textCursor()
    cursor.setPosition(span[0])
    cursor.setPosition(span[1], cursor.MoveMode.KeepAnchor)
    return cursor.selectedText()


def test_regenerate_on_the_last_reply_asks_again(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    with demo_session(qtbot, qloop) as session:
        window = session.window
        window.composer.setPlainText("Describe the mockup")
        qtbot.waitUntil(window.send_button.isEnabled, timeout=5000)
        qtbot.keyClick(window.composer, Qt.Key.Key_Return)
        qtbot.waitUntil(finished(session, Status.COMPLETE), timeout=10_000)
        first = session.chat.conversation.messages[-1]
        requests = len(session.demo_server.requests)
        view = window.view
        bar = hover(qtbot, view, first.id)
        qtbot.mouseClick(button(bar, "regenerate"), Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: session.chat.conversation.messages[-1].id != first.id, timeout=5000)
        qtbot.waitUntil(finished(session, Status.COMPLETE), timeout=10_000)
        assert len(session.demo_server.requests) == requests + 1
        assert [m.role for m in session.chat.conversation.messages] == ["user", "assistant"]
        assert first.id not in view.browser.toHtml()
        hover(qtbot, view, session.chat.conversation.messages[-1].id)
        assert "regenerate" in _verbs(view)


def test_the_bar_takes_the_theme_when_it_changes(qtbot: QtBot) -> None:
    from app.gui.theme import palette_for

    messages = _turns(1)
    view = _view(qtbot, messages)
    bar = hover(qtbot, view, messages[-1].id)
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    before = app.palette()
    try:
        for scheme in ("dark", "light"):
            app.setPalette(palette_for(scheme))
            base = palette_for(scheme).base().color().name()
            qtbot.waitUntil(lambda base=base: f"background: {base}" in bar.styleSheet())
            assert f"color: {base}" in view.copied_toast.styleSheet()  # the toast's text
            # the pointer has not moved: the bar is still over the message under it
            qtbot.waitUntil(lambda: view.hover.shown_for == messages[-1].id)
    finally:
        app.setPalette(before)
