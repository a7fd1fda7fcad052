"""The conversation's evented state (app.core.conversation_state): watchers hear every change of
the open conversation's fields and every swap; a conversation left keeps its state for later."""

from __future__ import annotations

import pytest

from app.core.conversation_state import ConversationScope, ConversationState


def test_a_watcher_hears_changes_and_swaps() -> None:
    scope = ConversationScope()
    heard: list[object] = []
    scope.watch("preset", heard.append)
    scope.state.preset = "chart-reading"
    scope.state.json_mode = True  # another field: not this watcher's business
    scope.swap("b")
    assert heard == ["chart-reading", ""]


def test_a_state_left_hears_nothing_more() -> None:
    scope = ConversationScope()
    scope.swap("a")
    left = scope.state
    heard: list[object] = []
    scope.watch("draft", heard.append)
    scope.swap("b")
    left.draft = "late"  # e.g. a stale reference: the open conversation is not told
    assert heard == [""]


def test_going_back_brings_back_what_was_left() -> None:
    scope = ConversationScope()
    scope.swap("a")
    scope.state.draft = "half a thought"
    scope.state.preset = "invoice-json"
    scope.swap("b")
    assert scope.state.draft == ""
    assert scope.state.preset == ""
    scope.swap("a")
    assert scope.state.draft == "half a thought"
    assert scope.state.preset == "invoice-json"
    assert scope.parked("a") is None  # open again, not parked


def test_a_blank_state_is_not_parked_and_a_forgotten_one_is_gone() -> None:
    scope = ConversationScope()
    scope.swap("a")
    scope.swap("b")
    assert scope.parked("a") is None
    scope.state.draft = "x"
    scope.swap("c")
    assert scope.parked("b") is not None
    scope.forget("b")
    scope.swap("b")
    assert scope.state.draft == ""


def test_a_given_state_wins_and_unknown_fields_are_refused() -> None:
    scope = ConversationScope()
    given = ConversationState(preset="alt-text")
    scope.swap("a", given)
    assert scope.state is given
    with pytest.raises(ValueError, match="no field"):
        scope.watch("no_such_field", print)
