"""The image tray's row of tiles, which paints where a dragged tile would land."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtGui import QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QHBoxLayout, QWidget


class TileStrip(QWidget):
    """The row of tiles; paints where a dragged tile would land."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.row = QHBoxLayout(self)
        self.row.setContentsMargins(2, 2, 2, 2)
        self.row.setSpacing(8)
        self.row.addStretch(1)
        self._indicator: int | None = None

    def set_indicator(self, x: int | None) -> None:
        if x != self._indicator:
            self._indicator = x
            self.update()

    def insert_index(self, x: int, others: Sequence[QWidget]) -> int:
        """Where a dragged tile lands among the `others`, from the drop's x in the strip."""
        return sum(1 for tile in others if tile.geometry().center().x() < x)

    def indicator_x(self, index: int, others: Sequence[QWidget]) -> int:
        """Where to draw the line that shows a dragged tile landing at `index`."""
        gap = self.row.spacing() // 2
        if not others:
            return 4
        if index < len(others):
            return others[index].geometry().left() - gap
        return others[-1].geometry().right() + gap

    def paintEvent(self, event: QPaintEvent) -> None:
        if self._indicator is None:
            return
        painter = QPainter(self)
        painter.setPen(QPen(self.palette().color(QPalette.ColorRole.Highlight), 3))
        painter.drawLine(self._indicator, 4, self._indicator, self.height() - 4)
        painter.end()
