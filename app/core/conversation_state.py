"""What belongs to each conversation beside its messages: an evented model, swapped whole.

No Qt. The session owns one :class:`ConversationScope`. It holds the open conversation's
:class:`ConversationState` and parks the states of conversations left during this run, so that
going back to one brings back its draft, its tray, its preset and the rest as they were left.

Observers never poll: :meth:`ConversationScope.watch` calls them with a field's new value when it
changes in the open conversation and when another conversation opens (napari's evented models
are the pattern). Creating a conversation, opening one from the history or deleting the open one
all end in :meth:`ConversationScope.swap`: one place resets, not one patch per path.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Any

from app.core.fitting import FitPlan

PARKED_LIMIT = 50  # conversations whose state is remembered after leaving them


@dataclass(frozen=True)
class StructuredReply:
    """What the structured-reply panel shows: a JSON reply or a function call's arguments."""

    title: str
    text: str
    note: str | None = None


@dataclass(eq=False)
class ConversationState:
    """The conversation-scoped choices and results that are not messages.

    Setting a field announces it to the scope that holds this state (see
    :meth:`ConversationScope.watch`)."""

    preset: str = ""  # the chosen preset's name; "" for none
    json_mode: bool = False  # the user's JSON toggle (a JSON preset forces JSON regardless)
    structured: StructuredReply | None = None  # the last structured reply, shown in its panel
    fit_plan: FitPlan = field(default_factory=FitPlan)  # what the next requests leave out
    fit_panel_open: bool = False
    draft: str = ""  # the composer's text, kept while another conversation is open
    tray: tuple[Any, ...] = ()  # the tray's items (app.core.attachment.Attachment), likewise
    editing: str | None = None  # the earlier question being edited in place, if any
    edit_draft: str | None = None  # its text as edited so far (None: not changed yet)
    scroll: int | None = None  # the view's scroll position when left; None: at the end

    def __setattr__(self, name: str, value: Any) -> None:
        object.__setattr__(self, name, value)
        announce = self.__dict__.get("_announce")
        if announce is not None and not name.startswith("_"):
            announce(name, value)


FIELDS = tuple(f.name for f in fields(ConversationState))

Observer = Callable[[ConversationState], None]
Watcher = Callable[[Any], None]


class ConversationScope:
    """Holds the open conversation's :class:`ConversationState` and announces its changes."""

    def __init__(self) -> None:
        self.state = ConversationState()
        self.conversation_id = ""
        self._parked: OrderedDict[str, ConversationState] = OrderedDict()
        self._observers: list[Observer] = []
        self._watchers: dict[str, list[Watcher]] = {}
        self._attach(self.state)

    def observe(self, observer: Observer) -> None:
        """Call `observer` with the new state after every swap."""
        self._observers.append(observer)

    def watch(self, name: str, watcher: Watcher) -> None:
        """Call `watcher` with the value of field `name` whenever it changes in the open
        conversation, and after every swap."""
        if name not in FIELDS:
            raise ValueError(f"ConversationState has no field {name!r}")
        self._watchers.setdefault(name, []).append(watcher)

    def swap(self, conversation_id: str = "", state: ConversationState | None = None) -> None:
        """Open `conversation_id`: the state left there before comes back (unless `state` is
        given), else a fresh one. The state being left is parked under its conversation."""
        leaving = self.state
        object.__setattr__(leaving, "_announce", None)
        if self.conversation_id and _worth_keeping(leaving):
            self._parked[self.conversation_id] = leaving
            self._parked.move_to_end(self.conversation_id)
            while len(self._parked) > PARKED_LIMIT:
                self._parked.popitem(last=False)
        parked = self._parked.pop(conversation_id, None) if conversation_id else None
        self.state = state or parked or ConversationState()
        self.conversation_id = conversation_id
        self._attach(self.state)
        for observer in self._observers:
            observer(self.state)
        for name, watchers in self._watchers.items():
            value = getattr(self.state, name)
            for watcher in watchers:
                watcher(value)

    def rename(self, conversation_id: str) -> None:
        """The open conversation got its id (a new one, once it exists)."""
        self.conversation_id = conversation_id

    def forget(self, conversation_id: str) -> None:
        """Drop what was parked for a conversation that is gone."""
        self._parked.pop(conversation_id, None)

    def parked(self, conversation_id: str) -> ConversationState | None:
        return self._parked.get(conversation_id)

    def _attach(self, state: ConversationState) -> None:
        object.__setattr__(state, "_announce", self._announce)

    def _announce(self, name: str, value: Any) -> None:
        for watcher in self._watchers.get(name, ()):
            watcher(value)


def _worth_keeping(state: ConversationState) -> bool:
    blank = ConversationState()
    return any(getattr(state, name) != getattr(blank, name) for name in FIELDS)
