"""A wrong address or a refused key is said as soon as the window connects, not at the first
send; an endpoint that is merely offline stays quiet (the cached model list serves)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import keyring
import pytest
from pytestqt.qtbot import QtBot
from support.sessions import start_saved, stop_session

from app.demo import DEMO_API_KEY, DemoServer
from app.gui.session import AppSession
from app.keystore import SERVICE


@pytest.fixture
def server() -> Iterator[DemoServer]:
    with DemoServer() as demo:
        yield demo


def banner(session: AppSession) -> str:
    return session.window.notice_banner.label.text()


def test_a_base_url_without_v1_is_named_at_once(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, server: DemoServer
) -> None:
    keyring.set_password(SERVICE, "custom:127.0.0.1", DEMO_API_KEY)
    session, task = start_saved(qtbot, qloop, base_url=server.base_url.removesuffix("/v1"))
    try:
        qtbot.waitUntil(lambda: "no such endpoint" in banner(session), timeout=10_000)
        assert "/v1" in banner(session)
        assert not session.chat.conversation.messages  # nothing was sent to find out
    finally:
        stop_session(qtbot, session, task)


def test_a_refused_key_is_named_at_once(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, server: DemoServer
) -> None:
    keyring.set_password(SERVICE, "custom:127.0.0.1", "xai-" + "w" * 40)
    session, task = start_saved(qtbot, qloop, base_url=server.base_url)
    try:
        qtbot.waitUntil(lambda: "key was not accepted" in banner(session), timeout=10_000)
    finally:
        stop_session(qtbot, session, task)


def test_an_offline_endpoint_stays_quiet(qtbot: QtBot, qloop: asyncio.AbstractEventLoop) -> None:
    keyring.set_password(SERVICE, "custom:127.0.0.1", DEMO_API_KEY)
    # Nothing listens on port 9.
    session, task = start_saved(qtbot, qloop, base_url="http://127.0.0.1:9/v1")
    failures: list[str] = []
    session.endpoint.modelsFailed.connect(failures.append)
    try:
        session.endpoint.refresh_models()
        qtbot.waitUntil(lambda: bool(failures), timeout=10_000)
        assert "Could not reach" not in banner(session)
    finally:
        stop_session(qtbot, session, task)
