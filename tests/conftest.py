"""Shared test set-up: offscreen Qt, a qasync loop per test, and no thread or task left behind."""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Iterator

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# Fixtures shared by many test files (pytest finds them here by name).
from support.demo import demo_client, demo_server, image_host, pauses
from support.keyrings import MemoryKeyring, installed_keyring, memory_keyring, no_env_key
from support.logfail import _fail_on_logged_errors
from support.replay import replay_server

__all__ = [
    "_fail_on_logged_errors",
    "demo_client",
    "demo_server",
    "image_host",
    "memory_keyring",
    "no_env_key",
    "pauses",
    "replay_server",
]


@pytest.fixture(autouse=True)
def _isolated_user_state(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[None]:
    """Every test gets its own config directory and, unless it needs the real Secret Service,
    an in-memory keyring: no test ever reads or writes the user's own settings or secrets."""
    monkeypatch.setenv("GROK_VISION_CONFIG_DIR", str(tmp_path_factory.mktemp("config")))
    monkeypatch.setenv("GROK_VISION_DATA_DIR", str(tmp_path_factory.mktemp("data")))
    monkeypatch.delenv("XAI_API_KEY", raising=False)
    if request.node.get_closest_marker("secret_service"):
        yield
        return
    with installed_keyring(MemoryKeyring()):
        yield


@pytest.fixture(scope="session")
def _qasync_loop(qapp: object) -> Iterator[asyncio.AbstractEventLoop]:
    """One qasync loop for the whole run: stopping one calls QApplication.exit(), after which
    Qt's waits in the same process return at once, so loops cannot be made and ended per test."""
    import qasync

    loop = qasync.QEventLoop(qapp, already_running=True)
    # qasync marks it as this thread's running loop; it is that only inside tests that ask for
    # it (`qloop`), so that other tests can still use asyncio.run().
    asyncio.events._set_running_loop(None)
    yield loop
    loop.stop()
    loop.close()


@pytest.fixture
def qloop(_qasync_loop: asyncio.AbstractEventLoop) -> Iterator[asyncio.AbstractEventLoop]:
    """The qasync loop, driven by the Qt event loop that qtbot spins (waitUntil, waitSignal).
    A test that leaves a task running fails (and the task is cancelled)."""
    asyncio.events._set_running_loop(_qasync_loop)
    asyncio.set_event_loop(_qasync_loop)
    try:
        yield _qasync_loop
        pending = [t for t in asyncio.all_tasks(_qasync_loop) if not t.done()]
        for task in pending:
            task.cancel()
    finally:
        asyncio.events._set_running_loop(None)
        asyncio.set_event_loop(None)
    assert not pending, f"the test left asyncio tasks running: {pending}"


@pytest.fixture(autouse=True)
def _no_thread_left_running() -> Iterator[None]:
    before = set(threading.enumerate())
    yield
    deadline = 2.0
    leftover: list[threading.Thread] = []
    for thread in set(threading.enumerate()) - before:
        if isinstance(thread, threading._DummyThread):
            continue  # a thread Python did not start (Qt's own), seen when it logged: not ours
        thread.join(timeout=deadline)
        if thread.is_alive():
            leftover.append(thread)
    assert not leftover, f"the test left threads running: {[t.name for t in leftover]}"
