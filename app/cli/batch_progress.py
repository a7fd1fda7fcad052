"""A batch's progress on standard error: a bar redrawn in place on a terminal (count, elapsed,
ETA, money spent), one plain line per finished input otherwise (logs, pipes, CI)."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

from app.core.billing import format_usd

_BAR_WIDTH = 24
_CLEAR = "\r\x1b[K"


def clock_text(seconds: float) -> str:
    """1:05, 12:00, 1:02:03."""
    whole = max(0, round(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class Progress:
    def __init__(
        self,
        total: int,
        stream: TextIO | None = None,
        *,
        terminal: bool | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.total = total
        self.stream = stream or sys.stderr
        self.terminal = self.stream.isatty() if terminal is None else terminal
        self.clock = clock
        self.started = clock()
        self.done = self.failed = 0
        self.spent = 0.0
        self._drawn = False

    def finished(self, path: str, ok: bool, cost: float | None, error: str = "") -> None:
        self.done += 1
        self.failed += not ok
        self.spent += cost or 0.0
        if self.terminal:
            if not ok:
                self.note(f"error: {path}: {error}")
            self._draw()
            return
        line = f"[{self.done}/{self.total}] {'ok' if ok else 'error'} {path}"
        if cost is not None:
            line += f" ({format_usd(cost)})"
        if error:
            line += f": {error}"
        self._write(line + "\n")

    def note(self, text: str) -> None:
        """A line above the bar (the bar is drawn again after it)."""
        if self.terminal and self._drawn:
            self._write(_CLEAR + text + "\n")
            self._draw()
        else:
            self._write(text + "\n")

    def close(self) -> None:
        if self.terminal and self._drawn:
            self._write("\n")
            self._drawn = False

    def summary(self) -> str:
        elapsed = clock_text(self.clock() - self.started)
        return (
            f"{self.done - self.failed} ok, {self.failed} failed of {self.total} "
            f"in {elapsed}, {format_usd(self.spent)} spent"
        )

    def _draw(self) -> None:
        elapsed = self.clock() - self.started
        filled = round(_BAR_WIDTH * self.done / self.total) if self.total else _BAR_WIDTH
        bar = "#" * filled + "-" * (_BAR_WIDTH - filled)
        eta = "?"
        if self.done:
            eta = clock_text(elapsed / self.done * (self.total - self.done))
        failed = f", {self.failed} failed" if self.failed else ""
        self._write(
            f"{_CLEAR}[{bar}] {self.done}/{self.total}{failed}  {clock_text(elapsed)} elapsed"
            f"  ETA {eta}  {format_usd(self.spent)} spent"
        )
        self._drawn = True

    def _write(self, text: str) -> None:
        self.stream.write(text)
        self.stream.flush()
