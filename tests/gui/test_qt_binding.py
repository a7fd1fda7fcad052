"""Guards against a known-bad Qt binding: PySide6 6.12.0 on Python 3.11 drops a reference to
True (and None) on every signal emit, and the interpreter aborts after a few thousand."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    ping = Signal()


def test_signal_emits_keep_reference_counts() -> None:
    emitter = _Emitter()
    received: list[None] = []
    emitter.ping.connect(lambda: received.append(None))
    true_before, none_before = sys.getrefcount(True), sys.getrefcount(None)
    for _ in range(2000):
        emitter.ping.emit()
    assert len(received) == 2000
    # Other code may take or release a few references meanwhile; a leak loses 2000.
    assert sys.getrefcount(True) > true_before - 100
    assert sys.getrefcount(None) > none_before - 100
