"""Plain rows that describe saved history to the widgets: conversations, search hits, pages.

The store produces them, the history controller carries them across threads and the sidebar
shows them; none of the three needs to know about the others' types, and these have no Qt and
no SQL in them.
"""

from __future__ import annotations

import datetime
import time
from dataclasses import dataclass, field

from app.core.conversation import Message

# Search snippets mark the matched words with these two characters (Unicode private use), so that
# a widget can emphasise them; `SearchHit.plain_snippet` drops them.
HIGHLIGHT_START = "\ue000"
HIGHLIGHT_END = "\ue001"


@dataclass(frozen=True, slots=True)
class ConversationRow:
    """A conversation as the list shows it."""

    id: str
    title: str
    updated: float  # seconds since the epoch, of the last change
    pinned: bool = False
    message_count: int = 0
    model: str = ""
    created: float = 0.0


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One message that matches a search, and where it is."""

    conversation_id: str
    message_id: str
    conversation_title: str
    snippet: str  # a few words around the match, matched words between the markers
    role: str = "user"  # "user" or "assistant"
    created: float = 0.0

    @property
    def plain_snippet(self) -> str:
        return self.snippet.replace(HIGHLIGHT_START, "").replace(HIGHLIGHT_END, "")

    @property
    def highlights(self) -> tuple[tuple[int, int], ...]:
        """(start, end) offsets of the matched words in :attr:`plain_snippet`."""
        spans: list[tuple[int, int]] = []
        plain = 0
        start: int | None = None
        for char in self.snippet:
            if char == HIGHLIGHT_START:
                start = plain
            elif char == HIGHLIGHT_END:
                if start is not None:
                    spans.append((start, plain))
                start = None
            else:
                plain += 1
        return tuple(spans)


@dataclass(frozen=True, slots=True)
class HistoryInfo:
    """How the history was opened, for the window to tell the user."""

    read_only: bool
    notice: str = ""  # plain words for the status line; "" when all is well
    interrupted: int = 0  # replies found mid-stream from the last run, now "interrupted"
    search: str = "fts5"  # "fts5", or "like" where SQLite has no FTS5


def describe_updated(timestamp: float, now: float | None = None) -> str:
    """When a conversation last changed, as a list shows it: "14:03", "Yesterday", "Mon",
    "12 Mar", "12 Mar 2023" (local time)."""
    moment = datetime.datetime.fromtimestamp(timestamp)
    today = datetime.datetime.fromtimestamp(time.time() if now is None else now).date()
    days = (today - moment.date()).days
    if days <= 0:
        return moment.strftime("%H:%M")
    if days == 1:
        return "Yesterday"
    if days < 7:
        return moment.strftime("%a")
    if moment.year == today.year:
        return f"{moment.day} {moment.strftime('%b')}"
    return f"{moment.day} {moment.strftime('%b')} {moment.year}"


@dataclass(frozen=True)
class ConversationPage:
    """A run of consecutive messages of a saved conversation: the last screenful to show at
    once when it is opened, or an earlier one as the user scrolls up. Not a Conversation, so
    that a part of a history can never be sent as if it were the whole."""

    conversation_id: str
    title: str
    messages: list[Message]
    total: int  # messages in the whole conversation
    start: int  # index of messages[0] in the whole conversation
    thumbnails: dict[str, bytes] = field(default_factory=dict)  # PNG by PreparedImage.sha256

    @property
    def complete(self) -> bool:
        return self.start == 0 and len(self.messages) == self.total

    @property
    def has_earlier(self) -> bool:
        return self.start > 0
