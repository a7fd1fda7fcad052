"""One turn, stage by stage, each stage named and given at construction:

    compose  the preset's template and default question make the text (or refuse: too few images)
    check    the meter model's gates, computed for this text at this moment (never a debounce)
    take     the tray's images and the text become the message's parts; tray and draft empty
    persist  the question is saved before the request leaves           (TurnStages.persist)
    shape    the conversation as sent: the fitting plan applied         (TurnStages.shape)
    stream   the chat controller streams the reply

Regenerate and retry run the last three.
"""

from __future__ import annotations

from collections.abc import Callable

from app.controllers.chat import ChatController, TurnStages
from app.core.conversation import Part
from app.core.conversation_state import ConversationScope

Compose = Callable[[str], "str | None"]  # the text to send; None: refused (and said why)
Check = Callable[[str], "str | None"]  # why it may not go now; None: it may
Take = Callable[[str], "list[Part]"]  # the message's parts; empties the tray and the draft
Refuse = Callable[[str], None]  # show why Send did not go


class TurnPipeline:
    def __init__(
        self,
        *,
        compose: Compose,
        check: Check,
        take: Take,
        refuse: Refuse,
        stages: TurnStages,
        chat: ChatController,
        scope: ConversationScope,
    ) -> None:
        self._compose = compose
        self._check = check
        self._take = take
        self._refuse = refuse
        self.stages = stages
        self._chat = chat
        self._scope = scope

    def send(self, text: str) -> bool:
        """Send `text` and the tray as the next question; False when a stage refused, having
        said why."""
        composed = self._compose(text)
        if composed is None:
            return False
        reason = self._check(composed)
        if reason is not None:
            self._refuse(reason)
            return False
        self._chat.send(self._take(composed), self.stages)
        return True

    def regenerate(self) -> bool:
        return self._chat.regenerate(self.stages)

    def retry(self) -> None:
        self._chat.retry(self.stages)
