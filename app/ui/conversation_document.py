"""The conversation's document: the turns it holds and how it is built, trimmed and rebuilt."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QVBoxLayout, QWidget

from app.core.conversation import Message, Status
from app.ui.background_html import BackgroundHtml
from app.ui.conversation_browser import ConversationBrowser
from app.ui.conversation_live import END, START, TAIL_END, LiveReplies, LiveReply
from app.ui.conversation_partial import PartialEdits
from app.ui.conversation_render import (
    ImageMark,
    RenderInputs,
    header_html,
    message_anchor,
    note_html,
    thumbs_of,
)
from app.ui.conversation_style import is_dark, style_sheet
from app.ui.conversation_welcome import WelcomePane
from app.ui.earlier_bar import EarlierBar
from app.ui.message_spans import MessageSpans
from app.ui.render_cache import RenderCache, RenderKey
from app.ui.reply_landing import ReplyLanding, lands_at_once

BATCH_INTERVAL_MS = 125  # about eight repaints a second while a reply streams
BACKGROUND_CHARS = 20_000  # finished replies longer than this are rendered on a worker thread
TRIM_STEP = 40  # messages past the limit before the oldest leave, all at once
SHOWN_LIMIT = 120  # messages the document holds; earlier ones wait behind a link
FOLLOW_SLACK = 24  # pixels from the bottom that still count as "at the end"


class ConversationDocument(PartialEdits, QWidget):
    """Every turn in one read-only document; :class:`app.ui.conversation_view.ConversationView`
    adds the API the window uses and the links.

    The document only grows at its end; streaming replies are painted in batches by
    `LiveReplies` (conversation_live.py). When a reply finishes its whole range is rendered once
    more, in full (from the render cache when it has not changed); a long reply's HTML is made
    on a worker thread (Markdown parsing is pure Python and would hold the GUI for a second on a
    megabyte) and landed in slices by `ReplyLanding`. `PartialEdits` (conversation_partial.py)
    replaces one message alone and puts earlier turns in above.

    A long conversation keeps only its last `SHOWN_LIMIT` messages in the document (every block
    of a QTextDocument stays laid out, some 70 KB a turn): once `TRIM_STEP` more have arrived
    while the user reads at the end, the oldest leave it, and a line above offers to show them
    again.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._shown_limit = SHOWN_LIMIT
        self._browser = ConversationBrowser(self)
        self._earlier = EarlierBar(self)
        self._earlier.showMoreRequested.connect(self.show_earlier)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self._earlier)
        layout.addWidget(self._browser)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(BATCH_INTERVAL_MS)
        self._timer.timeout.connect(self._paint_batch)
        self._messages: dict[str, Message] = {}  # every shown message, in order
        self._thumbnails: dict[str, bytes] = {}  # thumbnail bytes the shown messages use
        self._texts: dict[str, str] = {}  # copyable text of finished messages
        self._live = LiveReplies(self._browser, self._moved_below)  # streaming replies
        self._cache = RenderCache()  # finished messages' HTML (and their code blocks)
        self._spans = MessageSpans(self._browser.document())  # where each message starts
        self._keys: dict[str, RenderKey] = {}  # the render key of what each message shows
        self._background = BackgroundHtml(self)  # long replies' final HTML
        self._landing = ReplyLanding(self._browser, self._live, self)  # …put in in slices
        self._last: tuple[str, int] | None = None  # the last turn appended, and where it starts
        self._hidden = 0  # leading messages not in the document
        self._follow = True
        self._dark = False
        # Optional: how each past image goes into the next request, and one more note for the
        # line under a turn (its cost, "not sent"). Set by the window's wiring; see refresh().
        self.image_marks: Callable[[Message], Sequence[ImageMark] | None] | None = None
        self.turn_note: Callable[[Message], str] | None = None
        self.turn_links: Callable[[Message], str] | None = None  # HTML: versions, Continue
        self.reasoning_shown: set[str] = set()  # replies whose reasoning is expanded
        self._background.made.connect(self._on_rendered)
        self._older: list[Message] = []  # earlier messages still to put in above, in order
        self._older_timer = QTimer(self)
        self._older_timer.setSingleShot(True)
        self._older_timer.timeout.connect(self._put_older_slice)
        self._welcome = WelcomePane(self._browser.viewport())
        self._browser.viewport().installEventFilter(self)
        bar = self._browser.verticalScrollBar()
        bar.valueChanged.connect(self._on_scrolled)
        bar.rangeChanged.connect(self._on_range)
        self._apply_palette()

    # -- painting ---------------------------------------------------------------------------

    def flush(self) -> None:
        """Paint every buffered delta now."""
        while self._paint_batch():
            pass
        self._timer.stop()

    def _paint_batch(self) -> bool:
        """Paint a batch of the buffered deltas; if some are left, paint them as soon as the
        event loop has had a turn. Whether any are left."""
        left = self._live.paint_batch(dark=self._dark)
        if left:
            self._timer.start(0)
        return left

    def set_status_note(self, message_id: str, note: str) -> None:
        """A transient line under a streaming reply ("Waiting for the first token…"); "" clears."""
        live = self._live.get(message_id)
        if live is None or live.note == note:
            return
        live.note = note
        self._live.replace(live, TAIL_END, END, note_html(note))

    def show_earlier(self) -> None:
        """Put up to `SHOWN_LIMIT` more of the earlier messages back, and show the first of them
        in place of what was first."""
        self._complete_older()
        if not self._hidden:
            return
        first = list(self._messages)[self._hidden]
        self._hidden = max(0, self._hidden - SHOWN_LIMIT)
        self._follow = False
        self._rebuild()
        self._browser.scrollToAnchor(message_anchor(first))

    # -- building -------------------------------------------------------------------------

    def _reset(self) -> None:
        self._timer.stop()
        self._older_timer.stop()
        self._older.clear()
        self._landing.clear()
        self._messages.clear()
        self._thumbnails.clear()
        self._texts.clear()
        self._live.clear()
        self._spans.clear()
        self._keys.clear()
        self._last = None
        self._browser.forget_thumbnails()

    def _remember(self, message: Message, thumbnails: Mapping[str, bytes]) -> None:
        self._messages[message.id] = message
        for sha, data in thumbs_of(message, thumbnails).items():
            if self._browser.add_thumbnail(sha, data) is not None:
                self._thumbnails[sha] = data

    def _html(self, message: Message, text: str | None = None) -> str:
        """The HTML of `message` as it shows now, from the cache when it has not changed."""
        key, make = self._html_maker(message, text)
        html = self._cache.get(key)
        if html is None:
            html = "".join(make())
            self._cache.put(key, html)
        self._keys[message.id] = key
        return html

    def _html_maker(
        self, message: Message, text: str | None = None, *, pieces: bool = False
    ) -> tuple[RenderKey, Callable[[], list[str]]]:
        """The render key of `message` and what makes its HTML, with everything that needs the
        GUI thread (the window's notes and marks, the palette) already asked: the maker may run
        on any thread."""
        marks = self.image_marks(message) if self.image_marks and message.images else None
        look = RenderInputs(
            dark=self._dark,
            text=message.text if text is None else text,  # one key for the same words shown
            marks=tuple(marks) if marks is not None else None,
            extra=self.turn_note(message) if self.turn_note else "",
            reasoning_shown=message.id in self.reasoning_shown,
            links=self.turn_links(message) if self.turn_links else "",
        )
        return self._cache.maker(message, self._browser.thumbnail, look, pieces=pieces)

    def _header_start(self, start: int) -> int:
        """Where the header of a message inserted at `start` begins."""
        return start + 1 if start > 0 else 0

    def _land(self, live: LiveReply, html: str) -> None:
        """Replace a finished reply's whole range with its final HTML."""
        self._live.land(live, html)
        self._spans.add(live.message.id, self._header_start(live.marks[START]))
        if self._last is not None and self._last[0] == live.message.id:
            self._last = (live.message.id, live.marks[START])

    def _on_rendered(self, tag: object, pieces: object) -> None:
        live, key = tag if isinstance(tag, tuple) else (None, None)
        if not isinstance(live, LiveReply) or self._live.get(live.message.id) is not live:
            return  # removed, or rebuilt, meanwhile
        assert isinstance(pieces, list)

        def landed(html: str) -> None:
            self._cache.put(key, html)
            self._keys[live.message.id] = key
            self._spans.add(live.message.id, self._header_start(live.marks[START]))
            if self._last is not None and self._last[0] == live.message.id:
                self._last = (live.message.id, live.marks[START])

        if lands_at_once(live, pieces, self._browser.end):
            self._land(live, "".join(pieces))
            landed("".join(pieces))
        else:
            self._landing.start(live, pieces, landed)

    def _moved_below(self, live: LiveReply, delta: int) -> None:
        """An edit of `live` moved what follows it: the last turn starts below every reply."""
        if self._last is not None and self._last[0] != live.message.id:
            self._last = (self._last[0], self._last[1] + delta)

    def _append(self, message: Message, text: str | None = None, note: str = "") -> None:
        """Add `message` at the end of the document (as a streaming reply if it is one)."""
        start = self._browser.end if not self._browser.document().isEmpty() else 0
        self._last = (message.id, start)
        if not _streams(message):
            self._texts[message.id] = message.text if text is None else text
            self._browser.replace(start, start, self._html(message, text))
            self._spans.add(message.id, self._header_start(start))
            return
        live = self._live.begin(message, start, header_html(message))
        self._spans.add(message.id, self._header_start(start))
        if note:
            self.set_status_note(message.id, note)
        initial = message.text if text is None else text
        if initial:
            live.pending.append(initial)
            self.flush()

    def _build(
        self,
        messages: Sequence[Message],
        thumbnails: Mapping[str, bytes],
        live: Mapping[str, tuple[str, str]],
    ) -> None:
        """Show `messages` but the first `_hidden`: those before the first streaming reply as one
        HTML document, the rest appended one by one. `live` gives streaming replies' text and
        note so far."""
        self._reset()
        for message in messages:
            self._remember(message, thumbnails)
        first_live = next(
            (i for i, m in enumerate(messages) if _streams(m) or m.id in live), len(messages)
        )
        self._hidden = min(self._hidden, first_live)
        self._earlier.set_hidden(self._hidden, SHOWN_LIMIT)
        head = messages[:first_live]
        for message in head:
            self._texts[message.id] = message.text
        shown = head[self._hidden :]
        self._browser.set_document_html("".join(self._html(message) for message in shown))
        self._spans.set_document(self._browser.document())
        starts = dict(self._browser.anchor_starts())
        for message in shown:
            position = starts.get(message_anchor(message.id))
            if position is not None:
                self._spans.add(message.id, position)
        for message in messages[first_live:]:
            text, note = live.get(message.id, (None, ""))
            self._append(message, text, note)

    def _is_hidden(self, message_id: str) -> bool:
        return (
            message_id in self._messages and list(self._messages).index(message_id) < self._hidden
        )

    def _trim(self) -> None:
        """Take the oldest messages out of the document once it holds `TRIM_STEP` more than
        `SHOWN_LIMIT`, if the user reads at the end (so that nothing moves under their eyes)."""
        ids = list(self._messages)
        drop = len(ids) - self._hidden - SHOWN_LIMIT
        if drop < TRIM_STEP or not self._follow:
            return
        self._complete_older()
        dropped, first_kept = ids[self._hidden : self._hidden + drop], ids[self._hidden + drop]
        position = self._browser.anchor_position(message_anchor(first_kept))
        if position is None or any(key in self._live for key in dropped):
            return
        self._browser.remove_leading(position)
        for message_id in dropped:
            self._spans.discard(message_id)
        self._live.shift_from(-1, -position)
        if self._last is not None:
            self._last = (self._last[0], self._last[1] - position)
        self._hidden += drop
        self._earlier.set_hidden(self._hidden, SHOWN_LIMIT)

    def _rebuild(self) -> None:
        """Build the document again from what it shows (after a palette change, say)."""
        self._complete_older()
        live = {
            item.message.id: (self._texts.get(item.message.id, item.text), item.note)
            for item in self._live
        }
        follow, value = self._follow, self._browser.verticalScrollBar().value()
        self._build(list(self._messages.values()), dict(self._thumbnails), live)
        self._follow = follow
        if follow:
            self._scroll_to_end()
        else:
            self._browser.verticalScrollBar().setValue(value)

    # -- the welcome over an empty conversation -------------------------------------------

    def _sync_welcome(self) -> None:
        """Show the welcome while the conversation holds no message."""
        empty = not self._messages
        if empty:
            self._welcome.setGeometry(self._browser.viewport().rect())
        self._welcome.setVisible(empty)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and watched is self._browser.viewport():
            self._welcome.setGeometry(self._browser.viewport().rect())
        return super().eventFilter(watched, event)

    # -- scrolling and palette ------------------------------------------------------------

    def _on_scrolled(self, value: int) -> None:
        self._follow = value >= self._browser.verticalScrollBar().maximum() - FOLLOW_SLACK

    def _on_range(self, _minimum: int, maximum: int) -> None:
        if self._follow:
            self._browser.verticalScrollBar().setValue(maximum)

    def _scroll_to_end(self) -> None:
        bar = self._browser.verticalScrollBar()
        bar.setValue(bar.maximum())

    def _apply_palette(self) -> bool:
        """Style the document from the palette; whether anything changed."""
        palette = self.palette()
        css, dark = style_sheet(palette), is_dark(palette)
        changed = css != self._browser.document().defaultStyleSheet() or dark != self._dark
        self._dark = dark
        self._browser.set_style(css)
        return changed

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange) and (
            self._apply_palette() and self._messages
        ):
            self._rebuild()


def _streams(message: Message) -> bool:
    return message.role == "assistant" and message.status is Status.STREAMING
