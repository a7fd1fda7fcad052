"""A long finished reply's final HTML put into the document a few pieces per turn of the event
loop, so that no single edit holds the GUI thread for long.

Only edits at the end of a QTextDocument are cheap (one anywhere else lays out everything after
it again: 200 ms for 100k characters), so a reply that ends the document is landed there: its
streamed copy is taken out from its end backwards, then the final pieces are appended, a slice
per turn. Meanwhile the viewport is not repainted: the reader keeps seeing the streamed copy
until the final one is whole. A reply with something after it is landed in one edit.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, QTimer

from app.ui.conversation_browser import ConversationBrowser
from app.ui.conversation_live import END, START, LiveReplies, LiveReply

SLICE_S = 0.008  # time one slice may take on the GUI thread
REMOVE_CHARS = 20_000  # characters of the streamed copy taken out per slice
CHUNK_CHARS = 6_000  # characters of HTML appended per edit


@dataclass
class _Landing:
    live: LiveReply
    pieces: list[str]
    done: Callable[[str], None]  # told the whole HTML once it is in
    whole: str = ""


class ReplyLanding(QObject):
    """Lands finished replies' HTML pieces in slices, one reply after another."""

    def __init__(self, browser: ConversationBrowser, live: LiveReplies, parent: QObject) -> None:
        super().__init__(parent)
        self._browser = browser
        self._live = live
        self._queue: list[_Landing] = []
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._slice)

    @property
    def busy(self) -> bool:
        return bool(self._queue)

    def clear(self) -> None:
        self._timer.stop()
        self._queue.clear()
        self._browser.viewport().setUpdatesEnabled(True)

    def start(self, live: LiveReply, pieces: list[str], done: Callable[[str], None]) -> None:
        """Put `pieces` (the reply's whole HTML, in order) in place of what `live` shows; then
        `done(html)`, once the reply is no longer among the streaming ones."""
        self._queue.append(_Landing(live, list(pieces), done))
        self._browser.viewport().setUpdatesEnabled(False)
        self._timer.start(0)

    def _slice(self) -> None:
        while self._queue and self._live.get(self._queue[0].live.message.id) is not (
            self._queue[0].live
        ):
            self._queue.pop(0)  # removed, or rebuilt, meanwhile
        if not self._queue:
            self._browser.viewport().setUpdatesEnabled(True)
            return
        landing = self._queue[0]
        live = landing.live
        if live.marks[END] > live.marks[START] and not landing.whole:
            self._take_out(live)
        else:
            self._put_in(landing)
        if not landing.pieces:
            self._live.discard(live.message.id)  # it streams no more
            self._queue.pop(0)
            landing.done(landing.whole)
        if self._queue:
            self._timer.start(0)
        else:
            self._browser.viewport().setUpdatesEnabled(True)

    def _take_out(self, live: LiveReply) -> None:
        """Take out the last `REMOVE_CHARS` or so of the streamed copy, whole blocks."""
        start, end = live.marks[START], live.marks[END]
        block = self._browser.document().findBlock(max(start, end - REMOVE_CHARS))
        cut = max(start, block.position() - 1)
        self._browser.replace(cut, end, "")
        cut = min(cut, self._browser.end)  # (taking out a table's end takes its frame too)
        live.marks = [min(mark, cut) for mark in live.marks]

    def _put_in(self, landing: _Landing) -> None:
        """Append the next pieces, in chunks of some `CHUNK_CHARS`, for about `SLICE_S`."""
        live, began = landing.live, time.perf_counter()
        while landing.pieces:
            chunk = [landing.pieces.pop(0)]
            while landing.pieces and sum(map(len, chunk)) < CHUNK_CHARS:
                chunk.append(landing.pieces.pop(0))
            html = "".join(chunk)
            landing.whole += html
            live.marks[END] = self._browser.replace(live.marks[END], live.marks[END], html)
            if time.perf_counter() - began >= SLICE_S:
                break


def lands_at_once(live: LiveReply, pieces: list[str], document_end: int) -> bool:
    """A reply whose HTML goes in with one edit: one piece, or something after it."""
    return len(pieces) <= 1 or live.marks[END] != document_end
