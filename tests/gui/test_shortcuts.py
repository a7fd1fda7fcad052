"""The window's keyboard shortcuts, pressed as a person presses them, from the message box."""

from __future__ import annotations

import asyncio

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDockWidget, QLineEdit, QMessageBox
from pytestqt.qtbot import QtBot
from support.sessions import demo_session
from support.turns import finished

from app.core.conversation import Status

CTRL = Qt.KeyboardModifier.ControlModifier


def test_focus_search_sidebar_copy_and_the_f1_list(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    with demo_session(qtbot, qloop) as session:
        window = session.window
        window.activateWindow()
        composer = window.composer
        composer.setFocus()
        qtbot.keyClicks(composer, "Describe nothing")
        qtbot.keyClick(composer, Qt.Key.Key_Return)
        qtbot.waitUntil(finished(session, Status.COMPLETE), timeout=15_000)
        reply = session.chat.conversation.messages[-1]

        qtbot.keyClick(composer, Qt.Key.Key_C, CTRL | Qt.KeyboardModifier.ShiftModifier)
        assert QGuiApplication.clipboard().text() == reply.text
        assert "Copied" in window.notice_banner.label.text()

        qtbot.keyClick(composer, Qt.Key.Key_K, CTRL)
        search = window.findChild(QLineEdit, "historySearch")
        assert search is not None
        assert search.hasFocus()
        qtbot.keyClick(search, Qt.Key.Key_L, CTRL)
        assert composer.hasFocus()

        dock = window.findChild(QDockWidget, "conversationsDock")
        assert dock is not None
        assert dock.isVisible()
        qtbot.keyClick(composer, Qt.Key.Key_B, CTRL)
        assert not dock.isVisible()
        qtbot.keyClick(composer, Qt.Key.Key_B, CTRL)
        assert dock.isVisible()

        qtbot.keyClick(composer, Qt.Key.Key_F1)
        box = window.findChild(QMessageBox, "shortcutsDialog")
        assert box is not None
        for key in ("Ctrl+L", "Ctrl+K", "Ctrl+B", "Ctrl+Shift+C", "Ctrl+N", "F1"):
            assert key in box.text()
        box.close()
