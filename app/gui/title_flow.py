"""A conversation titled from its content once its first reply is in (Settings → Conversation
titles): by a small, cheap model of the endpoint, or made here when there is none, the request
fails, or the user chose so; never over a title the user gave.

The request (`app.llm.title`) has no conversation id, so the conversation's prompt cache is
untouched; it asks for a few tokens, and its cost goes into the day's ledger like any reply's.
A failure says nothing: the title is made here instead. The store writes the title only where
the first question's title still stands, numbered when another conversation has it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal, SignalInstance

from app.controllers.chat import ChatController
from app.controllers.history import HistoryController
from app.core import billing as money
from app.core.conversation import Message, Status, TextPart
from app.core.titles import clean_title, default_title, heuristic_title, title_model, title_request
from app.gui.budget_costs import CostBook
from app.gui.services import Preferences, Work

if TYPE_CHECKING:
    import openai

log = logging.getLogger(__name__)

ClientSource = Callable[[], "openai.AsyncOpenAI | None"]


class TitleFlow(QObject):
    titled = Signal(str, str)  # conversation id, its new title

    def __init__(
        self,
        *,
        chat: ChatController,
        history: HistoryController,
        client: ClientSource,
        prefs: Preferences,
        costs: CostBook,
        work: Work,
        renamed: SignalInstance,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._chat = chat
        self._history = history
        self._client = client
        self._prefs = prefs
        self._costs = costs
        self._work = work
        self._asked: set[str] = set()  # conversations titled (or being titled) in this run
        chat.replyFinished.connect(self._reply_finished)
        renamed.connect(self._renamed)

    def _renamed(self, conv_id: str, title: str) -> None:
        """The user's title: kept for good (no title request is made for it)."""
        self._asked.add(conv_id)
        if self._chat.conversation.id == conv_id:
            self._chat.conversation.title = title

    def _reply_finished(self, reply: Message) -> None:
        conversation = self._chat.conversation
        replies = [
            m
            for m in conversation.messages
            if m.role == "assistant" and m.status is Status.COMPLETE
        ]
        questions = [m for m in conversation.messages if m.role == "user"]
        if (
            self._prefs.settings.titles == "off"
            or reply.status is not Status.COMPLETE
            or not replies
            or replies[0] is not reply
            or not questions
            or conversation.id in self._asked
            or self._history.read_only
        ):
            return
        question = questions[0]
        default = default_title(question.text)
        if conversation.title != default:
            return  # renamed, or titled already
        self._asked.add(conversation.id)
        names = [part.name for part in question.images]
        self._work.start(
            self._title(conversation.id, default, question.text, reply.text, names), "title"
        )

    async def _title(
        self, conv_id: str, default: str, question: str, reply: str, names: list[str]
    ) -> None:
        title = None
        if self._prefs.settings.titles == "auto":
            title = await self._ask_model(question, reply, names)
        if title is None:
            title = heuristic_title(question, reply, names)
        final = await self._history.auto_title(conv_id, title, default)
        if final is None:
            return
        if self._chat.conversation.id == conv_id:
            self._chat.conversation.title = final
        self.titled.emit(conv_id, final)

    async def _ask_model(self, question: str, reply: str, names: list[str]) -> str | None:
        model = title_model(self._prefs.models)
        client = self._client()
        if model is None or client is None:
            return None
        import openai  # loaded by now: the network stack loads once the window shows

        from app.llm.title import request_title

        try:
            text, usage = await request_title(client, model, title_request(question, reply, names))
        except openai.OpenAIError as exc:
            log.info("no title from %s (%s): made here instead", model, type(exc).__name__)
            return None
        answer = Message(role="assistant", parts=[TextPart(text)], usage=usage, model=model)
        self._costs.record_reply(answer, money.reply_bill(answer, model, self._costs.pricing_for))
        self._costs.changed.emit()
        return clean_title(text)
