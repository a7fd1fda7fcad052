"""A long finished reply's final HTML put into the document a few pieces per turn of the event
loop, so that no single edit holds the GUI thread for long.

The pieces go in above the streamed copy of the reply, which stays on screen until the last
piece is in and is then removed in one edit: what the reader sees never shrinks to a fragment
and grows back.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, QTimer

from app.ui.conversation_browser import ConversationBrowser
from app.ui.conversation_live import END, START, LiveReplies, LiveReply

SLICE_S = 0.012  # time one slice of pieces may take on the GUI thread


@dataclass
class _Landing:
    live: LiveReply
    pieces: list[str]
    done: Callable[[str], None]  # told the whole HTML once it is in
    cut: int  # where the next piece goes: the end of those already in
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

    def start(self, live: LiveReply, pieces: list[str], done: Callable[[str], None]) -> None:
        """Put `pieces` (the reply's whole HTML, in order) in place of what `live` shows; then
        `done(html)`, once the reply is no longer among the streaming ones."""
        self._queue.append(_Landing(live, list(pieces), done, live.marks[START]))
        self._timer.start(0)

    def _slice(self) -> None:
        while self._queue and self._live.get(self._queue[0].live.message.id) is not (
            self._queue[0].live
        ):
            self._queue.pop(0)  # removed, or rebuilt, meanwhile
        if not self._queue:
            return
        landing = self._queue[0]
        live = landing.live
        began, put = time.perf_counter(), 0
        while landing.pieces and (not put or time.perf_counter() - began < SLICE_S):
            put += 1
            html = landing.pieces.pop(0)
            landing.whole += html
            landing.cut = self._live.insert_before(live, landing.cut, html)
        if not landing.pieces:
            self._live.cut_after(live, landing.cut)  # the streamed copy goes; so does `live`
            self._queue.pop(0)
            landing.done(landing.whole)
        if self._queue:
            self._timer.start(0)


def lands_at_once(live: LiveReply, pieces: list[str]) -> bool:
    """A reply whose HTML goes in with one edit: one piece, or nothing streamed to keep."""
    return len(pieces) <= 1 or live.marks[END] <= live.marks[START]
