"""Network and server faults met by the real window (AppSession), one scenario each.

Demo faults are injected into the session's own demo endpoint (`grok-vision --demo`); network
failures point a normal session at an address that fails (refused, unresolvable, TLS spoken to a
plain-HTTP server, a listener that never accepts). Every scenario that fails checks:

- the user's message is kept (on screen, in the conversation, and saved in the history);
- text that arrived before the failure is kept, and the failure is marked under it;
- the server's own message is shown inline (never "Error code: 400"), with a Retry link;
- nothing is left running (no chat task; the composer and Send work again);
- after what the user would do (wait, pick another model, fix the address or the key, leave
  the refused image out), the Retry link sends the same question again and the reply completes,
  and the history holds the question and that reply only.

Timeouts: the app's are 10 s to connect and 60 s of silence (app/llm/client.py, `Timeouts`), and
the window offers no setting for them, so the timeout scenarios give `make_client` shorter ones
(see `short_timeouts`); everything else is the app as it runs. They ask a model that does not
reason: for one that does (the default, grok-4.3) the app waits up to 900 s of silence
(app/llm/stream.py, `THINKING_READ_TIMEOUT`), whatever the client's read timeout.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import keyring
import pytest
from hardening.running import Running
from PySide6.QtCore import QMimeData, QUrl
from pytestqt.qtbot import QtBot

from app.core.conversation import Message, Status
from app.core.endpoints import key_account
from app.demo import DEMO_API_KEY, DemoServer, Fault
from app.keystore import SERVICE
from app.llm.client import Timeouts, make_client
from app.llm.stream import RetryPolicy
from app.store.history import HistoryStore
from app.store.paths import data_directory
from app.ui.conversation_render import action_url

QUESTION = "Describe the screenshot, please."
CURRENT_MODEL = "grok-4.3"  # the default: current, takes images
NOT_REASONING = "grok-4.20-0309-non-reasoning"  # current, takes images, never thinks
SHORT = Timeouts(connect=1.0, read=1.0, write=10.0, pool=10.0)


@dataclass
class Setup:
    """A running app about to meet a fault, and what the user does about it before Retry."""

    app: Running
    heal: Callable[[], None] = lambda: None
    question: str = QUESTION


Maker = Callable[["Context"], Setup]


@dataclass
class Context:
    qtbot: QtBot
    qloop: asyncio.AbstractEventLoop
    monkeypatch: pytest.MonkeyPatch
    stack: contextlib.ExitStack
    tmp_path: Path

    def demo(self) -> Running:
        return self.own(Running(self.qtbot, self.qloop))

    def pointed_at(self, base_url: str, key: str = DEMO_API_KEY) -> Running:
        return self.own(Running(self.qtbot, self.qloop, base_url=base_url, key=key))

    def own(self, app: Running) -> Running:
        self.stack.callback(lambda: None if app.task.done() else app.close())
        return app

    def server(self, port: int = 0) -> DemoServer:
        return self.stack.enter_context(DemoServer(port=port))

    def short_timeouts(self) -> None:
        self.monkeypatch.setattr(
            "app.llm.client.make_client", functools.partial(make_client, timeouts=SHORT)
        )


def repoint(app: Running, base_url: str, key: str = DEMO_API_KEY) -> Callable[[], None]:
    """What Settings' OK does with a corrected address (and the key typed for it)."""

    def heal() -> None:
        settings = dataclasses.replace(app.session.settings, base_url=base_url)
        app.session.settings_changed(settings, key)
        app.qtbot.waitUntil(
            lambda: app.session.endpoint.base_url == base_url and not app.session.tasks.running,
            timeout=10_000,
        )

    return heal


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# -- the scenarios -----------------------------------------------------------------------------


def demo_fault(fault: Fault, count: int = 1, **options: int) -> Maker:
    def make(ctx: Context) -> Setup:
        app = ctx.demo()
        app.session.demo_server.inject(fault, count, **options)
        return Setup(app)

    return make


def stall(fault: Fault, count: int) -> Maker:
    def make(ctx: Context) -> Setup:
        ctx.short_timeouts()
        app = ctx.demo()
        app.session.choose_model(NOT_REASONING)  # the app's own silence limit applies
        app.session.demo_server.stall_seconds = 60  # ended when the session stops it
        app.session.demo_server.inject(fault, count, after_chunks=3)
        return Setup(app)

    return make


def wrong_key(ctx: Context) -> Setup:
    server = ctx.server()
    app = ctx.pointed_at(server.base_url, key="xai-wrong-key-0123456789abcdef")
    return Setup(app, heal=repoint_key(app, server.base_url))


def repoint_key(app: Running, base_url: str) -> Callable[[], None]:
    """The right key typed into Settings: stored in the keyring, then used."""

    def heal() -> None:
        app.session.settings_changed(app.session.settings, DEMO_API_KEY)
        app.qtbot.waitUntil(
            lambda: (
                keyring.get_password(SERVICE, key_account(base_url)) == DEMO_API_KEY
                and not app.session.tasks.running
            ),
            timeout=10_000,
        )

    return heal


