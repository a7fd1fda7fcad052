"""The overlay view of two images: the second drawn over the first up to a divider that the
slider moves (0: only the first shows, 100: only the second). Both are fitted to the widget at
the first one's size, so the same point of the page lines up."""

from __future__ import annotations

from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.ui.canvas_zoom import MARGIN

_DIVIDER = QColor(255, 0, 200)


class CompareOverlay(QWidget):
    """See the module docstring."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("compareOverlay")
        self.setAccessibleName("The second image over the first, up to the divider")
        self.setMinimumSize(240, 160)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._first: QImage | None = None
        self._second: QImage | None = None
        self._share = 0.5

    def set_images(self, first: QImage | None, second: QImage | None) -> None:
        self._first, self._second = first, second
        self.update()

    def set_share(self, percent: int) -> None:
        """How much of the width, from the left, shows the second image."""
        self._share = max(0, min(100, percent)) / 100
        self.update()

    def image_rect(self) -> QRectF:
        if self._first is None or self._first.isNull():
            return QRectF()
        width = max(1, self.width() - 2 * MARGIN)
        height = max(1, self.height() - 2 * MARGIN)
        scale = min(width / self._first.width(), height / self._first.height())
        w, h = self._first.width() * scale, self._first.height() * scale
        return QRectF((self.width() - w) / 2, (self.height() - h) / 2, w, h)

    def divider_x(self) -> float:
        target = self.image_rect()
        return target.left() + target.width() * self._share

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), self.palette().color(QPalette.ColorRole.Dark))
        target = self.image_rect()
        if self._first is None or self._second is None or target.isEmpty():
            painter.end()
            return
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.drawImage(target, self._first, QRectF(self._first.rect()))
        split = self.divider_x()
        painter.save()
        painter.setClipRect(
            QRectF(target.left(), target.top(), split - target.left(), target.height())
        )
        painter.drawImage(target, self._second, QRectF(self._second.rect()))
        painter.restore()
        painter.setPen(QPen(_DIVIDER, 2))
        painter.drawLine(int(split), int(target.top()), int(split), int(target.bottom()))
        painter.end()


def overlay_hint() -> str:
    return "Left of the line: the second image; right of it: the first. Move the slider."
