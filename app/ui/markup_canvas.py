"""The preview's canvas with marking-up tools: the tile canvas, plus marks drawn over it.

With no tool chosen it is the `TileCanvas` (a drag selects a region to crop). With a tool, a
drag draws a rectangle, an arrow (from where the drag starts to where it ends) or a redacted
region; a click puts a numbered marker, or opens a small text field where the text goes. The
keyboard draws too: arrows and Shift+arrows make and move a region (as for the crop), Enter
turns it into the tool's mark. Esc drops what is being drawn, then leaves the tool. The marks
live in a `MarkupEdit`, in sent pixels; the canvas only paints them.
"""

from __future__ import annotations

import dataclasses
import enum

from PySide6.QtCore import QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QKeyEvent, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QLineEdit, QWidget

from app.core.markup import (
    MAX_TEXT,
    RED,
    ArrowMark,
    Colour,
    Mark,
    MarkupEdit,
    NumberMark,
    RectMark,
    RedactMark,
    RedactStyle,
    TextMark,
    box_of,
    stroke_width,
)
from app.ui.mark_mover import MarkMover
from app.ui.markup_paint import paint_mark
from app.ui.tile_canvas import TileCanvas

MIN_DRAG = 3  # view pixels a drag must cover to draw a shape


class Tool(enum.Enum):
    RECTANGLE = "rectangle"
    ARROW = "arrow"
    NUMBER = "number"
    TEXT = "text"
    REDACT = "redact"
    MOVE = "move"


class _TextEntry(QLineEdit):
    """The text of a text mark, typed where it goes: Enter puts it, Esc drops it."""

    cancelled = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.cancelled.emit()
            event.accept()
            return
        super().keyPressEvent(event)


