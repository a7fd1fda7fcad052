"""The Move tool of the preview's canvas: pick one mark, drag it or nudge it, or delete it.

A click picks the topmost mark under the pointer and a drag moves it; with the keyboard,
Page Up / Page Down pick the previous / next mark (the last one is picked when the tool is
chosen), arrows move it by a fiftieth of the image, Delete or Backspace removes it. Each move
or removal is one step of the edit's undo. The mover holds only the pick and the drag; the marks
stay in the `MarkupEdit`.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen

from app.core.markup import Mark, MarkupEdit
from app.core.markup_move import bounds, mark_at, moved

_STEPS = {
    Qt.Key.Key_Left: (-1, 0),
    Qt.Key.Key_Right: (1, 0),
    Qt.Key.Key_Up: (0, -1),
    Qt.Key.Key_Down: (0, 1),
}
_PICKED = QColor(255, 255, 255)


class MarkMover:
    """See the module docstring."""

    def __init__(self, edit: MarkupEdit) -> None:
        self._edit = edit
        self.picked: int | None = None
        self._from: QPoint | None = None  # where the drag started, sent pixels
        self._delta = QPoint()

    def start(self) -> None:
        """The tool was chosen: the last mark is picked."""
        marks = self._edit.marks
        self.picked = len(marks) - 1 if marks else None
        self._from = None

    def _valid(self) -> int | None:
        if self.picked is not None and self.picked >= len(self._edit.marks):
            self.picked = None
        return self.picked

    def press(self, at: QPoint) -> None:
        self.picked = mark_at(self._edit.marks, (at.x(), at.y()))
        self._from = QPoint(at) if self.picked is not None else None
        self._delta = QPoint()

    def drag(self, at: QPoint) -> None:
        if self._from is not None:
            self._delta = at - self._from

    def release(self, at: QPoint, size: tuple[int, int]) -> None:
        self.drag(at)
        index = self._valid()
        if self._from is not None and index is not None and not self._delta.isNull():
            mark = self._edit.marks[index]
            self._edit.replace(index, moved(mark, self._delta.x(), self._delta.y(), size))
        self._from = None
        self._delta = QPoint()

    def key(self, key: Qt.Key, size: tuple[int, int]) -> bool:
        """Act on a key; False when the key is not the mover's."""
        marks = self._edit.marks
        index = self._valid()
        if key in (Qt.Key.Key_PageUp, Qt.Key.Key_PageDown) and marks:
            step = -1 if key == Qt.Key.Key_PageUp else 1
            self.picked = (len(marks) - 1 if index is None else index + step) % len(marks)
            return True
        if index is None:
            return False
        if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self._edit.remove(index)
            self.picked = min(index, len(self._edit.marks) - 1) if self._edit.marks else None
            return True
        if key in _STEPS:
            dx, dy = _STEPS[key]
            step = max(1, max(size) // 50)
            self._edit.replace(index, moved(marks[index], dx * step, dy * step, size))
            return True
        return False

    def shown(self, size: tuple[int, int]) -> tuple[Mark, ...]:
        """The marks as they look now (the one being dragged where the drag has it)."""
        marks = self._edit.marks
        index = self._valid()
        if index is None or self._delta.isNull():
            return marks
        shifted = moved(marks[index], self._delta.x(), self._delta.y(), size)
        return (*marks[:index], shifted, *marks[index + 1 :])

    def paint_pick(self, painter: QPainter, marks: tuple[Mark, ...], view: QRectF) -> None:
        """A dashed frame around the picked mark; `view` is its box in view coordinates."""
        if self._valid() is None or not marks:
            return
        painter.setPen(QPen(_PICKED, 2, Qt.PenStyle.DashLine))
        painter.drawRect(view.adjusted(-3, -3, 3, 3))

    def picked_box(self, marks: tuple[Mark, ...]) -> tuple[int, int, int, int] | None:
        index = self._valid()
        return bounds(marks[index]) if index is not None and index < len(marks) else None
