"""The picture of an image as sent, its 448-px tile grid, and a rectangle dragged over it.

All positions the canvas reports are in *sent pixels* (the prepared image's own pixels, which the
tile formula prices), snapped to whole pixels; the picture is scaled to fit the widget. Tiles
past the six that count are greyed and hatched. The selection draws its own tile grid (dashed,
from its corner), which is the grid it will have once cropped.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QEvent, QPoint, QPointF, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QPixmap,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.core.budget import TILE_SIZE
from app.core.crop import Tile, tile_grid

MARGIN = 8  # around the image inside the canvas, in view pixels
MAX_UPSCALE = 8.0  # small images are enlarged to fill the view, up to this factor
_SHADE = QColor(0, 0, 0, 120)
_UNCOUNTED_WASH = QColor(128, 128, 128, 90)  # tiles past the six that count: greyed
_UNCOUNTED_HATCH = QColor(40, 40, 40, 160)  # and hatched


_ARROWS = {
    Qt.Key.Key_Left: (-1, 0),
    Qt.Key.Key_Right: (1, 0),
    Qt.Key.Key_Up: (0, -1),
    Qt.Key.Key_Down: (0, 1),
}


class TileCanvas(QWidget):
    """The image scaled to fit, its tile grid and the selection (all in sent pixels)."""

    selectionChanged = Signal()  # while dragging too
    cropKeyPressed = Signal()  # Enter on a selection: crop to it

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("imagePreviewCanvas")
        self.setAccessibleName("Image as sent, with its 448-pixel tile grid")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setMinimumSize(320, 220)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._size = QSize()  # sent pixels
        self._tiles: list[Tile] = []
        self._image: QImage | None = None
        self._scaled: QPixmap | None = None
        self._message = "Decoding…"
        self._selection: QRect | None = None  # sent pixels
        self._anchor: QPoint | None = None  # where the drag started, sent pixels

    # -- content -------------------------------------------------------------------------------

    def set_sent_size(self, width: int, height: int) -> None:
        size = QSize(width, height)
        if size != self._size:
            self._size = size
            self._tiles = tile_grid(width, height) if width > 0 and height > 0 else []
            self.clear_selection()
            self.update()

    def sent_size(self) -> QSize:
        return QSize(self._size)

    def tiles(self) -> list[Tile]:
        return list(self._tiles)

    def set_image(self, image: QImage | None, message: str = "") -> None:
        """Show these pixels (their size must be the sent size), or a message instead."""
        if image is not None and image.size() != self._size:
            message = (
                f"The image data is {image.width()}×{image.height()} px, "
                f"not {self._size.width()}×{self._size.height()}."
            )
            image = None
        self._image = image
        self._scaled = None
        self._message = message
        if image is None:
            self.clear_selection()
        self.update()

    def has_image(self) -> bool:
        return self._image is not None

    def message(self) -> str:
        return "" if self._image is not None else self._message

    # -- geometry ------------------------------------------------------------------------------

    def scale(self) -> float:
        """View pixels per sent pixel."""
        if self._size.isEmpty():
            return 1.0
        width = max(1, self.width() - 2 * MARGIN)
        height = max(1, self.height() - 2 * MARGIN)
        return min(width / self._size.width(), height / self._size.height(), MAX_UPSCALE)

    def image_rect(self) -> QRectF:
        """Where the image is drawn, in view coordinates."""
        scale = self.scale()
        width, height = self._size.width() * scale, self._size.height() * scale
        return QRectF((self.width() - width) / 2, (self.height() - height) / 2, width, height)

    def to_view(self, point: QPointF | QPoint) -> QPointF:
        """A point in sent pixels → view coordinates."""
        origin = self.image_rect().topLeft()
        scale = self.scale()
        return QPointF(origin.x() + point.x() * scale, origin.y() + point.y() * scale)

    def to_sent(self, point: QPointF | QPoint) -> QPoint:
        """A view point → the nearest pixel boundary in sent pixels, inside the image."""
        origin = self.image_rect().topLeft()
        scale = self.scale()
        x = round((point.x() - origin.x()) / scale)
        y = round((point.y() - origin.y()) / scale)
        return QPoint(max(0, min(self._size.width(), x)), max(0, min(self._size.height(), y)))

    def _view_rect(self, x: float, y: float, width: float, height: float) -> QRectF:
        return QRectF(self.to_view(QPointF(x, y)), self.to_view(QPointF(x + width, y + height)))

    # -- selection -----------------------------------------------------------------------------

    def selection(self) -> QRect | None:
        """The selected region in sent pixels (never empty), or None."""
        return QRect(self._selection) if self._selection is not None else None

    def dragging(self) -> bool:
        return self._anchor is not None

    def clear_selection(self) -> None:
        self._anchor = None
        if self._selection is not None:
            self._selection = None
            self.selectionChanged.emit()
            self.update()

    def _drag_to(self, point: QPointF) -> None:
        assert self._anchor is not None
        end = self.to_sent(point)
        left, right = sorted((self._anchor.x(), end.x()))
        top, bottom = sorted((self._anchor.y(), end.y()))
        selection = (
            QRect(left, top, right - left, bottom - top) if right > left and bottom > top else None
        )
        if selection != self._selection:
            self._selection = selection
            self.selectionChanged.emit()
            self.update()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self._image is not None:
            self._anchor = self.to_sent(event.position())
            self._drag_to(event.position())
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._anchor is not None:
            self._drag_to(event.position())
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._anchor is not None and event.button() == Qt.MouseButton.LeftButton:
            self._drag_to(event.position())
            self._anchor = None
            self.selectionChanged.emit()
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = Qt.Key(event.key())
        if key == Qt.Key.Key_Escape and (self._selection is not None or self._anchor is not None):
            self.clear_selection()  # the first Esc drops the selection, the next one closes
            event.accept()
            return
        if key in _ARROWS and self._image is not None and self._anchor is None:
            shift = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
            self._nudge(key, resize=shift)
            event.accept()
            return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self._selection is not None:
            self.cropKeyPressed.emit()
            event.accept()
            return
        super().keyPressEvent(event)

    def _nudge(self, key: Qt.Key, *, resize: bool) -> None:
        """The keyboard's selection: the first arrow selects the middle half of the image;
        then arrows move it and Shift+arrows resize it, by a twentieth of the image."""
        width, height = self._size.width(), self._size.height()
        if width < 2 or height < 2:
            return
        if self._selection is None:
            selection = QRect(width // 4, height // 4, max(1, width // 2), max(1, height // 2))
        else:
            dx, dy = _ARROWS[key]
            step_x, step_y = max(1, width // 20), max(1, height // 20)
            selection = QRect(self._selection)
            if resize:
                selection.setWidth(
                    max(step_x, min(width - selection.x(), selection.width() + dx * step_x))
                )
                selection.setHeight(
                    max(step_y, min(height - selection.y(), selection.height() + dy * step_y))
                )
            else:
                x = min(max(0, selection.x() + dx * step_x), width - selection.width())
                y = min(max(0, selection.y() + dy * step_y), height - selection.height())
                selection.moveTo(x, y)
        if selection != self._selection:
            self._selection = selection
            self.selectionChanged.emit()
            self.update()

    # -- painting ------------------------------------------------------------------------------

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.DevicePixelRatioChange:
            self._scaled = None
        super().changeEvent(event)

    def _pixmap(self, target: QRectF) -> QPixmap | None:
        if self._image is None:
            return None
        ratio = self.devicePixelRatioF()
        size = QSize(max(1, round(target.width() * ratio)), max(1, round(target.height() * ratio)))
        if self._scaled is None or self._scaled.size() != size:
            smooth = size.width() < self._image.width()  # enlarged pixels stay crisp squares
            mode = (
                Qt.TransformationMode.SmoothTransformation
                if smooth
                else Qt.TransformationMode.FastTransformation
            )
            pixmap = QPixmap.fromImage(
                self._image.scaled(size, Qt.AspectRatioMode.IgnoreAspectRatio, mode)
            )
            pixmap.setDevicePixelRatio(ratio)
            self._scaled = pixmap
        return self._scaled

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        palette = self.palette()
        painter.fillRect(self.rect(), palette.color(QPalette.ColorRole.Dark))
        target = self.image_rect()
        pixmap = self._pixmap(target)
        if pixmap is None:
            painter.setPen(palette.color(QPalette.ColorRole.BrightText))
            painter.drawText(
                self.rect().adjusted(MARGIN, MARGIN, -MARGIN, -MARGIN),
                Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                self._message,
            )
            painter.end()
            return
        painter.drawPixmap(target, pixmap, QRectF(pixmap.rect()))
        self._paint_tiles(painter)
        if self._selection is not None:
            self._paint_selection(painter, target)
        painter.end()

    def _paint_tiles(self, painter: QPainter) -> None:
        font = QFont(self.font())
        font.setBold(True)
        painter.setFont(font)
        metrics = painter.fontMetrics()
        for tile in self._tiles:
            rect = self._view_rect(tile.left, tile.top, tile.width, tile.height)
            if not tile.counted:
                painter.fillRect(rect, _UNCOUNTED_WASH)
                painter.fillRect(rect, QBrush(_UNCOUNTED_HATCH, Qt.BrushStyle.BDiagPattern))
            # A dark line under a light one: the grid shows on any picture.
            for colour, width in ((QColor(0, 0, 0, 170), 3.0), (QColor(255, 255, 255, 220), 1.0)):
                painter.setPen(QPen(colour, width))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawRect(rect)
            label = str(tile.index + 1) if tile.counted else f"{tile.index + 1}: not counted"
            box = metrics.boundingRect(label).adjusted(-4, -1, 4, 1)
            if box.width() + 6 <= rect.width() and box.height() + 6 <= rect.height():
                box.moveTopLeft(QPoint(round(rect.left()) + 3, round(rect.top()) + 3))
                painter.fillRect(box, QColor(0, 0, 0, 150))
                painter.setPen(QColor("white"))
                painter.drawText(box, Qt.AlignmentFlag.AlignCenter, label)

    def _paint_selection(self, painter: QPainter, target: QRectF) -> None:
        assert self._selection is not None
        sel = self._selection
        chosen = self._view_rect(sel.x(), sel.y(), sel.width(), sel.height())
        # Shade what the crop leaves out.
        painter.fillRect(
            QRectF(target.left(), target.top(), target.width(), chosen.top() - target.top()), _SHADE
        )
        painter.fillRect(
            QRectF(
                target.left(), chosen.bottom(), target.width(), target.bottom() - chosen.bottom()
            ),
            _SHADE,
        )
        painter.fillRect(
            QRectF(target.left(), chosen.top(), chosen.left() - target.left(), chosen.height()),
            _SHADE,
        )
        painter.fillRect(
            QRectF(chosen.right(), chosen.top(), target.right() - chosen.right(), chosen.height()),
            _SHADE,
        )
        # The crop's own tiles start at its corner.
        painter.setPen(QPen(QColor(255, 255, 0, 220), 1, Qt.PenStyle.DashLine))
        for column in range(1, math.ceil(sel.width() / TILE_SIZE)):
            x = self.to_view(QPointF(sel.x() + column * TILE_SIZE, 0)).x()
            painter.drawLine(QPointF(x, chosen.top()), QPointF(x, chosen.bottom()))
        for row in range(1, math.ceil(sel.height() / TILE_SIZE)):
            y = self.to_view(QPointF(0, sel.y() + row * TILE_SIZE)).y()
            painter.drawLine(QPointF(chosen.left(), y), QPointF(chosen.right(), y))
        painter.setPen(QPen(self.palette().color(QPalette.ColorRole.Highlight), 2))
        painter.drawRect(chosen)
