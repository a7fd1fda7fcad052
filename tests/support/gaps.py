"""How long the GUI thread goes without running its event loop, measured with a timer on it."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt, QTimer


class GapMeter:
    """A timer on the GUI thread every `interval_ms`: `longest` is the longest time, in
    seconds, between two of its ticks (or from the last tick to `stop`) since `start` or
    `reset`. Also a context manager that starts and stops it."""

    def __init__(self, interval_ms: int = 5) -> None:
        self.longest = 0.0
        self._last = time.perf_counter()
        self._timer = QTimer()
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._tick)

    def start(self) -> GapMeter:
        self.reset()
        self._timer.start()
        return self

    def reset(self) -> None:
        self._last = time.perf_counter()
        self.longest = 0.0

    def stop(self) -> float:
        """Stop; the longest gap, the one up to now included."""
        self._tick()
        self._timer.stop()
        return self.longest

    def _tick(self) -> None:
        now = time.perf_counter()
        self.longest = max(self.longest, now - self._last)
        self._last = now

    def __enter__(self) -> GapMeter:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
