"""Budget control in the real window against the local endpoint: fitting a request into the
window (low detail, leaving images and turns out), the detail switch in the tray, per-reply and
daily costs, learning how the server counts images, unknown context windows, offline start."""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import keyring
import pytest
from PIL import Image
from PySide6.QtCore import Qt, QUrl
from PySide6.QtWidgets import QCheckBox, QInputDialog, QSpinBox
from pytestqt.qtbot import QtBot
from support.qtevents import drag_and_drop, file_mime
from support.sessions import start_session, stop_session, write_settings

from app.core.billing import format_usd
from app.core.budget import MIN_IMAGE_TOKENS, image_tokens
from app.core.conversation import Status
from app.core.meter import short_usd
from app.demo import DEMO_API_KEY, DemoServer
from app.gui.session import AppSession
from app.keystore import SERVICE
from app.llm.stream import RetryPolicy
from app.store.learned_costs import LearnedCostStore
from app.store.usage_ledger import LedgerEntry, UsageLedger

BIG = (1400, 1000)  # 12 tiles, counted as 6: 1,792 tokens
BIG_TOKENS = image_tokens(*BIG)


@pytest.fixture
def running(qtbot: QtBot, qloop: asyncio.AbstractEventLoop) -> Iterator[Callable[..., AppSession]]:
    started: list[tuple[AppSession, asyncio.Task[int]]] = []

    def make(**kwargs: object) -> AppSession:
        retry = RetryPolicy(max_retries=1, base_delay=0.01, max_delay=0.02)
        pair = start_session(qtbot, qloop, retry=retry, **kwargs)  # type: ignore[arg-type]
        started.append(pair)
        return pair[0]

    yield make
    for session, task in started:
        stop_session(qtbot, session, task)


def png(path: Path, size: tuple[int, int], colour: str = "teal") -> Path:
    Image.new("RGB", size, colour).save(path)
    return path


def used(session: AppSession) -> int:
    return int(session.window.meter.accessibleDescription().split(" ")[0])


def ask(qtbot: QtBot, session: AppSession, text: str, *images: Path) -> None:
    window = session.window
    count = len(session.chat.conversation.messages)
    if images:
        session.attachments.add_paths([str(p) for p in images])
    window.composer.setPlainText(text)
    qtbot.waitUntil(window.send_button.isEnabled, timeout=5000)
    qtbot.mouseClick(window.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: (
            len(session.chat.conversation.messages) == count + 2
            and session.chat.conversation.messages[-1].status is Status.COMPLETE
            and not session.chat.busy
        ),
        timeout=15_000,
    )


def test_a_request_over_the_window_is_fitted_with_the_meter_previewing_each_choice(
    qtbot: QtBot, running: Callable[..., AppSession], tmp_path: Path
) -> None:
    write_settings(
        model="grok-4.20-0309-non-reasoning",
        context_overrides={"grok-4.20-0309-non-reasoning": 6144},
        max_tokens=1024,
    )
    session = running()
    window, server = session.window, session.demo_server
    ask(qtbot, session, "First chart?", png(tmp_path / "one.png", BIG))
    ask(qtbot, session, "Second chart?", png(tmp_path / "two.png", BIG, "navy"))
    first = session.chat.conversation.messages[0]

    # The third image would not fit: Send says so before anything is sent, the panel opens.
    session.attachments.add_paths([str(png(tmp_path / "three.png", BIG, "olive"))])
    window.composer.setPlainText("Third chart?")
    qtbot.waitUntil(lambda: window.meter.over_window, timeout=5000)
    qtbot.waitUntil(lambda: "Over the context window" in window.send_reason.text(), timeout=3000)
    assert not window.send_button.isEnabled()
    panel = session.budget.panel
    assert panel.isVisible()
    assert "Does not fit" in panel.status_text()
    assert window.meter.fit_button().isVisible()
    requests_before = len(server.model_requests)

    # Low detail for the first image: the meter drops by its cost less one tile at once.
    over = used(session)
    low_box = panel.findChild(QCheckBox, f"fitLow:{first.id}:0")
    assert low_box is not None
    low_box.click()
    assert used(session) == over - (BIG_TOKENS - MIN_IMAGE_TOKENS)
    qtbot.waitUntil(
        lambda: not window.meter.over_window and window.send_button.isEnabled(), timeout=5000
    )
    assert "Fits" in panel.status_text()
    assert "1 past image at low detail" in window.meter.note_text()
    assert "Image 1: low detail" in window.view.browser.toPlainText()
    assert len(server.model_requests) == requests_before  # nothing was sent meanwhile

    qtbot.mouseClick(window.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: (
            len(server.model_requests) == requests_before + 1
            and server.model_requests[-1].status == 200
        ),
        timeout=10_000,
    )
    qtbot.waitUntil(lambda: not session.chat.busy, timeout=10_000)
    sent = server.model_requests[-1]
    assert sent.image_sizes[0] == (448, 320)  # one tile, downscaled client-side
    assert sent.image_sizes[1:] == [BIG, BIG]
    assert sent.image_tokens == MIN_IMAGE_TOKENS + 2 * BIG_TOKENS
    # The conversation still holds the image at full size: only the request was fitted.
    assert first.images[0].image is not None
    assert first.images[0].image.width == BIG[0]


