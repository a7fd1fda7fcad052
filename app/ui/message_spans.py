"""Where each message starts in the conversation's document.

A QTextCursor stays where it was put while the document is edited elsewhere (Qt moves it along),
so one cursor at the first position of each message's header block tells that message's range
at any time without scanning the document: from its start to the next message's start. The
view uses it to replace one message alone and to tell which message the pointer is over.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator

from PySide6.QtGui import QTextCursor, QTextDocument


class MessageSpans:
    """The start of each message in `document`, in document order."""

    def __init__(self, document: QTextDocument) -> None:
        self._document = document
        self._starts: dict[str, QTextCursor] = {}

    def __contains__(self, message_id: object) -> bool:
        return message_id in self._starts

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._starts))

    def __len__(self) -> int:
        return len(self._starts)

    def set_document(self, document: QTextDocument) -> None:
        self._document = document
        self._starts.clear()

    def clear(self) -> None:
        self._starts.clear()

    def add(self, message_id: str, position: int) -> None:
        """`message_id` starts at `position` (the first position of its header block); a new
        message goes after the others unless it is already known."""
        cursor = QTextCursor(self._document)
        cursor.setPosition(position)
        self._starts[message_id] = cursor

    def prepend(self, starts: list[tuple[str, int]]) -> None:
        """Messages put in before every other one, at these positions."""
        later = self._starts
        self._starts = {}
        for message_id, position in starts:
            self.add(message_id, position)
        self._starts.update(later)

    def discard(self, message_id: str) -> None:
        self._starts.pop(message_id, None)

    def start(self, message_id: str) -> int | None:
        cursor = self._starts.get(message_id)
        return None if cursor is None else cursor.position()

    def span(self, message_id: str) -> tuple[int, int] | None:
        """The range `ConversationBrowser.replace` takes for the whole message: from the end of
        the block before it (or 0) to the end of its last block."""
        ids = list(self._starts)
        if message_id not in self._starts:
            return None
        index = ids.index(message_id)
        start = self._starts[message_id].position()
        end = (
            self._starts[ids[index + 1]].position() - 1
            if index + 1 < len(ids)
            else self._document.characterCount() - 1
        )
        return (max(0, start - 1) if start > 0 else 0), end

    def at(self, position: int) -> str | None:
        """The message whose range holds document `position`."""
        ids = list(self._starts)
        starts = [cursor.position() for cursor in self._starts.values()]
        index = bisect.bisect_right(starts, position) - 1
        return ids[index] if 0 <= index < len(ids) else None

    def neighbour(self, message_id: str | None, step: int) -> str | None:
        """The message `step` places after `message_id` (before, if negative); the last one
        (first one) when `message_id` is None or unknown; None past either end."""
        ids = list(self._starts)
        if not ids:
            return None
        if message_id not in self._starts:
            return ids[-1] if step < 0 else ids[0]
        index = ids.index(message_id) + step
        return ids[index] if 0 <= index < len(ids) else None