def retired_model(ctx: Context) -> Setup:
    app = ctx.demo()
    app.session.choose_model("grok-2-vision-1212")
    return Setup(app, heal=lambda: app.session.choose_model(CURRENT_MODEL))


def prompt_too_long(ctx: Context) -> Setup:
    # The app does not know this model's window (it budgets 32,768); the server's is 8,192.
    app = ctx.demo()
    app.session.choose_model("grok-vision-demo-8k")
    return Setup(
        app,
        heal=lambda: app.session.choose_model(CURRENT_MODEL),
        question="Summarise:" + " lorem ipsum" * 3000,
    )


def image_refused(ctx: Context) -> Setup:
    app = ctx.demo()
    mime = QMimeData()
    mime.setText("https://images.example.com/chart.webp")
    app.paste(mime)
    assert [item.name for item in app.items()] == ["chart.webp"]

    def leave_it_out() -> None:  # the "leave out" link under the question's image
        question = app.messages[-2]
        link = action_url("send", question.id, "0", "0")
        app.window.view.flush()
        assert f'href="{link}"' in app.window.view.browser.toHtml()
        app.window.view.browser.anchorClicked.emit(QUrl(link))

    return Setup(app, heal=leave_it_out)


def refused(ctx: Context) -> Setup:
    port = free_port()  # nothing listens there (yet)
    app = ctx.pointed_at(f"http://127.0.0.1:{port}/v1")
    return Setup(app, heal=lambda: ctx.server(port) and None)


def unresolvable(ctx: Context) -> Setup:
    app = ctx.pointed_at("http://nonexistent.invalid/v1")  # .invalid never resolves
    server = ctx.server()
    return Setup(app, heal=repoint(app, server.base_url))


def tls_to_plain_http(ctx: Context) -> Setup:
    server = ctx.server()
    app = ctx.pointed_at(server.base_url.replace("http://", "https://"))
    return Setup(app, heal=repoint(app, server.base_url))


def connect_timeout(ctx: Context) -> Setup:
    """A listener whose queue is full: connecting hangs (Linux drops the handshake)."""
    ctx.short_timeouts()
    listener = ctx.stack.enter_context(socket.socket())
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    filler = ctx.stack.enter_context(socket.socket())
    filler.connect(listener.getsockname())
    port = listener.getsockname()[1]
    app = ctx.pointed_at(f"http://127.0.0.1:{port}/v1")
    server = ctx.server()
    return Setup(app, heal=repoint(app, server.base_url))


@dataclass(frozen=True)
class Scenario:
    id: str
    make: Maker
    words: tuple[str, ...]  # in the error shown (the server's own message where any)
    partial: bool = False  # text arrives before the failure
    retried: int = 0  # automatic retries the app announces before giving up
    slow: bool = False


SCENARIOS = (
    Scenario(
        "connection_refused",
        refused,
        (
            "Could not reach the server: 127.0.0.1:",
            "refused the connection (nothing is listening there)",
        ),
    ),
    Scenario(
        "host_not_resolvable",
        unresolvable,
        ("Could not reach the server: the host name of nonexistent.invalid was not found",),
    ),
    Scenario(
        "tls_failure",
        tls_to_plain_http,
        (
            "Could not reach the server: the secure connection (TLS) to 127.0.0.1:",
            "WRONG_VERSION_NUMBER",
            "its address starts with http://",
        ),
    ),
    Scenario(
        "connect_timeout",
        connect_timeout,
        ("The server took too long to answer: no answer from 127.0.0.1:",),
        retried=2,
        slow=True,
    ),
    Scenario(
        "read_timeout",
        stall(Fault.STALL_BEFORE_HEADERS, 3),
        ("The server took too long to answer",),
        retried=2,
        slow=True,
    ),
    Scenario(
        "stall_mid_stream",
        stall(Fault.STALL_MID_STREAM, 1),
        ("The reply was cut off", "the server stopped answering mid-reply"),
        partial=True,
    ),
    Scenario(
        "dropped_mid_stream",
        demo_fault(Fault.DROP_MID_STREAM, after_chunks=3),
        ("The reply was cut off", "the connection was lost mid-reply"),
        partial=True,
    ),
    Scenario(
        "malformed_event",
        demo_fault(Fault.MALFORMED_EVENT, after_chunks=3),
        ("The reply was cut off", "the server sent a malformed event"),
        partial=True,
    ),
    Scenario(
        "wrong_key",
        wrong_key,
        ("The API key was not accepted (HTTP 400)", "Incorrect API key provided: xa***ef"),
    ),
    Scenario(
        "model_not_found",
        retired_model,
        ("Model not found (HTTP 400)", "Model not found: grok-2-vision-1212"),
    ),
    Scenario(
        "prompt_too_long",
        prompt_too_long,
        ("too long for the model (HTTP 400)", "maximum prompt length is 8192"),
    ),
    Scenario(
        "image_refused",
        image_refused,
        (
            "The server refused an image (HTTP 412)",
            "Downloaded response does not contain a valid JPG or PNG image.",
        ),
    ),
    Scenario(
        "rate_limited_429",
        demo_fault(Fault.RATE_LIMIT, 3, retry_after=1),
        ("(HTTP 429)", "The service is temporarily at capacity."),
        retried=2,
    ),
    Scenario(
        "server_error_500",
        demo_fault(Fault.SERVER_ERROR, 3),
        ("The server had an error (HTTP 500)", "Internal server error."),
        retried=2,
    ),
    Scenario(
        "unavailable_503",
        demo_fault(Fault.UNAVAILABLE, 3),
        ("(HTTP 503)", "The service is currently unavailable."),
        retried=2,
    ),
)


