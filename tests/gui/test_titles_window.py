"""Conversations titled from their content after the first reply: by a small, cheap model of
the endpoint (a request of its own, received by the local endpoint, its cost in the day's
ledger), or made here when there is none or it fails or Settings say so; three conversations
that start alike get three titles; a rename always wins."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from support.qtevents import drag_and_drop, file_mime
from support.sessions import start_session, stop_session
from support.turns import finished

from app.core.catalog import ModelInfo, Prices, lookup
from app.core.conversation import Status
from app.core.titles import TITLE_MAX_TOKENS, default_title, heuristic_title, title_model
from app.demo import DemoServer
from app.gui.session import AppSession
from app.store.history import HistoryStore
from app.store.paths import data_directory
from app.store.usage_ledger import UsageLedger


@pytest.fixture
def session(qtbot: QtBot, qloop: asyncio.AbstractEventLoop) -> Iterator[AppSession]:
    app_session, task = start_session(qtbot, qloop, server=DemoServer(pace=0.01), titles="auto")
    qtbot.waitUntil(lambda: app_session.history_flow.history.info is not None, timeout=5000)
    yield app_session
    stop_session(qtbot, app_session, task)


def ask(qtbot: QtBot, session: AppSession, text: str) -> None:
    window = session.window
    window.composer.setPlainText(text)
    qtbot.waitUntil(window.send_button.isEnabled, timeout=5000)
    qtbot.mouseClick(window.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(finished(session, Status.COMPLETE), timeout=15_000)


def stored_title(conv_id: str) -> str:
    with HistoryStore(data_directory(), read_only=True) as store:
        return store.conversation_row(conv_id).title


def titled(qtbot: QtBot, session: AppSession) -> str:
    """The open conversation's title once its first reply has given it one."""
    conversation = session.chat.conversation
    first = default_title(conversation.messages[0].text)
    qtbot.waitUntil(lambda: conversation.title != first, timeout=10_000)
    assert stored_title(conversation.id) == conversation.title
    return conversation.title


def test_the_first_reply_titles_the_conversation_through_a_small_model(
    qtbot: QtBot, session: AppSession, tmp_path: Path
) -> None:
    server = session.demo_server
    chart = tmp_path / "chart.png"
    Image.new("RGB", (600, 500), (30, 90, 200)).save(chart)
    assert drag_and_drop(session.window.tray, file_mime(chart))
    qtbot.waitUntil(lambda: all(i.sendable for i in session.attachments.items()), timeout=5000)
    before = len(server.model_requests)
    ask(qtbot, session, "What does this chart show?")
    conv_id = session.chat.conversation.id
    title = titled(qtbot, session)

    turn, asked = server.model_requests[before : before + 2]
    assert turn.conversation_id == conv_id  # the turn's cache key…
    assert asked.conversation_id is None  # …is not the title request's
    model = title_model(session.models)
    assert model is not None
    known = lookup(model)
    assert known is None or not known.reasoning.thinks
    assert asked.model == model
    assert asked.served_model == model
    assert not asked.stream
    assert asked.max_tokens == TITLE_MAX_TOKENS
    assert asked.roles == ["system", "user"]
    assert asked.image_count == 0  # the images' names, never the images
    assert "chart.png" in json.dumps(asked.body)
    assert title == "Chart Show (600×500)"  # what the (simulated) model answered
    assert stored_title(conv_id) == title == session.chat.conversation.title
    sidebar = session.history_flow.sidebar
    qtbot.waitUntil(lambda: (row := sidebar.model.get(conv_id)) is not None and row.title == title)

    # The title's cost is in the day's ledger, as a line of its own.
    def title_lines() -> list[dict[str, object]]:
        path = UsageLedger().path
        lines = path.read_text().splitlines() if path.exists() else []
        return [e for e in map(json.loads, lines) if e["model"] == model]

    qtbot.waitUntil(lambda: bool(title_lines()))
    (entry,) = title_lines()
    assert entry["completion_tokens"] == asked.completion_tokens
    assert entry["cost_usd"] == asked.cost_in_usd_ticks / 1e10


def test_three_conversations_that_start_alike_get_three_titles(
    qtbot: QtBot, session: AppSession
) -> None:
    titles = []
    for _ in range(3):
        session.new_conversation()
        ask(qtbot, session, "Describe the screen")
        titles.append(titled(qtbot, session))
    assert titles == ["Describe Screen", "Describe Screen (2)", "Describe Screen (3)"]


def test_made_here_when_set_so_or_the_request_fails_and_none_when_off(
    qtbot: QtBot, session: AppSession
) -> None:
    server = session.demo_server
    session.settings.titles = "local"
    before = len(server.model_requests)
    ask(qtbot, session, "Which colours does the logo use?")
    assert titled(qtbot, session) == heuristic_title("Which colours does the logo use?", "")
    assert len(server.model_requests) == before + 1  # no title request

    # A cheap model the endpoint no longer serves: the request fails (404), silently.
    session.settings.titles = "auto"
    gone = ModelInfo("grok-cheap-gone", takes_images=False, prices=Prices(1, 1, 1, 1))
    session.prefs.models = [*session.prefs.models, gone]
    session.new_conversation()
    ask(qtbot, session, "Is the layout balanced?")
    reply = session.chat.conversation.messages[-1].text
    assert titled(qtbot, session) == heuristic_title("Is the layout balanced?", reply)
    assert server.model_requests[-1].model == "grok-cheap-gone"
    assert (server.model_requests[-1].status or 0) >= 400  # an unknown model: refused
    assert not session.window.notice_banner.isVisible()  # failures say nothing

    session.settings.titles = "off"
    session.new_conversation()
    ask(qtbot, session, "Count the buttons")
    qtbot.wait(300)
    assert stored_title(session.chat.conversation.id) == "Count the buttons"


def test_a_rename_always_wins(qtbot: QtBot, session: AppSession) -> None:
    server = session.demo_server
    sidebar = session.history_flow.sidebar
    window = session.window
    window.composer.setPlainText("Review this dialog")
    qtbot.waitUntil(window.send_button.isEnabled, timeout=5000)
    qtbot.mouseClick(window.send_button, Qt.MouseButton.LeftButton)
    conv_id = session.chat.conversation.id
    qtbot.waitUntil(lambda: sidebar.model.get(conv_id) is not None, timeout=5000)
    qtbot.waitUntil(lambda: len(server.model_requests) == 1, timeout=5000)
    assert session.chat.busy  # the reply is still coming
    sidebar.renameRequested.emit(conv_id, "My dialog notes")
    qtbot.waitUntil(finished(session, Status.COMPLETE), timeout=15_000)
    qtbot.wait(500)
    assert stored_title(conv_id) == "My dialog notes"
    assert len(server.model_requests) == 1  # the turn's: no title was even asked for

    # Titled, then renamed: a second first reply (regenerate) leaves the rename alone.
    session.new_conversation()
    ask(qtbot, session, "Review this form")
    other = session.chat.conversation.id
    titled(qtbot, session)
    sidebar.renameRequested.emit(other, "Form, final")
    session.regenerate()
    qtbot.waitUntil(finished(session, Status.COMPLETE), timeout=15_000)
    qtbot.wait(500)
    assert stored_title(other) == "Form, final"
