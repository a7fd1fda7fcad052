"""Finding, moving and removing one mark: where each mark lies, which one a point is on, and a
mark moved by some pixels (all in sent pixels; pure)."""

from __future__ import annotations

import dataclasses

from app.core.markup import (
    ArrowMark,
    Box,
    Mark,
    NumberMark,
    Point,
    RectMark,
    RedactMark,
    TextMark,
    box_of,
    font_size,
    marker_radius,
)

SLOP = 6  # sent pixels around a mark that still count as on it


def bounds(mark: Mark) -> Box:
    """The box a mark covers (a text's is estimated from its length)."""
    if isinstance(mark, RectMark | RedactMark):
        return mark.box
    if isinstance(mark, ArrowMark):
        left, top, right, bottom = box_of(mark.start, mark.end)
        grow = mark.width * 3
        return left - grow, top - grow, right + grow, bottom + grow
    if isinstance(mark, NumberMark):
        x, y = mark.centre
        radius = marker_radius(mark.width)
        return x - radius, y - radius, x + radius, y + radius
    size = font_size(mark.width)
    x, y = mark.origin
    return x, y, x + round(len(mark.text) * size * 0.62) + size, y + round(size * 1.4)


def mark_at(marks: tuple[Mark, ...], point: Point, slop: int = SLOP) -> int | None:
    """The index of the topmost mark at `point`, or None."""
    x, y = point
    for index in range(len(marks) - 1, -1, -1):
        left, top, right, bottom = bounds(marks[index])
        if left - slop <= x <= right + slop and top - slop <= y <= bottom + slop:
            return index
    return None


def _shift(point: Point, dx: int, dy: int) -> Point:
    return point[0] + dx, point[1] + dy


def moved(mark: Mark, dx: int, dy: int, size: tuple[int, int]) -> Mark:
    """The mark moved by (dx, dy), kept inside an image of `size` as far as its box allows."""
    left, top, right, bottom = bounds(mark)
    dx = max(-left, min(size[0] - right, dx)) if right - left <= size[0] else dx
    dy = max(-top, min(size[1] - bottom, dy)) if bottom - top <= size[1] else dy
    if isinstance(mark, RectMark | RedactMark):
        box = mark.box
        return dataclasses.replace(mark, box=(box[0] + dx, box[1] + dy, box[2] + dx, box[3] + dy))
    if isinstance(mark, ArrowMark):
        return dataclasses.replace(
            mark, start=_shift(mark.start, dx, dy), end=_shift(mark.end, dx, dy)
        )
    if isinstance(mark, NumberMark):
        return dataclasses.replace(mark, centre=_shift(mark.centre, dx, dy))
    assert isinstance(mark, TextMark)
    return dataclasses.replace(mark, origin=_shift(mark.origin, dx, dy))
