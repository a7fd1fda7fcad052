"""Painting the tile grid and the crop selection over the preview's picture.

Everything is given in sent pixels and placed in the widget by `to_view` (a sent point → a view
point) and `scale` (view pixels per sent pixel), so the grid follows the canvas's zoom and pan.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from PySide6.QtCore import QPoint, QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPen

from app.core.budget import TILE_SIZE
from app.core.crop import Tile

ToView = Callable[[QPointF], QPointF]
SHADE = QColor(0, 0, 0, 120)
_UNCOUNTED_WASH = QColor(128, 128, 128, 90)  # tiles past the six that count: greyed
_UNCOUNTED_HATCH = QColor(40, 40, 40, 160)  # and hatched
_GRID_DARK = QColor(0, 0, 0, 170)
_GRID_LIGHT = QColor(255, 255, 255, 220)
_LABEL_BACK = QColor(0, 0, 0, 150)


def view_rect(to_view: ToView, x: float, y: float, width: float, height: float) -> QRectF:
    """A rectangle in sent pixels → view coordinates."""
    return QRectF(to_view(QPointF(x, y)), to_view(QPointF(x + width, y + height)))


def paint_tiles(
    painter: QPainter, tiles: Sequence[Tile], to_view: ToView, scale: float, area: QRectF
) -> None:
    """The grid over the image drawn in `area`, the uncounted tiles hatched, and the labels."""
    # A few fills and lines for the whole grid, not some per tile: a 60-MP photo has 247.
    for rect in _uncounted_rects(tiles, to_view):
        painter.fillRect(rect, _UNCOUNTED_WASH)
        painter.fillRect(rect, QBrush(_UNCOUNTED_HATCH, Qt.BrushStyle.BDiagPattern))
    xs = sorted({t.left for t in tiles} | {t.left + t.width for t in tiles})
    ys = sorted({t.top for t in tiles} | {t.top + t.height for t in tiles})
    # A dark line under a light one: the grid shows on any picture. Filled rectangles, not
    # pen strokes: wide pens are slow.
    for colour, line in ((_GRID_DARK, 3.0), (_GRID_LIGHT, 1.0)):
        for x in xs:
            left = to_view(QPointF(x, 0)).x() - line / 2
            painter.fillRect(QRectF(left, area.top() - 1, line, area.height() + 2), colour)
        for y in ys:
            top = to_view(QPointF(0, y)).y() - line / 2
            painter.fillRect(QRectF(area.left() - 1, top, area.width() + 2, line), colour)
    _paint_labels(painter, tiles, to_view, scale)


def _uncounted_rects(tiles: Sequence[Tile], to_view: ToView) -> list[QRectF]:
    """The tiles past the counted ones, as one rectangle per run of rows alike."""
    spans: list[tuple[int, int, int, int]] = []  # left, top, right, bottom in sent pixels
    for tile in tiles:
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
    return [view_rect(to_view, x, y, r - x, b - y) for x, y, r, b in spans]


def _paint_labels(painter: QPainter, tiles: Sequence[Tile], to_view: ToView, scale: float) -> None:
    font = QFont(painter.font())
    font.setBold(True)
    painter.setFont(font)
    metrics = painter.fontMetrics()
    shown = TILE_SIZE * scale  # a whole tile's side in view pixels
    if metrics.height() + 8 > shown or metrics.horizontalAdvance("0") + 14 > shown:
        return  # not even a number fits in a tile
    # The widest "N: not counted" any tile has; when it cannot fit, none is measured.
    uncounted_fits = metrics.horizontalAdvance(f"{len(tiles)}: not counted") + 14 <= shown
    painter.setPen(QColor(255, 255, 255))
    for tile in tiles:
        if not tile.counted and not uncounted_fits:
            continue
        rect = view_rect(to_view, tile.left, tile.top, tile.width, tile.height)
        label = str(tile.index + 1) if tile.counted else f"{tile.index + 1}: not counted"
        box = metrics.boundingRect(label).adjusted(-4, -1, 4, 1)
        if box.width() + 6 <= rect.width() and box.height() + 6 <= rect.height():
            box.moveTopLeft(QPoint(round(rect.left()) + 3, round(rect.top()) + 3))
            painter.fillRect(box, _LABEL_BACK)
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, label)


def paint_selection(
    painter: QPainter, sel: QRect, to_view: ToView, target: QRectF, outline: QColor
) -> None:
    """The crop region: what it leaves out shaded, its own tile grid dashed from its corner."""
    chosen = view_rect(to_view, sel.x(), sel.y(), sel.width(), sel.height())
    painter.fillRect(
        QRectF(target.left(), target.top(), target.width(), chosen.top() - target.top()), SHADE
    )
    painter.fillRect(
        QRectF(target.left(), chosen.bottom(), target.width(), target.bottom() - chosen.bottom()),
        SHADE,
    )
    painter.fillRect(
        QRectF(target.left(), chosen.top(), chosen.left() - target.left(), chosen.height()), SHADE
    )
    painter.fillRect(
        QRectF(chosen.right(), chosen.top(), target.right() - chosen.right(), chosen.height()),
        SHADE,
    )
    painter.setPen(QPen(QColor(255, 255, 0, 220), 1, Qt.PenStyle.DashLine))
    for column in range(1, math.ceil(sel.width() / TILE_SIZE)):
        x = to_view(QPointF(sel.x() + column * TILE_SIZE, 0)).x()
        painter.drawLine(QPointF(x, chosen.top()), QPointF(x, chosen.bottom()))
    for row in range(1, math.ceil(sel.height() / TILE_SIZE)):
        y = to_view(QPointF(0, sel.y() + row * TILE_SIZE)).y()
        painter.drawLine(QPointF(chosen.left(), y), QPointF(chosen.right(), y))
    painter.setPen(QPen(outline, 2))
    painter.drawRect(chosen)
