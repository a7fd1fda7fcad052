"""List models and the row painter behind the conversation sidebar.

Model/view over plain rows (``ConversationRow``, ``SearchHit``): the view asks only for the rows
it shows, every row has the same height, and nothing is created per row, so 5,000 conversations
scroll as smoothly as five.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QFont, QPainter, QPalette
from PySide6.QtWidgets import QApplication, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from app.core.history_rows import ConversationRow, SearchHit, describe_updated

ID_ROLE = Qt.ItemDataRole.UserRole + 1
SUBTITLE_ROLE = Qt.ItemDataRole.UserRole + 2
MESSAGE_ID_ROLE = Qt.ItemDataRole.UserRole + 3
OPEN_ROLE = Qt.ItemDataRole.UserRole + 4  # True on the conversation open in the window
HIGHLIGHTS_ROLE = Qt.ItemDataRole.UserRole + 5  # (start, end) spans of SUBTITLE_ROLE to stress
MATCHES_ROLE = Qt.ItemDataRole.UserRole + 6  # how many messages of the conversation match
SNIPPET_LEAD = 24  # characters kept before a search match, so the match itself shows
UNTITLED = "Untitled conversation"
PADDING = 6

Index = QModelIndex | QPersistentModelIndex


def _sort_key(row: ConversationRow) -> tuple[bool, float, str]:
    return (not row.pinned, -row.updated, row.id)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


class ConversationListModel(QAbstractListModel):
    """Conversations, pinned first, then newest first. Editing a title emits ``renamed``."""

    renamed = Signal(str, str)  # id, new title

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[ConversationRow] = []
        self._where: dict[str, int] = {}
        self._subtitles: dict[ConversationRow, str] = {}  # painted often, built once
        self._open_id: str | None = None
        self._bold = QFont()
        self._bold.setBold(True)

    # -- reading ---------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        title = row.title or UNTITLED
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return title if role == Qt.ItemDataRole.DisplayRole else row.title
        if role == SUBTITLE_ROLE:
            return self._subtitle(row)
        if role == ID_ROLE:
            return row.id
        if role == OPEN_ROLE:
            return row.id == self._open_id
        if role == Qt.ItemDataRole.FontRole:
            return self._bold if row.pinned else None
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{title}\n{self._subtitle(row)}"
        if role == Qt.ItemDataRole.AccessibleTextRole:
            shown = ", open" if row.id == self._open_id else ""
            return f"{title}{shown}, {self._subtitle(row)}"
        return None

    def set_open(self, conv_id: str | None) -> None:
        """Mark the conversation open in the window (painted as such, focused or not)."""
        before, self._open_id = self._open_id, conv_id
        for changed in {before, conv_id} - {None}:
            number = self.row_of(str(changed))
            if number >= 0:
                index = self.index(number, 0)
                self.dataChanged.emit(index, index)

    def open_id(self) -> str | None:
        return self._open_id

    def _subtitle(self, row: ConversationRow) -> str:
        text = self._subtitles.get(row)
        if text is None:
            text = self._subtitles[row] = self.subtitle(row)
        return text

    @staticmethod
    def subtitle(row: ConversationRow) -> str:
        parts = ["Pinned"] if row.pinned else []
        parts += [describe_updated(row.updated), _plural(row.message_count, "message")]
        return " · ".join(parts)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEditable

    def rows(self) -> list[ConversationRow]:
        return list(self._rows)

    def row_of(self, conv_id: str) -> int:
        """The row number of a conversation, -1 when it is not listed."""
        return self._where.get(conv_id, -1)

    def get(self, conv_id: str) -> ConversationRow | None:
        number = self.row_of(conv_id)
        return self._rows[number] if number >= 0 else None

    # -- changing --------------------------------------------------------------------------

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        title = " ".join(str(value).split())
        row = self._rows[index.row()]
        if not title or title == row.title:
            return False
        self._rows[index.row()] = dataclasses.replace(row, title=title)
        self.dataChanged.emit(index, index)
        self.renamed.emit(row.id, title)
        return True

    def set_rows(self, rows: Sequence[ConversationRow]) -> None:
        self.beginResetModel()
        self._rows = sorted(rows, key=_sort_key)
        self._subtitles.clear()
        self._reindex()
        self.endResetModel()

    def remove(self, conv_id: str) -> ConversationRow | None:
        number = self.row_of(conv_id)
        if number < 0:
            return None
        self.beginRemoveRows(QModelIndex(), number, number)
        row = self._rows.pop(number)
        self._reindex()
        self.endRemoveRows()
        return row

    def insert(self, row: ConversationRow) -> int:
        """Put a row back where it sorts (Undo); its row number."""
        self.remove(row.id)
        key = _sort_key(row)
        number = next((i for i, r in enumerate(self._rows) if _sort_key(r) > key), len(self._rows))
        self.beginInsertRows(QModelIndex(), number, number)
        self._rows.insert(number, row)
        self._reindex()
        self.endInsertRows()
        return number

    def replace(self, row: ConversationRow) -> int:
        """Change a row (pinned, say) and move it where it now sorts; its row number."""
        return self.insert(row)

    def _reindex(self) -> None:
        self._where = {row.id: number for number, row in enumerate(self._rows)}


class SearchResultModel(QAbstractListModel):
    """Conversations that match a search, one row each: the title, and the words around its
    best match with the matched words stressed (the first match always in view)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._hits: list[SearchHit] = []
        self._counts: dict[str, int] = {}

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._hits)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._hits):
            return None
        hit = self._hits[index.row()]
        title = hit.conversation_title or UNTITLED
        count = self._counts.get(hit.conversation_id, 1)
        if role == Qt.ItemDataRole.DisplayRole:
            return title if count == 1 else f"{title} · {count} matching messages"
        if role in (SUBTITLE_ROLE, HIGHLIGHTS_ROLE):
            text, spans = match_line(hit)
            return text if role == SUBTITLE_ROLE else spans
        if role == ID_ROLE:
            return hit.conversation_id
        if role == MESSAGE_ID_ROLE:
            return hit.message_id
        if role == MATCHES_ROLE:
            return count
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            return f"{title} — {match_line(hit)[0]}"
        return None

    def set_hits(self, hits: Sequence[SearchHit]) -> None:
        """Show these hits (best first), one row per conversation: its best hit."""
        self.beginResetModel()
        self._hits, self._counts = [], {}
        for hit in hits:
            seen = self._counts.get(hit.conversation_id, 0)
            if not seen:
                self._hits.append(hit)
            self._counts[hit.conversation_id] = seen + 1
        self.endResetModel()

    def hits(self) -> list[SearchHit]:
        return list(self._hits)


