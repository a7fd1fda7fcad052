"""The app's session on the test's qasync loop: started, ready, and closed cleanly after."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pytestqt.qtbot import QtBot

from app.demo import DemoServer
from app.gui.session import AppSession
from app.llm.stream import RetryPolicy


def start_session(
    qtbot: QtBot,
    qloop: asyncio.AbstractEventLoop,
    *,
    demo: bool = True,
    server: DemoServer | None = None,
    retry: RetryPolicy | None = None,
    titles: str = "local",
) -> tuple[AppSession, asyncio.Task[int]]:
    """A session once its window shows; a demo one once its endpoint and model list are
    ready (on `server`, started here, instead of its own demo endpoint when given). Titles are
    made locally unless `titles` says "auto": the endpoint then sees a title request after
    the first reply (tests/gui/test_titles_window.py)."""
    session = AppSession(demo=demo)
    session.settings.titles = titles
    if retry is not None:
        session.chat.retry_policy = retry
    if server is not None:
        session.demo_server = server.start()
    qtbot.addWidget(session.window)
    task = qloop.create_task(session.run([]))
    qtbot.waitUntil(session.window.isVisible, timeout=5000)
    if demo:
        qtbot.waitUntil(lambda: session.endpoint.has_key and bool(session.models), timeout=10_000)
    return session, task


@contextmanager
def demo_session(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, retry: RetryPolicy | None = None
) -> Iterator[AppSession]:
    """A demo-mode session whose endpoint and model list are ready; on exit its window is
    closed and the session must end with 0."""
    session, task = start_session(qtbot, qloop, retry=retry)
    yield session
    stop_session(qtbot, session, task)


def write_settings(**values: object) -> None:
    """The settings file a user's earlier choices left (read by the next session)."""
    config = Path(os.environ["GROK_VISION_CONFIG_DIR"])
    (config / "settings.json").write_text(json.dumps(values), encoding="utf-8")


def start_saved(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, **settings: object
) -> tuple[AppSession, asyncio.Task[int]]:
    """A session (not the demo) on these saved settings, once its window shows."""
    write_settings(**settings)
    session = AppSession(demo=False)
    qtbot.addWidget(session.window)
    task = qloop.create_task(session.run([]))
    qtbot.waitUntil(session.window.isVisible, timeout=5000)
    return session, task


def stop_session(qtbot: QtBot, session: AppSession, task: asyncio.Task[int]) -> None:
    """Close the window; the session must end with 0."""
    session.window.close()
    qtbot.waitUntil(task.done, timeout=10_000)
    assert task.result() == 0
