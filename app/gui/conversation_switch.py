"""Going from one conversation to another.

Every path to another conversation comes here (New, Ctrl+N, the sidebar's New, opening one from
the history, deleting the open one). What the conversation being left has beside its messages
(the draft, the tray, where its view was) is parked in its state; the scope swaps the whole
state; what the next one left here comes back. Nothing of one conversation goes out with another.
"""

from __future__ import annotations

from collections.abc import Callable

from app.controllers.attachments import AttachmentController
from app.controllers.chat import ChatController
from app.core.conversation import Conversation
from app.core.conversation_state import ConversationScope, ConversationState
from app.gui.services import Preferences
from app.ui.main_window import MainWindow


class ConversationSwitch:
    def __init__(
        self,
        *,
        window: MainWindow,
        chat: ChatController,
        attachments: AttachmentController,
        scope: ConversationScope,
        prefs: Preferences,
        thumbnails: dict[str, bytes],
        choose_model: Callable[[str], None],
        show_efforts: Callable[[], None],
        refresh: Callable[[], object],
    ) -> None:
        self._window = window
        self._chat = chat
        self._attachments = attachments
        self._scope = scope
        self._prefs = prefs
        self._thumbnails = thumbnails
        self._choose_model = choose_model
        self._show_efforts = show_efforts
        self._refresh = refresh
        scope.observe(self._restore)
        window.systemPromptEdited.connect(self._system_prompt_edited)

    def new_conversation(self, *, clear_view: bool = True) -> None:
        """Start afresh (New, Ctrl+N, the sidebar's New, deleting the open conversation)."""
        self._leave()
        self._chat.new_conversation(self._prefs.settings.system_prompt)
        self._scope.swap()
        self.set_system_prompt(self._prefs.settings.system_prompt)
        self._show_efforts()
        if clear_view:
            self._window.view.clear()
        self._refresh()

    def adopt(self, conversation: Conversation, show_all: bool) -> None:
        """Make `conversation` (opened from the history) the open one; its draft, tray, preset
        and the rest come back as they were left during this run. `show_all`: the view shows
        only its last page so far."""
        self._leave()
        self._chat.new_conversation(conversation.system_prompt)
        if conversation.reasoning_effort is None:  # as asked for last time
            conversation.reasoning_effort = conversation.last_effort()
        self._chat.conversation = conversation
        if show_all:
            self._window.view.set_messages(conversation.messages, self._thumbnails)
        self._scope.swap(conversation.id)
        self._window.system_prompt_edit.setText(conversation.system_prompt)
        self._window.system_prompt_edit.setCursorPosition(0)
        if conversation.model and conversation.model != self._prefs.settings.model:
            self._choose_model(conversation.model)
        self._show_efforts()
        self._refresh()

    def _leave(self) -> None:
        """Park what the open conversation has beside its messages (the draft and the tray) in
        its state, and clear the composer and the tray for the next one."""
        state = self._scope.state
        state.draft = self._window.composer.toPlainText()
        self._window.composer.clear()
        state.tray = tuple(self._attachments.detach())
        state.scroll = self._window.view.scroll_position()

    def _restore(self, state: ConversationState) -> None:
        """Show what a conversation left here: its draft, its tray, where its view was."""
        self._window.composer.setPlainText(state.draft)
        cursor = self._window.composer.textCursor()
        cursor.movePosition(cursor.MoveOperation.End)
        self._window.composer.setTextCursor(cursor)
        self._attachments.restore(list(state.tray))
        if state.scroll is not None:
            self._window.view.restore_scroll(state.scroll)

    def set_system_prompt(self, text: str) -> None:
        self._chat.conversation.system_prompt = text
        self._window.system_prompt_edit.setText(text)
        self._window.system_prompt_edit.setCursorPosition(0)

    def _system_prompt_edited(self, text: str) -> None:
        self._chat.conversation.system_prompt = text
        self._refresh()
