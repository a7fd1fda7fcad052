"""The keyboard's crop selection: the first arrow selects the middle half of the image; then
arrows move it and Shift+arrows resize it, by a twentieth of the image (in sent pixels)."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt

ARROWS = {
    Qt.Key.Key_Left: (-1, 0),
    Qt.Key.Key_Right: (1, 0),
    Qt.Key.Key_Up: (0, -1),
    Qt.Key.Key_Down: (0, 1),
}


def nudged(selection: QRect | None, size: QSize, key: Qt.Key, *, resize: bool) -> QRect | None:
    """The selection after one arrow key (None when the image is too small to select in)."""
    width, height = size.width(), size.height()
    if width < 2 or height < 2:
        return None
    if selection is None:
        return QRect(width // 4, height // 4, max(1, width // 2), max(1, height // 2))
    dx, dy = ARROWS[key]
    step_x, step_y = max(1, width // 20), max(1, height // 20)
    moved = QRect(selection)
    if resize:
        moved.setWidth(max(step_x, min(width - moved.x(), moved.width() + dx * step_x)))
        moved.setHeight(max(step_y, min(height - moved.y(), moved.height() + dy * step_y)))
    else:
        x = min(max(0, moved.x() + dx * step_x), width - moved.width())
        y = min(max(0, moved.y() + dy * step_y), height - moved.height())
        moved.moveTo(x, y)
    return moved
