"""The app's session on the test's qasync loop: started, ready, and closed cleanly after."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager

from pytestqt.qtbot import QtBot

from app.gui.session import AppSession
from app.llm.stream import RetryPolicy


@contextmanager
def demo_session(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, retry: RetryPolicy | None = None
) -> Iterator[AppSession]:
    """A demo-mode session whose endpoint and model list are ready; on exit its window is
    closed and the session must end with 0."""
    session = AppSession(demo=True)
    if retry is not None:
        session.chat.retry_policy = retry
    qtbot.addWidget(session.window)
    task = qloop.create_task(session.run([]))
    qtbot.waitUntil(lambda: session.endpoint.has_key and bool(session.models), timeout=10_000)
    yield session
    session.window.close()
    qtbot.waitUntil(task.done, timeout=10_000)
    assert task.result() == 0
