"""A notice raised through the session's bridge shows in the window's notice banner."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot
from support.sessions import demo_session

from app.gui.session import AppSession


@pytest.fixture
def session(qtbot: QtBot, qloop: asyncio.AbstractEventLoop) -> Iterator[AppSession]:
    with demo_session(qtbot, qloop) as app_session:
        yield app_session


@pytest.mark.parametrize("level", ["info", "warning", "error"])
def test_a_bridge_notice_appears_in_the_banner(
    qtbot: QtBot, session: AppSession, level: str
) -> None:
    banner = session.window.notice_banner
    assert banner.objectName() == "noticeBanner"
    getattr(session.notices, level)(f"A {level} notice with key xai-secret1234567 in it.")
    qtbot.waitUntil(banner.isVisible, timeout=5000)
    assert banner.label.text() == f"A {level} notice with key xai-… in it."


def test_attachment_notices_go_through_the_bridge(qtbot: QtBot, session: AppSession) -> None:
    heard: list[str] = []
    session.notices.subscribe(lambda notice: heard.append(notice.text))
    session.attachments.notice.emit("Skipped x.png: already in the tray.")
    assert heard == ["Skipped x.png: already in the tray."]
    qtbot.waitUntil(session.window.notice_banner.isVisible, timeout=5000)
    assert "already in the tray" in session.window.notice_banner.label.text()
