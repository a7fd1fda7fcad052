"""A thin strip across the window for what the user should know or act on."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget


class Banner(QFrame):
    dismissed = Signal()  # the user closed it with its × button

    def __init__(self, kind: str = "info", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        palette = self.palette()
        role = QPalette.ColorRole.ToolTipBase if kind == "info" else QPalette.ColorRole.Highlight
        palette.setColor(QPalette.ColorRole.Window, palette.color(role))
        if kind != "info":
            palette.setColor(
                QPalette.ColorRole.WindowText, palette.color(QPalette.ColorRole.HighlightedText)
            )
        self.setPalette(palette)
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(8, 4, 8, 4)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._layout.addWidget(self.label, 1)
        self._buttons: list[QPushButton] = []
        close = QPushButton("×")
        close.setFlat(True)
        close.setAccessibleName("Dismiss")
        close.clicked.connect(self.hide)
        close.clicked.connect(self.dismissed.emit)
        self._close = close
        self._layout.addWidget(close)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.hide)
        self.hide()

    def _clear_buttons(self) -> None:
        for button in self._buttons:
            button.deleteLater()
        self._buttons.clear()

    def show_message(self, text: str, timeout_ms: int = 0) -> None:
        self._clear_buttons()
        self.label.setText(text)
        self.setAccessibleDescription(text)
        self.show()
        if timeout_ms:
            self._timer.start(timeout_ms)

    def show_choices(
        self, text: str, choices: Sequence[str], chosen: Callable[[str], None]
    ) -> None:
        self.show_message(text)
        for choice in list(choices)[:4]:
            button = QPushButton(choice)
            button.setObjectName(f"useModel:{choice}")
            button.clicked.connect(lambda _=False, c=choice: chosen(c))
            self._layout.insertWidget(self._layout.count() - 1, button)
            self._buttons.append(button)
