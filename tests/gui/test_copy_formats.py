"""Copy a reply as Markdown, as plain text, or its table for a spreadsheet: from the
conversation's context menu (the table under the pointer) and from the Edit menu, each with
its "Copied" — a real reply from the local endpoint, the real clipboard."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QGuiApplication, QTextBlock, QTextCursor, QTextDocument
from PySide6.QtWidgets import QMenu
from pytestqt.qtbot import QtBot
from support.sessions import demo_session
from support.turns import finished

from app.core.conversation import Status
from app.gui.session import AppSession

TSV = "Image\tSize (px)\tTiles\tTokens\n–\tno image\t0\t0\n"


def ask(qtbot: QtBot, session: AppSession, text: str) -> str:
    window = session.window
    window.composer.setPlainText(text)
    qtbot.waitUntil(window.send_button.isEnabled, timeout=5000)
    qtbot.mouseClick(window.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(finished(session, Status.COMPLETE), timeout=15_000)
    qtbot.waitUntil(lambda: not window.view.rendering, timeout=5000)
    return session.chat.conversation.messages[-1].text


def action(menu: QMenu, name: str) -> QAction:
    found = menu.findChild(QAction, name)
    assert isinstance(found, QAction), name
    return found


def test_copy_markdown_plain_and_table_from_the_context_menu(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    with demo_session(qtbot, qloop) as session:
        reply = ask(qtbot, session, "Put it in a table please")
        assert "| Image |" in reply
        view = session.window.view
        browser = view.browser
        tables = (QTextCursor(b).currentTable() for b in _blocks(browser.document()))
        table = next(t for t in tables if t is not None and t.format().cellPadding() == 6)
        cell = table.cellAt(1, 2).firstCursorPosition()
        browser.setTextCursor(cell)
        browser.ensureCursorVisible()
        point = browser.cursorRect(cell).center()

        menu = view.copy_menu.menu_at(point)
        action(menu, "copyTableAction").trigger()
        assert QGuiApplication.clipboard().text() == TSV
        assert view.copied_toast.isVisible()
        assert view.copied_toast.text() == "Table copied"

        action(menu, "copyMarkdownAction").trigger()
        assert QGuiApplication.clipboard().text() == reply
        action(menu, "copyPlainAction").trigger()
        plain = QGuiApplication.clipboard().text()
        for mark in ("*", "`", "|"):
            assert mark not in plain
        assert "Simulated reply from the local demo endpoint" in plain
        assert TSV in plain
        assert view.copied_toast.text() == "Copied"
        menu.deleteLater()


def test_copy_the_last_reply_from_the_edit_menu(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    with demo_session(qtbot, qloop) as session:
        edit = session.window.menu("edit")
        view = session.window.view
        action(edit, "copyLastTableAction").trigger()
        assert view.copied_toast.text() == "Nothing to copy"

        ask(qtbot, session, "Say hello")
        action(edit, "copyLastTableAction").trigger()
        assert view.copied_toast.text() == "The last reply has no table"
        ask(qtbot, session, "Now as a table")
        action(edit, "copyLastTableAction").trigger()
        assert QGuiApplication.clipboard().text() == TSV
        action(edit, "copyLastPlainAction").trigger()
        assert (
            QGuiApplication.clipboard()
            .text()
            .startswith("Simulated reply from the local demo endpoint")
        )
        assert view.copied_toast.text() == "Copied"


def _blocks(document: QTextDocument) -> Iterator[QTextBlock]:
    block = document.begin()
    while block.isValid():
        yield block
        block = block.next()
