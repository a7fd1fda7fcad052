"""Copy a message as Markdown or as plain text, or a table as TSV: the conversation's context
menu (the message and the table under the pointer) and the Edit menu (the last reply).

The view hands over two things: the document's browser, whose message anchors (``m-<id>``)
say which message a position is in, and `text_of(id)`, a message's Markdown. The conversion
is :mod:`app.core.copy_text`; every copy says "Copied …" in the view's toast.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QGuiApplication, QTextCursor, QTextTable
from PySide6.QtWidgets import QMenu, QTextBrowser

from app.core.copy_text import plain_text, table_tsv, tables_in

ANCHOR_PREFIX = "m-"
MARKDOWN_TABLE_PADDING = 6  # core.markdown.TABLE_OPEN's cellpadding (code panels have 8)
TextOf = Callable[[str], "str | None"]
Say = Callable[[str], None]


class CopyMenu:
    """The copy commands of one conversation view."""

    def __init__(
        self, browser: QTextBrowser, text_of: TextOf, last_reply: Callable[[], str | None], say: Say
    ) -> None:
        self._browser = browser
        self._text_of = text_of
        self._last_reply = last_reply
        self._say = say
        browser.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        browser.customContextMenuRequested.connect(self._popup)

    # -- the context menu -----------------------------------------------------------------

    def menu_at(self, pos: QPoint) -> QMenu:
        """The context menu for viewport position `pos`: the standard entries (Copy, Select
        All…), then the copy commands of the message (and table) under it."""
        browser = self._browser
        offset = QPoint(browser.horizontalScrollBar().value(), browser.verticalScrollBar().value())
        menu = browser.createStandardContextMenu(pos + offset)
        menu.setObjectName("conversationContextMenu")
        cursor = browser.cursorForPosition(pos)
        found = self._message_at(cursor.position())
        if found is None:
            return menu
        message_id, start = found
        text = self._text_of(message_id)
        if not text:
            return menu
        menu.addSeparator()
        self._add(
            menu, "Copy message as Markdown", "copyMarkdownAction", text, "Copied as Markdown"
        )
        self._add(menu, "Copy message as plain text", "copyPlainAction", plain_text(text), "Copied")
        if tables_in(text):
            index = self._table_index(cursor, start)
            tsv = table_tsv(text, index)
            self._add(
                menu, "Copy table for a spreadsheet (TSV)", "copyTableAction", tsv, "Table copied"
            )
        return menu

    def _popup(self, pos: QPoint) -> None:
        menu = self.menu_at(pos)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(self._browser.viewport().mapToGlobal(pos))

    def _add(self, menu: QMenu, label: str, name: str, text: str | None, said: str) -> None:
        action = menu.addAction(label)
        action.setObjectName(name)
        action.triggered.connect(lambda: self.copy(text, said))

    def _message_at(self, position: int) -> tuple[str, int] | None:
        """The message whose block holds `position`, and where the message starts."""
        found: tuple[str, int] | None = None
        block = self._browser.document().begin()
        while block.isValid() and block.position() <= position:
            fragments = block.begin()
            while not fragments.atEnd():
                for name in fragments.fragment().charFormat().anchorNames():
                    if name.startswith(ANCHOR_PREFIX):
                        found = (name[len(ANCHOR_PREFIX) :], block.position())
                fragments += 1
            block = block.next()
        return found

    def _table_index(self, cursor: QTextCursor, start: int) -> int:
        """Which of the message's tables the cursor is in (0, the first, when in none)."""
        table = cursor.currentTable()
        if table is None or not _markdown_table(table):
            return 0
        seen: set[int] = set()
        block = self._browser.document().findBlock(start)
        while block.isValid() and block.position() < table.firstPosition():
            inside = QTextCursor(block).currentTable()
            if inside is not None and _markdown_table(inside):
                seen.add(inside.firstPosition())
            block = block.next()
        return len(seen)

    # -- copying ----------------------------------------------------------------------------

    def copy(self, text: str | None, said: str = "Copied") -> bool:
        if not text:
            self._say("Nothing to copy")
            return False
        QGuiApplication.clipboard().setText(text)
        self._say(said)
        return True

    def copy_last_plain(self) -> bool:
        text = self._last_reply()
        return self.copy(plain_text(text) if text else None)

    def copy_last_table(self) -> bool:
        text = self._last_reply()
        tsv = table_tsv(text) if text else None
        if text and tsv is None:
            self._say("The last reply has no table")
            return False
        return self.copy(tsv, "Table copied")


def _markdown_table(table: QTextTable) -> bool:
    return round(table.format().cellPadding()) == MARKDOWN_TABLE_PADDING
