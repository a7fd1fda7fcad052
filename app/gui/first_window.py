"""The window's frame on screen first, before the rest of the app is imported.

`show_frame` builds the main window's frame (`MainWindow(complete=False)`: menus, toolbar,
composer, with empty places for the conversation, the tray, the meter and the list) in the
theme and at the place saved in the settings, shows it and returns once Qt has painted it.
Only light modules are imported here: the settings file is read for those two values alone
(`app.store.settings` validates all of them later, for the session).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QEventLoop, QObject, QTimer
from PySide6.QtWidgets import QToolBar, QWidget

from app.gui.theme import ThemeModel, style_sheet_for
from app.store.paths import APP_DIR_NAME, CONFIG_DIR_ENV, SETTINGS_FILE_NAME, config_directory
from app.ui.main_window import MainWindow

PAINT_WAIT_MS = 1000  # the most the frame waits for its first paint (a window never exposed)


def _settings_path() -> Path:
    """`app.store.paths.config_directory()`'s settings file; on Linux without platformdirs
    (the same XDG rule), which would add its import to the first paint."""
    if sys.platform.startswith("linux") and not os.environ.get(CONFIG_DIR_ENV, "").strip():
        xdg = os.environ.get("XDG_CONFIG_HOME", "")
        base = Path(xdg if xdg.strip() else os.path.expanduser("~/.config"))
        return base / APP_DIR_NAME / SETTINGS_FILE_NAME
    return config_directory() / SETTINGS_FILE_NAME


def frame_settings() -> tuple[str, str]:
    """The saved theme choice and window geometry ("system" and "" when there are none)."""
    try:
        text = _settings_path().read_text(encoding="utf-8")
    except (OSError, ValueError):
        return "system", ""  # none yet (a first start), or unreadable: json is not needed
    import json

    try:
        data = json.loads(text)
    except ValueError:
        return "system", ""
    if not isinstance(data, dict):
        return "system", ""
    theme, geometry = data.get("theme"), data.get("window_geometry")
    return (
        theme if isinstance(theme, str) else "system",
        geometry if isinstance(geometry, str) and geometry.isascii() else "",
    )


class _Painted(QObject):
    """Ends `loop` once `window` has had its first paint pass."""

    def __init__(self, window: QWidget, loop: QEventLoop) -> None:
        super().__init__(window)
        self._loop = loop
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self._loop.quit)  # once this paint pass is over
        return False


def show_frame(*, demo: bool, closed: Callable[[], object] | None = None) -> MainWindow:
    """Show the main window's frame and return it once it has been painted; `closed` is
    called if the window is closed (the window manager's close) before anything else is."""
    choice, geometry = frame_settings()
    theme = ThemeModel(choice)
    theme.apply()  # Fusion and the palette: the session's ThemeFlow takes over from here
    window = MainWindow(demo=demo, complete=False)
    toolbar = window.findChild(QToolBar, "mainToolbar")
    if toolbar is not None:
        toolbar.setStyleSheet(style_sheet_for(theme.scheme))
    theme.deleteLater()
    window.restore_geometry_b64(geometry)
    if closed is not None:
        window.closing.connect(closed)
    loop = QEventLoop()
    painted = _Painted(window, loop)
    QTimer.singleShot(PAINT_WAIT_MS, loop.quit)
    window.show()
    loop.exec()
    painted.deleteLater()
    return window
