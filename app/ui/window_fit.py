"""The main window's fit to its screen (pure functions of the available geometry, in logical
pixels: a 1600×1000 screen at 2× scale is 800×500) and its toolbar's order."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QToolBar, QWidget

PREFERRED_SIZE = QSize(1200, 820)  # on a screen with room for it
SCREEN_SHARE = 0.92  # of the available geometry, at most, for the default size
MINIMUM_SIZE = QSize(640, 420)  # never more than the screen's available geometry


def default_geometry(available: QRect, preferred: QSize = PREFERRED_SIZE) -> QRect:
    """The window's first geometry on a screen whose available area (logical pixels: the
    scale factor is already applied) is `available`: the preferred size, cut to a share of
    the area, centred in it."""
    width = min(preferred.width(), int(available.width() * SCREEN_SHARE))
    height = min(preferred.height(), int(available.height() * SCREEN_SHARE))
    rect = QRect(0, 0, max(1, width), max(1, height))
    rect.moveCenter(available.center())
    return rect


def minimum_size(available: QRect, wanted: QSize = MINIMUM_SIZE) -> QSize:
    """A minimum size that never exceeds the available area (Send and the meter stay on it)."""
    return wanted.boundedTo(available.size())


def clamped_geometry(rect: QRect, available: QRect) -> QRect:
    """`rect` (a restored geometry, perhaps from a larger screen or another scale) made to lie
    inside `available`: shrunk to fit, then moved in."""
    size = rect.size().boundedTo(available.size())
    x = min(max(rect.x(), available.left()), available.right() + 1 - size.width())
    y = min(max(rect.y(), available.top()), available.bottom() + 1 - size.height())
    return QRect(x, y, size.width(), size.height())


class MainToolBar(QToolBar):
    """The main toolbar. Commands the flows add once the window is built (Capture region, the
    Conversation menu) go right after "New", before the pickers, so that at a narrow width the
    items that fall behind »» are Settings and the shortcuts list, which have keys (Ctrl+,
    and F1), and never the Conversation menu."""

    def __init__(self, title: str) -> None:
        super().__init__(title)
        self.commands_end: QAction | None = None  # later commands go before this

    def addWidget(self, widget: QWidget) -> QAction:
        if self.commands_end is None:
            return super().addWidget(widget)
        return self.insertWidget(self.commands_end, widget)

    def addAction(self, *args: object) -> QAction:  # type: ignore[override]
        if self.commands_end is not None and len(args) == 1 and isinstance(args[0], QAction):
            self.insertAction(self.commands_end, args[0])
            return args[0]
        return super().addAction(*args)  # type: ignore[call-overload,no-any-return]
