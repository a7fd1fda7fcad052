"""Edit → Undo (Ctrl+Z anywhere in the window): the one place that takes back a deleted
conversation, an image removed from the tray, or an image of an earlier message left out.

The stack is :class:`app.core.undo.UndoStack`; this flow fills it from the sidebar, the tray's
controller and the view, and names its top in the menu ("Undo remove image “chart.png”"). A
text field with the focus keeps its own Ctrl+Z (Qt lets the field take the key first). Tray
and left-out entries belong to the open conversation and are forgotten when another opens.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence

from app.controllers.attachments import AttachmentController
from app.core.conversation import Conversation
from app.core.conversation_state import ConversationScope
from app.core.fitting import FitPlan
from app.core.undo import Undoable, UndoStack
from app.ui.main_window import MainWindow
from app.ui.sidebar import ConversationSidebar

CONVERSATION, TRAY, LEFT_OUT = "conversation", "tray", "left-out"


class UndoFlow(QObject):
    def __init__(
        self,
        *,
        window: MainWindow,
        attachments: AttachmentController,
        sidebar: ConversationSidebar,
        scope: ConversationScope,
        conversation: Callable[[], Conversation],
        plan: Callable[[], FitPlan],
        set_plan: Callable[[FitPlan], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.stack = UndoStack()
        self._sidebar = sidebar
        self._conversation = conversation
        self._plan = plan
        self._set_plan = set_plan
        self.action = QAction("Undo", window)
        self.action.setObjectName("undoAction")
        self.action.setShortcut(QKeySequence(QKeySequence.StandardKey.Undo))
        self.action.triggered.connect(self.undo)
        edit = window.menu("edit")
        first = edit.actions()[0]  # the window's own Edit commands are there already
        edit.insertAction(first, self.action)
        edit.insertSeparator(first)
        window.addAction(self.action)
        # The sidebar's own Ctrl+Z would make the key ambiguous: this one takes its place.
        sidebar.undo_action.setShortcut(QKeySequence())
        sidebar.deleteRequested.connect(self._deleted)
        sidebar.undoDeleteRequested.connect(lambda _id: self.stack.forget(CONVERSATION))
        sidebar.undo_close.clicked.connect(lambda: self.stack.forget(CONVERSATION))
        attachments.removed.connect(
            lambda name, removed: self.stack.push(
                Undoable(f"remove image “{name}”", lambda: attachments.put_back(removed), TRAY)
            )
        )
        window.view.imageSendRequested.connect(self._image_sent_or_not)
        scope.observe(lambda _state: self._swapped())
        self.stack.observe(self._show)
        self._show()

    def undo(self) -> None:
        self.stack.undo()

    def _deleted(self, _conv_id: str) -> None:
        # The sidebar brings back only its last delete.
        self.stack.forget(CONVERSATION)
        title = self._sidebar.deleted_title
        self.stack.push(
            Undoable(f"delete conversation “{title}”", self._sidebar.undo_delete, CONVERSATION)
        )

    def _image_sent_or_not(self, message_id: str, index: int, send: bool) -> None:
        if send:
            return
        message = next((m for m in self._conversation().messages if m.id == message_id), None)
        images = message.images if message is not None else []
        name = images[index].name if index < len(images) else f"image {index + 1}"
        key = (message_id, index)
        self.stack.push(
            Undoable(
                f"leave out image “{name}”",
                lambda: self._set_plan(self._plan().with_image(key, dropped=False)),
                LEFT_OUT,
            )
        )

    def _swapped(self) -> None:
        self.stack.forget(TRAY)
        self.stack.forget(LEFT_OUT)

    def _show(self) -> None:
        top = self.stack.top
        self.action.setEnabled(top is not None)
        self.action.setText(f"Undo {top.what}" if top is not None else "Undo")
        self.action.setToolTip(f"Undo {top.what}" if top is not None else "Nothing to undo")
