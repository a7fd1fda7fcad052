"""Versions of a turn, editing a question where it stands, and Continue, in the window.

- Regenerate and an edited question make a new version of their turn; the line under a turn
  with versions shows "‹ 2 / 3 ›" (`ui.version_switch`), and switching shows that version with
  the rest of the conversation that goes with it. The choice is saved (`save_shown`).
- Edit (the link under a question) opens `ui.inline_editor.InlineEditor` over that question:
  its text and which of its images it keeps; Save & send makes the new version.
- Continue (the link under a stopped or cut reply, the Conversation menu or `CONTINUE_KEY`)
  asks the model to go on; what it writes is appended to the same reply.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence

from app.controllers.chat import ChatController, TurnStages
from app.controllers.history import HistoryController
from app.core.conversation import Message, Part, TextPart
from app.core.conversation_state import ConversationScope
from app.core.notices import Notices
from app.gui.services import SentImages
from app.ui.inline_editor import InlineEditor
from app.ui.main_window import MainWindow
from app.ui.version_switch import turn_links

CONTINUE_KEY = "Ctrl+Shift+Enter"  # beside Ctrl+Enter (send); Return and the keypad's Enter
_BUSY = "Wait for the reply to finish (or stop it) first."


class VersionsFlow(QObject):
    def __init__(
        self,
        *,
        window: MainWindow,
        chat: ChatController,
        history: HistoryController,
        scope: ConversationScope,
        images: SentImages,
        stages: TurnStages,
        notices: Notices,
        refresh: Callable[[], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._window = window
        self._chat = chat
        self._history = history
        self._scope = scope
        self._images = images
        self._stages = stages
        self._notices = notices
        self._refresh = refresh  # one new meter reading
        self.editor: InlineEditor | None = None
        view = window.view
        view.turn_links = self._links
        view.versionRequested.connect(self.switch)
        view.continueRequested.connect(lambda _message_id: self.continue_reply())
        chat.messagesHidden.connect(self._hidden)
        chat.branchSwitched.connect(self._switched)
        scope.watch("editing", self._editing_changed)
        scope.observe(lambda _state: self._opened())
        self.continue_action = QAction("Continue the reply", self)
        self.continue_action.setObjectName("continueAction")
        self.continue_action.setShortcuts(
            [QKeySequence(CONTINUE_KEY), QKeySequence("Ctrl+Shift+Return")]  # the first is shown
        )
        self.continue_action.triggered.connect(self.continue_reply)
        window.addAction(self.continue_action)
        window.menu("conversation").addAction(self.continue_action)

    # -- versions ---------------------------------------------------------------------------
    def _links(self, message: Message) -> str:
        conversation = self._chat.conversation
        last = bool(conversation.messages) and conversation.messages[-1].id == message.id
        return turn_links(
            message,
            conversation.version(message.id),
            can_continue=last and message.continuable and not self._chat.busy,
        )

    def _opened(self) -> None:
        """A conversation opened from the history shows its first page before it is the open
        one: drawn again once it is, when a turn it shows has versions or can be continued."""
        messages = self._chat.conversation.messages
        if (messages and messages[-1].continuable) or any(
            self._chat.conversation.version(m.id)[1] > 1 for m in messages
        ):
            self._window.view.refresh()

    def switch(self, message_id: str, number: int) -> None:
        """Show version `number` of a turn (the view's "‹ ›" links)."""
        if self._chat.busy:
            self._notices.info(_BUSY)
            return
        self._chat.switch_version(message_id, number)

    def _switched(self) -> None:
        conversation = self._chat.conversation
        self._scope.state.editing = None
        self._window.view.set_messages(conversation.messages, self._images.thumbnails)
        self._history.save_shown(conversation)
        self._refresh()

    def _hidden(self, messages: list[Message]) -> None:
        """Messages that left the visible branch (they stay as versions) leave the view."""
        if len(messages) > 1:
            view, conversation = self._window.view, self._chat.conversation
            view.set_messages(conversation.messages, self._images.thumbnails)
            return
        for message in messages:
            self._window.view.remove_message(message.id)

    # -- Continue -----------------------------------------------------------------------------
    def continue_reply(self) -> None:
        if self._chat.busy:
            self._notices.info(_BUSY)
        elif not self._chat.continue_reply(self._stages):
            self._notices.info(
                "Nothing to continue: Continue goes on with the last reply after Stop or when "
                "it was cut at the token limit."
            )

    # -- editing a question in place ------------------------------------------------------------
    def edit(self, message_id: str) -> None:
        """Open the editor over an earlier question (the view's Edit link)."""
        if self._chat.busy:
            self._notices.info(_BUSY)
            return
        self._scope.state.edit_draft = None
        self._scope.state.editing = message_id

    def _editing_changed(self, message_id: str | None) -> None:
        """The editor follows the conversation's state: open over the question being edited."""
        if self.editor is not None:
            self.editor.close_editor()
            self.editor = None
        message = next((m for m in self._chat.conversation.messages if m.id == message_id), None)
        if message is None or message.role != "user":
            return
        self._window.view.flush()
        state = self._scope.state
        self.editor = InlineEditor(self._window.view.browser, message, state.edit_draft)
        self.editor.submitted.connect(self._submitted)
        self.editor.cancelled.connect(self._cancel)
        text_edit = self.editor.text_edit
        text_edit.textChanged.connect(lambda: self._drafted(text_edit.toPlainText()))

    def _drafted(self, text: str) -> None:
        """Kept with the conversation, so that an edit left for another comes back as typed."""
        self._scope.state.edit_draft = text

    def _cancel(self) -> None:
        self._scope.state.edit_draft = None
        self._scope.state.editing = None

    def _submitted(self, message_id: str, text: str, kept: list[int]) -> None:
        message = next((m for m in self._chat.conversation.messages if m.id == message_id), None)
        if message is None:
            self._scope.state.editing = None
            return
        if self._chat.busy:
            if self.editor is not None:
                self.editor.say(_BUSY)
            return
        images = message.images
        parts: list[Part] = [images[i] for i in kept if i < len(images)]
        if text.strip():
            parts.append(TextPart(text))
        self._cancel()
        self._chat.replace_question(message_id, parts, self._stages)
