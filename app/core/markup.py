"""Marks drawn over an image in the preview, as data: rectangles, arrows, numbered markers,
short texts and redacted regions, in *sent pixels* (the prepared image's own pixels, as a crop
box is), and the edit that holds them with its undo and redo.

The sizes of strokes, markers and text follow from the image's size, so that the canvas paints
and `app.core.markup_burn` burns the same shapes. No Qt here: the edit announces its changes to
the callables that subscribe to it.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Callable
from dataclasses import dataclass

Point = tuple[int, int]
Box = tuple[int, int, int, int]  # left, top, right, bottom (exclusive)
Colour = tuple[int, int, int]

RED: Colour = (230, 0, 0)
# The colours a mark can take: strong, and each far from the others, with white text on each.
MARK_COLOURS: tuple[tuple[str, Colour], ...] = (
    ("Red", RED),
    ("Orange", (235, 110, 0)),
    ("Green", (0, 150, 60)),
    ("Blue", (0, 80, 230)),
    ("Magenta", (200, 0, 170)),
)
MAX_TEXT = 60  # characters of one text mark
MIN_BLOCK = 16  # the smallest pixelation block, in sent pixels


class RedactStyle(enum.Enum):
    BLACK = "black"  # a solid black box
    PIXELATE = "pixelate"  # blocks of the region's average colours, too coarse to read


@dataclass(frozen=True)
class RectMark:
    box: Box
    width: int
    colour: Colour = RED


@dataclass(frozen=True)
class ArrowMark:
    start: Point
    end: Point  # where the head points
    width: int
    colour: Colour = RED


@dataclass(frozen=True)
class NumberMark:
    centre: Point
    number: int
    width: int
    colour: Colour = RED


@dataclass(frozen=True)
class TextMark:
    origin: Point  # the top-left corner of the text
    text: str
    width: int
    colour: Colour = RED


@dataclass(frozen=True)
class RedactMark:
    box: Box
    style: RedactStyle = RedactStyle.BLACK


Mark = RectMark | ArrowMark | NumberMark | TextMark | RedactMark
Marks = tuple[Mark, ...]


# -- sizes ------------------------------------------------------------------------------------


def stroke_width(width: int, height: int) -> int:
    """The line width of marks on a `width`×`height` image: visible once scaled to a screen."""
    return max(3, round(max(width, height) / 320))


def marker_radius(stroke: int) -> int:
    return 4 * stroke + 8


def font_size(stroke: int) -> int:
    return 6 * stroke + 8


def pixel_block(box: Box) -> int:
    """The side of a pixelation block for a region: a third of its short side, at least
    `MIN_BLOCK`, so that text inside it cannot be read back."""
    left, top, right, bottom = box
    return max(MIN_BLOCK, math.ceil(min(right - left, bottom - top) / 3))


def arrow_head(start: Point, end: Point, stroke: int) -> tuple[Point, Point, Point]:
    """The triangle of an arrow's head: its tip at `end`."""
    length = 5 * stroke + 8
    angle = math.atan2(end[1] - start[1], end[0] - start[0])
    spread = math.radians(28)
    left = (
        round(end[0] - length * math.cos(angle - spread)),
        round(end[1] - length * math.sin(angle - spread)),
    )
    right = (
        round(end[0] - length * math.cos(angle + spread)),
        round(end[1] - length * math.sin(angle + spread)),
    )
    return end, left, right


def box_of(a: Point, b: Point) -> Box:
    """The box two corners span, in order."""
    return min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1])


def markup_note(marks: Marks) -> str:
    """ "marked up (3 marks)", "marked up (2 marks), 1 region redacted"."""
    redacted = sum(1 for m in marks if isinstance(m, RedactMark))
    drawn = len(marks) - redacted
    parts = []
    if drawn:
        parts.append(f"marked up ({drawn} mark{'s' if drawn != 1 else ''})")
    if redacted:
        parts.append(f"{redacted} region{'s' if redacted != 1 else ''} redacted")
    return ", ".join(parts)


def redacts(marks: Marks) -> bool:
    return any(isinstance(m, RedactMark) for m in marks)


# -- the edit ---------------------------------------------------------------------------------


class MarkupEdit:
    """The marks being drawn on one image, with undo and redo; subscribers hear every change."""

    def __init__(self) -> None:
        self._marks: Marks = ()
        self._past: list[Marks] = []
        self._future: list[Marks] = []
        self._listeners: list[Callable[[], None]] = []

    @property
    def marks(self) -> Marks:
        return self._marks

    def subscribe(self, listener: Callable[[], None]) -> None:
        self._listeners.append(listener)

    def can_undo(self) -> bool:
        return bool(self._past)

    def can_redo(self) -> bool:
        return bool(self._future)

    def next_number(self) -> int:
        return 1 + sum(1 for m in self._marks if isinstance(m, NumberMark))

    def add(self, mark: Mark) -> None:
        self._change((*self._marks, mark))

    def replace(self, index: int, mark: Mark) -> None:
        """Put `mark` in the place of the mark at `index` (undoable)."""
        if 0 <= index < len(self._marks) and self._marks[index] != mark:
            self._change((*self._marks[:index], mark, *self._marks[index + 1 :]))

    def remove(self, index: int) -> None:
        """Take out the mark at `index` (undoable)."""
        if 0 <= index < len(self._marks):
            self._change((*self._marks[:index], *self._marks[index + 1 :]))

    def clear(self) -> None:
        """Remove every mark (undoable)."""
        if self._marks:
            self._change(())

    def undo(self) -> None:
        if self._past:
            self._future.append(self._marks)
            self._marks = self._past.pop()
            self._announce()

    def redo(self) -> None:
        if self._future:
            self._past.append(self._marks)
            self._marks = self._future.pop()
            self._announce()

    def reset(self) -> None:
        """Forget the marks and their history (another image, or the marks were applied)."""
        if self._marks or self._past or self._future:
            self._marks, self._past, self._future = (), [], []
            self._announce()

    def _change(self, marks: Marks) -> None:
        self._past.append(self._marks)
        self._future.clear()
        self._marks = marks
        self._announce()

    def _announce(self) -> None:
        for listener in list(self._listeners):
            listener()
