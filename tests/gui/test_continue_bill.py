"""A continued reply's bill in the window against the demo endpoint: the reply's footer and the
conversation's cost add up every request that wrote it, as the endpoint billed them; the usage
ledger (today's total) counts each request once; a reopened conversation shows the same; and
Continue's keyboard shortcut."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from support.sessions import demo_session
from support.turns import finished

from app.core.billing import format_usd
from app.core.conversation import Message, Status
from app.core.meter import short_usd
from app.demo.state import RecordedRequest
from app.gui.session import AppSession
from app.llm.stream import RetryPolicy
from app.store.history import HistoryStore
from app.store.paths import data_directory
from app.store.usage_ledger import UsageLedger
from app.ui.window_menus import SHORTCUTS

TICKS_PER_USD = 10**10


@pytest.fixture
def session(qtbot: QtBot, qloop: asyncio.AbstractEventLoop) -> Iterator[AppSession]:
    with demo_session(qtbot, qloop, RetryPolicy(max_retries=0)) as app_session:
        app_session.demo_server.pace = 0.0
        qtbot.waitUntil(lambda: app_session.history_flow.history.info is not None, timeout=5000)
        yield app_session


def ask(qtbot: QtBot, session: AppSession, text: str) -> Message:
    window = session.window
    window.composer.setFocus()
    window.composer.setPlainText(text)
    qtbot.waitUntil(window.send_button.isEnabled, timeout=5000)
    qtbot.keyClick(window.composer, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(session.chat.conversation.messages) == 2, timeout=5000)
    qtbot.waitUntil(finished(session, Status.COMPLETE), timeout=15_000)
    return session.chat.conversation.messages[-1]


def shown_text(session: AppSession) -> str:
    session.window.view.flush()
    return session.window.view.browser.toPlainText()


def billed(requests: list[RecordedRequest]) -> tuple[int, int, int]:
    """(prompt tokens, completion tokens, ticks) the endpoint billed for `requests`."""
    prompt = sum(r.prompt_tokens or 0 for r in requests)
    completion = sum(r.completion_tokens or 0 for r in requests)
    ticks = 0
    for request in requests:
        assert request.cost_in_usd_ticks is not None
        ticks += request.cost_in_usd_ticks
    return prompt, completion, ticks


def stored_earlier(conv_id: str) -> int:
    """How many earlier requests the history keeps for the conversation's last reply."""
    with HistoryStore(data_directory(), read_only=True) as store:
        return len(store.load_conversation(conv_id).messages[-1].earlier_usage)


def continue_by_key(qtbot: QtBot, session: AppSession) -> None:
    """Ctrl+Shift+Enter where the user is: in the message box."""
    session.window.composer.setFocus()
    modifiers = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(session.window.composer, Qt.Key.Key_Return, modifiers)


