"""A short "Copied" that shows at the bottom of the conversation after a copy, then goes."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QLabel, QWidget

from app.ui.tray_palette import readable

SHOWN_MS = 1_600


class CopiedToast(QLabel):
    """A small pill over the bottom of its parent (the conversation's viewport)."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("copiedToast")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SHOWN_MS)
        self._timer.timeout.connect(self.hide)
        self._restyle()
        self.hide()

    def say(self, text: str) -> None:
        """Show `text` for a moment (again from the start if it is showing)."""
        self.setText(text)
        self.setAccessibleName(text)
        self.adjustSize()
        parent = self.parentWidget()
        if parent is not None:
            self.move((parent.width() - self.width()) // 2, parent.height() - self.height() - 16)
        self.raise_()
        self.show()
        self._timer.start()

    def follow_palette(self) -> None:
        """Take the colours of the conversation's palette again (its owner calls this: a widget
        with its own style sheet is not told of palette changes)."""
        self._restyle()

    def _restyle(self) -> None:
        palette = (self.parentWidget() or self).palette()  # not the one this sheet makes
        background = palette.color(QPalette.ColorRole.Text)
        text = readable(palette.color(QPalette.ColorRole.Base), background)
        sheet = (
            f"#copiedToast {{ background: {background.name()}; color: {text.name()}; "
            "border-radius: 12px; padding: 5px 14px; }"
        )
        if sheet != self.styleSheet():
            self.setStyleSheet(sheet)
