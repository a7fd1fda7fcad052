"""The multi-line box where the question is written."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QPlainTextEdit, QWidget

_IMAGE_URL_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".gif")


def carries_image(source: QMimeData) -> bool:
    """A picture, or encoded image bytes the tray takes as they are (PNG, JPEG, GIF…). Only
    some platforms' clipboards report bytes such as image/gif as an image (hasImage)."""
    from app.ui.tray_mime import ENCODED_IMAGE_FORMATS  # not needed for the first paint

    return source.hasImage() or any(source.hasFormat(fmt) for fmt, _ in ENCODED_IMAGE_FORMATS)


def is_image_address(text: str) -> bool:
    """A single https address that names an image file."""
    text = text.strip()
    return (
        text.startswith("https://")
        and not any(c.isspace() for c in text)
        and text.lower().split("?")[0].endswith(_IMAGE_URL_SUFFIXES)
    )


class Composer(QPlainTextEdit):
    """Enter sends and Shift+Enter breaks the line (or the reverse); Ctrl+Enter always sends.

    Pasted images, files and image addresses are not inserted as text: they go to the tray.
    """

    sendRequested = Signal()
    escapePressed = Signal()
    mimePasted = Signal(QMimeData)  # images, files or an image address, for the tray
    textEdited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("composer")
        self.setAccessibleName("Message")
        self.setPlaceholderText("Ask about the images… (Enter sends, Shift+Enter for a new line)")
        self.setTabChangesFocus(True)
        self.enter_sends = True
        self.textChanged.connect(self.textEdited)

    def set_enter_sends(self, enter_sends: bool) -> None:
        self.enter_sends = enter_sends
        hint = (
            "Enter sends, Shift+Enter for a new line"
            if enter_sends
            else "Ctrl+Enter sends, Enter for a new line"
        )
        self.setPlaceholderText(f"Ask about the images… ({hint})")

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            mods = event.modifiers()
            ctrl = bool(mods & Qt.KeyboardModifier.ControlModifier)
            shift = bool(mods & Qt.KeyboardModifier.ShiftModifier)
            if ctrl or (self.enter_sends and not shift):
                self.sendRequested.emit()
                return
            if not self.enter_sends and not shift:
                self.insertPlainText("\n")
                return
        super().keyPressEvent(event)

    def canInsertFromMimeData(self, source: QMimeData) -> bool:
        return carries_image(source) or source.hasUrls() or super().canInsertFromMimeData(source)

    def insertFromMimeData(self, source: QMimeData) -> None:
        if (
            carries_image(source)
            or any(u.isLocalFile() for u in source.urls())
            or (source.hasText() and is_image_address(source.text()))
        ):
            self.mimePasted.emit(source)
            return
        super().insertFromMimeData(source)
