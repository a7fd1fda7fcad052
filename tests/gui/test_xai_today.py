"""The window against the demo endpoint as xAI's API is today: current models' windows never
blocked by a guess, a window learned from the server's error, one cache key per conversation
with the saving shown, and a reasoning model's thinking and reasoning shown apart."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import Qt, QUrl
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot
from support.sessions import demo_session
from support.turns import finished

from app.core.conversation import Status
from app.demo import DemoServer
from app.gui.session import AppSession
from app.llm.stream import RetryPolicy


@pytest.fixture
def session(qtbot: QtBot, qloop: asyncio.AbstractEventLoop) -> Iterator[AppSession]:
    with demo_session(qtbot, qloop, RetryPolicy(max_retries=0)) as app:
        yield app


def server(session: AppSession) -> DemoServer:
    assert isinstance(session.demo_server, DemoServer)
    return session.demo_server


def pictures(folder: Path, count: int, size: tuple[int, int] = (1400, 1000)) -> list[str]:
    paths = []
    for index in range(count):
        path = folder / f"chart-{index:02d}.png"
        Image.new("RGB", size, (index * 6 % 256, 90, 160)).save(path)
        paths.append(str(path))
    return paths


def ask(
    qtbot: QtBot,
    session: AppSession,
    text: str,
    images: list[str] | None = None,
    status: Status = Status.COMPLETE,
) -> None:
    window = session.window
    if images:
        session.attachments.add_paths(images)
        qtbot.waitUntil(
            lambda: (
                len(session.attachments.token_costs()) == len(images)
                and session.attachments.blocking_reason() is None
            ),
            timeout=20_000,
        )
    window.composer.setFocus()
    window.composer.setPlainText(text)
    qtbot.waitUntil(window.send_button.isEnabled, timeout=5000)
    count = len(session.chat.conversation.messages)
    qtbot.mouseClick(window.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(session.chat.conversation.messages) == count + 2, timeout=5000)
    qtbot.waitUntil(finished(session, status), timeout=30_000)


def test_forty_images_with_a_current_model_are_never_blocked(
    qtbot: QtBot, session: AppSession, tmp_path: Path
) -> None:
    session.choose_model("grok-4.3")
    images = pictures(tmp_path, 40)
    for turn in range(4):
        ask(qtbot, session, f"Charts {turn + 1}?", images[turn * 10 : (turn + 1) * 10])
        assert session.window.send_reason.text() == "" or "Write a question" in (
            session.window.send_reason.text()
        )
    meter = session.window.meter
    assert "of 1,000,000 tokens" in meter.summary_text()
    assert "unknown window" not in meter.summary_text()
    assert not meter.over_window
    sent = [r for r in server(session).model_requests if r.status == 200]
    assert sent[-1].image_count == 40  # every image still in the history
    assert sent[-1].image_tokens == 40 * 1792


def test_an_unknown_window_only_warns_and_the_servers_limit_is_learned(
    qtbot: QtBot, session: AppSession, tmp_path: Path
) -> None:
    # The demo's small test model is in no table: its window is unknown to the app.
    session.choose_model("grok-vision-demo-8k")
    assert not session.budget.window_known()
    ask(qtbot, session, "First", pictures(tmp_path, 4))
    ask(
        qtbot,
        session,
        "Second",
        pictures(tmp_path, 4),  # about 14k tokens: over 8k
        status=Status.FAILED,
    )
    # The request went out (nothing was refused for a guessed window); the server said no.
    reply = session.chat.conversation.messages[-1]
    assert reply.status is Status.FAILED
    assert "maximum prompt length is 8192" in (reply.error or "")
    qtbot.waitUntil(
        lambda: session.settings.learned_windows.get("grok-vision-demo-8k") == 8192, timeout=5000
    )
    assert session.budget.window_known()
    assert "of 8,192 tokens" in session.window.meter.summary_text()
    assert "8,192" in session.window.notice_banner.label.text()


def test_one_cache_key_per_conversation_and_the_saving_shown(
    qtbot: QtBot, session: AppSession, tmp_path: Path
) -> None:
    session.choose_model("grok-4.7")
    demo = server(session)
    ask(qtbot, session, "What does this dashboard show?", pictures(tmp_path, 2))
    ask(qtbot, session, "And the second panel?")
    first, second = (r for r in demo.model_requests if r.status == 200)
    assert first.conversation_id == second.conversation_id == session.chat.conversation.id
    assert second.cached_tokens
    assert first.prompt_tokens is not None
    assert first.prompt_tokens - 8 <= second.cached_tokens <= first.prompt_tokens  # its messages
    text = session.window.view.browser.toPlainText()
    assert f"{second.cached_tokens:,} cached, saved $" in text
    assert "(exact)" in text
    # The forecast for the next turn expects the prefix cached too.
    assert "(cache saves $" in session.window.meter.cost_text()

    QTest.keyClick(session.window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not session.chat.conversation.messages, timeout=3000)
    ask(qtbot, session, "A new question")
    third = [r for r in demo.model_requests if r.status == 200][-1]
    assert third.conversation_id == session.chat.conversation.id != first.conversation_id
    assert not third.cached_tokens


def test_a_changed_system_prompt_says_it_breaks_the_cache(
    qtbot: QtBot, session: AppSession
) -> None:
    session.choose_model("grok-4.7")
    ask(qtbot, session, "Hello")
    ask(qtbot, session, "Again")
    assert "cache saves" in session.window.meter.cost_text()
    edit = session.window.system_prompt_edit
    edit.setFocus()
    qtbot.keyClicks(edit, "Answer in French.")
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: "system prompt changed" in session.window.meter.note_text(), timeout=3000
    )
    assert "billed in full" in session.window.meter.note_text()


def test_a_reasoning_turn_shows_thinking_then_its_reasoning_collapsed(
    qtbot: QtBot, session: AppSession
) -> None:
    demo = server(session)
    demo.think_seconds = 2.5  # high effort: 2.5 s of silence before the answer
    session.choose_model("grok-4.7")
    effort = session.window.effort_picker
    assert effort.isVisibleTo(session.window)
    assert [effort.itemData(i) for i in range(effort.count())] == [
        "",
        "low",
        "medium",
        "high",
        "xhigh",
    ]
    longest = max(effort.fontMetrics().horizontalAdvance(effort.itemText(i)) for i in range(5))
    assert effort.sizeHint().width() > longest  # the whole choice shows, not "Effort: m"
    view = session.window.view.browser
    session.window.composer.setPlainText("Think about it")
    qtbot.waitUntil(session.window.send_button.isEnabled, timeout=5000)
    qtbot.mouseClick(session.window.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Thinking… 1 s" in view.toPlainText(), timeout=5000)
    assert session.chat.busy
    qtbot.waitUntil(finished(session, Status.COMPLETE), timeout=15_000)
    reply = session.chat.conversation.messages[-1]
    assert reply.thought_for is not None
    assert reply.thought_for >= 2
    assert reply.usage is not None
    assert reply.usage.reasoning_tokens == 1024
    assert "Thought for" in view.toPlainText()
    assert "reasoning" in view.toPlainText()  # the footer names the reasoning tokens

    # A model that thinks aloud: its reasoning is kept apart, collapsed, and opens on click.
    session.choose_model("grok-demo-thinking-mini")
    assert not effort.isVisibleTo(session.window)  # not in the catalogue: no effort offered
    ask(qtbot, session, "And this?")
    reply = session.chat.conversation.messages[-1]
    assert reply.reasoning
    assert reply.reasoning not in reply.text
    assert reply.reasoning[:40] not in view.toPlainText()
    assert "show reasoning" in view.toPlainText()
    view.anchorClicked.emit(QUrl(f"action:reasoning:{reply.id}"))
    assert reply.reasoning.strip()[:40] in view.toPlainText()
    # The reasoning is never sent back as part of the answer.
    ask(qtbot, session, "Next")
    last = [r for r in demo.model_requests if r.status == 200][-1]
    assert last.roles.count("assistant") == 2


def test_the_chosen_effort_is_sent_and_none_to_a_model_that_refuses_it(
    qtbot: QtBot, session: AppSession
) -> None:
    demo = server(session)
    session.choose_model("grok-4.3")
    picker = session.window.effort_picker
    picker.setCurrentIndex(picker.findData("low"))
    picker.activated.emit(picker.currentIndex())
    ask(qtbot, session, "Quick one")
    assert [r for r in demo.model_requests if r.status == 200][-1].reasoning_effort == "low"
    session.choose_model("grok-4.20-0309-non-reasoning")
    assert session.chat.conversation.reasoning_effort is None
    ask(qtbot, session, "Another")
    last = [r for r in demo.model_requests if r.status == 200][-1]
    assert last.status == 200
    assert last.reasoning_effort is None
