"""Waiting for a turn to be over in the window, not merely for its status to change."""

from __future__ import annotations

from collections.abc import Callable

from app.core.conversation import Status
from app.gui.session import AppSession


def finished(session: AppSession, *statuses: Status) -> Callable[[], bool]:
    """True once the last reply has one of `statuses` and the window has been told the turn
    ended (the status is set a moment before the view and the buttons are updated)."""

    def check() -> bool:
        messages = session.chat.conversation.messages
        return (
            bool(messages)
            and messages[-1].role == "assistant"
            and messages[-1].status in statuses
            and not session.window.stop_button.isEnabled()
        )

    return check
