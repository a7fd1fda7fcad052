"""The app killed with SIGKILL (no chance to clean up) mid-stream and while saving; reopened.

The app runs in a process of its own (tests/hardening/crash_driver.py: the real AppSession on a
qasync loop, offscreen, with this test's data directory) and acts as a user: two complete
turns, then a third that streams slowly, or a question with large images. The test kills it at
a chosen moment, then opens the history as the next start would: the file is intact, every
earlier message is there, and whatever had reached the disk before the kill is still there.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import select
import signal
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hardening import corpus
from hardening.running import Running
from PIL import Image
from pytestqt.qtbot import QtBot
from support.images import noise_rgb

from app.core.conversation import Conversation, Status
from app.store.history import HistoryStore
from app.store.lock import acquire_instance_lock
from app.store.paths import data_directory

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX"),
]

ROOT = Path(__file__).resolve().parents[2]
DRIVER = Path(__file__).with_name("crash_driver.py")
HANG_GUARD_S = 120.0  # only so that a broken driver cannot hang the run


@dataclass
class Killed:
    """What the driver said before it was killed."""

    lines: list[list[str]] = field(default_factory=list)
    stderr: str = ""

    def first(self, word: str) -> list[str]:
        return next(line for line in self.lines if line[0] == word)

    def all(self, word: str) -> list[list[str]]:
        return [line for line in self.lines if line[0] == word]


def kill_when(args: list[str], stop: Callable[[Killed], bool]) -> Killed:
    """Run the driver; SIGKILL it as soon as `stop` says so (checked after each line)."""
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHONUNBUFFERED": "1",
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
    }
    child = subprocess.Popen(
        [sys.executable, str(DRIVER), *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    said = Killed()
    buffer = b""
    try:
        assert child.stdout is not None
        fd = child.stdout.fileno()
        while not stop(said):
            ready, _, _ = select.select([fd], [], [], HANG_GUARD_S)
            chunk = os.read(fd, 65536) if ready else b""
            if not chunk:
                break  # the driver ended or hung: reported below
            buffer += chunk
            while b"\n" in buffer:
                line, buffer = buffer.split(b"\n", 1)
                said.lines.append(line.decode().split(" ", 1 if line.startswith(b"delta") else -1))
                if stop(said):
                    break
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=HANG_GUARD_S)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        said.stderr = child.stderr.read().decode(errors="replace") if child.stderr else ""
        for stream in (child.stdout, child.stderr):
            if stream is not None:
                stream.close()
    assert child.returncode == -signal.SIGKILL, said.stderr
    assert stop(said), f"the driver stopped early: {said.lines[-3:]}\n{said.stderr}"
    return said


def free_lock(data: Path) -> None:
    lock = acquire_instance_lock(data)  # the dead process's lock is free
    assert lock is not None
    lock.release()


def check_earlier_turns(conversation: Conversation, said: Killed) -> None:
    turn_ids = json.loads(said.first("turns")[2])
    messages = conversation.messages
    assert [m.id for m in messages[:4]] == turn_ids
    assert [m.role for m in messages[:4]] == ["user", "assistant"] * 2
    assert [m.status for m in messages[:4]] == [Status.COMPLETE] * 4
    assert messages[0].text == "First question, about the screenshot"
    image = messages[0].images[0].image
    assert image is not None
    assert image.name == "good.png"
    assert hashlib.sha256(image.data).hexdigest() == image.sha256
    assert messages[1].text.startswith("*Simulated reply")
    assert messages[2].text == "Second question"


def test_killed_mid_stream_keeps_every_flushed_word(
    tmp_path: Path, qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    image = corpus.good_png(tmp_path)
    # Killed once the reply has reached the disk twice, while it goes on streaming.
    said = kill_when(
        ["stream", str(image)], lambda s: len(s.all("stored")) >= 2 and s.lines[-1][0] == "delta"
    )
    conv_id = said.first("turns")[1]
    reply_id = said.first("reply")[1]
    received = "".join(json.loads(line[1]) for line in said.all("delta"))
    on_disk = int(said.all("stored")[-1][1])
    data = data_directory()
    free_lock(data)

    with HistoryStore(data, read_only=True) as store:  # as the kill left it
        assert store.integrity_check() == "ok"
        conversation = store.load_conversation(conv_id)
    check_earlier_turns(conversation, said)
    question, reply = conversation.messages[4:]
    assert question.text == "Third question, answered slowly"
    assert (reply.id, reply.status) == (reply_id, Status.STREAMING)
    assert len(reply.text) >= on_disk > 0  # every flush seen on disk is still there
    assert received.startswith(reply.text)  # and it is what had arrived, in order
    assert len(received) > len(reply.text)  # the kill came mid-stream, after the flush

    # The next start: the app marks the reply interrupted, says so, and shows it as such.
    app = Running(qtbot, qloop)
    try:
        assert app.session.history_flow.history.info.interrupted == 1
        assert "1 reply was cut off when grok-vision last closed" in app.notice()
        app.session.history_flow.open_conversation(conv_id)
        qtbot.waitUntil(lambda: app.session.chat.conversation.id == conv_id, timeout=10_000)
        shown = app.view_text()
        third = shown[shown.index("Third question, answered slowly") :]
        assert "Simulated reply from the local demo endpoint" in third
        assert third.index("Simulated reply") < third.index(
            "Interrupted — the app closed before the reply finished"
        )
        # …and it goes on: a follow-up question completes.
        follow = app.ask("Go on")
        assert follow.status is Status.COMPLETE, follow.error
    finally:
        app.close()
    with HistoryStore(data) as store:
        assert store.integrity_check() == "ok"
        reopened = store.load_conversation(conv_id)
    assert reopened.messages[5].status is Status.INTERRUPTED
    assert reopened.messages[5].text == reply.text
    assert [m.text for m in reopened.messages[6:7]] == ["Go on"]


def big_images(folder: Path, count: int = 3) -> list[Path]:
    """Incompressible PNGs of about 6 MB: saving them takes a while."""
    folder.mkdir()
    paths = []
    for number in range(count):
        path = folder / f"big-{number}.png"
        noise_rgb(1400, 1400).save(path, "PNG", compress_level=1)
        paths.append(path)
    return paths


@pytest.mark.parametrize("moment", ["saving", "saved"])
def test_killed_while_saving_a_question_with_large_images(tmp_path: Path, moment: str) -> None:
    image = corpus.good_png(tmp_path)
    big = big_images(tmp_path / "big")
    said = kill_when(
        ["save", str(image), *map(str, big)], lambda s: bool(s.lines) and s.lines[-1][0] == moment
    )
    conv_id = said.first("turns")[1]
    data = data_directory()
    free_lock(data)
    with HistoryStore(data) as store:
        assert store.integrity_check() == "ok"
        marked = store.mark_interrupted()
        conversation = store.load_conversation(conv_id)
        originals = store.image_originals(conv_id)
        check_earlier_turns(conversation, said)
        later = conversation.messages[4:]
        if moment == "saved":  # the question's save had finished: all of it is there
            # (the reply's empty placeholder is queued after it and may not have landed yet)
            assert [m.role for m in later] in (["user"], ["user", "assistant"])
        # Whatever the moment: no question without all its images, no image half written.
        if later:
            question = later[0]
            assert question.text == "Fourth question, about big images"
            sent = {hashlib.sha256(p.read_bytes()).hexdigest() for p in big}
            assert {part.image.sha256 for part in question.images if part.image} == sent
            for position, part in enumerate(question.parts):
                if part in question.images:
                    assert part.image is not None
                    assert hashlib.sha256(part.image.data).hexdigest() == part.image.sha256
                    kept = store.blob_path(originals[(question.id, position)])
                    assert kept is not None
                    assert hashlib.sha256(kept.read_bytes()).hexdigest() in sent
        if len(later) == 2:
            assert later[1].status is Status.INTERRUPTED
            assert marked == 1
        else:
            assert marked == 0
    # No blob is half written under its final name (each is renamed into place once whole).
    for blob in (data / "blobs").rglob("*"):
        if blob.is_file() and not blob.name.startswith(".tmp-"):
            assert hashlib.sha256(blob.read_bytes()).hexdigest() == blob.parent.name + blob.name
    with Image.open(big[0]) as first:  # the user's files are untouched
        assert first.size == (1400, 1400)
