"""Conversations that last: the session's turns saved as they happen, the sidebar, search,
regenerate, export and import.

The question is saved before its request leaves (and the sidebar lists its conversation at
once); streamed text reaches the disk at least every second; a conversation chosen in the
sidebar replaces the one on screen, and the sidebar marks whichever conversation is open. After
a crash, the conversation whose reply was cut off opens again, marked interrupted.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QFileDialog, QMenu

from app.controllers.chat import ChatController
from app.controllers.history import HistoryController
from app.core.conversation import Conversation, Message
from app.core.history_rows import ConversationPage, HistoryInfo
from app.core.notices import Notices
from app.gui.services import SentImages, Work
from app.store.db import HistoryError
from app.ui.main_window import MainWindow
from app.ui.sidebar import ConversationSidebar

# Make `conversation` the open one; `show_all`: the view shows only its last page so far.
Adopt = Callable[[Conversation, bool], None]

# Failures the history controller has already reported through its `failed` signal.
_FAILED = (HistoryError, OSError)


class HistoryFlow(QObject):
    def __init__(
        self,
        *,
        window: MainWindow,
        chat: ChatController,
        images: SentImages,
        work: Work,
        notices: Notices,
        adopt: Adopt,
        new_conversation: Callable[[], None],
        regenerate: Callable[[], object],
        data_dir: Path | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._window = window
        self._chat = chat
        self._images = images
        self._work = work
        self._notices = notices
        self._adopt = adopt
        self._new_conversation = new_conversation
        self._regenerate = regenerate
        self.history = HistoryController(data_dir, self)
        self.sidebar = ConversationSidebar()
        self._saved: set[str] = set()  # ids of messages already in the store
        self._jump_to: str | None = None  # a search hit's message, once its conversation opens
        self._page_was_all = False  # the page shown first held the whole conversation
        self._dialog: QFileDialog | None = None
        self._reopen_on_undo: str | None = None  # the open conversation, deleted
        self._crash_notice: tuple[str, str] | None = None  # (conversation id, notice)
        self._build()
        self._wire()

    # -- construction -----------------------------------------------------------------------
    def _build(self) -> None:
        window = self._window
        dock = window.conversations_dock  # on screen already, empty until now
        placeholder = dock.widget()
        dock.setWidget(self.sidebar)
        if placeholder is not None:
            placeholder.deleteLater()
        menu = window.menu("conversation")
        self.regenerate_action = self._add(
            menu, "Regenerate the last reply", "Ctrl+R", self._regenerate
        )
        menu.addSeparator()
        self._add(menu, "Export as Markdown…", "", lambda: self._export("md"))
        self._add(menu, "Export as JSON…", "", lambda: self._export("json"))
        self._add(menu, "Import from JSON…", "", self._import)
        view = window.menu("view")
        toggle = dock.toggleViewAction()
        toggle.setText("Conversations")
        toggle.setShortcut(QKeySequence("Ctrl+B"))
        window.addAction(toggle)
        view.addAction(toggle)
        self._add(view, "Search conversations", "Ctrl+K", lambda: self._focus_search(dock))
        self.menu = menu

    def _focus_search(self, dock: QDockWidget) -> None:
        dock.show()
        self.sidebar.search_edit.setFocus()
        self.sidebar.search_edit.selectAll()

    def _add(self, menu: QMenu, text: str, shortcut: str, slot: object) -> QAction:
        action = menu.addAction(text)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
            self._window.addAction(action)
        action.triggered.connect(slot)
        return action

    def _wire(self) -> None:
        h, bar, chat = self.history, self.sidebar, self._chat
        h.opened.connect(self._opened)
        h.failed.connect(self._notices.error)
        h.conversationsChanged.connect(bar.set_rows)
        h.searchFinished.connect(lambda _query, hits: bar.set_search_results(hits))
        h.pageLoaded.connect(self._page_loaded)
        h.conversationLoaded.connect(self._conversation_loaded)
        bar.conversationChosen.connect(self.open_conversation)
        bar.searchHitChosen.connect(self._hit_chosen)
        bar.searchRequested.connect(h.request_search)
        bar.renameRequested.connect(h.rename)
        bar.pinRequested.connect(h.pin)
        bar.deleteRequested.connect(self._delete)
        bar.undoDeleteRequested.connect(self._undo_delete)
        bar.newRequested.connect(self._new_conversation)
        # After the session has started the new conversation (connected before these):
        bar.newRequested.connect(self._show_open)
        self._window.newConversationRequested.connect(self._show_open)
        chat.messageAdded.connect(self._show_open)
        chat.replyDelta.connect(h.reply_delta)
        chat.replyFinished.connect(self._reply_finished)
        chat.messagesRemoved.connect(self._removed)
        self._window.view.retryRequested.connect(self._forget)
        self._window.view.regenerateRequested.connect(lambda _reply: self._regenerate())

    # -- opening and closing -----------------------------------------------------------------
    async def open(self) -> None:
        """Open the history and list its conversations (the session calls this once its loop
        runs)."""
        try:
            await self.history.listed()
        except _FAILED:
            return  # the app runs on without saving

    def _opened(self, info: HistoryInfo) -> None:
        if info.notice:
            self._notices.info(info.notice)
        cut_off = self.history.interrupted_conversation
        chat = self._chat
        if cut_off is not None and not chat.conversation.messages and not chat.busy:
            self._crash_notice = (cut_off, info.notice)
            self.open_conversation(cut_off)  # where the user was when the app went down

    async def aclose(self) -> None:
        await self.history.aclose()

    # -- saving the turn as it happens -------------------------------------------------------
    async def persist(self, reply: Message) -> None:
        """The turn's `persist` stage: save the question (awaited: before the request leaves)
        and the reply's placeholder."""
        conversation = self._chat.conversation
        index = conversation.messages.index(reply)
        question = conversation.messages[index - 1] if index else None
        if question is not None and question.id not in self._saved:
            shas = {p.image.sha256 for p in question.images if p.image is not None}
            originals, thumbs = self._images.of(shas)
            # A failure to save is reported; the turn goes ahead unsaved rather than not at all.
            with contextlib.suppress(*_FAILED):
                await self.history.save_message(conversation, question, originals, thumbs)
            self._saved.add(question.id)
            self.history.refresh()  # a new conversation is listed from its first question
        if reply.id not in self._saved:
            self.history.save_message(conversation, reply)
            self._saved.add(reply.id)
        else:  # Continue: the reply streams on from the text it has
            self.history.resume_text(reply.id, reply.text)

    def _reply_finished(self, reply: Message) -> None:
        if reply.id in self._saved:
            self.history.finish_message(reply)
        self.history.refresh()

    def _forget(self, message_id: str) -> None:
        """A failed reply being retried leaves the store as it leaves the view."""
        if message_id in self._saved:
            self._saved.discard(message_id)
            self.history.delete_message(message_id)

    def _removed(self, messages: list[Message]) -> None:
        for message in messages:
            self._forget(message.id)

    # -- the sidebar ---------------------------------------------------------------------------
    def _show_open(self, *_: object) -> None:
        """Mark the conversation open in the window (listed now or once saved)."""
        self.sidebar.set_open(self._chat.conversation.id)

    def open_conversation(self, conv_id: str) -> None:
        if conv_id == self._chat.conversation.id:
            return
        self._chat.stop()
        self.history.open_conversation(conv_id)

    def _page_loaded(self, page: ConversationPage) -> None:
        self._images.thumbnails.update(page.thumbnails)
        self._window.view.set_messages(page.messages, self._images.thumbnails)
        self._page_was_all = page.start == 0

    def _conversation_loaded(self, conversation: Conversation) -> None:
        self._saved = {m.id for m in conversation.messages}
        # The view shows its last page already; all of it only when that page was all.
        self._adopt(conversation, not self._page_was_all)
        self.sidebar.set_open(conversation.id)
        if self._jump_to is not None:
            self._chat.show_message(self._jump_to)  # a hit in a version not shown: shown now
            self._window.view.scroll_to_message(self._jump_to)
            self._jump_to = None
        crash, self._crash_notice = self._crash_notice, None
        if crash is not None and crash[0] == conversation.id and crash[1]:
            self._notices.info(crash[1])  # again, over any notice opening it caused

    def _hit_chosen(self, conv_id: str, message_id: str) -> None:
        if conv_id == self._chat.conversation.id:
            self._chat.show_message(message_id)
            self._window.view.scroll_to_message(message_id)
            return
        self._jump_to = message_id
        self.open_conversation(conv_id)

    def _delete(self, conv_id: str) -> None:
        self.history.delete(conv_id)
        self._reopen_on_undo = None
        if conv_id == self._chat.conversation.id:
            self._reopen_on_undo = conv_id
            self._new_conversation()
            self._show_open()

    def _undo_delete(self, conv_id: str) -> None:
        """Undo (the bar, Ctrl+Z): the conversation is listed again, and open again if it was
        open when deleted and nothing has been started since."""
        self.history.undo_delete(conv_id)
        reopen, self._reopen_on_undo = self._reopen_on_undo, None
        if reopen == conv_id and not self._chat.conversation.messages:
            self.open_conversation(conv_id)

    # -- export and import ---------------------------------------------------------------------
    def _export(self, fmt: str) -> None:
        conversation = self._chat.conversation
        if not self._saved & {m.id for m in conversation.messages}:
            self._notices.info(
                "Nothing to export yet: this conversation has "
                "not been saved (send a question first)."
            )
            return
        dialog = QFileDialog(self._window, "Export the conversation into a folder")
        dialog.setObjectName("exportDialog")
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.fileSelected.connect(
            lambda folder: self._work.start(
                self._write_export(conversation.id, Path(folder), fmt), "export"
            )
        )
        self._open_dialog(dialog)

    async def _write_export(self, conv_id: str, folder: Path, fmt: str) -> None:
        try:
            path = await self.history.export(conv_id, folder, fmt)
        except _FAILED:
            return
        self._notices.info(f"Exported to {path}.")

    def _import(self) -> None:
        dialog = QFileDialog(self._window, "Import a conversation exported as JSON")
        dialog.setObjectName("importDialog")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.setNameFilter("Conversation exports (*.json)")
        dialog.fileSelected.connect(
            lambda path: self._work.start(self._read_import(Path(path)), "import")
        )
        self._open_dialog(dialog)

    async def _read_import(self, path: Path) -> None:
        try:
            conv_id = await self.history.import_file(path)
        except _FAILED:
            return
        self._notices.info(f"Imported {path.name}.")
        self.open_conversation(conv_id)

    def _open_dialog(self, dialog: QFileDialog) -> None:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._dialog = dialog
        dialog.open()
