"""The low/high detail switch of a tray tile: two segments, "High" and "Low", the chosen one
filled, so it reads as a control and shows its state at a glance (checked: low detail)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QEnterEvent, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QAbstractButton, QSizePolicy, QWidget

from app.ui.tray_badge import filled_colors, small_font
from app.ui.tray_palette import mix, readable

SEGMENTS = ("High", "Low")


class DetailToggle(QAbstractButton):
    """Checked: the image is sent at low detail (downscaled to one 448×448 tile)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("trayTileDetail")
        self.setCheckable(True)
        self.setFont(small_font(self.font()))
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.toggled.connect(lambda _low: self.update())

    def shown_segment(self) -> str:
        """The segment drawn as chosen: "Low" or "High"."""
        return SEGMENTS[1] if self.isChecked() else SEGMENTS[0]

    def _segment_width(self) -> int:
        metrics = self.fontMetrics()
        return max(metrics.horizontalAdvance(s) for s in SEGMENTS) + 12

    def sizeHint(self) -> QSize:
        return QSize(2 * self._segment_width() + 2, self.fontMetrics().height() + 6)

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()

    def colors(self) -> dict[str, tuple[QColor, QColor]]:
        """(background, text) of the chosen and the other segment, as painted."""
        palette = self.palette()
        base = palette.color(QPalette.ColorRole.Base)
        text = palette.color(QPalette.ColorRole.Text)
        idle = mix(base, text, 0.06)
        return {"chosen": filled_colors(palette), "other": (idle, readable(text, idle))}

    def paintEvent(self, event: QPaintEvent) -> None:
        colours = self.colors()
        palette = self.palette()
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        outer = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        radius = outer.height() / 2
        border = mix(
            palette.color(QPalette.ColorRole.Base), palette.color(QPalette.ColorRole.Text), 0.45
        )
        painter.setPen(QPen(border, 1))
        painter.setBrush(colours["other"][0])
        painter.drawRoundedRect(outer, radius, radius)
        half = outer.width() / 2
        chosen = 1 if self.isChecked() else 0
        for index, label in enumerate(SEGMENTS):
            segment = QRectF(outer.left() + index * half, outer.top(), half, outer.height())
            if index == chosen:
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(colours["chosen"][0])
                painter.drawRoundedRect(
                    segment.adjusted(1.5, 1.5, -1.5, -1.5), radius - 1.5, radius - 1.5
                )
                painter.setPen(colours["chosen"][1])
            else:
                painter.setPen(colours["other"][1])
            painter.drawText(segment, Qt.AlignmentFlag.AlignCenter, label)
        if self.underMouse() and self.isEnabled():
            painter.setPen(QPen(palette.color(QPalette.ColorRole.Highlight), 1))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(outer, radius, radius)
        painter.end()

    def enterEvent(self, event: QEnterEvent) -> None:
        super().enterEvent(event)
        self.update()

    def leaveEvent(self, event: QEvent) -> None:
        super().leaveEvent(event)
        self.update()