def test_images_and_turns_left_out_from_the_history_and_the_panel(
    qtbot: QtBot, running: Callable[..., AppSession], tmp_path: Path
) -> None:
    session = running()
    window, server = session.window, session.demo_server
    ask(qtbot, session, "Look", png(tmp_path / "a.png", BIG), png(tmp_path / "b.png", (448, 448)))
    ask(qtbot, session, "And now?")
    first = session.chat.conversation.messages[0]
    before = used(session)

    # The per-image links under the turn in the history ("leave out", "low detail").
    html = window.view.browser.toHtml()
    leave_out = f"action:send:{first.id}:0:0"
    assert leave_out in html
    assert f"action:detail:{first.id}:1:low" in html
    window.view.browser.anchorClicked.emit(QUrl(leave_out))
    assert used(session) < before - BIG_TOKENS + 200
    text = window.view.browser.toPlainText()
    assert "Image 1: not sent" in text
    assert "Image 2: high detail" in text
    window.view.browser.anchorClicked.emit(QUrl(f"action:detail:{first.id}:1:low"))
    assert f"action:detail:{first.id}:1:high" in window.view.browser.toHtml()
    assert f"action:send:{first.id}:0:1" in window.view.browser.toHtml()  # "send again"
    qtbot.waitUntil(lambda: session.budget.blocking_reason() is None, timeout=5000)

    # Dropping the oldest turn from the panel (opened with "Fit…").
    window.meter.fit_button().click()
    panel = session.budget.panel
    assert panel.isVisible()
    spin = panel.findChild(QSpinBox, "fitDropTurns")
    assert spin.maximum() == 2
    spin.setValue(1)
    assert "not sent (oldest turns left out)" in window.view.browser.toPlainText()
    ask(qtbot, session, "Only the last turn now")
    sent = server.model_requests[-1]
    assert sent.image_count == 0
    assert sent.roles == ["user", "assistant", "user"]

    # "Send everything" undoes it all.
    panel.findChild(type(window.send_button), "fitReset").click()
    assert session.budget.plan.empty
    assert "not sent" not in window.view.browser.toPlainText()


def test_the_tray_detail_switch_sends_one_tile(
    qtbot: QtBot, running: Callable[..., AppSession], tmp_path: Path
) -> None:
    session = running()
    window = session.window
    empty = used(session)
    assert drag_and_drop(window.tray, file_mime(png(tmp_path / "wide.png", (2000, 900))))
    qtbot.waitUntil(
        lambda: (
            bool(session.attachments.items())
            and session.attachments.items()[0].prepared is not None
        ),
        timeout=5000,
    )
    tile = window.tray.tiles()[0]
    full = used(session)
    assert full - empty >= image_tokens(2000, 900)
    tile.detail_button().click()
    qtbot.waitUntil(lambda: tile.tokens_text() == "512 tok", timeout=3000)
    assert tile.detail_button().isChecked()
    assert full - used(session) == image_tokens(2000, 900) - MIN_IMAGE_TOKENS
    window.composer.setPlainText("Low detail please")
    qtbot.waitUntil(window.send_button.isEnabled, timeout=5000)
    qtbot.mouseClick(window.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: session.chat.conversation.messages[-1].status is Status.COMPLETE, timeout=10_000
    )
    request = session.demo_server.model_requests[-1]
    assert request.image_sizes == [(448, 202)]
    assert request.image_tokens == MIN_IMAGE_TOKENS
    part = session.chat.conversation.messages[0].images[0]
    assert part.detail == "low"
    # The history shows it (with its thumbnail) as sent at low detail, without a switch.
    assert "Image 1: low detail" in window.view.browser.toPlainText()
    assert "[image:" not in window.view.browser.toPlainText()


