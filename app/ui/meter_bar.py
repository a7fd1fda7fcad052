"""The context bar: the window as a track, the request's segments laid on it in order (history
text, images, draft), then the reply room hatched. From 75 % the bar is outlined in the level's
colour; past the window the bar is scaled to the request and a line marks where the window ends.
Painted, so its colours follow the palette."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPainterPath, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.core.meter import MeterFigures, MeterLevel
from app.ui.meter_palette import segment_color
from app.ui.tray_palette import level_color, track_color

BAR_HEIGHT = 10
MIN_SEGMENT_PX = 3.0  # a segment that holds anything stays visible on a million-token window


def segment_widths(figures: MeterFigures, width: float) -> list[float]:
    """Each segment's width in pixels on a bar `width` wide: in proportion to its tokens over
    the window (or over the request, past the window), at least MIN_SEGMENT_PX when it holds
    anything, and all of them within the bar."""
    scale = max(figures.window, figures.needed, 1)
    widths = [
        max(MIN_SEGMENT_PX, width * s.tokens / scale) if s.tokens else 0.0 for s in figures.segments
    ]
    total = sum(widths)
    if total > width > 0:
        widths = [w * width / total for w in widths]
    return widths


class ContextBar(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tokenMeterBar")
        self._figures: MeterFigures | None = None
        self.setMinimumWidth(80)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def sizeHint(self) -> QSize:
        return QSize(240, BAR_HEIGHT)

    def minimumSizeHint(self) -> QSize:
        return QSize(80, BAR_HEIGHT)

    def show_figures(self, figures: MeterFigures) -> None:
        self._figures = figures
        self.update()

    @property
    def level(self) -> MeterLevel:
        return self._figures.level if self._figures is not None else "ok"

    def level_color(self) -> QColor:
        return level_color(self.palette(), self.level)

    def track(self) -> QColor:
        return track_color(self.palette())

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(self.rect()).adjusted(1, 1, -1, -1)
        radius = rect.height() / 2
        outline = QPainterPath()
        outline.addRoundedRect(rect, radius, radius)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self.track())
        painter.drawPath(outline)
        figures = self._figures
        if figures is not None:
            painter.save()
            painter.setClipPath(outline)
            self._paint_segments(painter, figures, rect)
            painter.restore()
            if figures.needed > figures.window > 0:
                x = rect.left() + rect.width() * figures.window / figures.needed
                painter.setPen(QPen(self.palette().color(self.backgroundRole()), 3))
                painter.drawLine(QPointF(x, rect.top() - 1), QPointF(x, rect.bottom() + 1))
                painter.setPen(QPen(self.level_color(), 1.5))
                painter.drawLine(QPointF(x, rect.top() - 1), QPointF(x, rect.bottom() + 1))
            if figures.level != "ok":
                painter.setPen(QPen(self.level_color(), 1.5))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawPath(outline)
        painter.end()

    def _paint_segments(self, painter: QPainter, figures: MeterFigures, rect: QRectF) -> None:
        x = rect.left()
        palette = self.palette()
        for segment, width in zip(
            figures.segments, segment_widths(figures, rect.width()), strict=True
        ):
            if width <= 0:
                continue
            part = QRectF(x, rect.top(), width, rect.height())
            colour = segment_color(palette, segment.kind)
            if segment.kind == "reply":
                painter.fillRect(part, QBrush(colour, Qt.BrushStyle.BDiagPattern))
            else:
                painter.fillRect(part, colour)
            x += width