@pytest.fixture
def ctx(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[Context]:
    with contextlib.ExitStack() as stack:
        yield Context(qtbot, qloop, monkeypatch, stack, tmp_path)


def stored(conv_id: str) -> list[Message]:
    with HistoryStore(data_directory(), read_only=True) as store:
        return store.load_conversation(conv_id).messages


def notes_seen(app: Running) -> list[str]:
    """Every transient note under the reply, as the view is told them."""
    seen: list[str] = []
    app.session.chat.replyNote.connect(lambda _id, text: seen.append(text) if text else None)
    return seen


@pytest.mark.parametrize(
    "scenario",
    [pytest.param(s, id=s.id, marks=[pytest.mark.slow] if s.slow else []) for s in SCENARIOS],
)
def test_fault_in_the_window(scenario: Scenario, ctx: Context) -> None:
    setup = scenario.make(ctx)
    app = setup.app
    notes = notes_seen(app)
    reply = app.ask(setup.question)

    # The failure, marked under whatever text had arrived.
    assert reply.status is Status.FAILED, (reply.status, reply.text[:200])
    assert reply.error is not None
    for words in scenario.words:
        assert words in reply.error
    assert "Error code" not in reply.error
    shown = app.view_text()
    assert reply.error in shown
    assert f'href="{action_url("retry", reply.id)}"' in app.window.view.browser.toHtml()
    if scenario.partial:
        assert reply.text.startswith("*Simulated reply")
        assert shown.index(reply.text.strip()[1:40]) < shown.index(reply.error)
    else:
        assert reply.text == ""
    retries = [n for n in notes if "Retrying in" in n]
    assert len(retries) == scenario.retried, notes
    # The question stays, on screen and on disk; nothing runs on.
    question = app.messages[-2]
    assert (question.role, question.text) == ("user", setup.question)
    assert setup.question[:60] in shown
    assert not app.session.chat.busy
    assert app.running_turns() == []
    assert not app.window.stop_button.isEnabled()
    conv_id = app.session.chat.conversation.id
    app.qtbot.waitUntil(
        lambda: [m.status for m in stored(conv_id)] == [Status.COMPLETE, Status.FAILED]
    )
    saved_question, saved_reply = stored(conv_id)
    assert saved_question.text == setup.question
    assert (saved_reply.text, saved_reply.error) == (reply.text, reply.error)

    setup.heal()
    again = app.retry()
    assert again.status is Status.COMPLETE, again.error
    assert again.text.startswith("*Simulated reply")
    assert [m.id for m in app.messages] == [question.id, again.id]
    assert reply.error not in app.view_text()
    app.qtbot.waitUntil(lambda: [m.id for m in stored(conv_id)] == [question.id, again.id])
    assert app.running_turns() == []


def test_a_retry_after_429_waits_then_succeeds(ctx: Context) -> None:
    app = ctx.demo()
    app.session.chat.retry_policy = RetryPolicy()  # the app's own: retry-after is honoured
    notes = notes_seen(app)
    app.session.demo_server.inject(Fault.RATE_LIMIT, 1, retry_after=1)
    reply = app.ask(QUESTION)
    assert reply.status is Status.COMPLETE, reply.error
    retrying = [note for note in notes if "Retrying" in note]
    assert len(retrying) == 1
    assert "(HTTP 429): The service is temporarily at capacity." in retrying[0]
    assert retrying[0].endswith("Retrying in 1 s (attempt 1 of 2)…")  # the retry-after
    assert [r.status for r in app.session.demo_server.model_requests] == [429, 200]


@pytest.mark.parametrize("fault", [Fault.SERVER_ERROR, Fault.UNAVAILABLE])
def test_passing_server_errors_are_retried_unseen_but_announced(ctx: Context, fault: Fault) -> None:
    app = ctx.demo()
    notes = notes_seen(app)
    app.session.demo_server.inject(fault, 2)
    reply = app.ask(QUESTION)
    assert reply.status is Status.COMPLETE, reply.error
    assert len([n for n in notes if "Retrying in" in n]) == 2
    assert reply.error is None
    assert [m.role for m in app.messages] == ["user", "assistant"]
