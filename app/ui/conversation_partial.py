"""Changing part of the conversation's document: one message replaced alone (a Fit choice, the
reasoning shown), and earlier turns put in above the shown ones in slices (a conversation's
whole after its last page). A mixin of `ConversationDocument`, whose state it uses."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence

from PySide6.QtCore import QTimer

from app.core.conversation import Message
from app.ui.conversation_browser import ConversationBrowser
from app.ui.conversation_live import LiveReplies
from app.ui.earlier_bar import EarlierBar
from app.ui.message_spans import MessageSpans
from app.ui.render_cache import RenderCache, RenderKey

SLICE_S = 0.012  # rendering time one slice of earlier messages may take on the GUI thread


class PartialEdits:
    """Edits of part of the document; the attributes are `ConversationDocument`'s."""

    _browser: ConversationBrowser
    _earlier: EarlierBar
    _messages: dict[str, Message]
    _texts: dict[str, str]
    _keys: dict[str, RenderKey]
    _cache: RenderCache
    _spans: MessageSpans
    _live: LiveReplies
    _last: tuple[str, int] | None
    _hidden: int
    _shown_limit: int  # the document's SHOWN_LIMIT
    _follow: bool
    _older: list[Message]
    _older_timer: QTimer
    _html: Callable[..., str]
    _html_maker: Callable[..., tuple[RenderKey, Callable[[], list[str]]]]
    _header_start: Callable[[int], int]
    _remember: Callable[[Message, Mapping[str, bytes]], None]

    def _rerender(self, message_ids: Sequence[str]) -> None:
        """Replace in the document each of these messages whose look changed, and only those;
        the rest of the document is not touched."""
        for message_id in message_ids:
            message = self._messages.get(message_id)
            if message is None or message_id in self._live or message_id not in self._spans:
                continue
            key, make = self._html_maker(message, self._texts.get(message_id))
            if key == self._keys.get(message_id):
                continue
            html = self._cache.get(key)
            if html is None:
                html = "".join(make())
                self._cache.put(key, html)
            self._keys[message_id] = key
            self._replace_message(message_id, html)

    def _replace_message(self, message_id: str, html: str) -> None:
        span = self._spans.span(message_id)
        if span is None:
            return
        start, end = span
        delta = self._browser.replace(start, end, html) - end
        self._spans.add(message_id, self._header_start(start))
        if delta:
            self._live.shift_from(start, delta)
            if self._last is not None and self._last[1] > start:
                self._last = (self._last[0], self._last[1] + delta)

    def _extends(self, messages: Sequence[Message]) -> bool:
        """Whether `messages` are what the document shows with earlier ones before them (the
        whole of a conversation whose last page is open): then only those go in."""
        shown = list(self._messages)
        if self._hidden or self._older or self._live or not shown or len(messages) <= len(shown):
            return False
        tail = messages[len(messages) - len(shown) :]
        if [m.id for m in tail] != shown or any(m.id not in self._spans for m in tail):
            return False
        return all(
            self._html_maker(m, self._texts.get(m.id))[0] == self._keys.get(m.id) for m in tail
        )

    def _put_older(
        self, messages: Sequence[Message], thumbnails: Mapping[str, bytes], hidden: int
    ) -> None:
        """Put `messages` before the first shown one but the first `hidden`, a slice of them
        per turn of the event loop, last first (the reader is at the end)."""
        later = dict(self._messages)
        self._messages.clear()
        for message in messages[: len(messages) - len(later)]:
            self._remember(message, thumbnails)
            self._texts.setdefault(message.id, message.text)
        for message in messages[len(messages) - len(later) :]:
            self._messages[message.id] = message  # the same turns, perhaps loaded anew
        self._hidden = hidden
        self._older = list(messages[hidden : len(messages) - len(later)])
        self._earlier.set_hidden(hidden, self._shown_limit)
        self._older_timer.start(0)

    def _put_older_slice(self, budget: float = SLICE_S) -> None:
        """Render earlier messages for about `budget` seconds and put them in at the top."""
        if not self._older:
            return
        began = time.perf_counter()
        pieces: list[str] = []
        while self._older and (not pieces or time.perf_counter() - began < budget):
            pieces.insert(0, self._html(self._older.pop()))
        first = list(self._messages)[self._hidden + len(self._older) + len(pieces)]
        span = self._spans.span(first)
        if span is None:  # cannot happen while the document is what `_extends` found
            self._older.clear()
            return
        bar = self._browser.verticalScrollBar()
        follow, value, maximum = self._follow, bar.value(), bar.maximum()
        self._spans.discard(first)
        end = self._browser.replace(0, span[1], "".join(pieces) + self._html(self._messages[first]))
        self._spans.prepend(
            [(name.removeprefix("m-"), at) for name, at in self._browser.anchor_starts(until=end)]
        )
        if self._last is not None and (start := self._spans.start(self._last[0])) is not None:
            self._last = (self._last[0], max(0, start - 1))
        if not follow:  # what the reader looks at stays where it was
            bar.setValue(value + bar.maximum() - maximum)
        if self._older:
            self._older_timer.start(0)

    def _complete_older(self) -> None:
        """Put every earlier message still waiting in now."""
        while self._older:
            self._put_older_slice(budget=1.0)
