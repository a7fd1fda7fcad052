"""Zooming with the wheel and panning with the hand on the preview's canvases (an event filter).

Ctrl+wheel zooms at the pointer, a notch a level (a touchpad's parts of a notch add up). When
zoomed in, the wheel pans (Shift+wheel sideways), and so does a drag with the middle button or
with Space held: the filter takes those events before the canvas, so a selection or a mark is
never started by them.
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import QEvent, QObject, QPointF, Qt
from PySide6.QtGui import QKeyEvent, QMouseEvent, QWheelEvent

WHEEL_NOTCH = 120  # angle delta of one wheel notch


class Pannable(Protocol):
    def zoom_step(self, steps: int, anchor: QPointF | None = None) -> None: ...
    def pan_by(self, delta: QPointF) -> None: ...
    def fitted(self) -> bool: ...
    def has_image(self) -> bool: ...
    def setCursor(self, cursor: Qt.CursorShape) -> None: ...


class CanvasPan(QObject):
    """See the module docstring. Install it with `canvas.installEventFilter`."""

    def __init__(self, canvas: Pannable, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._canvas = canvas
        self._from: QPointF | None = None  # a pan being dragged, view coordinates
        self._space = False  # Space held: a left drag pans
        self._wheel = 0  # Ctrl+wheel turned short of a notch

    def panning(self) -> bool:
        return self._from is not None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.Wheel and isinstance(event, QWheelEvent):
            return self._wheeled(event)
        if isinstance(event, QMouseEvent):
            return self._mouse(kind, event)
        if isinstance(event, QKeyEvent) and event.key() == Qt.Key.Key_Space:
            if not event.isAutoRepeat():
                self._space = kind == QEvent.Type.KeyPress
                self._follow_cursor()
            return kind == QEvent.Type.KeyPress
        if kind == QEvent.Type.FocusOut:
            self._space = False
            self._follow_cursor()
        return False

    def _wheeled(self, event: QWheelEvent) -> bool:
        canvas = self._canvas
        delta = event.angleDelta()
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self._wheel += delta.y()
            steps = int(self._wheel / WHEEL_NOTCH)
            self._wheel -= steps * WHEEL_NOTCH
            if steps:
                canvas.zoom_step(steps, event.position())
        elif not canvas.fitted():
            pixels = event.pixelDelta()
            step = QPointF(pixels) if not pixels.isNull() else QPointF(delta) / 2
            if event.modifiers() & Qt.KeyboardModifier.ShiftModifier and step.x() == 0:
                step = QPointF(step.y(), 0)
            canvas.pan_by(step)
        else:
            return False
        event.accept()
        return True

    def _mouse(self, kind: QEvent.Type, event: QMouseEvent) -> bool:
        button = event.button()
        if kind == QEvent.Type.MouseButtonPress:
            starts = button == Qt.MouseButton.MiddleButton or (
                button == Qt.MouseButton.LeftButton and self._space
            )
            if not starts or not self._canvas.has_image():
                return False
            self._from = event.position()
            self._canvas.setCursor(Qt.CursorShape.ClosedHandCursor)
        elif self._from is None:
            return False
        elif kind == QEvent.Type.MouseMove:
            self._canvas.pan_by(event.position() - self._from)
            self._from = event.position()
        elif kind == QEvent.Type.MouseButtonRelease:
            self._from = None
            self._follow_cursor()
        event.accept()
        return True

    def _follow_cursor(self) -> None:
        hand = Qt.CursorShape.OpenHandCursor
        self._canvas.setCursor(hand if self._space else Qt.CursorShape.CrossCursor)
