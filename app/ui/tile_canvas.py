"""The picture of an image as sent, its 448-px tile grid, and a rectangle dragged over it.

All positions the canvas reports are in *sent pixels* (the prepared image's own pixels, which the
tile formula prices), snapped to whole pixels. The picture is fitted to the widget, or zoomed
(Ctrl+wheel at the pointer, `zoom_step`, `zoom_fit`, `zoom_actual`) and panned (a drag with the
middle button or with Space held, the wheel, Shift+wheel: `app.ui.canvas_pan`); `CanvasZoom` says
where it is drawn, and the grid, the selection and the marks follow. Tiles past the six that
count are greyed and hatched; the selection draws its own tile grid (dashed, from its corner),
the grid it will have once cropped (`app.ui.tile_paint`).

The canvas never holds the full-size pixels: it paints from a copy no larger than the screen
(`app.ui.preview_picture`). Zoomed past that copy's resolution it asks (`detailWanted`) for the
visible part at full resolution, which the preview's flow decodes on a worker and hands back with
`set_detail`. While the widget is being resized it draws the fitted copy unfiltered; a smooth copy
of the widget's size follows once resizing pauses. Until the picture arrives, a placeholder (the
small thumbnail, enlarged) and a message.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QPoint, QPointF, QRect, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QResizeEvent,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.core.crop import Tile, tile_grid
from app.ui.canvas_pan import CanvasPan
from app.ui.canvas_picture import CanvasPicture
from app.ui.canvas_zoom import MARGIN, CanvasZoom, ViewState
from app.ui.selection_nudge import ARROWS, nudged
from app.ui.tile_paint import SHADE, paint_selection, paint_tiles, view_rect

__all__ = ["MARGIN", "TileCanvas"]

SETTLE_MS = 120  # after the last resize, zoom or pan step, the smooth or sharp picture follows


class TileCanvas(QWidget):
    """The image fitted or zoomed, its tile grid and the selection (all in sent pixels)."""

    selectionChanged = Signal()  # while dragging too
    cropKeyPressed = Signal()  # Enter on a selection: crop to it
    zoomChanged = Signal()
    detailWanted = Signal(QRect)  # sent pixels to decode at full resolution (`set_detail`)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("imagePreviewCanvas")
        self.setAccessibleName("Image as sent, with its 448-pixel tile grid")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setMinimumSize(320, 220)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._size = QSize()  # sent pixels
        self._zoom = CanvasZoom()
        self._tiles: list[Tile] = []
        self._picture = CanvasPicture()
        self._placeholder: QImage | None = None
        self._message = "Decoding…"
        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(SETTLE_MS)
        self._settle.timeout.connect(self._settled)
        self._selection: QRect | None = None  # sent pixels
        self._anchor: QPoint | None = None  # where the drag started, sent pixels
        self.pan = CanvasPan(self, self)
        self.installEventFilter(self.pan)
        self.grid = True  # draw the tile grid
        self.selectable = True  # a drag or the arrow keys select a region

    # -- content -------------------------------------------------------------------------------

    def set_sent_size(self, width: int, height: int) -> None:
        size = QSize(width, height)
        if size != self._size:
            self._size = size
            self._zoom.set_sent_size(size)
            self._tiles = tile_grid(width, height) if width > 0 and height > 0 else []
            self._picture.detail = None
            self.clear_selection()
            self.zoomChanged.emit()
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
        self._picture.set(image)
        self._placeholder = None
        self._message = message
        if image is None:
            self.clear_selection()
        else:
            self._settle.start()  # zoomed in already: the sharp part follows
        self.update()

    def set_detail(self, region: QRect, image: QImage) -> None:
        """The part `region` (sent pixels) of the image at full resolution, asked for with
        `detailWanted`; ignored unless it is that size."""
        if self._picture.image is None or image.isNull() or image.size() != region.size():
            return
        self._picture.detail = (QRect(region), image)
        self.update()

    def detail_region(self) -> QRect | None:
        """The part held at full resolution, if any."""
        detail = self._picture.detail
        return QRect(detail[0]) if detail is not None else None

    def set_placeholder(self, thumbnail: QImage | None, message: str) -> None:
        """No picture yet: the thumbnail (if any) enlarged, under the message."""
        self.set_image(None, message)
        self._placeholder = thumbnail if thumbnail is not None and not thumbnail.isNull() else None

    def has_image(self) -> bool:
        return self._picture.image is not None

    def has_placeholder(self) -> bool:
        return self._picture.image is None and self._placeholder is not None

    def picture(self) -> QImage | None:
        """The copy the canvas paints from."""
        return self._picture.image

    def picture_size(self) -> QSize:
        """The size of the copy the canvas paints from (empty when it has none)."""
        return self._picture.image.size() if self._picture.image is not None else QSize()

    def message(self) -> str:
        return "" if self._picture.image is not None else self._message

    # -- geometry ------------------------------------------------------------------------------

    def scale(self) -> float:
        """View pixels per sent pixel."""
        return self._zoom.scale(self.size(), self.devicePixelRatioF())

    def image_rect(self) -> QRectF:
        """Where the image is drawn, in view coordinates."""
        return self._zoom.image_rect(self.size(), self.devicePixelRatioF())

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
        return view_rect(self.to_view, x, y, width, height)

    def visible_region(self) -> QRect:
        """The part of the image in view, in sent pixels."""
        shown = self.image_rect().intersected(QRectF(self.rect()))
        return QRect(self.to_sent(shown.topLeft()), self.to_sent(shown.bottomRight())).adjusted(
            0, 0, -1, -1
        )

    # -- zoom ----------------------------------------------------------------------------------

    def fitted(self) -> bool:
        return self._zoom.fitted()

    def zoom_percent(self) -> int:
        """Screen pixels per hundred sent pixels."""
        return self._zoom.percent(self.size(), self.devicePixelRatioF())

    def zoom_step(self, steps: int, anchor: QPointF | None = None) -> None:
        """Zoom in (`steps` > 0) or out, keeping the view point `anchor` (the middle) still."""
        self._zoomed(lambda: self._zoom.step(steps, self.size(), self.devicePixelRatioF(), anchor))

    def zoom_fit(self) -> None:
        self._zoomed(self._zoom.fit)

    def zoom_actual(self) -> None:
        """100 %: one sent pixel to one screen pixel."""
        self._zoomed(lambda: self._zoom.zoom_to(1.0, self.size(), self.devicePixelRatioF()))

    def view_state(self) -> ViewState:
        return self._zoom.state()

    def set_view_state(self, state: ViewState) -> None:
        """Show the part another canvas shows, as large."""
        self._zoomed(lambda: self._zoom.set_state(state, self.size(), self.devicePixelRatioF()))

    def pan_by(self, delta: QPointF) -> None:
        self._zoomed(lambda: self._zoom.pan(delta, self.size(), self.devicePixelRatioF()))

    def _zoomed(self, change: Callable[[], None]) -> None:
        if self._size.isEmpty():
            return
        change()
        self._settle.start()
        self.zoomChanged.emit()
        self.update()

    def _settled(self) -> None:
        self.update()
        wanted = self._wanted_detail()
        if wanted is not None:
            self.detailWanted.emit(wanted)

    def _wanted_detail(self) -> QRect | None:
        if self._zoom.fitted():
            return None
        zoom = self.scale() * self.devicePixelRatioF()
        return self._picture.wanted_detail(self._size, zoom, self.visible_region())

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
        left = event.button() == Qt.MouseButton.LeftButton
        if left and self.selectable and self._picture.image is not None:
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
        if (
            key in ARROWS
            and self.selectable
            and self._picture.image is not None
            and not self._anchor
        ):
            shift = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
            selection = nudged(self._selection, self._size, key, resize=shift)
            if selection is not None and selection != self._selection:
                self._selection = selection
                self.selectionChanged.emit()
                self.update()
            event.accept()
            return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self._selection is not None:
            self.cropKeyPressed.emit()
            event.accept()
            return
        super().keyPressEvent(event)

    # -- painting ------------------------------------------------------------------------------

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.DevicePixelRatioChange:
            self._picture.forget_scaled()
        super().changeEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._zoom.follow(self.size(), self.devicePixelRatioF())
        self._settle.start()  # the quick picture until resizing pauses
        self.zoomChanged.emit()
        super().resizeEvent(event)

    def _paint_picture(self, painter: QPainter, target: QRectF) -> None:
        ratio = self.devicePixelRatioF()
        if self._zoom.fitted():
            self._picture.paint_fitted(painter, target, ratio, settling=self._settle.isActive())
            return
        detail = self._picture.detail
        region = detail[0] if detail is not None else QRect()
        detail_at = self._view_rect(region.x(), region.y(), region.width(), region.height())
        self._picture.paint_zoomed(painter, target, detail_at, QRectF(self.rect()), ratio)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        palette = self.palette()
        painter.fillRect(self.rect(), palette.color(QPalette.ColorRole.Dark))
        target = self.image_rect()
        if self._picture.image is None:
            if self._placeholder is not None:
                painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
                painter.drawImage(target, self._placeholder, QRectF(self._placeholder.rect()))
                painter.fillRect(self.rect(), SHADE)
            painter.setPen(palette.color(QPalette.ColorRole.BrightText))
            painter.drawText(
                self.rect().adjusted(MARGIN, MARGIN, -MARGIN, -MARGIN),
                Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                self._message,
            )
            painter.end()
            return
        self._paint_picture(painter, target)
        if self.grid:
            paint_tiles(painter, self._tiles, self.to_view, self.scale(), target)
        if self._selection is not None:
            self._paint_selection(painter, target)
        painter.end()

    def _paint_selection(self, painter: QPainter, target: QRectF) -> None:
        assert self._selection is not None
        outline = self.palette().color(QPalette.ColorRole.Highlight)
        paint_selection(painter, self._selection, self.to_view, target, outline)
