"""Editing an earlier question where it stands: an editor laid over that message in the
conversation, with its text and a check box for each of its images.

"Save & send" (or Ctrl+Enter) emits `submitted(message id, text, kept image indexes)`; Cancel
(or Esc) emits `cancelled`. The editor follows the message as the conversation scrolls.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QTextCursor
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.conversation import Message, image_label
from app.ui.conversation_browser import ConversationBrowser
from app.ui.conversation_render import message_anchor

MARGIN = 12  # pixels between the editor and the sides of the conversation
TEXT_LINES = 5  # the text box shows this many lines before it scrolls


class InlineEditor(QFrame):
    submitted = Signal(str, str, list)  # message id, text, indexes of the images kept
    cancelled = Signal()

    def __init__(
        self, browser: ConversationBrowser, message: Message, text: str | None = None
    ) -> None:
        super().__init__(browser.viewport())
        self.setObjectName("inlineEditor")
        self.setAccessibleName("Edit the question")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.message_id = message.id
        self._browser = browser
        layout = QVBoxLayout(self)
        hint = QLabel("Edit the question: sending it makes a new version of this turn.")
        hint.setWordWrap(True)
        layout.addWidget(hint)
        self.text_edit = QPlainTextEdit(message.text if text is None else text)
        self.text_edit.setObjectName("inlineEditorText")
        self.text_edit.setAccessibleName("Question text")
        lines = self.text_edit.fontMetrics().lineSpacing() * TEXT_LINES
        self.text_edit.setFixedHeight(lines + 2 * self.text_edit.frameWidth() + 8)
        self.text_edit.installEventFilter(self)
        layout.addWidget(self.text_edit)
        self.image_boxes: list[QCheckBox] = []
        for number, part in enumerate(message.images, start=1):
            box = QCheckBox(f"Send {image_label(part.number or number, part)}")
            box.setObjectName(f"inlineEditorImage{number}")
            box.setChecked(True)
            self.image_boxes.append(box)
            layout.addWidget(box)
        self.problem = QLabel("")
        self.problem.setObjectName("inlineEditorProblem")
        self.problem.setWordWrap(True)
        self.problem.hide()
        layout.addWidget(self.problem)
        layout.addLayout(self._buttons())
        browser.verticalScrollBar().valueChanged.connect(self.follow)
        browser.viewport().installEventFilter(self)
        cursor = self.text_edit.textCursor()
        cursor.movePosition(QTextCursor.MoveOperation.End)
        self.text_edit.setTextCursor(cursor)
        self.follow()
        self.show()
        self.text_edit.setFocus()

    def _buttons(self) -> QHBoxLayout:
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("inlineEditorCancel")
        self.cancel_button.setToolTip("Leave the question as it was (Esc)")
        self.cancel_button.clicked.connect(self.cancelled)
        self.send_button = QPushButton("Save && send")
        self.send_button.setObjectName("inlineEditorSend")
        self.send_button.setToolTip("Send the edited question as a new version (Ctrl+Enter)")
        self.send_button.setDefault(True)
        self.send_button.clicked.connect(self.submit)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.send_button)
        return buttons

    def kept_images(self) -> list[int]:
        return [i for i, box in enumerate(self.image_boxes) if box.isChecked()]

    def submit(self) -> None:
        text = self.text_edit.toPlainText()
        if not text.strip() and not self.kept_images():
            self.say("A question needs text or at least one image.")
            return
        self.submitted.emit(self.message_id, text, self.kept_images())

    def say(self, problem: str) -> None:
        """Show why the edit cannot go (the text stays as typed)."""
        self.problem.setText(problem)
        self.problem.setVisible(bool(problem))
        self.follow()

    def follow(self) -> None:
        """Lie over the message's place in the conversation, at the viewport's width."""
        viewport = self._browser.viewport()
        top = anchor_top(self._browser, message_anchor(self.message_id))
        width = max(120, viewport.width() - 2 * MARGIN)
        height = self.sizeHint().height()
        if top is None:  # not in the document (yet): at the bottom of what shows
            top = viewport.height() - height
        self.setGeometry(MARGIN, max(0, min(top, viewport.height() - height)), width, height)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._browser.viewport() and event.type() == QEvent.Type.Resize:
            self.follow()
        elif watched is self.text_edit and isinstance(event, QKeyEvent) and _is_ours(event):
            if event.type() == QEvent.Type.ShortcutOverride:
                event.accept()  # ours, not a window shortcut's
                return True
            if event.type() == QEvent.Type.KeyPress:
                if event.key() == Qt.Key.Key_Escape:
                    self.cancelled.emit()
                else:
                    self.submit()
                return True
        return super().eventFilter(watched, event)

    def close_editor(self) -> None:
        self._browser.verticalScrollBar().valueChanged.disconnect(self.follow)
        self._browser.viewport().removeEventFilter(self)
        self.hide()
        self.deleteLater()


def _is_ours(event: QKeyEvent) -> bool:
    key, control = event.key(), event.modifiers() & Qt.KeyboardModifier.ControlModifier
    return key == Qt.Key.Key_Escape or (
        bool(control) and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
    )


def anchor_top(browser: ConversationBrowser, name: str) -> int | None:
    """Where the block holding the anchor `name` starts, in the viewport's coordinates."""
    position = browser.anchor_position(name)
    if position is None:
        return None
    cursor = QTextCursor(browser.document())
    cursor.setPosition(position)
    return browser.cursorRect(cursor).top()


def editor_of(widget: QWidget) -> InlineEditor | None:
    """The inline editor open in a conversation browser's viewport, if any."""
    return widget.findChild(InlineEditor, "inlineEditor")
