"""Tray tile names on two lines that never read the same for two different files.

A name shows as much of its start as fits on the first line and the rest, elided in the middle,
on the second. When two names would still read the same ("mockup-dashboard-final.png" and
"mockup-settings-final.png"), each is shown from just before where it differs from the other.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics

ELLIPSIS = "…"


def _fit_start(text: str, metrics: QFontMetrics, width: int) -> str:
    head = ""
    for char in text:
        if metrics.horizontalAdvance(head + char) > width:
            break
        head += char
    return head


def name_lines(name: str, metrics: QFontMetrics, width: int, differ_at: int | None = None) -> str:
    """`name` on at most two lines of `width` pixels. With `differ_at` (where it differs from
    another name), the second line shows the name from just before that index when the middle
    elision would hide it."""
    head = _fit_start(name, metrics, width)
    rest = name[len(head) :]
    if not rest:
        return head
    if metrics.horizontalAdvance(rest) <= width:
        return f"{head}\n{rest}"
    tail = metrics.elidedText(rest, Qt.TextElideMode.ElideMiddle, width)
    if differ_at is not None and ELLIPSIS in tail:
        shown_start, shown_end = tail.split(ELLIPSIS, 1)
        hidden_from = len(head) + len(shown_start)
        hidden_to = len(name) - len(shown_end)
        if hidden_from <= differ_at < hidden_to:
            start = max(len(head), differ_at - 3)
            text = ELLIPSIS + name[start:] if start > len(head) else name[start:]
            tail = metrics.elidedText(text, Qt.TextElideMode.ElideRight, width)
    return f"{head}\n{tail}"


def _common_prefix(a: str, b: str) -> int:
    count = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        count += 1
    return count


def differ_points(names: Sequence[str], shown: Callable[[str], str]) -> list[int | None]:
    """For each name, None when `shown(name)` is unlike every other's, else the index where it
    differs from the most alike of the names it would be confused with."""
    groups: dict[str, list[int]] = defaultdict(list)
    for index, name in enumerate(names):
        groups[shown(name)].append(index)
    points: list[int | None] = [None] * len(names)
    for members in groups.values():
        if len(members) < 2:
            continue
        for index in members:
            others = [names[o] for o in members if o != index and names[o] != names[index]]
            if others:
                points[index] = max(_common_prefix(names[index], o) for o in others)
    return points
