"""A thin strip across the window for what the user should know or act on."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from app.ui.tray_palette import banner_colors


class Banner(QFrame):
    dismissed = Signal()  # the user closed it with its × button

    def __init__(self, kind: str = "info", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self._kind = kind
        self._applying = False
        self._apply_colors()
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

    # -- colours -------------------------------------------------------------------------------

    def _apply_colors(self) -> None:
        """Background and text from the palette this banner sits in (light or dark), the text
        at 4.5:1 or more on the background; again whenever that palette changes."""
        if self._applying:
            return
        parent = self.parentWidget()
        base = parent.palette() if parent is not None else QApplication.palette(self)
        background, text = banner_colors(base, self._kind)
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Window, background)
        palette.setColor(QPalette.ColorRole.WindowText, text)
        palette.setColor(QPalette.ColorRole.ButtonText, text)  # the flat × button
        self._applying = True
        try:
            self.setPalette(palette)
        finally:
            self._applying = False

    @property
    def kind(self) -> str:
        return self._kind

    def set_kind(self, kind: str) -> None:
        """ "info", "warning" or "error": the tint it shows (and its accessible name)."""
        if kind != self._kind:
            self._kind = kind
            self._apply_colors()
        self.setAccessibleName({"error": "Error", "warning": "Warning"}.get(kind, "Notice"))

    def background_color(self) -> QColor:
        return self.palette().color(self.backgroundRole())

    def text_color(self) -> QColor:
        return self.label.palette().color(self.label.foregroundRole())

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self._apply_colors()

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ParentChange:
            self._apply_colors()
        return super().event(event)

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
        else:  # an earlier message's timeout must not hide this one
            self._timer.stop()

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
