"""A full-screen overlay showing a screenshot, on which the user drags out the region to keep.

The overlay shows the grab it is given (already taken: it does no capturing itself), shades
everything outside the rectangle being dragged and states the rectangle's size and token cost.
Releasing the mouse emits `regionSelected` with that part of the screenshot, in its own pixels
(physical pixels on a high-density screen); Enter takes the whole screen; Esc, or closing the
overlay, emits `cancelled`.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, QRect, QRectF, Qt, Signal
from PySide6.QtGui import (
    QCloseEvent,
    QColor,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
)
from PySide6.QtWidgets import QWidget

from app.core.crop import cost_text

HINT = "Drag to select a region · Enter takes the whole screen · Esc cancels"
_SHADE = QColor(0, 0, 0, 110)
_ACCENT = QColor(64, 160, 255)


class RegionSelector(QWidget):
    """See the module docstring. Show it with `showFullScreen()` on the grabbed screen."""

    regionSelected = Signal(QImage)
    cancelled = Signal()

    def __init__(self, screenshot: QImage, parent: QWidget | None = None) -> None:
        super().__init__(
            parent,
            Qt.WindowType.Window
            | Qt.WindowType.FramelessWindowHint
            | Qt.WindowType.WindowStaysOnTopHint,
        )
        self.setObjectName("regionSelector")
        self.setAccessibleName("Select a region of the screen")
        self.setAccessibleDescription(HINT)
        self.setWindowTitle("Capture region")
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._image = screenshot
        self._anchor: QPoint | None = None
        self._selection: QRect | None = None  # screenshot pixels
        self._done = False

    # -- geometry ------------------------------------------------------------------------------

    def _scale(self) -> float:
        """View pixels per screenshot pixel (the screenshot is shown whole, centred)."""
        if self._image.isNull():
            return 1.0
        return min(self.width() / self._image.width(), self.height() / self._image.height())

    def image_rect(self) -> QRectF:
        scale = self._scale()
        width, height = self._image.width() * scale, self._image.height() * scale
        return QRectF((self.width() - width) / 2, (self.height() - height) / 2, width, height)

    def to_view(self, point: QPointF | QPoint) -> QPointF:
        """A point in screenshot pixels → view coordinates."""
        origin, scale = self.image_rect().topLeft(), self._scale()
        return QPointF(origin.x() + point.x() * scale, origin.y() + point.y() * scale)

    def to_image(self, point: QPointF | QPoint) -> QPoint:
        """A view point → the nearest pixel boundary of the screenshot, inside it."""
        origin, scale = self.image_rect().topLeft(), self._scale()
        x = round((point.x() - origin.x()) / scale)
        y = round((point.y() - origin.y()) / scale)
        return QPoint(max(0, min(self._image.width(), x)), max(0, min(self._image.height(), y)))

    def selection(self) -> QRect | None:
        return QRect(self._selection) if self._selection is not None else None

    def label_text(self) -> str:
        """What the overlay says about the rectangle being dragged (size and cost)."""
        if self._selection is None:
            return HINT
        return cost_text(self._selection.width(), self._selection.height())

    # -- intent --------------------------------------------------------------------------------

    def _drag_to(self, point: QPointF) -> None:
        assert self._anchor is not None
        end = self.to_image(point)
        left, right = sorted((self._anchor.x(), end.x()))
        top, bottom = sorted((self._anchor.y(), end.y()))
        self._selection = (
            QRect(left, top, right - left, bottom - top) if right > left and bottom > top else None
        )
        self.update()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._anchor = self.to_image(event.position())
            self._drag_to(event.position())
        elif event.button() == Qt.MouseButton.RightButton:
            self.cancel()
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._anchor is not None:
            self._drag_to(event.position())
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._anchor is None or event.button() != Qt.MouseButton.LeftButton:
            return
        self._drag_to(event.position())
        self._anchor = None
        if self._selection is not None:  # a click without a drag selects nothing
            self._finish(self._selection)
        event.accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.cancel()
        elif event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._finish(self._image.rect())
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def cancel(self) -> None:
        if not self._done:
            self._done = True
            self.cancelled.emit()
        self.close()

    def _finish(self, region: QRect) -> None:
        if self._done or region.isEmpty():
            return
        self._done = True
        piece = self._image.copy(region)
        piece.setDevicePixelRatio(1.0)
        self.regionSelected.emit(piece)
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._done:
            self._done = True
            self.cancelled.emit()
        super().closeEvent(event)

    # -- painting ------------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("black"))
        target = self.image_rect()
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.drawImage(target, self._image, QRectF(self._image.rect()))
        if self._selection is None:
            painter.fillRect(target, _SHADE)
        else:
            sel = self._selection
            chosen = QRectF(
                self.to_view(sel.topLeft()),
                self.to_view(QPointF(sel.x() + sel.width(), sel.y() + sel.height())),
            )
            for part in (
                QRectF(target.left(), target.top(), target.width(), chosen.top() - target.top()),
                QRectF(
                    target.left(),
                    chosen.bottom(),
                    target.width(),
                    target.bottom() - chosen.bottom(),
                ),
                QRectF(target.left(), chosen.top(), chosen.left() - target.left(), chosen.height()),
                QRectF(
                    chosen.right(), chosen.top(), target.right() - chosen.right(), chosen.height()
                ),
            ):
                painter.fillRect(part, _SHADE)
            painter.setPen(QPen(_ACCENT, 2))
            painter.drawRect(chosen)
        self._paint_label(painter)
        painter.end()

    def _paint_label(self, painter: QPainter) -> None:
        text = self.label_text()
        metrics = painter.fontMetrics()
        box = metrics.boundingRect(text).adjusted(-10, -6, 10, 6)
        if self._selection is None:
            box.moveCenter(QPoint(self.width() // 2, box.height()))
        else:
            corner = self.to_view(self._selection.topLeft()).toPoint()
            box.moveBottomLeft(QPoint(corner.x(), corner.y() - 4))
            if box.top() < 0:
                box.moveTopLeft(QPoint(corner.x() + 4, corner.y() + 4))
            box.moveLeft(max(0, min(self.width() - box.width(), box.left())))
        painter.fillRect(box, QColor(0, 0, 0, 190))
        painter.setPen(QColor("white"))
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
