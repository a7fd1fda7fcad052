"""The main window's commands: its menus and toolbar, built with the frame.

Icons with their text beside them where there is room: Add images and Capture region (added by
its flow), the pickers, Settings at the right end. New conversation is in File (Ctrl+N) and on
the conversations list: one button, not two. Every command is also the window's action, so its
shortcut works wherever the focus is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QComboBox, QMenu

from app.ui.preset_picker import PresetPicker
from app.ui.toolbar_icons import IconToolBar
from app.ui.window_menus import WindowMenus

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow


class Commands(NamedTuple):
    """What the window keeps of its commands."""

    menus: WindowMenus
    file_end: QAction  # the flows' commands go above it in File
    preset_picker: PresetPicker
    pickers: list[QAction]  # the toolbar's pickers, shown once the window is complete
    effort_action: QAction  # the effort picker's, shown only for a model that takes efforts
    stop_action: QAction  # Esc: enabled only while a reply streams


def build_commands(window: MainWindow, *, stop: Callable[[], object]) -> Commands:
    """The menus and the toolbar of `window`; `stop` is what Esc does while a reply streams."""
    menus = WindowMenus(window)

    def action(
        text: str,
        shortcut: QKeySequence | QKeySequence.StandardKey,
        slot: Callable[[], object],
        menu: str = "",
    ) -> QAction:
        made = QAction(text, window)
        made.setShortcut(QKeySequence(shortcut))
        made.triggered.connect(slot)
        window.addAction(made)
        if menu:
            menus.menu(menu).addAction(made)
        return made

    toolbar = IconToolBar("Main")
    toolbar.setObjectName("mainToolbar")
    toolbar.setMovable(False)
    window.addToolBar(toolbar)
    new = action(
        "New conversation",
        QKeySequence.StandardKey.New,
        window.newConversationRequested.emit,
        "file",
    )
    new.setObjectName("newConversationAction")
    new.setToolTip("New conversation (Ctrl+N)")
    add = action(
        "Add images…",
        QKeySequence.StandardKey.Open,
        lambda: window.tray.open_file_dialog() if window.is_complete else None,
        "file",
    )
    add.setObjectName("addImagesAction")
    add.setIconText("Add images")
    add.setToolTip("Add images from files (Ctrl+O)")
    toolbar.set_icon(add, "add-images")
    toolbar.addAction(add)
    commands_end = toolbar.addSeparator()
    menus.menu("file").addSeparator()
    file_end = menus.menu("file").addSeparator()
    action("Quit", QKeySequence("Ctrl+Q"), window.close, "file")
    pickers, effort_action, preset_picker = _add_pickers(window, toolbar)
    action("Copy the last reply", QKeySequence("Ctrl+Shift+C"), window.copy_last_reply, "edit")
    _add_copy_actions(window, menus.menu("edit"))
    action("Go to the message box", QKeySequence("Ctrl+L"), window.composer.setFocus, "edit")
    menus.menu("edit").addSeparator()
    settings = action("Settings…", QKeySequence("Ctrl+,"), window.settingsRequested.emit, "edit")
    settings.setObjectName("settingsAction")
    settings.setIconText("Settings")
    settings.setPriority(QAction.Priority.LowPriority)  # the gear alone says it
    settings.setToolTip("Settings: key, endpoint, replies, theme (Ctrl+,)")
    toolbar.set_icon(settings, "settings")
    toolbar.add_spacer()
    toolbar.addAction(settings)
    shortcuts = action(
        "Keyboard shortcuts", QKeySequence.StandardKey.HelpContents, window.show_shortcuts, "help"
    )
    shortcuts.setObjectName("shortcutsAction")
    toolbar.commands_end = commands_end
    # Enabled only while a reply streams: otherwise Esc belongs to the focused widget (the
    # history search clears itself with it).
    stop_action = action("Stop the reply", QKeySequence(Qt.Key.Key_Escape), stop, "conversation")
    return Commands(menus, file_end, preset_picker, pickers, effort_action, stop_action)


def _add_pickers(
    window: MainWindow, toolbar: IconToolBar
) -> tuple[list[QAction], QAction, PresetPicker]:
    """The model, effort and preset pickers on the toolbar (hidden until the window is complete):
    their toolbar actions, the effort picker's, and the preset picker."""
    # Compact, so that what the flows add (Capture region) fits beside them at the default
    # width: no "Model:" label (the picker says what it is), short combos.
    window.model_picker.setMinimumContentsLength(12)
    window.model_picker.setSizeAdjustPolicy(
        QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
    )
    pickers = [toolbar.addWidget(window.model_picker)]
    effort_action = toolbar.addWidget(window.effort_picker)
    pickers.append(effort_action)
    preset_picker = PresetPicker()
    preset_picker.combo.setMinimumContentsLength(12)
    pickers.append(toolbar.addWidget(preset_picker))
    for picker in pickers:  # empty until the session fills them: shown complete
        picker.setVisible(False)
    return pickers, effort_action, preset_picker


def _add_copy_actions(window: MainWindow, edit: QMenu) -> None:
    """Edit → the last reply as plain text, or its first table for a spreadsheet (done by the
    view's copy menu, looked up when chosen: the view is built after the frame)."""
    plain = edit.addAction("Copy the last reply as plain text")
    plain.setObjectName("copyLastPlainAction")
    plain.triggered.connect(lambda: window.view.copy_menu.copy_last_plain())  # noqa: PLW0108
    table = edit.addAction("Copy a table of the last reply (TSV)")
    table.setObjectName("copyLastTableAction")
    table.triggered.connect(lambda: window.view.copy_menu.copy_last_table())  # noqa: PLW0108
