"""Keyboard focus in the real window: after Send (by mouse or keyboard) the next words go to the
composer, never to the history search; Esc in the search box clears it."""

from __future__ import annotations

import asyncio

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QPlainTextEdit, QPushButton
from pytestqt.qtbot import QtBot
from support.sessions import demo_session

from app.gui.session import AppSession


def _widgets(session: AppSession) -> tuple[QPlainTextEdit, QPushButton, QLineEdit]:
    w = session.window
    composer = w.findChild(QPlainTextEdit, "composer")
    send = w.findChild(QPushButton, "sendButton")
    search = w.findChild(QLineEdit, "historySearch")
    assert composer is not None
    assert send is not None
    assert search is not None
    return composer, send, search


def _active(qtbot: QtBot, session: AppSession) -> None:
    session.window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is session.window, timeout=5000)


def test_focus_returns_to_the_composer_after_clicking_send(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    with demo_session(qtbot, qloop) as session:
        _active(qtbot, session)
        composer, send, search = _widgets(session)
        composer.setFocus()
        qtbot.keyClicks(composer, "What is in this picture")
        qtbot.waitUntil(send.isEnabled, timeout=5000)
        qtbot.mouseClick(send, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: len(session.chat.conversation.messages) >= 1, timeout=5000)
        assert QApplication.focusWidget() is composer
        qtbot.waitUntil(lambda: not session.chat.busy, timeout=10_000)
        assert QApplication.focusWidget() is composer
        # The next words a person types go to the composer, not to the sidebar's search.
        qtbot.keyClicks(QApplication.focusWidget(), "and the next one")
        assert composer.toPlainText() == "and the next one"
        assert search.text() == ""


def test_focus_stays_in_the_composer_after_enter(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    with demo_session(qtbot, qloop) as session:
        _active(qtbot, session)
        composer, _send, search = _widgets(session)
        composer.setFocus()
        qtbot.keyClicks(composer, "first question")
        qtbot.keyClick(composer, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: len(session.chat.conversation.messages) >= 1, timeout=5000)
        qtbot.waitUntil(lambda: not session.chat.busy, timeout=10_000)
        assert QApplication.focusWidget() is composer
        assert search.text() == ""


def test_escape_clears_the_history_search(qtbot: QtBot, qloop: asyncio.AbstractEventLoop) -> None:
    with demo_session(qtbot, qloop) as session:
        _active(qtbot, session)
        _composer, _send, search = _widgets(session)
        search.setFocus()
        qtbot.waitUntil(search.hasFocus, timeout=5000)
        qtbot.keyClicks(search, "invoice")
        assert search.text() == "invoice"
        qtbot.keyClick(search, Qt.Key.Key_Escape)
        assert search.text() == ""
