"""Reaching a message's action bar in tests as a person does: the pointer over the message."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QToolButton
from pytestqt.qtbot import QtBot

from app.ui.conversation_view import ConversationView
from app.ui.message_action_bar import MessageActionBar


def point_in(view: ConversationView, message_id: str) -> QPoint:
    """A point of the viewport over the header of `message_id` (scrolled into view)."""
    span = view.message_span(message_id)
    assert span is not None, f"{message_id} is not in the document"
    cursor = QTextCursor(view.browser.document())
    cursor.setPosition(span[0] + 1 if span[0] > 0 else 0)
    view.browser.setTextCursor(cursor)
    view.browser.ensureCursorVisible()
    return view.browser.cursorRect(cursor).center() + QPoint(40, 0)


def hover(qtbot: QtBot, view: ConversationView, message_id: str) -> MessageActionBar:
    """Move the pointer over `message_id`; its action bar, once shown."""
    qtbot.mouseMove(view.browser.viewport(), point_in(view, message_id))
    qtbot.waitUntil(lambda: view.hover.shown_for == message_id)
    return view.action_bar


def button(bar: MessageActionBar, verb: str) -> QToolButton:
    found = bar.findChild(QToolButton, f"messageAction-{verb}")
    assert found is not None, f"no {verb} button on the bar"
    assert found.isVisible()
    return found


def press(qtbot: QtBot, view: ConversationView, message_id: str, verb: str) -> None:
    """Hover `message_id` and click its `verb` button ("copy", "edit", "regenerate"…)."""
    qtbot.mouseClick(button(hover(qtbot, view, message_id), verb), Qt.MouseButton.LeftButton)