def test_costs_per_reply_conversation_and_today(
    qtbot: QtBot, running: Callable[..., AppSession], tmp_path: Path
) -> None:
    UsageLedger().append(
        LedgerEntry(
            time=time.time(),
            endpoint="demo",
            model="grok-4.3",
            prompt_tokens=1,
            image_tokens=0,
            completion_tokens=1,
            cost_usd=1.25,
        )
    )
    session = running()
    window = session.window
    qtbot.waitUntil(lambda: "today $1.25" in window.meter.cost_text(), timeout=5000)
    ask(qtbot, session, "What does it cost?", png(tmp_path / "c.png", (448, 448)))
    reply = session.chat.conversation.messages[-1]
    assert reply.usage is not None
    # The server's own bill, which the price list reproduces (grok-4.3: $1.25 in, $2.50 out;
    # reasoning tokens at the output price).
    assert reply.usage.cost_ticks == (
        reply.usage.prompt_tokens * 12_500
        + (reply.usage.completion_tokens + (reply.usage.reasoning_tokens or 0)) * 25_000
    )
    expected = reply.usage.cost_ticks / 10**10
    window.view.flush()
    assert f"cost {format_usd(expected)} (exact)" in window.view.browser.toPlainText()
    qtbot.waitUntil(
        lambda: f"conversation {short_usd(expected)}" in window.meter.cost_text(), timeout=3000
    )
    assert f"today ${1.25 + expected:,.2f}" in window.meter.cost_text()
    qtbot.waitUntil(lambda: len(list(UsageLedger().entries())) == 2, timeout=3000)
    line = list(UsageLedger().entries())[-1]
    assert line.model == "grok-4.3"
    assert line.cost_exact
    assert line.reasoning_tokens == reply.usage.reasoning_tokens
    assert line.prompt_tokens == reply.usage.prompt_tokens
    assert line.cost_usd == pytest.approx(expected)


def test_the_meter_learns_image_counts_from_the_server(
    qtbot: QtBot, running: Callable[..., AppSession], tmp_path: Path
) -> None:
    server = DemoServer(pace=0.0, image_tokens_fn=lambda w, h: 2 * image_tokens(w, h))
    session = running(server=server)
    session.chat.api_choice = "chat"  # image counts come in Chat Completions' usage only
    window = session.window
    for number in range(3):
        assert "learned" not in window.meter.note_text()
        ask(qtbot, session, f"Turn {number}", png(tmp_path / f"{number}.png", (448, 448)))
    qtbot.waitUntil(
        lambda: "Image cost learned from the server: 2× the formula" in window.meter.note_text(),
        timeout=3000,
    )
    # The history is counted as the server counted it, and a new image at twice the formula.
    reply = session.chat.conversation.messages[-1]
    assert reply.usage is not None
    assert used(session) == reply.usage.prompt_tokens + reply.usage.completion_tokens + 4
    before = used(session)
    session.attachments.add_paths([str(png(tmp_path / "next.png", (448, 448)))])
    qtbot.waitUntil(lambda: used(session) == before + 4 + 2 * MIN_IMAGE_TOKENS, timeout=5000)
    # Kept for the next start.
    qtbot.waitUntil(lambda: LearnedCostStore().load().rules != {}, timeout=3000)
    assert [rule.describe() for rule in LearnedCostStore().load().rules.values()] == [
        "2× the formula"
    ]


def test_an_unknown_context_window_can_be_set_from_the_meter(
    qtbot: QtBot, running: Callable[..., AppSession]
) -> None:
    session = running()
    meter = session.window.meter
    assert not meter.set_window_button().isVisible()
    session.choose_model("grok-vision-demo-8k")
    assert "unknown window (assumed 32,768)" in meter.summary_text()
    assert meter.set_window_button().isVisible()
    meter.set_window_button().click()
    dialog = session.window.findChild(QInputDialog, "contextWindowDialog")
    assert dialog is not None
    assert dialog.isVisible()
    assert "grok-vision-demo-8k" in dialog.labelText()
    dialog.setIntValue(8192)
    dialog.accept()
    assert session.settings.context_overrides["grok-vision-demo-8k"] == 8192
    assert "unknown window" not in meter.summary_text()
    assert "of 8,192 tokens" in meter.summary_text()
    assert not meter.set_window_button().isVisible()
    saved = json.loads((Path(os.environ["GROK_VISION_CONFIG_DIR"]) / "settings.json").read_text())
    assert saved["context_overrides"] == {"grok-vision-demo-8k": 8192}


def test_the_app_starts_offline_with_the_last_model_list(
    qtbot: QtBot, running: Callable[..., AppSession]
) -> None:
    cached = [
        {
            "id": "grok-4.7",
            "takes_images": True,
            "context_window": 500000,
            "aliases": [],
            "owned_by": "xai",
            "prices": None,
        },
        {
            "id": "grok-3-mini",
            "takes_images": False,
            "context_window": None,
            "aliases": [],
            "owned_by": "xai",
            "prices": None,
        },
    ]
    # Nothing listens on port 9: every request fails to connect.
    write_settings(base_url="http://127.0.0.1:9/v1", model="grok-4.7", known_models=cached)
    keyring.set_password(SERVICE, "custom:127.0.0.1", DEMO_API_KEY)
    session = running(demo=False)
    window = session.window
    qtbot.waitUntil(lambda: session.endpoint.has_key, timeout=5000)
    labels = [window.model_picker.itemText(i) for i in range(window.model_picker.count())]
    assert labels == ["grok-4.7", "grok-3-mini (text only)"]
    assert window.current_model() == "grok-4.7"
    assert [m.id for m in session.models] == ["grok-4.7", "grok-3-mini"]
