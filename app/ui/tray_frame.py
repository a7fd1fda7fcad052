"""The image tray's frame: a quiet outline (dashed while empty), drawn as a drop target in the
highlight colour while something droppable is dragged over the tray or the window."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QFrame, QWidget

from app.ui.tray_palette import mix, readable, track_color


def quiet_text_palette(source: QPalette, target: QPalette) -> QPalette:
    """`target` with a quiet text tone that still reads at 4.5:1 on `source`'s window."""
    window = source.color(QPalette.ColorRole.Window)
    quiet = mix(window, source.color(QPalette.ColorRole.WindowText), 0.7)
    result = QPalette(target)
    result.setColor(QPalette.ColorRole.WindowText, readable(quiet, window))
    return result


class TrayFrame(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self._drop_highlight = False

    def is_empty(self) -> bool:
        return True

    def set_drop_highlight(self, on: bool) -> None:
        """Draw the frame as a drop target (something droppable is over the window)."""
        if on != self._drop_highlight:
            self._drop_highlight = on
            self.update()

    def drop_highlighted(self) -> bool:
        return self._drop_highlight

    def paintEvent(self, event: QPaintEvent) -> None:
        palette = self.palette()
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(self.rect()).adjusted(1, 1, -1, -1)
        if self._drop_highlight:
            highlight = palette.color(QPalette.ColorRole.Highlight)
            painter.setBrush(mix(palette.color(QPalette.ColorRole.Window), highlight, 0.12))
            painter.setPen(QPen(highlight, 2, Qt.PenStyle.DashLine))
        else:
            painter.setBrush(Qt.BrushStyle.NoBrush)
            style = Qt.PenStyle.DashLine if self.is_empty() else Qt.PenStyle.SolidLine
            painter.setPen(QPen(track_color(palette), 1, style))
        painter.drawRoundedRect(rect, 6, 6)
        painter.end()
