"""The history controller on a real qasync loop, with a real SQLite history in tmp_path."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from PySide6.QtCore import Qt, QTimer
from pytestqt.qtbot import QtBot
from support.history_data import prepared, sample_conversation, text_message

from app.controllers.history import HistoryController
from app.core.conversation import Conversation, ImagePart, Status, TextPart, Usage
from app.core.history_rows import ConversationPage, ConversationRow, HistoryInfo
from app.store.db import ConversationNotFoundError, HistoryError
from app.store.history import HistoryStore
from app.store.lock import acquire_instance_lock

T = TypeVar("T")


def wait(qtbot: QtBot, future: asyncio.Future[T], timeout: int = 10_000) -> T:
    qtbot.waitUntil(future.done, timeout=timeout)
    return future.result()


def close(controller: HistoryController, loop: asyncio.AbstractEventLoop, qtbot: QtBot) -> None:
    closing = loop.create_task(controller.aclose())
    qtbot.waitUntil(closing.done, timeout=20_000)
    closing.result()


class Recorder:
    def __init__(self, controller: HistoryController) -> None:
        self.failures: list[str] = []
        self.rows: list[list[ConversationRow]] = []
        self.events: list[tuple[str, Any]] = []
        controller.failed.connect(self.failures.append)
        controller.conversationsChanged.connect(self.rows.append)
        controller.pageLoaded.connect(lambda page: self.events.append(("page", page)))
        controller.conversationLoaded.connect(lambda conv: self.events.append(("whole", conv)))
        controller.searchFinished.connect(lambda q, hits: self.events.append((q, hits)))


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def controller(
    qloop: asyncio.AbstractEventLoop, qtbot: QtBot, data_dir: Path
) -> Iterator[HistoryController]:
    ctrl = HistoryController(data_dir, flush_interval_ms=100)
    yield ctrl
    close(ctrl, qloop, qtbot)


def opened(controller: HistoryController, qtbot: QtBot) -> HistoryInfo:
    with qtbot.waitSignal(controller.conversationsChanged, timeout=10_000):
        return wait(qtbot, controller.open())


def test_opening_takes_the_lock_and_lists(
    controller: HistoryController, qtbot: QtBot, data_dir: Path
) -> None:
    record = Recorder(controller)
    with qtbot.waitSignal(controller.opened) as signal:
        info = opened(controller, qtbot)
    assert signal.args == [info]
    assert wait(qtbot, controller.open()) is info  # opening again is the same opening
    assert info == HistoryInfo(read_only=False, notice="", interrupted=0, search="fts5")
    assert not controller.read_only
    assert record.rows == [[]]
    assert acquire_instance_lock(data_dir) is None
    assert [t for t in threading.enumerate() if t.name.startswith("history")]


def test_a_turn_is_saved_as_it_streams(
    controller: HistoryController, qtbot: QtBot, data_dir: Path
) -> None:
    opened(controller, qtbot)
    conv = Conversation(model="grok-4")
    question = conv.add_user([TextPart("What is this?"), ImagePart(image=prepared())])
    wait(qtbot, controller.save_message(conv, question))
    with HistoryStore(data_dir, read_only=True) as reader:
        assert reader.load_conversation(conv.id).messages == [question]
        reply = conv.begin_reply("grok-4")
        controller.save_message(conv, reply)
        for word in ("It ", "is ", "a "):
            controller.reply_delta(reply.id, word)

        def flushed(text: str) -> bool:
            messages = reader.load_conversation(conv.id).messages
            return len(messages) == 2 and messages[1].text == text

        qtbot.waitUntil(lambda: flushed("It is a "), timeout=1000)
        assert reader.load_conversation(conv.id).messages[1].status is Status.STREAMING
        controller.reply_delta(reply.id, "cat")
        reply.append_text("It is a cat.")
        reply.status = Status.COMPLETE
        reply.usage = Usage(5, 4, 9)
        wait(qtbot, controller.finish_message(reply))
        qtbot.wait(250)  # a flush after finishing must not bring back the streamed text
        assert reader.load_conversation(conv.id).messages[1] == reply
        assert reader.list_conversations()[0].title == "What is this?"


def test_the_default_flush_is_within_a_second(
    qloop: asyncio.AbstractEventLoop, qtbot: QtBot, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A second, on the same event loop as the controller's own timer: Qt fires timers in the
    # order they fall due, however late the loop gets to them.
    second = QTimer()
    second.setSingleShot(True)
    second.setTimerType(Qt.TimerType.PreciseTimer)
    second.setInterval(1000)
    flushes: list[bool] = []  # for each flush: whether the second was still running
    flush = HistoryController.flush

    def counted_flush(controller: HistoryController) -> None:
        flushes.append(second.isActive())
        flush(controller)

    monkeypatch.setattr(HistoryController, "flush", counted_flush)
    controller = HistoryController(data_dir)
    try:
        opened(controller, qtbot)
        conv = Conversation()
        conv.add_user([TextPart("q")])
        reply = conv.begin_reply()
        wait(qtbot, controller.save_message(conv, conv.messages[0]))
        wait(qtbot, controller.save_message(conv, reply))
        with HistoryStore(data_dir, read_only=True) as reader:
            for number in range(3):
                flushes.clear()
                controller.reply_delta(reply.id, f"{number} ")
                second.start()
                qtbot.waitUntil(lambda: bool(flushes), timeout=10_000)
                assert flushes == [True]  # flushed by the controller itself, within the second
                expected = "".join(f"{n} " for n in range(number + 1))
                qtbot.waitUntil(
                    lambda e=expected: reader.load_conversation(conv.id).messages[1].text == e,
                    timeout=10_000,
                )
                second.stop()
    finally:
        close(controller, qloop, qtbot)


def test_replies_left_streaming_are_marked_interrupted_at_start(
    controller: HistoryController, qtbot: QtBot, data_dir: Path
) -> None:
    with HistoryStore(data_dir) as store:
        conv = Conversation()
        conv.add_user([TextPart("q")])
        store.save_conversation(conv)
        reply = conv.begin_reply()
        store.append_message(conv.id, reply)
        store.update_message_text(reply.id, "half of it")
    info = opened(controller, qtbot)
    assert info.interrupted == 1
    assert "interrupted" in info.notice
    loaded = wait(qtbot, controller.load_conversation(conv.id))
    assert (loaded.messages[1].status, loaded.messages[1].text) == (
        Status.INTERRUPTED,
        "half of it",
    )


def test_a_second_instance_reads_but_does_not_write(
    qloop: asyncio.AbstractEventLoop, controller: HistoryController, qtbot: QtBot, data_dir: Path
) -> None:
    opened(controller, qtbot)
    conv = sample_conversation()
    saves = [controller.save_message(conv, message) for message in conv.messages]
    wait(qtbot, saves[-1])
    second = HistoryController(data_dir)
    record = Recorder(second)
    try:
        info = opened(second, qtbot)
        assert info.read_only
        assert second.read_only
        assert "already running" in info.notice
        assert "read-only" in info.notice
        assert [r.id for r in record.rows[0]] == [conv.id]
        assert wait(qtbot, second.load_conversation(conv.id)) == conv
        extra = Conversation()
        extra.add_user([TextPart("not saved")])
        wait(qtbot, second.save_message(extra, extra.messages[0]))
        second.reply_delta(extra.messages[0].id, "x")
        assert record.failures == []
        with qtbot.waitSignal(second.failed) as failure:
            future = second.rename(conv.id, "nope")
            qtbot.waitUntil(future.done)
        assert "read-only" in failure.args[0]
    finally:
        close(second, qloop, qtbot)
    rows = wait(qtbot, controller.refresh())
    assert [(r.id, r.title) for r in rows] == [(conv.id, conv.title)]


def test_list_edits_refresh_the_rows(
    controller: HistoryController, qtbot: QtBot, qloop: asyncio.AbstractEventLoop, data_dir: Path
) -> None:
    opened(controller, qtbot)
    record = Recorder(controller)
    first, second = Conversation(title="first"), Conversation(title="second")
    for conv in (first, second):
        wait(qtbot, controller.save_message(conv, text_message("user", conv.title)))
    for action in (
        lambda: controller.rename(first.id, "renamed"),
        lambda: controller.pin(first.id, True),
        lambda: controller.delete(second.id),
    ):
        with qtbot.waitSignal(controller.conversationsChanged, timeout=10_000):
            wait(qtbot, action())
    assert [(r.title, r.pinned) for r in record.rows[-1]] == [("renamed", True)]
    with qtbot.waitSignal(controller.conversationsChanged, timeout=10_000):
        wait(qtbot, controller.undo_delete(second.id))
    assert [r.title for r in record.rows[-1]] == ["renamed", "second"]
    wait(qtbot, controller.delete(second.id))
    close(controller, qloop, qtbot)  # deleted conversations go for good at close
    with HistoryStore(data_dir) as store:
        assert [r.title for r in store.list_conversations(deleted=True)] == []
        with pytest.raises(ConversationNotFoundError):
            store.load_conversation(second.id)
    assert record.failures == []


def test_only_the_latest_search_is_reported(controller: HistoryController, qtbot: QtBot) -> None:
    opened(controller, qtbot)
    record = Recorder(controller)
    conv = sample_conversation()
    for message in conv.messages:
        controller.save_message(conv, message)
    controller.request_search("scr")
    last = controller.request_search("screenshots")
    wait(qtbot, last)
    qtbot.wait(50)
    searches = [e for e in record.events if e[0] not in ("page", "whole")]
    assert [(q, [h.message_id for h in hits]) for q, hits in searches] == [
        ("screenshots", [conv.messages[0].id])
    ]


def test_opening_a_conversation_shows_its_end_first(
    controller: HistoryController, qtbot: QtBot
) -> None:
    opened(controller, qtbot)
    record = Recorder(controller)
    conv = Conversation(title="long")
    conv.messages = [text_message("user", f"m{i}") for i in range(60)]
    for message in conv.messages:
        controller.save_message(conv, message)
    whole = wait(qtbot, controller.open_conversation(conv.id, first_page=10))
    qtbot.waitUntil(lambda: len(record.events) == 2)
    (kind, page), (kind2, loaded) = record.events
    assert (kind, kind2) == ("page", "whole")
    assert isinstance(page, ConversationPage)
    assert [m.text for m in page.messages] == [f"m{i}" for i in range(50, 60)]
    assert loaded == whole == conv


def test_failures_are_reported_in_words(controller: HistoryController, qtbot: QtBot) -> None:
    opened(controller, qtbot)
    with qtbot.waitSignal(controller.failed) as failure:
        future = controller.load_conversation("missing")
        qtbot.waitUntil(future.done)
    assert "no saved conversation missing" in failure.args[0]
    with pytest.raises(ConversationNotFoundError):
        future.result()


def test_a_history_that_cannot_open_is_reported_once(
    qloop: asyncio.AbstractEventLoop, qtbot: QtBot, tmp_path: Path
) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    controller = HistoryController(blocked)
    record = Recorder(controller)
    try:
        future = controller.open()
        qtbot.waitUntil(future.done)
        assert future.exception() is not None
        assert len(record.failures) == 1
        conv = Conversation()
        conv.add_user([TextPart("q")])
        wait(qtbot, controller.save_message(conv, conv.messages[0]))
        controller.reply_delta(conv.messages[0].id, "x")
        controller.flush()
        qtbot.wait(50)
        assert len(record.failures) == 1
        listing = controller.refresh()
        qtbot.waitUntil(listing.done)
        assert "not open" in record.failures[-1]
    finally:
        close(controller, qloop, qtbot)


def test_export_and_import_through_the_controller(
    controller: HistoryController, qtbot: QtBot, tmp_path: Path
) -> None:
    opened(controller, qtbot)
    conv = sample_conversation()
    for message in conv.messages:
        controller.save_message(conv, message)
    markdown = wait(qtbot, controller.export(conv.id, tmp_path / "out"))
    assert markdown.suffix == ".md"
    exported = wait(qtbot, controller.export(conv.id, tmp_path / "out", "json"))
    with qtbot.waitSignal(controller.conversationsChanged, timeout=10_000):
        new_id = wait(qtbot, controller.import_file(exported))
    copy = wait(qtbot, controller.load_conversation(new_id))
    assert [m.text for m in copy.messages] == [m.text for m in conv.messages]


def test_closing_releases_the_lock(
    qloop: asyncio.AbstractEventLoop, qtbot: QtBot, data_dir: Path
) -> None:
    controller = HistoryController(data_dir)
    opened(controller, qtbot)
    close(controller, qloop, qtbot)
    close(controller, qloop, qtbot)  # twice is harmless
    lock = acquire_instance_lock(data_dir)
    assert lock is not None
    lock.release()
    with pytest.raises(HistoryError, match="closed"):
        controller.refresh().result()
