"""A message's actions as a small floating row of icon buttons (copy, edit, regenerate, image
detail…), shown over the message under the pointer or the keyboard's current message."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QIcon, QKeyEvent, QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QMenu, QToolButton, QWidget

from app.ui.message_actions import MessageAction
from app.ui.toolbar_icons import line_icon

ICON_SIZE = 16
COPIED_MS = 1_500  # how long the copy button shows its tick


class MessageActionBar(QFrame):
    """The buttons of one message's actions. Left/Right (and Tab) move between them, Enter or
    Space presses one, Alt+Up/Alt+Down ask for the next message's bar, Esc gives up the focus."""

    triggered = Signal(tuple)  # the verb of the action pressed (MessageAction.verb)
    stepRequested = Signal(int)  # -1: the message above, 1: the one below
    dismissed = Signal()

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("messageActionBar")
        self.setAccessibleName("Message actions")
        self.setToolTip("Alt+↑ / Alt+↓: the actions of the message above or below")
        self.message_id: str | None = None
        self._actions: list[MessageAction] = []
        self._buttons: list[QToolButton] = []
        self._row = QHBoxLayout(self)
        self._row.setContentsMargins(3, 2, 3, 2)
        self._row.setSpacing(1)
        self._copied = QTimer(self)
        self._copied.setSingleShot(True)
        self._copied.setInterval(COPIED_MS)
        self._copied.timeout.connect(self._show_icons)
        self._restyle()
        self.hide()

    @property
    def buttons(self) -> list[QToolButton]:
        return list(self._buttons)

    def set_actions(self, message_id: str, actions: Sequence[MessageAction]) -> None:
        """Show `actions` for `message_id` (the buttons are made again only if they changed)."""
        if message_id == self.message_id and list(actions) == self._actions:
            return
        had_focus = self.hasFocus() or any(b.hasFocus() for b in self._buttons)
        self.message_id = message_id
        self._actions = list(actions)
        for button in self._buttons:
            self._row.removeWidget(button)
            button.hide()
            button.setObjectName("")  # gone for findChild before Qt deletes it
            button.deleteLater()
        self._buttons = [self._button(action) for action in self._actions]
        for button in self._buttons:
            self._row.addWidget(button)
            button.show()
        self._copied.stop()
        self._show_icons()
        self.adjustSize()
        if had_focus:
            self.focus_first()

    def _button(self, action: MessageAction) -> QToolButton:
        button = QToolButton(self)
        button.setObjectName(action.name)
        button.setToolTip(action.tooltip)
        button.setAccessibleName(action.label)
        button.setAutoRaise(True)
        button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        button.setIconSize(QSize(ICON_SIZE, ICON_SIZE))
        button.installEventFilter(self)
        if action.choices:
            menu = QMenu(button)
            menu.setObjectName("messageActionMenu")
            for choice in action.choices:
                item = menu.addAction(choice.label)
                item.setObjectName(choice.name)
                item.setData(choice.icon)
                item.triggered.connect(lambda _=False, verb=choice.verb: self.triggered.emit(verb))
            button.setMenu(menu)
            button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        else:
            button.clicked.connect(lambda _=False, verb=action.verb: self.triggered.emit(verb))
        return button

    def focus_first(self) -> None:
        if self._buttons:
            self._buttons[0].setFocus(Qt.FocusReason.TabFocusReason)

    def show_copied(self) -> None:
        """The copy button shows a tick and says "Copied" for a moment."""
        for action, button in zip(self._actions, self._buttons, strict=True):
            if action.verb[:1] == ("copy",):
                button.setIcon(self._icon("check"))
                button.setToolTip("Copied")
                button.setAccessibleDescription("Copied")
                self._copied.start()

    def _show_icons(self) -> None:
        for action, button in zip(self._actions, self._buttons, strict=True):
            button.setIcon(self._icon(action.icon))
            button.setToolTip(action.tooltip)
            button.setAccessibleDescription("")
            menu = button.menu()
            if menu is not None:
                for item in menu.actions():
                    item.setIcon(self._icon(str(item.data())))

    def _icon(self, name: str) -> QIcon:
        palette = (self.parentWidget() or self).palette()
        return line_icon(name, palette.color(QPalette.ColorRole.ButtonText))

    # -- keys -------------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and watched in self._buttons:
            assert isinstance(event, QKeyEvent)
            return self._key(self._buttons.index(watched), event)
        return super().eventFilter(watched, event)

    def _key(self, index: int, event: QKeyEvent) -> bool:
        key, alt = event.key(), event.modifiers() & Qt.KeyboardModifier.AltModifier
        if alt and key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            self.stepRequested.emit(-1 if key == Qt.Key.Key_Up else 1)
        elif key in (Qt.Key.Key_Left, Qt.Key.Key_Right):
            step = -1 if key == Qt.Key.Key_Left else 1
            self._buttons[(index + step) % len(self._buttons)].setFocus()
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            button = self._buttons[index]
            if button.menu() is not None:
                button.showMenu()
            else:
                button.click()
        elif key == Qt.Key.Key_Escape:
            self.dismissed.emit()
        else:
            return False
        return True

    # -- look -------------------------------------------------------------------------------

    def follow_palette(self) -> None:
        """Take the colours of the conversation's palette again (its owner calls this: a widget
        with its own style sheet is not told of palette changes)."""
        self._restyle()
        self._show_icons()

    def _restyle(self) -> None:
        palette = (self.parentWidget() or self).palette()
        base = palette.color(QPalette.ColorRole.Base).name()
        line = palette.color(QPalette.ColorRole.Mid).name()
        hover = palette.color(QPalette.ColorRole.AlternateBase).name()
        focus = palette.color(QPalette.ColorRole.Highlight).name()
        sheet = (
            f"#messageActionBar {{ background: {base}; border: 1px solid {line}; "
            "border-radius: 6px; }"
            " #messageActionBar QToolButton { border: 1px solid transparent; border-radius: 4px; "
            "padding: 2px; }"
            f" #messageActionBar QToolButton:hover {{ background: {hover}; border-color: {line}; }}"
            f" #messageActionBar QToolButton:focus {{ border: 2px solid {focus}; }}"
            " #messageActionBar QToolButton::menu-indicator { image: none; }"
        )
        if sheet != self.styleSheet():
            self.setStyleSheet(sheet)