def continue_a_cut_reply(qtbot: QtBot, session: AppSession) -> tuple[str, int, float]:
    """A reply cut at 20 tokens, continued: checks its bill; (conversation id, prompt tokens,
    dollars) of both requests."""
    session.settings_changed(dataclasses.replace(session.settings, max_tokens=20), None)
    reply = ask(qtbot, session, "Describe the sky")
    assert reply.cut
    first = session.demo_server.model_requests[-1]
    assert first.finish_reason == "length"
    session.settings_changed(dataclasses.replace(session.settings, max_tokens=4096), None)
    action = next(
        a
        for a in session.window.menu("conversation").actions()
        if a.objectName() == "continueAction"
    )
    action.trigger()
    qtbot.waitUntil(finished(session, Status.COMPLETE), timeout=15_000)
    second = session.demo_server.model_requests[-1]
    assert second is not first
    assert second.finish_reason == "stop"
    assert session.chat.conversation.messages[-1] is reply

    prompt, completion, ticks = billed([first, second])
    usd = ticks / TICKS_PER_USD
    # The footer: the tokens and the server's bill of both requests.
    text = shown_text(session)
    assert f"{prompt:,} prompt tokens" in text
    assert f"{completion:,} reply tokens" in text
    assert f"cost {format_usd(usd)} (exact)" in text
    # The conversation's cost in the meter is that sum too.
    assert session.budget.conversation_cost(session.chat.conversation) == pytest.approx(usd)
    qtbot.waitUntil(
        lambda: f"conversation {short_usd(usd)}" in session.window.meter.cost_text(), timeout=3000
    )
    # The ledger has one line per request, each as billed: today's total counts each once.
    qtbot.waitUntil(lambda: len(list(UsageLedger().entries())) == 2, timeout=3000)
    lines = list(UsageLedger().entries())
    assert [line.prompt_tokens for line in lines] == [first.prompt_tokens, second.prompt_tokens]
    assert [line.cost_usd for line in lines] == [
        pytest.approx((first.cost_in_usd_ticks or 0) / TICKS_PER_USD),
        pytest.approx((second.cost_in_usd_ticks or 0) / TICKS_PER_USD),
    ]
    assert UsageLedger().today() == pytest.approx(usd)
    assert session.budget.costs.today == pytest.approx(usd)
    conv_id = session.chat.conversation.id
    qtbot.waitUntil(lambda: stored_earlier(conv_id) == 1, timeout=5000)
    return conv_id, prompt, usd


def test_a_continued_reply_bills_every_request_once(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    with demo_session(qtbot, qloop, RetryPolicy(max_retries=0)) as session:
        session.demo_server.pace = 0.0
        qtbot.waitUntil(lambda: session.history_flow.history.info is not None, timeout=5000)
        conv_id, prompt, usd = continue_a_cut_reply(qtbot, session)

    # Reopened in a new session: the same footer and the same conversation cost.
    with demo_session(qtbot, qloop, RetryPolicy(max_retries=0)) as again:
        sidebar = again.history_flow.sidebar
        qtbot.waitUntil(lambda: sidebar.select(conv_id), timeout=5000)
        again.history_flow.open_conversation(conv_id)
        qtbot.waitUntil(lambda: again.chat.conversation.id == conv_id, timeout=5000)
        qtbot.waitUntil(
            lambda: f"cost {format_usd(usd)} (exact)" in shown_text(again), timeout=5000
        )
        assert f"{prompt:,} prompt tokens" in shown_text(again)
        assert again.budget.conversation_cost(again.chat.conversation) == pytest.approx(usd)
        qtbot.waitUntil(
            lambda: f"conversation {short_usd(usd)}" in again.window.meter.cost_text(),
            timeout=3000,
        )
        assert len(list(UsageLedger().entries())) == 2  # opening it bills nothing


def test_ctrl_shift_enter_continues_a_stopped_reply(qtbot: QtBot, session: AppSession) -> None:
    assert ("Ctrl+Shift+Enter", SHORTCUTS_CONTINUE) in SHORTCUTS  # listed by F1
    window = session.window
    session.demo_server.pace = 0.1
    window.composer.setPlainText("Describe slowly")
    qtbot.waitUntil(window.send_button.isEnabled, timeout=5000)
    qtbot.keyClick(window.composer, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "simulated" in shown_text(session).lower(), timeout=10_000)
    qtbot.mouseClick(window.stop_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(finished(session, Status.STOPPED), timeout=5000)
    stopped = session.chat.conversation.messages[-1]
    before = stopped.text
    requests = len(session.demo_server.model_requests)
    session.demo_server.pace = 0.0
    continue_by_key(qtbot, session)
    qtbot.waitUntil(finished(session, Status.COMPLETE), timeout=15_000)
    assert session.chat.conversation.messages[-1] is stopped
    assert stopped.text.startswith(before)
    assert len(stopped.text) > len(before)
    assert len(session.demo_server.model_requests) == requests + 1
    assert window.composer.toPlainText() == ""  # the key did not send or type anything


SHORTCUTS_CONTINUE = "Continue a stopped or cut reply"
