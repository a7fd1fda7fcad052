"""Fast hands: Enter pressed the moment the last key is typed sends that text, whatever the
meter's debounce is doing; a blocked send says why instead of swallowing the keys."""

from __future__ import annotations

import asyncio

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from support.sessions import demo_session
from support.turns import finished

from app.core.conversation import Status


def test_enter_right_after_typing_sends_what_was_typed(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    with demo_session(qtbot, qloop) as session:
        composer = session.window.composer
        composer.setFocus()
        for number in (1, 2):
            qtbot.keyClicks(composer, f"Question number {number}")
            qtbot.keyClick(composer, Qt.Key.Key_Return)  # no wait: the debounce is pending
            qtbot.waitUntil(finished(session, Status.COMPLETE), timeout=15_000)
            assert session.chat.conversation.messages[-2].text == f"Question number {number}"
            assert composer.toPlainText() == ""


def test_enter_on_an_empty_composer_says_why_nothing_was_sent(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    with demo_session(qtbot, qloop) as session:
        composer = session.window.composer
        composer.setFocus()
        qtbot.keyClick(composer, Qt.Key.Key_Return)
        assert not session.chat.conversation.messages
        assert "Write a question or add an image" in session.window.send_reason.text()
