"""The main window's menu bar and its keyboard-shortcut list.

Every command has a place in a menu (File, Edit, View, Conversation, Help), so none hides
behind the toolbar's »» at a narrow width or a large scale; the flows add theirs to these
menus by key. F1 lists every shortcut.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QMainWindow, QMenu, QMessageBox, QWidget

from app.ui.theme_choices import THEME_LABELS

MENUS = (
    ("file", "&File"),
    ("edit", "&Edit"),
    ("view", "&View"),
    ("conversation", "&Conversation"),
    ("help", "&Help"),
)

SHORTCUTS = (
    ("Enter", "Send (or a new line, as set in Settings)"),
    ("Shift+Enter", "New line (or send, as set in Settings)"),
    ("Ctrl+Enter", "Send"),
    ("Esc", "Stop the reply"),
    ("Ctrl+V", "Paste text, or images and files into the tray"),
    ("Delete", "Remove the selected image from the tray"),
    ("Enter / double-click", "Preview the selected tray image as sent, with its tiles; crop it"),
    ("C (in the preview)", "Crop: select a region with the arrow keys, then Enter"),
    ("Ctrl+Shift+S", "Capture a region of the screen into the tray"),
    ("Ctrl+O", "Add images from a file"),
    ("Ctrl+Shift+B", "Batch: one question over many images"),
    ("Ctrl+N", "New conversation"),
    ("Ctrl+L", "Go to the message box"),
    ("Ctrl+K", "Search conversations"),
    ("Ctrl+B", "Show or hide the conversations"),
    ("Ctrl+Shift+C", "Copy the last reply"),
    ("Alt+↑ / Alt+↓ (in the conversation)", "A message's action buttons: Copy, Edit, Regenerate…"),
    ("Ctrl+R", "Regenerate the last reply"),
    ("Ctrl+Shift+Enter", "Continue a stopped or cut reply"),
    ("Ctrl+Z", "Undo: a deleted conversation, a removed tray image, a left-out image"),
    ("Ctrl+,", "Settings"),
    ("Ctrl+Q", "Quit"),
    ("F1", "Keyboard shortcuts"),
)


class WindowMenus:
    """The menu bar of `window`, one menu per key of :data:`MENUS`."""

    def __init__(self, window: QMainWindow) -> None:
        bar = window.menuBar()
        bar.setObjectName("menuBar")
        self._menus: dict[str, QMenu] = {}
        for key, title in MENUS:
            menu = bar.addMenu(title)
            menu.setObjectName(f"{key}Menu")
            self._menus[key] = menu
        self.theme = ThemeMenu(self._menus["view"])
        self._menus["view"].addSeparator()

    def menu(self, key: str) -> QMenu:
        return self._menus[key]


class ThemeMenu(QObject):
    """View → Theme: System, Light, Dark, one checked; choosing one says so in `chosen`."""

    chosen = Signal(str)  # "system", "light" or "dark"

    def __init__(self, view: QMenu) -> None:
        super().__init__(view)
        self.menu = view.addMenu("&Theme")
        self.menu.setObjectName("themeMenu")
        self._group = QActionGroup(self)
        self._group.setExclusive(True)
        self.actions: dict[str, QAction] = {}
        for key, label in THEME_LABELS.items():
            action = self.menu.addAction(f"&{label}")
            action.setObjectName(f"theme{label}Action")
            action.setCheckable(True)
            action.setData(key)
            self._group.addAction(action)
            action.triggered.connect(lambda _checked=False, key=key: self.chosen.emit(key))
            self.actions[key] = action
        self.actions["system"].setToolTip("Follow the desktop's light or dark setting")

    def set_current(self, key: str) -> None:
        action = self.actions.get(key)
        if action is not None:
            action.setChecked(True)


def show_shortcuts(parent: QWidget) -> None:
    rows = "".join(f"<tr><td><b>{k}</b></td><td>&nbsp;&nbsp;{v}</td></tr>" for k, v in SHORTCUTS)
    box = QMessageBox(
        QMessageBox.Icon.Information,
        "Keyboard shortcuts",
        f"<table>{rows}</table>",
        QMessageBox.StandardButton.Close,
        parent,
    )
    box.setObjectName("shortcutsDialog")
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
