"""The window and the chat and attachment controllers, linked: intents down, changes up."""

from __future__ import annotations

from collections.abc import Callable

from app.controllers.attachments import AttachmentController
from app.controllers.chat import ChatController
from app.core.conversation import Message
from app.core.conversation_state import ConversationScope
from app.core.notices import Notices
from app.gui.pdf_pages_flow import PdfPagesFlow
from app.gui.services import SentImages
from app.ui.main_window import MainWindow


class ControllerLinks:
    """Connects the tray's and the composer's intents to the controllers (add, remove, move,
    stop), and the controllers' changes to the window: messages added, streamed, finished and
    removed, the busy state, the tray's items, notices. Each change asks for a new meter
    reading."""

    def __init__(
        self,
        *,
        window: MainWindow,
        chat: ChatController,
        attachments: AttachmentController,
        images: SentImages,
        scope: ConversationScope,
        notices: Notices,
        refresh: Callable[[], None],
    ) -> None:
        self._window = window
        self._chat = chat
        self._attachments = attachments
        self._images = images
        self._scope = scope
        self._refresh = refresh  # one new meter reading
        self.pdf_pages = PdfPagesFlow(window, attachments)  # a long PDF's page picker
        tray = window.tray
        window.stopRequested.connect(chat.stop)
        window.composer.mimePasted.connect(tray.take_mime)
        tray.pathsDropped.connect(attachments.add_paths)
        tray.imageDataPasted.connect(attachments.add_image_data)
        tray.picturePasted.connect(attachments.add_picture)
        tray.urlPasted.connect(attachments.add_url)
        tray.removeRequested.connect(attachments.remove)
        tray.moveRequested.connect(attachments.move)
        attachments.changed.connect(self._attachments_changed)
        attachments.notice.connect(notices.info)
        chat.messageAdded.connect(self._message_added)
        chat.replyDelta.connect(window.view.append_delta)
        chat.replyNote.connect(window.view.set_status_note)
        chat.replyFinished.connect(self._reply_finished)
        chat.busyChanged.connect(self._busy_changed)
        chat.messagesRemoved.connect(self._messages_removed)

    def _attachments_changed(self) -> None:
        self._window.tray.set_items(self._attachments.items())
        self._refresh()

    def _message_added(self, message: Message) -> None:
        self._window.view.add_message(message, self._images.thumbnails)
        self._scope.rename(self._chat.conversation.id)
        self._refresh()

    def _reply_finished(self, message: Message) -> None:
        self._window.view.finish_message(message)
        self._refresh()

    def _busy_changed(self, busy: bool) -> None:
        self._window.set_busy(busy)
        if not busy:
            self._refresh()

    def _messages_removed(self, messages: list[Message]) -> None:
        for message in messages:
            self._window.view.remove_message(message.id)
