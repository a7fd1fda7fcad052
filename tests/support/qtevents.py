"""Real Qt input events for tests: drag and drop of file URLs."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QWidget


def file_mime(*paths: Path) -> QMimeData:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    return mime


def drag_and_drop(widget: QWidget, mime: QMimeData, position: QPointF | None = None) -> bool:
    """Send a real drag-enter, drag-move and drop; True if the drop was accepted.

    The drop is built with QPointF (its QPoint overload is deprecated); PySide6 6.11 offers
    the enter and move events only with QPoint, later releases with QPointF as well.
    """
    pos = position or QPointF(widget.width() / 2, widget.height() / 2)
    actions = Qt.DropAction.CopyAction | Qt.DropAction.MoveAction
    buttons, keys = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(pos.toPoint(), actions, mime, buttons, keys)
    QApplication.sendEvent(widget, enter)
    if not enter.isAccepted():
        return False
    QApplication.sendEvent(widget, QDragMoveEvent(pos.toPoint(), actions, mime, buttons, keys))
    drop = QDropEvent(pos, actions, mime, buttons, keys)
    QApplication.sendEvent(widget, drop)
    return drop.isAccepted()
