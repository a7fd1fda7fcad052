"""A notice raised through the session's bridge shows in the window's notice banner."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QTimer
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


def test_levels_look_different_and_an_error_stays(qtbot: QtBot, session: AppSession) -> None:
    banner = session.window.notice_banner
    tints = {}
    for level in ("info", "warning", "error"):
        getattr(session.notices, level)(f"A {level}.")
        qtbot.waitUntil(banner.isVisible, timeout=5000)
        assert banner.kind == level
        assert banner.accessibleName() == {"info": "Notice"}.get(level, level.title())
        tints[level] = banner.background_color().name()
    assert len(set(tints.values())) == 3
    # An info's timeout, still running, does not take the error away: no timer is left.
    session.notices.info("Saved.")
    timer = banner.findChild(QTimer)
    assert timer is not None
    assert timer.isActive()
    session.notices.error("The server refused the key.")
    assert not timer.isActive()
    assert banner.isVisible()
    assert banner.label.text() == "The server refused the key."
