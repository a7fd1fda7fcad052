"""The picture of an image as sent, its 448-px tile grid, and a rectangle dragged over it.

All positions the canvas reports are in *sent pixels* (the prepared image's own pixels, which the
tile formula prices), snapped to whole pixels; the picture is scaled to fit the widget. Tiles
past the six that count are greyed and hatched. The selection draws its own tile grid (dashed,
from its corner), which is the grid it will have once cropped.

The canvas never holds the full-size pixels: it paints from a copy no larger than the screen
(`app.ui.preview_picture`), while every position stays in sent pixels. While the widget is being
resized it draws that copy unfiltered; a smooth copy of the widget's size follows once resizing
pauses. Until the picture arrives, a placeholder (the small thumbnail, enlarged) and a message.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QEvent, QPoint, QPointF, QRect, QRectF, QSize, Qt, QTimer, Signal
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
    QResizeEvent,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.core.budget import TILE_SIZE
from app.core.crop import Tile, tile_grid

MARGIN = 8  # around the image inside the canvas, in view pixels
MAX_UPSCALE = 8.0  # small images are enlarged to fill the view, up to this factor
SETTLE_MS = 120  # after the last resize step, the smooth picture replaces the quick one
_SHADE = QColor(0, 0, 0, 120)
_UNCOUNTED_WASH = QColor(128, 128, 128, 90)  # tiles past the six that count: greyed
_UNCOUNTED_HATCH = QColor(40, 40, 40, 160)  # and hatched
_GRID_DARK = QColor(0, 0, 0, 170)
_GRID_LIGHT = QColor(255, 255, 255, 220)
_LABEL_BACK = QColor(0, 0, 0, 150)


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
        self._image: QImage | None = None  # the screen-sized copy, never the full image
        self._scaled: QPixmap | None = None  # the copy at the widget's size, smooth
        self._placeholder: QImage | None = None
        self._message = "Decoding…"
        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(SETTLE_MS)
        self._settle.timeout.connect(self.update)
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

    def set_image(
        self, image: QImage | None, message: str = "", full_size: QSize | None = None
    ) -> None:
        """Show this picture, a copy of an image of `full_size` pixels (by default the
        picture's own size), which must be the sent size; or a message instead."""
        full = QSize(full_size) if full_size is not None else image.size() if image else QSize()
        if image is not None and full != self._size:
            message = (
                f"The image data is {full.width()}×{full.height()} px, "
                f"not {self._size.width()}×{self._size.height()}."
            )
            image = None
        self._image = image
        self._scaled = None
        self._placeholder = None
        self._message = message
        if image is None:
            self.clear_selection()
        self.update()

    def set_placeholder(self, thumbnail: QImage | None, message: str) -> None:
        """No picture yet: the thumbnail (if any) enlarged, under the message."""
        self.set_image(None, message)
        self._placeholder = thumbnail if thumbnail is not None and not thumbnail.isNull() else None

    def has_image(self) -> bool:
        return self._image is not None

    def has_placeholder(self) -> bool:
        return self._image is None and self._placeholder is not None

    def picture(self) -> QImage | None:
        """The copy the canvas paints from."""
        return self._image

    def picture_size(self) -> QSize:
        """The size of the copy the canvas paints from (empty when it has none)."""
        return self._image.size() if self._image is not None else QSize()

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

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._settle.start()  # the quick picture until resizing pauses
        super().resizeEvent(event)

    def _smooth(self, target: QRectF) -> QPixmap | None:
        """The picture at the target's size, or None while resizing (draw it quickly then)."""
        assert self._image is not None
        ratio = self.devicePixelRatioF()
        size = QSize(max(1, round(target.width() * ratio)), max(1, round(target.height() * ratio)))
        if self._scaled is not None and self._scaled.size() == size:
            return self._scaled
        if self._settle.isActive():
            return None
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
        return pixmap

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        palette = self.palette()
        painter.fillRect(self.rect(), palette.color(QPalette.ColorRole.Dark))
        target = self.image_rect()
        if self._image is None:
            if self._placeholder is not None:
                painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
                painter.drawImage(target, self._placeholder, QRectF(self._placeholder.rect()))
                painter.fillRect(self.rect(), _SHADE)
            painter.setPen(palette.color(QPalette.ColorRole.BrightText))
            painter.drawText(
                self.rect().adjusted(MARGIN, MARGIN, -MARGIN, -MARGIN),
                Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                self._message,
            )
            painter.end()
            return
        pixmap = self._smooth(target)
        if pixmap is not None:
            painter.drawPixmap(target, pixmap, QRectF(pixmap.rect()))
        else:
            painter.drawImage(target, self._image, QRectF(self._image.rect()))
        self._paint_tiles(painter)
        if self._selection is not None:
            self._paint_selection(painter, target)
        painter.end()

    def _paint_tiles(self, painter: QPainter) -> None:
        # A few fills and lines for the whole grid, not some per tile: a 60-MP photo has 247.
        for rect in self._uncounted_rects():
            painter.fillRect(rect, _UNCOUNTED_WASH)
            painter.fillRect(rect, QBrush(_UNCOUNTED_HATCH, Qt.BrushStyle.BDiagPattern))
        xs = sorted({t.left for t in self._tiles} | {t.left + t.width for t in self._tiles})
        ys = sorted({t.top for t in self._tiles} | {t.top + t.height for t in self._tiles})
        area = self.image_rect()
        # A dark line under a light one: the grid shows on any picture. Filled rectangles, not
        # pen strokes: wide pens are slow.
        for colour, line in ((_GRID_DARK, 3.0), (_GRID_LIGHT, 1.0)):
            for x in xs:
                left = self.to_view(QPointF(x, 0)).x() - line / 2
                painter.fillRect(QRectF(left, area.top() - 1, line, area.height() + 2), colour)
            for y in ys:
                top = self.to_view(QPointF(0, y)).y() - line / 2
                painter.fillRect(QRectF(area.left() - 1, top, area.width() + 2, line), colour)
        self._paint_labels(painter)

    def _uncounted_rects(self) -> list[QRectF]:
        """The tiles past the counted ones, as one rectangle per run of rows alike."""
        spans: list[tuple[int, int, int, int]] = []  # left, top, right, bottom in sent pixels
        for tile in self._tiles:
            if tile.counted:
                continue
            right, bottom = tile.left + tile.width, tile.top + tile.height
            if spans and spans[-1][1] == tile.top:  # the same row: extend it
                left, top, _, _ = spans[-1]
                spans[-1] = (left, top, right, bottom)
            elif spans and spans[-1][0] == tile.left and spans[-1][3] == tile.top:
                left, top, right, _ = spans[-1]  # a new row under one alike: merge, extend
                spans[-1] = (left, top, right, bottom)
            else:
                spans.append((tile.left, tile.top, right, bottom))
        return [self._view_rect(x, y, r - x, b - y) for x, y, r, b in spans]

    def _paint_labels(self, painter: QPainter) -> None:
        font = QFont(self.font())
        font.setBold(True)
        painter.setFont(font)
        metrics = painter.fontMetrics()
        shown = TILE_SIZE * self.scale()  # a whole tile's side in view pixels
        if metrics.height() + 8 > shown or metrics.horizontalAdvance("0") + 14 > shown:
            return  # not even a number fits in a tile
        # The widest "N: not counted" any tile has; when it cannot fit, none is measured.
        uncounted_fits = metrics.horizontalAdvance(f"{len(self._tiles)}: not counted") + 14 <= shown
        painter.setPen(QColor(255, 255, 255))
        for tile in self._tiles:
            if not tile.counted and not uncounted_fits:
                continue
            rect = self._view_rect(tile.left, tile.top, tile.width, tile.height)
            label = str(tile.index + 1) if tile.counted else f"{tile.index + 1}: not counted"
            box = metrics.boundingRect(label).adjusted(-4, -1, 4, 1)
            if box.width() + 6 <= rect.width() and box.height() + 6 <= rect.height():
                box.moveTopLeft(QPoint(round(rect.left()) + 3, round(rect.top()) + 3))
                painter.fillRect(box, _LABEL_BACK)
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
