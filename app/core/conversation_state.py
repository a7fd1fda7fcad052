"""What belongs to the open conversation beside its messages, swapped whole when another opens.

No Qt. The session owns one :class:`ConversationScope`; the flows that show part of the state
(the preset picker and JSON toggle, the structured-reply panel, the fit plan and its panel)
observe it. Creating a conversation, opening one from the history or deleting the open one all
end in :meth:`ConversationScope.swap`, so nothing of the previous conversation can leak into the
next: there is one place that resets, not one patch per path.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from app.core.fitting import FitPlan


@dataclass(frozen=True)
class StructuredReply:
    """What the structured-reply panel shows: a JSON reply or a function call's arguments."""

    title: str
    text: str
    note: str | None = None


@dataclass
class ConversationState:
    """The conversation-scoped choices and results that are not messages."""

    preset: str = ""  # the chosen preset's name; "" for none
    json_mode: bool = False  # the user's JSON toggle (a JSON preset forces JSON regardless)
    structured: StructuredReply | None = None  # the last structured reply, shown in its panel
    fit_plan: FitPlan = field(default_factory=FitPlan)  # what the next requests leave out
    fit_panel_open: bool = False


Observer = Callable[[ConversationState], None]


class ConversationScope:
    """Holds the open conversation's :class:`ConversationState` and announces each swap."""

    def __init__(self) -> None:
        self.state = ConversationState()
        self._observers: list[Observer] = []

    def observe(self, observer: Observer) -> None:
        """Call `observer` with the new state after every swap."""
        self._observers.append(observer)

    def swap(self, state: ConversationState | None = None) -> ConversationState:
        """Replace the whole state (a fresh one by default) and tell every observer."""
        self.state = state if state is not None else ConversationState()
        for observer in self._observers:
            observer(self.state)
        return self.state
