"""Streaming replies in the conversation's document: the positions each one owns, and how a
batch of its deltas is painted.

A streaming reply owns four positions (where it starts, where its finished Markdown ends, where
its open tail ends, where its status note ends). A batch appends the pieces that the splitter
finished just before the tail and re-renders only the tail, so the cost of a batch does not grow
with the reply or the conversation. Every edit moves the positions of the replies below it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from PySide6.QtGui import QTextCursor

from app.core.conversation import Message
from app.core.markdown import close_open_markup, render_markdown
from app.ui.conversation_browser import ConversationBrowser
from app.ui.conversation_stream import StreamSplitter

BATCH_CHARS = 32_000  # characters of a reply painted per batch; more waits for the next

# Indexes into LiveReply.marks.
START, ANCHOR, TAIL_END, END = range(4)


@dataclass
class LiveReply:
    """A reply being streamed, and the document positions it owns."""

    message: Message
    marks: list[int]  # START, ANCHOR, TAIL_END, END
    splitter: StreamSplitter = field(default_factory=StreamSplitter)
    pending: list[str] = field(default_factory=list)
    tail: str = ""  # Markdown source of the tail as last rendered
    note: str = ""

    @property
    def text(self) -> str:
        return self.splitter.text + "".join(self.pending)


class LiveReplies:
    """The streaming replies of one document, in document order. `moved(live, delta)` is told
    whenever an edit of `live` moves what comes after it by `delta` characters."""

    def __init__(
        self, browser: ConversationBrowser, moved: Callable[[LiveReply, int], None]
    ) -> None:
        self._browser = browser
        self._moved = moved
        self._by_id: dict[str, LiveReply] = {}
        self.batches = 0  # batches of deltas painted so far

    def __contains__(self, message_id: object) -> bool:
        return message_id in self._by_id

    def __iter__(self) -> Iterator[LiveReply]:
        return iter(list(self._by_id.values()))

    def __bool__(self) -> bool:
        return bool(self._by_id)

    def get(self, message_id: str) -> LiveReply | None:
        return self._by_id.get(message_id)

    def clear(self) -> None:
        self._by_id.clear()

    def begin(self, message: Message, start: int, header_html: str) -> LiveReply:
        """A new streaming reply whose header goes at `start`, the end of the document."""
        end = self._browser.replace(start, start, header_html)
        live = LiveReply(message, [start, end, end, end])
        self._by_id[message.id] = live
        return live

    def paint_batch(self, *, dark: bool) -> bool:
        """Paint up to `BATCH_CHARS` of each reply's buffered deltas; whether some are left."""
        dirty = [live for live in self._by_id.values() if live.pending]
        if not dirty:
            return False
        self.batches += 1
        cursor = QTextCursor(self._browser.document())
        cursor.beginEditBlock()
        try:
            for live in dirty:
                self._paint(live, dark)
        finally:
            cursor.endEditBlock()
        return any(live.pending for live in dirty)

    def _paint(self, live: LiveReply, dark: bool) -> None:
        pending = "".join(live.pending)
        live.pending = [pending[BATCH_CHARS:]] if len(pending) > BATCH_CHARS else []
        pieces = live.splitter.feed(pending[:BATCH_CHARS])
        if pieces:
            html = "".join(render_markdown(piece, dark=dark) for piece in pieces)
            self.replace(live, ANCHOR, ANCHOR, html)
        tail = live.splitter.tail
        if tail != live.tail:
            live.tail = tail
            self.replace(
                live,
                ANCHOR,
                TAIL_END,
                render_markdown(close_open_markup(tail), dark=dark) if tail.strip() else "",
            )

    def replace(self, live: LiveReply, first: int, last: int, html: str) -> None:
        """Replace the range between two of a reply's marks; marks from `last` on move."""
        old_end = live.marks[last]
        delta = self._browser.replace(live.marks[first], old_end, html) - old_end
        for index in range(last, len(live.marks)):
            live.marks[index] += delta
        self._shift_below(live, delta)

    def land(self, live: LiveReply, html: str) -> None:
        """Replace a finished reply's whole range with its final HTML; it streams no more."""
        start, end = live.marks[START], live.marks[END]
        self._shift_below(live, self._browser.replace(start, end, html) - end)
        del self._by_id[live.message.id]

    def discard(self, message_id: str) -> None:
        """Forget a reply without touching the document (which is about to be rebuilt)."""
        self._by_id.pop(message_id, None)

    def remove(self, live: LiveReply) -> None:
        """Take a reply out of the document (and out of the streaming ones)."""
        start, end = live.marks[START], live.marks[END]
        del self._by_id[live.message.id]
        self.shift_from(start, self._browser.replace(start, end, "") - end)

    def shift_from(self, position: int, delta: int) -> None:
        """Move the marks of every reply that starts after `position` by `delta`."""
        for other in self._by_id.values():
            if other.marks[START] > position:
                other.marks = [mark + delta for mark in other.marks]

    def _shift_below(self, live: LiveReply, delta: int) -> None:
        if not delta:
            return
        self._moved(live, delta)
        below = False
        for other in self._by_id.values():
            if below:
                other.marks = [mark + delta for mark in other.marks]
            below = below or other is live
