"""What the preview's canvas paints the image from, and how it paints it.

`CanvasPicture` holds the screen-sized copy of the prepared image, a smooth copy of it at the
fitted size (made once resizing pauses), and, when zoomed past the copy's resolution, a part of
the image at full resolution (`detail`). Zoomed in, only the part in view is drawn: enlarged
pixels stay crisp squares, shrunk ones are filtered.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QImage, QPainter, QPixmap

DETAIL_MARGIN = 0.25  # the sharp part asked for reaches this share of the view past each edge


class CanvasPicture:
    """See the module docstring."""

    def __init__(self) -> None:
        self.image: QImage | None = None  # the screen-sized copy, never the full image
        self.detail: tuple[QRect, QImage] | None = None  # a part at full resolution
        self._scaled: QPixmap | None = None  # the copy at the fitted size, smooth

    def set(self, image: QImage | None) -> None:
        self.image = image
        self.detail = None
        self._scaled = None

    def wanted_detail(self, sent: QSize, zoom: float, visible: QRect) -> QRect | None:
        """The part to ask for at full resolution: when shown at `zoom` screen pixels per sent
        pixel, past the copy's resolution, and the sharp part held does not cover `visible`."""
        if self.image is None or sent.isEmpty():
            return None
        copy_ratio = self.image.width() / sent.width()
        if copy_ratio >= 1 or zoom <= copy_ratio * 1.05:
            return None
        if self.detail is not None and self.detail[0].contains(visible):
            return None
        grow_x = round(visible.width() * DETAIL_MARGIN)
        grow_y = round(visible.height() * DETAIL_MARGIN)
        wanted = visible.adjusted(-grow_x, -grow_y, grow_x, grow_y)
        return wanted.intersected(QRect(QPoint(0, 0), sent))

    def forget_scaled(self) -> None:
        self._scaled = None

    def _smooth(self, target: QRectF, ratio: float, settling: bool) -> QPixmap | None:
        """The fitted picture at the target's size, or None while resizing (draw it quickly)."""
        assert self.image is not None
        size = QSize(max(1, round(target.width() * ratio)), max(1, round(target.height() * ratio)))
        if self._scaled is not None and self._scaled.size() == size:
            return self._scaled
        if settling:
            return None
        smooth = size.width() < self.image.width()  # enlarged pixels stay crisp squares
        mode = (
            Qt.TransformationMode.SmoothTransformation
            if smooth
            else Qt.TransformationMode.FastTransformation
        )
        pixmap = QPixmap.fromImage(
            self.image.scaled(size, Qt.AspectRatioMode.IgnoreAspectRatio, mode)
        )
        pixmap.setDevicePixelRatio(ratio)
        self._scaled = pixmap
        return pixmap

    def paint_fitted(
        self, painter: QPainter, target: QRectF, ratio: float, *, settling: bool
    ) -> None:
        assert self.image is not None
        pixmap = self._smooth(target, ratio, settling)
        if pixmap is not None:
            painter.drawPixmap(target, pixmap, QRectF(pixmap.rect()))
        else:
            painter.drawImage(target, self.image, QRectF(self.image.rect()))

    def paint_zoomed(
        self, painter: QPainter, target: QRectF, detail_at: QRectF, view: QRectF, ratio: float
    ) -> None:
        """The copy drawn over `target`, the sharp part (if any) over `detail_at`, both only
        where they are in `view`."""
        assert self.image is not None
        _paint_part(painter, self.image, target, view, ratio)
        if self.detail is not None:
            _paint_part(painter, self.detail[1], detail_at, view, ratio)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)


def _paint_part(
    painter: QPainter, image: QImage, where: QRectF, view: QRectF, ratio: float
) -> None:
    """The part of `image` (drawn whole over `where`) that is in `view`."""
    shown = where.intersected(view)
    if shown.isEmpty():
        return
    sx, sy = image.width() / where.width(), image.height() / where.height()
    source = QRectF(
        (shown.left() - where.left()) * sx,
        (shown.top() - where.top()) * sy,
        shown.width() * sx,
        shown.height() * sy,
    )
    enlarged = sx * ratio < 1
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, not enlarged)
    painter.drawImage(shown, image, source)