class MarkupCanvas(TileCanvas):
    """See the module docstring."""

    toolChanged = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit = MarkupEdit()
        self.edit.subscribe(self.update)
        self._tool: Tool | None = None
        self.redact_style = RedactStyle.BLACK
        self.colour: Colour = RED  # of the marks drawn next
        self._start: QPoint | None = None  # a mark's drag, in sent pixels
        self._end: QPoint | None = None
        self._press = QPointF()  # where the drag started, in view coordinates
        self._entry: _TextEntry | None = None
        self.mover = MarkMover(self.edit)
        self._entry_at = QPoint()

    # -- the tool ------------------------------------------------------------------------------

    def tool(self) -> Tool | None:
        return self._tool

    def set_tool(self, tool: Tool | None) -> None:
        self._start = self._end = None
        self._close_entry()
        self.clear_selection()
        if tool != self._tool:
            self._tool = tool
            if tool is Tool.MOVE:
                self.mover.start()
            self.toolChanged.emit()
        self.update()

    def recolour_picked(self) -> None:
        """The Move tool's picked mark takes the current colour (undoable)."""
        index = self.mover.picked if self._tool is Tool.MOVE else None
        marks = self.edit.marks
        if index is None or index >= len(marks):
            return
        mark = marks[index]
        if not isinstance(mark, RedactMark):
            self.edit.replace(index, dataclasses.replace(mark, colour=self.colour))

    def text_entry(self) -> QLineEdit | None:
        """The text field of a text mark being typed."""
        return self._entry

    def set_sent_size(self, width: int, height: int) -> None:
        if (width, height) != (self.sent_size().width(), self.sent_size().height()):
            self.edit.reset()  # marks belong to the pixels they were drawn on
        super().set_sent_size(width, height)

    def _stroke(self) -> int:
        size = self.sent_size()
        return stroke_width(size.width(), size.height())

    def _mark(self, start: QPoint, end: QPoint) -> Mark | None:
        """The tool's mark from one corner (or the arrow's tail) to the other."""
        a, b = (start.x(), start.y()), (end.x(), end.y())
        if self._tool is Tool.RECTANGLE:
            return RectMark(box_of(a, b), self._stroke(), self.colour)
        if self._tool is Tool.REDACT:
            return RedactMark(box_of(a, b), self.redact_style)
        if self._tool is Tool.ARROW:
            return ArrowMark(a, b, self._stroke(), self.colour)
        if self._tool is Tool.NUMBER:
            return NumberMark(
                ((a[0] + b[0]) // 2, (a[1] + b[1]) // 2),
                self.edit.next_number(),
                self._stroke(),
                self.colour,
            )
        return None

    def _put(self, start: QPoint, end: QPoint) -> None:
        if self._tool is Tool.TEXT:
            self._open_entry(QPoint(min(start.x(), end.x()), min(start.y(), end.y())))
            return
        mark = self._mark(start, end)
        if mark is not None:
            self.edit.add(mark)

    # -- the mouse -----------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if self._tool is None or not self.has_image():
            super().mousePressEvent(event)
            return
        if event.button() == Qt.MouseButton.LeftButton and self._tool is Tool.MOVE:
            self.mover.press(self.to_sent(event.position()))
            self._start = self._end = self.to_sent(event.position())
            self.update()
        elif event.button() == Qt.MouseButton.LeftButton:
            self._close_entry()
            self.clear_selection()
            self._start = self._end = self.to_sent(event.position())
            self._press = event.position()
            self.update()
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._tool is None or self._start is None:
            super().mouseMoveEvent(event)
            return
        self._end = self.to_sent(event.position())
        if self._tool is Tool.MOVE:
            self.mover.drag(self._end)
        self.update()
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._tool is None or self._start is None:
            super().mouseReleaseEvent(event)
            return
        if event.button() != Qt.MouseButton.LeftButton:
            event.accept()
            return
        start, end = self._start, self.to_sent(event.position())
        self._start = self._end = None
        moved = (event.position() - self._press).manhattanLength() >= MIN_DRAG
        if self._tool is Tool.MOVE:
            self.mover.release(end, self._size_tuple())
        elif self._tool in (Tool.NUMBER, Tool.TEXT):
            self._put(end, end)
        elif (
            moved
            and start != end
            and (self._tool is Tool.ARROW or (start.x() != end.x() and start.y() != end.y()))
        ):
            self._put(start, end)
        self.update()
        event.accept()

    # -- the keyboard --------------------------------------------------------------------------

    def _size_tuple(self) -> tuple[int, int]:
        return self.sent_size().width(), self.sent_size().height()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if self._tool is Tool.MOVE and self.mover.key(Qt.Key(key), self._size_tuple()):
            self.update()
            event.accept()
            return
        if self._tool is not None and key == Qt.Key.Key_Escape:
            if self._start is not None or self.selection() is not None:
                self._start = self._end = None
                self.clear_selection()
                self.update()
            else:
                self.set_tool(None)
            event.accept()
            return
        selection = self.selection()
        if self._tool is not None and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if selection is not None:
                self.clear_selection()
                self._put(
                    selection.topLeft(),
                    selection.topLeft() + QPoint(selection.width(), selection.height()),
                )
            event.accept()
            return
        super().keyPressEvent(event)

    # -- text ----------------------------------------------------------------------------------

    def _open_entry(self, at: QPoint) -> None:
        entry = _TextEntry(self)
        entry.setObjectName("markupTextEntry")
        entry.setAccessibleName("Text of the mark")
        entry.setPlaceholderText("Text, then Enter")
        entry.setMaxLength(MAX_TEXT)
        view = self.to_view(at).toPoint()
        entry.move(min(view.x(), max(0, self.width() - 200)), min(view.y(), self.height() - 30))
        entry.resize(200, entry.sizeHint().height())
        entry.editingFinished.connect(self._finish_entry)
        entry.cancelled.connect(self._close_entry)
        self._entry, self._entry_at = entry, QPoint(at)
        entry.show()
        entry.setFocus(Qt.FocusReason.OtherFocusReason)

    def _finish_entry(self) -> None:
        entry = self._entry
        if entry is None:
            return
        text = entry.text().strip()
        self._close_entry()
        if text:
            at = self._entry_at
            self.edit.add(TextMark((at.x(), at.y()), text, self._stroke(), self.colour))

    def _close_entry(self) -> None:
        entry, self._entry = self._entry, None
        if entry is not None:
            had_focus = entry.hasFocus()
            entry.hide()
            entry.deleteLater()
            if had_focus:
                self.setFocus(Qt.FocusReason.OtherFocusReason)

    # -- painting ------------------------------------------------------------------------------

    def _paint_marks(self, painter: QPainter, marks: tuple[Mark, ...]) -> None:
        picture = self.picture()
        copy = (picture, self.sent_size().width()) if picture is not None else None
        scale = self.scale()
        for mark in marks:
            paint_mark(painter, mark, self.to_view, scale, copy)

    def _pending(self) -> Mark | None:
        if self._tool is None:
            return None
        if self._start is not None and self._end is not None and self._end != self._start:
            return self._mark(self._start, self._end)
        return None

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self.has_image():
            return
        marks = self.mover.shown(self._size_tuple()) if self._tool is Tool.MOVE else self.edit.marks
        pending = self._pending()
        if not marks and pending is None:
            return
        painter = QPainter(self)
        painter.setClipRect(self.image_rect())
        self._paint_marks(painter, (*marks, pending) if pending is not None else marks)
        box = self.mover.picked_box(marks) if self._tool is Tool.MOVE else None
        if box is not None:
            picked = self._view_rect(box[0], box[1], box[2] - box[0], box[3] - box[1])
            self.mover.paint_pick(painter, marks, picked)
        painter.end()

    def _paint_selection(self, painter: QPainter, target: QRectF) -> None:
        selection = self.selection()
        if self._tool is None or selection is None:
            super()._paint_selection(painter, target)
            return
        # A region made with the keyboard: the mark it will become, drawn in place.
        end = selection.topLeft() + QPoint(selection.width(), selection.height())
        mark = self._mark(selection.topLeft(), end)
        if mark is not None:
            self._paint_marks(painter, (mark,))
        painter.setPen(self.palette().highlight().color())
        painter.drawRect(
            self._view_rect(selection.x(), selection.y(), selection.width(), selection.height())
        )
