"""The model picker's list item: the id as usual and, right-aligned in a quieter colour, the
model's window and whether it reasons.

Kept apart from the picker: the style classes it names take a few milliseconds to set up in
PySide6, which the picker's first paint (empty, hidden until the models are listed) does not
need. The picker puts it in when it is first filled.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSize, Qt
from PySide6.QtGui import QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from app.ui.model_picker import GAP, SUMMARY_ROLE


class SummaryDelegate(QStyledItemDelegate):
    """Paints the id as usual and the summary right-aligned in the placeholder colour."""

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        super().paint(painter, option, index)
        summary = index.data(SUMMARY_ROLE)
        if not summary:
            return
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        role = (
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.PlaceholderText
        )
        painter.save()
        painter.setPen(option.palette.color(role))
        rect = option.rect.adjusted(0, 0, -8, 0)
        painter.drawText(rect, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, summary)
        painter.restore()

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        size = super().sizeHint(option, index)
        metrics = option.fontMetrics
        size.setHeight(max(size.height(), metrics.height() + 10))  # room to aim at, as in a menu
        summary = index.data(SUMMARY_ROLE)
        if summary:
            size.setWidth(size.width() + GAP + metrics.horizontalAdvance(summary) + 8)
        return size
