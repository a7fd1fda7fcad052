"""One window session, run through both wire dialects against the demo endpoint: images, a
reasoning model's summary, a JSON preset, a function-call preset, stop, retry, regenerate; and
the fallback to Chat Completions for an endpoint with no Responses API, said once."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QPushButton
from pytestqt.qtbot import QtBot
from support.sessions import demo_session
from support.turns import finished

from app.core.conversation import Message, Status
from app.demo import Fault
from app.demo.state import RecordedRequest
from app.gui.session import AppSession
from app.llm.stream import RetryPolicy

APIS = ["responses", "chat"]
PATHS = {"responses": "/v1/responses", "chat": "/v1/chat/completions"}


@pytest.fixture
def session(qtbot: QtBot, qloop: asyncio.AbstractEventLoop) -> Iterator[AppSession]:
    with demo_session(qtbot, qloop, retry=RetryPolicy(max_retries=0)) as app_session:
        yield app_session


def speak(session: AppSession, api: str) -> None:
    """The endpoint profile's choice, as Settings → API sets it."""
    session.chat.api_choice = api


def ask(qtbot: QtBot, session: AppSession, text: str, status: Status = Status.COMPLETE) -> None:
    window = session.window
    window.composer.setFocus()
    window.composer.setPlainText(text)
    qtbot.waitUntil(window.send_button.isEnabled, timeout=5000)
    count = len(session.chat.conversation.messages)
    qtbot.keyClick(window.composer, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(session.chat.conversation.messages) == count + 2, timeout=5000)
    qtbot.waitUntil(finished(session, status), timeout=30_000)


def last_reply(session: AppSession) -> Message:
    return session.chat.conversation.messages[-1]


def sent(session: AppSession, api: str) -> RecordedRequest:
    """The last request the endpoint received, which must be in `api`'s dialect."""
    request = session.demo_server.requests[-1]
    assert request.path == PATHS[api]
    return request


def choose_preset(qtbot: QtBot, session: AppSession, name: str) -> None:
    combo = session.window.preset_picker.combo
    target = combo.findData(name)
    assert target >= 0, name
    combo.setFocus()
    while combo.currentIndex() != target:
        key = Qt.Key.Key_Down if combo.currentIndex() < target else Qt.Key.Key_Up
        qtbot.keyClick(combo, key)


@pytest.mark.parametrize("api", APIS)
def test_images_go_out_in_the_dialect_with_the_cache_key_and_nothing_stored(
    qtbot: QtBot, session: AppSession, api: str, tmp_path: Path
) -> None:
    speak(session, api)
    picture = tmp_path / "chart.png"
    Image.new("RGB", (900, 500), (20, 90, 200)).save(picture)
    session.attachments.add_paths([str(picture)])
    qtbot.waitUntil(lambda: session.attachments.blocking_reason() is None, timeout=10_000)
    session.choose_model("grok-4.20-0309-non-reasoning")
    ask(qtbot, session, "What does the chart show?")
    reply = last_reply(session)
    assert reply.usage is not None
    image_tokens = 256 * (3 * 2 + 1)  # 900×500: 3 × 2 tiles
    assert reply.usage.prompt_tokens > image_tokens
    # Responses' usage has no image count (xAI's recordings); Chat Completions' has it.
    assert reply.usage.image_tokens == (None if api == "responses" else image_tokens)
    request = sent(session, api)
    assert request.image_count == 1
    body = request.body
    if api == "responses":
        assert body["store"] is False
        assert body["prompt_cache_key"] == session.chat.conversation.id
        assert "reasoning" not in body  # this model refuses an effort
        assert body["input"][-1]["content"][1]["type"] == "input_image"
    else:
        assert "reasoning_effort" not in body
        assert "store" not in body
    assert session.chat.learned_api == api


@pytest.mark.parametrize("api", APIS)
def test_a_reasoning_model_shows_its_summary_over_responses(
    qtbot: QtBot, session: AppSession, api: str
) -> None:
    speak(session, api)
    session.choose_model("grok-4.7")
    session.window.effort_picker.effortChosen.emit("low")
    ask(qtbot, session, "Think about the layout.")
    first = last_reply(session)
    body = sent(session, api).body
    if api == "responses":
        assert body["reasoning"] == {"effort": "low"}
        assert body["include"] == ["reasoning.encrypted_content"]
        assert first.reasoning  # the summary, shown collapsed above the answer
        assert first.sealed_reasoning
        session.window.view.flush()
        ask(qtbot, session, "And the colours?")
        again = sent(session, api).body["input"]
        sealed = [item for item in again if item.get("type") == "reasoning"]
        assert [item["encrypted_content"] for item in sealed] == [
            r.encrypted for r in first.sealed_reasoning
        ]
        assert first.sealed_reasoning[0].encrypted not in session.window.view.browser.toHtml()
    else:
        assert body["reasoning_effort"] == "low"
        assert not first.sealed_reasoning  # grok-4.x thinks silently on Chat Completions
    assert first.status is Status.COMPLETE


