"""What Ctrl+Z can take back, newest last: a deleted conversation, an image removed from the
tray, an image of an earlier message left out of the request.

One stack for the window (:class:`UndoStack`, no Qt): whoever does an undoable thing pushes
an :class:`Undoable` that knows how to take it back and says what it was, in words for the
Edit menu ("remove image “chart.png”"). Observers hear of every change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

LIMIT = 50  # the oldest entries beyond this are forgotten


@dataclass(frozen=True, eq=False)
class Undoable:
    """One thing done that can be taken back: `what` names it ("remove image “a.png”"),
    `undo` takes it back, `kind` groups entries that are forgotten together."""

    what: str
    undo: Callable[[], object]
    kind: str = ""


class UndoStack:
    def __init__(self, limit: int = LIMIT) -> None:
        self._entries: list[Undoable] = []
        self._limit = limit
        self._observers: list[Callable[[], None]] = []

    @property
    def top(self) -> Undoable | None:
        """What Undo would take back now."""
        return self._entries[-1] if self._entries else None

    def __len__(self) -> int:
        return len(self._entries)

    def push(self, entry: Undoable) -> None:
        self._entries.append(entry)
        del self._entries[: -self._limit]
        self._changed()

    def undo(self) -> Undoable | None:
        """Take back the newest entry; None when there is nothing to undo."""
        if not self._entries:
            return None
        entry = self._entries.pop()
        self._changed()
        entry.undo()
        return entry

    def forget(self, kind: str) -> None:
        """Drop every entry of `kind` (what it would undo is gone, or no longer in sight)."""
        kept = [e for e in self._entries if e.kind != kind]
        if len(kept) != len(self._entries):
            self._entries = kept
            self._changed()

    def observe(self, observer: Callable[[], None]) -> None:
        self._observers.append(observer)

    def _changed(self) -> None:
        for observer in list(self._observers):
            observer()
