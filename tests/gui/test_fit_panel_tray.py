"""The fit panel when the images in the tray, not the history, make the request too big (issue
13, bug 5): it offers what helps then (the tray's images at low detail, or removing them), says
so plainly, offers nothing that cannot help ("0 of 0" turns, buttons that stay off), and states
the same figure as the meter, its warning and the Send button's reason."""

from __future__ import annotations

import asyncio
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QPushButton, QSpinBox
from pytestqt.qtbot import QtBot
from support.qtevents import drag_and_drop, file_mime
from support.sessions import demo_session

from app.core.budget import MIN_IMAGE_TOKENS, image_tokens
from app.gui.session import AppSession
from app.llm.stream import RetryPolicy
from app.ui.fit_panel import FitPanel

MODEL = "grok-4.20-0309-non-reasoning"
WINDOW, REPLY = 2048, 1024  # the request may use 1,024 tokens
BIG = (1400, 1000)  # 1,792 tokens: too big on its own, fits at low detail (512)


@pytest.fixture
def session(qtbot: QtBot, qloop: asyncio.AbstractEventLoop) -> Iterator[AppSession]:
    config = Path(os.environ["GROK_VISION_CONFIG_DIR"])
    settings = {"model": MODEL, "context_overrides": {MODEL: WINDOW}, "max_tokens": REPLY}
    (config / "settings.json").write_text(json.dumps(settings), encoding="utf-8")
    assert image_tokens(*BIG) > WINDOW - REPLY > MIN_IMAGE_TOKENS
    with demo_session(qtbot, qloop, RetryPolicy(max_retries=0)) as app_session:
        app_session.demo_server.pace = 0.0
        yield app_session


def panel_of(session: AppSession) -> FitPanel:
    panel = session.window.findChild(FitPanel, "fitPanel")
    assert isinstance(panel, FitPanel)
    return panel


def drop_big_image(qtbot: QtBot, session: AppSession, path: Path) -> str:
    Image.new("RGB", BIG, "teal").save(path)
    assert drag_and_drop(session.window.tray, file_mime(path))
    qtbot.waitUntil(
        lambda: session.attachments.count() == 1 and session.attachments.blocking_reason() is None,
        timeout=10_000,
    )
    return session.attachments.items()[0].id


def figures(text: str) -> list[str]:
    """The "N / M tokens" and "over by N" figures a text states."""
    found = re.findall(r"([\d,]+ / [\d,]+) tokens", text)
    found += [f"over by {n}" for n in re.findall(r"[Oo]ver by ([\d,]+)", text)]
    return found


def test_tray_images_over_the_window_can_go_at_low_detail_from_the_panel(
    qtbot: QtBot, session: AppSession, tmp_path: Path
) -> None:
    window, panel = session.window, panel_of(session)
    item = drop_big_image(qtbot, session, tmp_path / "chart.png")
    qtbot.waitUntil(lambda: panel.isVisible() and window.meter.over_window, timeout=5000)

    # No dead end: nothing that cannot help is offered...
    spin = panel.findChild(QSpinBox, "fitDropTurns")
    assert isinstance(spin, QSpinBox)
    assert not spin.isVisible()  # no "0 of 0" turns
    for name in ("fitAllLow", "fitReset"):
        button = panel.findChild(QPushButton, name)
        assert isinstance(button, QPushButton)
        assert not button.isVisible()
    # ...and what does help is, in plain words.
    status = panel.status_text()
    assert "images in the tray" in status
    assert "low detail" in status
    low = panel.findChild(QCheckBox, f"fitTrayLow:{item}")
    assert isinstance(low, QCheckBox)
    assert low.isVisible()
    assert low.isEnabled()
    remove = panel.findChild(QPushButton, f"fitTrayRemove:{item}")
    assert isinstance(remove, QPushButton)
    assert remove.isVisible()

    # One figure, with one meaning, everywhere it is stated.
    estimate = session.budget.estimate(window.composer.toPlainText())
    needed = f"{estimate.needed:,} / {estimate.context_window:,}"
    over = f"over by {estimate.over_by:,}"
    # The meter's headline is the request itself; its warning states the same figure.
    used = f"{estimate.prompt_tokens:,} of {estimate.context_window:,} tokens"
    assert used in window.meter.summary_text()
    assert figures(window.meter.warning_text()) == [needed, over]
    assert figures(status) == [needed, over]
    qtbot.waitUntil(lambda: "Over the context window" in window.send_reason.text(), timeout=3000)
    assert figures(window.send_reason.text()) == [needed, over]

    qtbot.mouseClick(low, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: not window.meter.over_window and window.send_button.isEnabled(), timeout=5000
    )
    assert session.attachments.items()[0].low_detail
    assert "Fits" in panel.status_text()

    window.composer.setPlainText("What does the chart show?")
    qtbot.waitUntil(window.send_button.isEnabled, timeout=5000)
    qtbot.mouseClick(window.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: bool(session.demo_server.model_requests) and not session.chat.busy,
        timeout=15_000,
    )
    request = session.demo_server.model_requests[-1]
    assert request.status == 200
    assert request.image_count == 1
    assert max(request.image_sizes[0]) <= 448  # one low-detail tile


def test_a_tray_image_can_be_removed_from_the_panel(
    qtbot: QtBot, session: AppSession, tmp_path: Path
) -> None:
    window, panel = session.window, panel_of(session)
    item = drop_big_image(qtbot, session, tmp_path / "photo.png")
    qtbot.waitUntil(lambda: panel.isVisible() and window.meter.over_window, timeout=5000)
    remove = panel.findChild(QPushButton, f"fitTrayRemove:{item}")
    assert isinstance(remove, QPushButton)
    qtbot.mouseClick(remove, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: session.attachments.count() == 0, timeout=3000)
    qtbot.waitUntil(lambda: not window.meter.over_window, timeout=3000)
    assert panel.findChild(QPushButton, f"fitTrayRemove:{item}") is None or not (
        panel.findChild(QPushButton, f"fitTrayRemove:{item}").isVisible()
    )
