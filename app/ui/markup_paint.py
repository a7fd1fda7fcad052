"""Painting marks over the preview as `app.core.markup_burn` burns them into the sent pixels.

Positions and sizes are in sent pixels; `to_view` and `scale` place them in the widget. A
pixelated region is painted from the canvas's screen-sized copy, in the same blocks.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from PySide6.QtCore import QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QImage,
    QPainter,
    QPainterPath,
    QPen,
    QPolygonF,
)

from app.core.markup import (
    ArrowMark,
    Box,
    Colour,
    Mark,
    NumberMark,
    RectMark,
    RedactMark,
    RedactStyle,
    TextMark,
    arrow_head,
    font_size,
    marker_radius,
    pixel_block,
)

ToView = Callable[[QPointF], QPointF]
_WHITE = QColor(255, 255, 255)


def _colour(rgb: Colour) -> QColor:
    return QColor(*rgb)


def _rect(to_view: ToView, box: Box) -> QRectF:
    return QRectF(to_view(QPointF(box[0], box[1])), to_view(QPointF(box[2], box[3])))


def paint_mark(
    painter: QPainter,
    mark: Mark,
    to_view: ToView,
    scale: float,
    picture: tuple[QImage, int] | None = None,
) -> None:
    """One mark, in sent pixels, painted where `to_view` puts it (`scale` view pixels per sent
    pixel); `picture` is the canvas's copy and the sent width, for pixelated regions."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    if isinstance(mark, RedactMark):
        copy, sent_width = picture if picture is not None else (None, 0)
        _paint_redaction(painter, mark, to_view, copy, sent_width)
    elif isinstance(mark, RectMark):
        width = mark.width * scale
        rect = _rect(to_view, mark.box).adjusted(width / 2, width / 2, -width / 2, -width / 2)
        pen = QPen(_colour(mark.colour), width)
        pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(rect)
    elif isinstance(mark, ArrowMark):
        tip, left, right = (
            to_view(QPointF(*p)) for p in arrow_head(mark.start, mark.end, mark.width)
        )
        painter.setPen(
            QPen(
                _colour(mark.colour),
                mark.width * scale,
                Qt.PenStyle.SolidLine,
                Qt.PenCapStyle.FlatCap,
            )
        )
        painter.drawLine(to_view(QPointF(*mark.start)), (left + right) / 2)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(_colour(mark.colour))
        painter.drawPolygon(QPolygonF([tip, left, right]))
    elif isinstance(mark, NumberMark):
        radius = marker_radius(mark.width) * scale
        centre = to_view(QPointF(*mark.centre))
        painter.setPen(QPen(_WHITE, max(1, mark.width // 2) * scale))
        painter.setBrush(_colour(mark.colour))
        painter.drawEllipse(centre, radius, radius)
        font = QFont(painter.font())
        font.setPixelSize(max(1, round(radius * 1.2)))
        painter.setFont(font)
        painter.setPen(_WHITE)
        box = QRectF(centre.x() - radius, centre.y() - radius, 2 * radius, 2 * radius)
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, str(mark.number))
    elif isinstance(mark, TextMark):
        font = QFont(painter.font())
        font.setPixelSize(max(1, round(font_size(mark.width) * scale)))
        origin = to_view(QPointF(*mark.origin))
        path = QPainterPath()
        path.addText(origin.x(), origin.y() + QFontMetricsF(font).ascent(), font, mark.text)
        painter.setPen(QPen(_WHITE, max(1, mark.width // 2) * 2 * scale))
        painter.drawPath(path)
        painter.fillPath(path, _colour(mark.colour))
    painter.restore()


def _paint_redaction(
    painter: QPainter, mark: RedactMark, to_view: ToView, picture: QImage | None, sent_width: int
) -> None:
    target = _rect(to_view, mark.box)
    if mark.style is RedactStyle.BLACK or picture is None or sent_width <= 0:
        painter.fillRect(target, QColor(0, 0, 0))
        return
    # The region of the copy averaged into one pixel per block, then drawn a block per pixel.
    left, top, right, bottom = mark.box
    block = pixel_block(mark.box)
    columns, rows = math.ceil((right - left) / block), math.ceil((bottom - top) / block)
    ratio = picture.width() / sent_width
    region = QRect(
        math.floor(left * ratio),
        math.floor(top * ratio),
        max(1, round((right - left) * ratio)),
        max(1, round((bottom - top) * ratio)),
    )
    blocks = picture.copy(region).scaled(
        QSize(columns, rows),
        Qt.AspectRatioMode.IgnoreAspectRatio,
        Qt.TransformationMode.SmoothTransformation,
    )
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, on=False)
    painter.setClipRect(target)
    painter.drawImage(
        _rect(to_view, (left, top, left + columns * block, top + rows * block)), blocks
    )
    painter.restore()
