"""A process writing history is killed with SIGKILL mid-stream; the history reopens whole.

The child saves a conversation through the store as the app does (the user's message with its
images first, then the reply, whose text it flushes in a loop) and is killed at an arbitrary
moment, possibly inside a transaction or a blob write.
"""

from __future__ import annotations

import hashlib
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from support.history_data import sample_conversation, shape

from app.core.conversation import Status
from app.store.history import HistoryStore
from app.store.lock import acquire_instance_lock

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")

ROOT = Path(__file__).resolve().parents[1]

STREAMER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    sys.path.insert(0, "tests")
    from app.core.conversation import ImagePart, TextPart
    from app.store.history import HistoryStore
    from app.store.lock import acquire_instance_lock
    from support.history_data import prepared, sample_conversation

    data = Path(sys.argv[1])
    lock = acquire_instance_lock(data)
    assert lock is not None
    store = HistoryStore(data)
    conv = sample_conversation()
    store.save_conversation_meta(conv)
    for message in conv.messages:
        store.append_message(conv.id, message)
    question = conv.add_user([TextPart("Now the third screenshot"),
                              ImagePart(image=prepared("third.png", colour="green"))])
    store.append_message(conv.id, question)
    reply = conv.begin_reply("grok-4")
    store.append_message(conv.id, reply)
    sys.stdout.write(f"ids {conv.id} {reply.id}\\n")
    sys.stdout.flush()
    text = ""
    number = 0
    while True:
        number += 1
        text += f"chunk {number}. "
        store.update_message_text(reply.id, text)
        sys.stdout.write(f"flushed {number}\\n")
        sys.stdout.flush()
        time.sleep(0.005)
""")

IMAGE_WRITER = textwrap.dedent("""
    import hashlib, os, sys
    from pathlib import Path
    from app.core.conversation import Conversation, ImagePart, TextPart
    from app.core.imagetypes import PreparedImage
    from app.store.history import HistoryStore

    store = HistoryStore(Path(sys.argv[1]))
    conv = Conversation(title="many images")
    store.save_conversation_meta(conv)
    number = 0
    while True:
        number += 1
        data = os.urandom(300_000)
        image = PreparedImage(f"{number}.png", data, "image/png", 10, 10,
                              hashlib.sha256(data).hexdigest(), (10, 10), "PNG", len(data))
        message = conv.add_user([TextPart(f"image {number}"), ImagePart(image=image)])
        store.append_message(conv.id, message, originals={image.sha256: data[::-1]})
        sys.stdout.write(f"saved {number} {conv.id}\\n")
        sys.stdout.flush()
""")


def _run_until(script: str, data: Path, prefix: str, count: int) -> list[list[str]]:
    """Start the child, read its lines until `prefix <count>`, then SIGKILL it."""
    child = subprocess.Popen(
        [sys.executable, "-c", script, str(data)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: list[list[str]] = []
    try:
        assert child.stdout is not None
        for line in child.stdout:
            words = line.split()
            lines.append(words)
            if words[:1] == [prefix] and int(words[1]) >= count:
                break
        child.send_signal(signal.SIGKILL)  # while it goes on writing
        child.wait(timeout=20)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(timeout=20)
        stderr = child.stderr.read() if child.stderr else ""
        for stream in (child.stdout, child.stderr):
            if stream is not None:
                stream.close()
    assert child.returncode == -signal.SIGKILL, stderr
    assert lines, stderr
    return lines


@pytest.mark.parametrize("flushes", [1, 25, 80])
def test_a_reply_killed_mid_stream_reopens_interrupted(tmp_path: Path, flushes: int) -> None:
    data = tmp_path / "data"
    lines = _run_until(STREAMER, data, "flushed", flushes)
    conv_id, reply_id = lines[0][1], lines[0][2]
    seen = int(lines[-1][1])

    lock = acquire_instance_lock(data)  # the dead process's lock is free
    assert lock is not None
    try:
        with HistoryStore(data) as store:
            assert store.integrity_check() == "ok"
            assert store.mark_interrupted() == 1
            conv = store.load_conversation(conv_id)
    finally:
        lock.release()
    expected = sample_conversation()
    assert shape(conv)[:4] == shape(expected)
    question = conv.messages[4]
    assert question.text == "Now the third screenshot"
    assert question.images[0].image is not None
    assert question.images[0].image.name == "third.png"
    reply = conv.messages[5]
    assert reply.id == reply_id
    assert reply.status is Status.INTERRUPTED
    flushed = reply.text.count("chunk ")
    assert flushed >= seen  # every flush the child reported is there (and maybe one more)
    assert reply.text == "".join(f"chunk {n}. " for n in range(1, flushed + 1))


def test_killed_while_saving_images_leaves_no_message_without_its_image(tmp_path: Path) -> None:
    data = tmp_path / "data"
    lines = _run_until(IMAGE_WRITER, data, "saved", 12)
    conv_id = lines[-1][2]
    with HistoryStore(data) as store:
        assert store.integrity_check() == "ok"
        conv = store.load_conversation(conv_id)
        assert len(conv.messages) >= int(lines[-1][1])
        originals = store.image_originals(conv_id)
        for message in conv.messages:
            image = message.images[0].image
            assert image is not None, message.parts
            assert hashlib.sha256(image.data).hexdigest() == image.sha256
            original = store.blob_path(originals[(message.id, 1)])
            assert original is not None
            assert original.read_bytes() == image.data[::-1]
