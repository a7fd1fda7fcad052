"""Where marks lie, which one a point is on, moved marks kept inside the image, and the edit's
undoable replace and remove."""

from __future__ import annotations

from app.core.markup import ArrowMark, MarkupEdit, NumberMark, RectMark, TextMark
from app.core.markup_move import bounds, mark_at, moved


def test_the_topmost_mark_under_a_point_is_found() -> None:
    marks = (RectMark((10, 10, 100, 100), 3), NumberMark((50, 50), 1, 3))
    assert mark_at(marks, (50, 50)) == 1  # the number, drawn last, is on top
    assert mark_at(marks, (95, 95)) == 0
    assert mark_at(marks, (300, 300)) is None
    assert bounds(ArrowMark((0, 0), (10, 0), 2))[0] < 0  # the head's width around the shaft


def test_a_moved_mark_stays_inside_the_image() -> None:
    size = (200, 100)
    assert moved(RectMark((10, 10, 50, 50), 3), 500, 0, size) == RectMark((160, 10, 200, 50), 3)
    assert moved(TextMark((5, 5), "hi", 3), 10, 20, size) == TextMark((15, 25), "hi", 3)


def test_replace_and_remove_are_undoable() -> None:
    edit = MarkupEdit()
    first, second = RectMark((0, 0, 5, 5), 3), RectMark((9, 9, 19, 19), 3)
    edit.add(first)
    edit.add(second)
    edit.replace(0, second)
    assert edit.marks == (second, second)
    edit.remove(1)
    assert edit.marks == (second,)
    edit.undo()
    edit.undo()
    assert edit.marks == (first, second)
