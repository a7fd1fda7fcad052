"""The window fits the screen it opens on, at any scale: default size and minimum size from the
available geometry (logical pixels: 1600×1000 at 2× is 800×500), a restored geometry kept on
screen, Send and the meter inside it, and the Conversation menu not behind »»."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import QPoint, QRect, QSize
from PySide6.QtWidgets import QLabel, QPushButton, QWidget
from pytestqt.qtbot import QtBot
from support.sessions import demo_session

from app.core.billing import TurnForecast
from app.core.budget import BudgetEstimate
from app.gui.session import AppSession
from app.ui.main_window import (
    MINIMUM_SIZE,
    MainWindow,
    clamped_geometry,
    default_geometry,
    minimum_size,
)

SCREENS = {
    "1024x700": QRect(0, 0, 1024, 700 - 28),  # a panel takes the bottom
    "1600x1000@2x": QRect(0, 0, 800, 500 - 14),  # logical pixels at scale 2
    "1920x1080": QRect(0, 0, 1920, 1080 - 32),
    "side-screen": QRect(1920, 100, 1280, 1024),
}


@pytest.mark.parametrize("name", SCREENS)
def test_default_geometry_lies_inside_the_available_area(name: str) -> None:
    available = SCREENS[name]
    rect = default_geometry(available)
    assert available.contains(rect)
    assert rect.width() >= min(MINIMUM_SIZE.width(), available.width())
    minimum = minimum_size(available)
    assert minimum.width() <= available.width()
    assert minimum.height() <= available.height()
    assert rect.width() >= minimum.width()
    assert rect.height() >= minimum.height()


def test_restored_geometry_is_clamped_to_the_screen() -> None:
    small = SCREENS["1600x1000@2x"]
    saved = QRect(300, 200, 1000, 780)  # from a larger screen, or before the scale changed
    rect = clamped_geometry(saved, small)
    assert small.contains(rect)
    assert rect.size() == QSize(800, 486)
    # Already inside: unchanged.
    inside = QRect(10, 10, 400, 300)
    assert clamped_geometry(inside, small) == inside
    # Off to the right of a side screen: moved back in.
    side = SCREENS["side-screen"]
    moved = clamped_geometry(QRect(3000, 900, 600, 400), side)
    assert side.contains(moved)
    assert moved.size() == QSize(600, 400)


def _inside(session: AppSession, widget: QWidget) -> bool:
    window = session.window
    available = window.screen().availableGeometry()
    top_left = widget.mapToGlobal(QPoint(0, 0))
    return available.contains(QRect(top_left, widget.size())) and window.rect().contains(
        QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())
    )


def test_the_window_opens_inside_its_screen(qtbot: QtBot, qloop: asyncio.AbstractEventLoop) -> None:
    with demo_session(qtbot, qloop) as session:
        window = session.window
        available = window.screen().availableGeometry()
        assert available.contains(window.geometry())
        assert window.minimumSize().width() <= available.width()
        assert window.minimumSize().height() <= available.height()
        send = window.findChild(QPushButton, "sendButton")
        meter = window.findChild(QWidget, "tokenMeter")
        assert send is not None
        assert meter is not None
        qtbot.waitUntil(lambda: send.isVisible() and meter.isVisible(), timeout=5000)
        assert _inside(session, send)
        assert _inside(session, meter)
        # Every menu, Conversation included, is on the menu bar itself (none behind »»), and
        # Settings and the shortcut list are in them.
        bar = window.menuBar()
        for key in ("file", "edit", "view", "conversation", "help"):
            place = bar.actionGeometry(window.menu(key).menuAction())
            assert not place.isEmpty(), key
            assert bar.rect().contains(place), key
        edit = [a.text() for a in window.menu("edit").actions()]
        assert "Settings…" in edit
        conversation = [a.text() for a in window.menu("conversation").actions()]
        assert "Regenerate the last reply" in conversation


def test_a_saved_geometry_too_large_for_the_screen_is_clamped(qtbot: QtBot) -> None:
    big = MainWindow()
    qtbot.addWidget(big)
    available = big.screen().availableGeometry()
    big.setMinimumSize(QSize(0, 0))
    big.setGeometry(
        QRect(
            available.x() + 200,
            available.y() + 150,
            available.width() + 600,
            available.height() + 400,
        )
    )
    saved = big.geometry_b64()
    window = MainWindow()
    qtbot.addWidget(window)
    window.restore_geometry_b64(saved)
    window.show()
    qtbot.waitExposed(window)
    assert available.contains(window.frameGeometry())
    send = window.findChild(QPushButton, "sendButton")
    assert send is not None
    top_left = send.mapToGlobal(QPoint(0, 0))
    assert available.contains(QRect(top_left, send.size()))


def test_a_wrapped_line_under_send_squeezes_nothing(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    with demo_session(qtbot, qloop) as session:
        window = session.window
        window.resize(1024, 700)
        picture = tmp_path / "wide.png"
        Image.new("RGB", (900, 500), (30, 90, 160)).save(picture)
        session.attachments.add_paths([str(picture)])
        qtbot.waitUntil(lambda: session.attachments.blocking_reason() is None, timeout=10_000)
        session.notices.warning("A notice that takes its own line above the conversation.")
        window.set_send_blocked(
            "This model takes text only: choose a model that takes images from the model list "
            "in the toolbar, or leave the images out of this message to send the text alone.",
            offer_settings=True,
        )
        panel = window.findChild(QWidget, "composerPanel")
        reason = window.findChild(QLabel, "sendReason")
        assert panel is not None
        assert reason is not None

        def fits() -> bool:
            return (
                reason.height() >= reason.heightForWidth(reason.width())
                and panel.height() >= panel.minimumSizeHint().height()
            )

        qtbot.waitUntil(fits, timeout=3000)
        tray = window.tray
        assert tray.height() >= tray.minimumSizeHint().height()


def test_the_conversation_gets_the_room_back_when_the_tray_empties(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    with demo_session(qtbot, qloop) as session:
        window = session.window
        window.resize(1024, 700)
        panel = window.findChild(QWidget, "composerPanel")
        assert panel is not None
        qtbot.waitUntil(lambda: panel.height() > 0, timeout=3000)
        empty = panel.height()
        picture = tmp_path / "wide.png"
        Image.new("RGB", (900, 500), (30, 90, 160)).save(picture)
        session.attachments.add_paths([str(picture)])
        qtbot.waitUntil(lambda: panel.height() > empty, timeout=5000)  # room for the tiles
        session.attachments.clear()
        qtbot.waitUntil(lambda: panel.height() <= empty + 2, timeout=5000)  # and back


def test_the_meter_reads_in_two_lines_at_1024_with_send_in_view(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    """Everything the meter says in words (tokens, segments, the next turn with its cached
    share, the conversation and today) wraps to at most two lines at 1024×700."""
    with demo_session(qtbot, qloop) as session:
        window = session.window
        window.setGeometry(default_geometry(SCREENS["1024x700"]))
        meter = window.meter
        estimate = BudgetEstimate(
            context_window=1_000_000,
            reply_reserve=8192,
            history_tokens=112_400,
            history_exact=False,
            history_image_tokens=24_576,
            draft_text_tokens=1_250,
            draft_image_tokens=3_584,
        )
        meter.set_figures(
            estimate,
            context_known=True,
            next_cost=TurnForecast(0.1234, 0.0205, 100_000, 0.0987, long_context=False),
            conversation_cost=12.41,
            today_cost=123.20,
        )
        send = window.findChild(QPushButton, "sendButton")
        assert send is not None
        qtbot.waitUntil(lambda: meter.isVisible() and send.isVisible(), timeout=5000)
        legend = meter.legend_label()
        lines = legend.heightForWidth(legend.width()) / legend.fontMetrics().lineSpacing()
        assert lines <= 2.2, (legend.width(), meter.legend_text())
        for part in ("history", "images", "draft", "reply room", "cache saves", "today"):
            assert part in meter.legend_text()
        assert window.width() <= 1024
        assert window.rect().contains(QRect(send.mapTo(window, QPoint(0, 0)), send.size()))
        assert window.rect().contains(QRect(meter.mapTo(window, QPoint(0, 0)), meter.size()))
