"""Conversations that last: the session's turns saved as they happen, the sidebar, search,
regenerate, export and import.

The question is saved before its request leaves (and the sidebar lists its conversation at
once); streamed text reaches the disk at least every second; a conversation chosen in the
sidebar replaces the one on screen, and the sidebar marks whichever conversation is open. After
a crash, the conversation whose reply was cut off opens again, marked interrupted.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QFileDialog, QMenu, QToolButton

from app.controllers.history import HistoryController
from app.core.conversation import Conversation, Message
from app.core.history_rows import ConversationPage, HistoryInfo
from app.store.db import HistoryError
from app.ui.sidebar import ConversationSidebar

if TYPE_CHECKING:
    from app.gui.session import AppSession

# Failures the history controller has already reported through its `failed` signal.
_FAILED = (HistoryError, OSError)


class HistoryFlow(QObject):
    def __init__(self, session: AppSession, data_dir: Path | None = None) -> None:
        super().__init__(session)
        self._session = session
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
        session.chat.before_request = self._before_request

    # -- construction -----------------------------------------------------------------------
    def _build(self) -> None:
        window = self._session.window
        dock = QDockWidget("Conversations", window)
        dock.setObjectName("conversationsDock")
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetClosable
        )
        dock.setWidget(self.sidebar)
        window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)
        menu = QMenu("Conversation", window)
        menu.setObjectName("conversationMenu")
        self.regenerate_action = self._add(
            menu, "Regenerate the last reply", "Ctrl+R", self._session.regenerate
        )
        menu.addSeparator()
        self._add(menu, "Export as Markdown…", "", lambda: self._export("md"))
        self._add(menu, "Export as JSON…", "", lambda: self._export("json"))
        self._add(menu, "Import from JSON…", "", self._import)
        menu.addSeparator()
        toggle = dock.toggleViewAction()
        toggle.setShortcut(QKeySequence("Ctrl+B"))
        window.addAction(toggle)
        menu.addAction(toggle)
        self._add(menu, "Search conversations", "Ctrl+K", lambda: self._focus_search(dock))
        button = QToolButton()
        button.setObjectName("conversationMenuButton")
        button.setText("Conversation")
        button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        button.setMenu(menu)
        toolbar = window.findChild(QObject, "mainToolbar")
        if toolbar is not None:
            toolbar.addWidget(button)  # type: ignore[attr-defined]
        self.menu = menu

    def _focus_search(self, dock: QDockWidget) -> None:
        dock.show()
        self.sidebar.search_edit.setFocus()
        self.sidebar.search_edit.selectAll()

    def _add(self, menu: QMenu, text: str, shortcut: str, slot: object) -> QAction:
        action = menu.addAction(text)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
            self._session.window.addAction(action)
        action.triggered.connect(slot)
        return action

    def _wire(self) -> None:
        s, h, bar = self._session, self.history, self.sidebar
        h.opened.connect(self._opened)
        h.failed.connect(s.notices.error)
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
        bar.newRequested.connect(s.new_conversation)
        # After the session has started the new conversation (connected before these):
        bar.newRequested.connect(self._show_open)
        s.window.newConversationRequested.connect(self._show_open)
        s.chat.messageAdded.connect(self._show_open)
        s.chat.replyDelta.connect(h.reply_delta)
        s.chat.replyFinished.connect(self._reply_finished)
        s.chat.messagesRemoved.connect(self._removed)
        s.window.view.retryRequested.connect(self._forget)

    # -- opening and closing -----------------------------------------------------------------
    async def open(self) -> None:
        """Open the history (the session calls this once its loop runs)."""
        try:
            await self.history.open()
        except _FAILED:
            return  # the app runs on without saving

    def _opened(self, info: HistoryInfo) -> None:
        if info.notice:
            self._session.notices.info(info.notice)
        cut_off = self.history.interrupted_conversation
        session = self._session
        if cut_off is not None and not session.chat.conversation.messages and not session.chat.busy:
            self._crash_notice = (cut_off, info.notice)
            self.open_conversation(cut_off)  # where the user was when the app went down

    async def aclose(self) -> None:
        await self.history.aclose()

    # -- saving the turn as it happens -------------------------------------------------------
    async def _before_request(self, reply: Message) -> None:
        """Save the question (awaited: before the request leaves) and the reply's placeholder."""
        conversation = self._session.chat.conversation
        index = conversation.messages.index(reply)
        question = conversation.messages[index - 1] if index else None
        if question is not None and question.id not in self._saved:
            shas = {p.image.sha256 for p in question.images if p.image is not None}
            originals = {k: v for k, v in self._session.originals.items() if k in shas}
            thumbs = {k: v for k, v in self._session.thumbnails.items() if k in shas}
            # A failure to save is reported; the turn goes ahead unsaved rather than not at all.
            with contextlib.suppress(*_FAILED):
                await self.history.save_message(conversation, question, originals, thumbs)
            self._saved.add(question.id)
            self.history.refresh()  # a new conversation is listed from its first question
        if reply.id not in self._saved:
            self.history.save_message(conversation, reply)
            self._saved.add(reply.id)

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
        self.sidebar.set_open(self._session.chat.conversation.id)

    def open_conversation(self, conv_id: str) -> None:
        session = self._session
        if conv_id == session.chat.conversation.id:
            return
        session.chat.stop()
        self.history.open_conversation(conv_id)

    def _page_loaded(self, page: ConversationPage) -> None:
        session = self._session
        session.thumbnails.update(page.thumbnails)
        session.window.view.set_messages(page.messages, session.thumbnails)
        self._page_was_all = page.start == 0

    def _conversation_loaded(self, conversation: Conversation) -> None:
        session = self._session
        session.new_conversation(clear_view=False)  # the view shows its last page already
        session.chat.conversation = conversation
        self._saved = {m.id for m in conversation.messages}
        if not self._page_was_all:  # the view shows the last of them, earlier ones on request
            session.window.view.set_messages(conversation.messages, session.thumbnails)
        session.window.system_prompt_edit.setText(conversation.system_prompt)
        if conversation.model and conversation.model != session.settings.model:
            session.choose_model(conversation.model)
        session.show_efforts()
        self.sidebar.set_open(conversation.id)
        if self._jump_to is not None:
            session.window.view.scroll_to_message(self._jump_to)
            self._jump_to = None
        crash, self._crash_notice = self._crash_notice, None
        if crash is not None and crash[0] == conversation.id and crash[1]:
            session.notices.info(crash[1])  # again, over any notice opening it caused
        session.update_meter()

    def _hit_chosen(self, conv_id: str, message_id: str) -> None:
        if conv_id == self._session.chat.conversation.id:
            self._session.window.view.scroll_to_message(message_id)
            return
        self._jump_to = message_id
        self.open_conversation(conv_id)

    def _delete(self, conv_id: str) -> None:
        self.history.delete(conv_id)
        self._reopen_on_undo = None
        if conv_id == self._session.chat.conversation.id:
            self._reopen_on_undo = conv_id
            self._session.new_conversation()
            self._show_open()

    def _undo_delete(self, conv_id: str) -> None:
        """Undo (the bar, Ctrl+Z): the conversation is listed again, and open again if it was
        open when deleted and nothing has been started since."""
        self.history.undo_delete(conv_id)
        reopen, self._reopen_on_undo = self._reopen_on_undo, None
        if reopen == conv_id and not self._session.chat.conversation.messages:
            self.open_conversation(conv_id)

    # -- export and import ---------------------------------------------------------------------
    def _export(self, fmt: str) -> None:
        conversation = self._session.chat.conversation
        if not self._saved & {m.id for m in conversation.messages}:
            self._session.notices.info(
                "Nothing to export yet: this conversation has "
                "not been saved (send a question first)."
            )
            return
        dialog = QFileDialog(self._session.window, "Export the conversation into a folder")
        dialog.setObjectName("exportDialog")
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.fileSelected.connect(
            lambda folder: self._session.tasks.start(
                self._write_export(conversation.id, Path(folder), fmt), "export"
            )
        )
        self._open_dialog(dialog)

    async def _write_export(self, conv_id: str, folder: Path, fmt: str) -> None:
        try:
            path = await self.history.export(conv_id, folder, fmt)
        except _FAILED:
            return
        self._session.notices.info(f"Exported to {path}.")

    def _import(self) -> None:
        dialog = QFileDialog(self._session.window, "Import a conversation exported as JSON")
        dialog.setObjectName("importDialog")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.setNameFilter("Conversation exports (*.json)")
        dialog.fileSelected.connect(
            lambda path: self._session.tasks.start(self._read_import(Path(path)), "import")
        )
        self._open_dialog(dialog)

    async def _read_import(self, path: Path) -> None:
        try:
            conv_id = await self.history.import_file(path)
        except _FAILED:
            return
        self._session.notices.info(f"Imported {path.name}.")
        self.open_conversation(conv_id)

    def _open_dialog(self, dialog: QFileDialog) -> None:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._dialog = dialog
        dialog.open()


def install(session: AppSession, data_dir: Path | None = None) -> HistoryFlow:
    existing = getattr(session, "history_flow", None)
    if isinstance(existing, HistoryFlow):
        return existing
    return HistoryFlow(session, data_dir)
