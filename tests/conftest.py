"""Shared test set-up: offscreen Qt, a qasync loop per test, and no thread or task left behind."""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Iterator

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture
def qloop(qapp: object) -> Iterator[asyncio.AbstractEventLoop]:
    """A qasync loop driven by the Qt event loop that qtbot spins (qtbot.waitUntil, waitSignal)."""
    import qasync

    loop = qasync.QEventLoop(qapp, already_running=True)
    asyncio.set_event_loop(loop)
    yield loop
    pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
    for task in pending:
        task.cancel()
    loop.stop()
    loop.close()
    asyncio.set_event_loop(None)
    assert not pending, f"the test left asyncio tasks running: {pending}"


@pytest.fixture(autouse=True)
def _no_thread_left_running() -> Iterator[None]:
    before = set(threading.enumerate())
    yield
    deadline = 2.0
    leftover: list[threading.Thread] = []
    for thread in set(threading.enumerate()) - before:
        thread.join(timeout=deadline)
        if thread.is_alive():
            leftover.append(thread)
    assert not leftover, f"the test left threads running: {[t.name for t in leftover]}"
