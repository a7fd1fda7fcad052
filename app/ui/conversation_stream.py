"""Splitting a streaming Markdown reply into finished pieces and one open tail (no Qt here).

A piece is finished once nothing that arrives later can change how it renders: a blank line
outside a code fence followed by a line that starts at the margin ends it. So that the cost of
re-rendering the open tail stays bounded however the reply is shaped, a tail that grows past a
soft limit is also cut at the start of an unindented line, a long code fence at a line boundary
(the rest re-opens the fence), and a very long line at a space. Such cuts can render slightly
differently from the whole text (a list split in two, say); the view renders the whole reply once
more when it finishes.
"""

from __future__ import annotations

import re

SOFT_LIMIT = 2_000  # characters of open tail after which any unindented line start is a cut
HARD_LIMIT = 6_000  # characters of open tail after which any line start, or a space, is a cut

_FENCE_OPEN = re.compile(r"[ \t]*(?:(?:[>*+-]|\d{1,9}[.)])[ \t]+)*(`{3,}|~{3,})(.*)")


class StreamSplitter:
    """Accumulates deltas; hands out finished Markdown pieces and the open tail's source."""

    def __init__(self, soft_limit: int = SOFT_LIMIT, hard_limit: int = HARD_LIMIT) -> None:
        self._soft = soft_limit
        self._hard = hard_limit
        self._done: list[str] = []  # raw text already handed out, for the full text
        self._pending = ""  # raw text since the last cut
        self._scanned = 0  # offset in _pending of the first line not yet scanned
        self._fence = ""  # the open fence's marker ("```", "~~~~"), or ""
        self._opener = ""  # the open fence's first line, to re-open it after a cut
        self._reopen = ""  # prefix that the next piece needs (a re-opened fence)
        self._blank = False  # whether the last scanned line was blank, outside a fence

    @property
    def text(self) -> str:
        """Everything fed so far."""
        return "".join(self._done) + self._pending

    @property
    def tail(self) -> str:
        """Markdown source of the open tail."""
        return self._reopen + self._pending if self._pending else ""

    def feed(self, delta: str) -> list[str]:
        """Add `delta`; return the Markdown source of each piece it finished, in order."""
        self._pending += delta
        pieces: list[str] = []
        while (newline := self._pending.find("\n", self._scanned)) >= 0:
            start, self._scanned = self._scanned, newline + 1
            self._scan_line(self._pending[start:newline], start, pieces)
        if len(self._pending) - self._scanned > self._hard:
            space = self._pending.rfind(" ", self._scanned, len(self._pending) - 1)
            self._cut(space + 1 if space > self._scanned else len(self._pending), pieces)
        return pieces

    def _scan_line(self, line: str, start: int, pieces: list[str]) -> None:
        """Account for one complete line that starts at `start`, cutting where it may."""
        if self._fence:
            stripped = line.strip()
            if (
                stripped
                and stripped[0] == self._fence[0]
                and len(stripped) >= len(self._fence)
                and stripped == stripped[0] * len(stripped)
            ):
                self._fence = ""
            elif self._scanned > self._soft:
                self._cut(self._scanned, pieces)
            return
        if not line.strip():
            self._blank = True
            return
        margin = not line[0].isspace()
        if start > 0 and ((margin and (self._blank or start > self._soft)) or start > self._hard):
            self._cut(start, pieces)
        self._blank = False
        match = _FENCE_OPEN.match(line)
        if match and not (match.group(1)[0] == "`" and "`" in match.group(2)):
            self._fence, self._opener = match.group(1), line + "\n"

    def _cut(self, at: int, pieces: list[str]) -> None:
        """Hand out `_pending[:at]` as a finished piece; the fence state is the one at `at`."""
        raw, self._pending = self._pending[:at], self._pending[at:]
        self._scanned = max(0, self._scanned - at)
        self._done.append(raw)
        if raw.strip():
            pieces.append(self._reopen + raw)
        self._reopen = self._opener if self._fence else ""