@pytest.mark.parametrize("api", APIS)
def test_json_preset_and_function_preset(qtbot: QtBot, session: AppSession, api: str) -> None:
    speak(session, api)
    choose_preset(qtbot, session, "invoice-json")
    ask(qtbot, session, "Extract the line items.")
    reply = last_reply(session)
    assert reply.error is None, reply.error
    assert isinstance(json.loads(reply.text), dict)
    body = sent(session, api).body
    if api == "responses":
        assert body["text"]["format"]["type"] == "json_schema"
    else:
        assert body["response_format"]["type"] == "json_schema"

    choose_preset(qtbot, session, "invoice-function")
    ask(qtbot, session, "Record them.")
    called = last_reply(session)
    assert called.tool_calls, called.error
    assert json.loads(called.tool_calls[0].arguments)
    tool = sent(session, api).body["tools"][0]
    assert tool["type"] == "function"
    assert ("name" in tool) is (api == "responses")

    ask(qtbot, session, "Thanks.")
    history = sent(session, api).body
    if api == "responses":
        kinds = [item.get("type") for item in history["input"]]
        assert kinds.count("function_call") == 1
        assert kinds.count("function_call_output") == 1
    else:
        roles = [m["role"] for m in history["messages"]]
        assert roles.count("tool") == 1


@pytest.mark.parametrize("api", APIS)
def test_stop_retry_and_regenerate(qtbot: QtBot, session: AppSession, api: str) -> None:
    speak(session, api)
    session.demo_server.pace = 0.1
    window = session.window
    window.composer.setPlainText("Describe slowly")
    qtbot.waitUntil(window.send_button.isEnabled, timeout=5000)
    qtbot.keyClick(window.composer, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: "simulated" in window.view.browser.toPlainText().lower(), timeout=10_000
    )
    qtbot.mouseClick(window.stop_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(finished(session, Status.STOPPED), timeout=5000)
    assert last_reply(session).text
    session.demo_server.pace = 0.0

    session.demo_server.inject(Fault.SERVER_ERROR)
    ask(qtbot, session, "Again", status=Status.FAILED)
    failed = last_reply(session)
    assert failed.error is not None
    assert "HTTP 500" in failed.error
    window.view.retryRequested.emit(failed.id)
    qtbot.waitUntil(finished(session, Status.COMPLETE), timeout=10_000)
    answered = last_reply(session)
    assert sent(session, api)

    regenerate = next(
        a for a in window.menu("conversation").actions() if a.text().startswith("Regenerate")
    )
    regenerate.trigger()
    qtbot.waitUntil(finished(session, Status.COMPLETE), timeout=10_000)
    assert last_reply(session).id != answered.id
    assert [m.role for m in session.chat.conversation.messages] == ["user", "assistant"] * 2
    assert sent(session, api)


def test_an_endpoint_without_responses_gets_chat_completions_said_once(
    qtbot: QtBot, session: AppSession
) -> None:
    session.demo_server.responses = False
    speak(session, "auto")
    session.chat.learned_api = None
    banner = session.window.notice_banner
    ask(qtbot, session, "Hello")
    assert [r.path for r in session.demo_server.requests[-2:]] == [
        "/v1/responses",
        "/v1/chat/completions",
    ]
    qtbot.waitUntil(banner.isVisible, timeout=5000)
    assert "no Responses API" in banner.label.text()
    assert session.chat.learned_api == "chat"
    banner.hide()
    before = len(session.demo_server.requests)
    ask(qtbot, session, "Hello again")
    assert [r.path for r in session.demo_server.requests[before:]] == ["/v1/chat/completions"]
    assert not banner.isVisible()


def test_settings_force_an_api_for_the_endpoint(qtbot: QtBot, session: AppSession) -> None:
    from app.core.endpoints import key_account
    from app.ui.settings_dialog import SettingsDialog

    dialog = SettingsDialog(session.settings, session.models, session.window)
    qtbot.addWidget(dialog)
    combo = dialog.findChild(QComboBox, "apiCombo")
    assert combo is not None
    combo.setCurrentIndex(combo.findData("chat"))
    with qtbot.waitSignal(dialog.saveRequested) as saved:
        dialog.findChild(QPushButton, "okButton").click()
    settings = saved.args[0]
    assert settings.api_choices[key_account(settings.base_url)] == "chat"