def match_line(hit: SearchHit) -> tuple[str, tuple[tuple[int, int], ...]]:
    """ "You: …words around the match…" and where the matched words are in it: the text
    starts shortly before the first match, so eliding its end never hides the match."""
    text, spans = hit.plain_snippet, hit.highlights
    cut = max(0, spans[0][0] - SNIPPET_LEAD) if spans else 0
    if cut:
        space = text.find(" ", cut, spans[0][0])
        cut = space + 1 if space >= 0 else cut
    prefix = ("You: " if hit.role == "user" else "Reply: ") + ("…" if cut else "")
    shift = len(prefix) - cut
    moved = tuple((start + shift, end + shift) for start, end in spans)
    return prefix + text[cut:], moved


class TwoLineDelegate(QStyledItemDelegate):
    """Paints a row as its title over a dimmer second line (SUBTITLE_ROLE), both elided."""

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        height = option.fontMetrics.height() * 2 + PADDING * 2 + 2
        return QSize(200, height)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        title = opt.text
        opt.text = ""
        widget = opt.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        rect = opt.rect.adjusted(PADDING, PADDING, -PADDING, -PADDING)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        palette: QPalette = opt.palette
        if index.data(OPEN_ROLE):  # the open conversation stands out, the list focused or not
            active = QPalette.ColorGroup.Active
            painter.fillRect(opt.rect, palette.color(active, QPalette.ColorRole.Highlight))
            palette = QPalette(palette)
            palette.setColor(
                QPalette.ColorRole.Text, palette.color(active, QPalette.ColorRole.HighlightedText)
            )
            selected = False
        text_role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        painter.save()
        font: QFont = opt.font
        metrics = opt.fontMetrics
        line = metrics.height()
        painter.setFont(font)
        painter.setPen(palette.color(text_role))
        first = rect.adjusted(0, 0, 0, -(rect.height() - line))
        painter.drawText(
            first,
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
            metrics.elidedText(title, Qt.TextElideMode.ElideRight, rect.width()),
        )
        subtitle = str(index.data(SUBTITLE_ROLE) or "")
        small = QFont(font)
        small.setBold(False)
        if not selected and not index.data(OPEN_ROLE):
            painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
        second = first.translated(0, line + 2)
        _draw_runs(painter, second, subtitle, index.data(HIGHLIGHTS_ROLE) or (), small)
        painter.restore()

    def updateEditorGeometry(self, editor: Any, option: QStyleOptionViewItem, index: Index) -> None:
        rect = option.rect
        line = option.fontMetrics.height() + PADDING
        editor.setGeometry(rect.x() + 2, rect.y() + 2, rect.width() - 4, line + 2)


def _draw_runs(
    painter: QPainter, rect: Any, text: str, spans: Sequence[tuple[int, int]], font: QFont
) -> None:
    """One line of text, the spans in bold (a search's matched words), elided at the end."""
    bold = QFont(font)
    bold.setBold(True)
    runs: list[tuple[str, QFont]] = []
    at = 0
    for start, end in spans:
        runs += [(text[at:start], font), (text[start:end], bold)]
        at = end
    runs.append((text[at:], font))
    x, right = rect.x(), rect.x() + rect.width()
    flags = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    for piece, face in runs:
        if not piece:
            continue
        painter.setFont(face)
        metrics = painter.fontMetrics()
        room = right - x
        shown = metrics.elidedText(piece, Qt.TextElideMode.ElideRight, room)
        painter.drawText(x, rect.y(), room, rect.height(), flags, shown)
        if shown != piece:
            return
        x += metrics.horizontalAdvance(piece)
