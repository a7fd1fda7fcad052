"""The attachment controller on a real qasync loop, with images made by Pillow in tmp_path."""

from __future__ import annotations

import asyncio
import dataclasses
import io
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from pytestqt.qtbot import QtBot

from app.controllers.attachments import AttachmentController
from app.core.attachment import Attachment, AttachmentState, SourceKind
from app.core.conversation import Conversation
from app.core.forecast import estimate_next
from app.core.limits import XAI_LIMITS


class Recorder:
    """Every signal the controller emits, with a snapshot of the item at each itemChanged."""

    def __init__(self, controller: AttachmentController) -> None:
        self.controller = controller
        self.notices: list[str] = []
        self.changes = 0
        self.snapshots: list[tuple[Attachment, list[int | None]]] = []
        controller.notice.connect(self.notices.append)
        controller.changed.connect(self._changed)
        controller.itemChanged.connect(self._item_changed)

    def _changed(self) -> None:
        self.changes += 1

    def _item_changed(self, item_id: str) -> None:
        item = self.controller.item(item_id)
        assert item is not None
        self.snapshots.append((item, self.controller.token_costs()))

    def settled(self) -> bool:
        return not any(item.pending for item in self.controller.items())


def close(controller: AttachmentController, loop: asyncio.AbstractEventLoop, qtbot: QtBot) -> None:
    closing = loop.create_task(controller.aclose())
    qtbot.waitUntil(closing.done, timeout=20_000)
    closing.result()


@pytest.fixture
def controller(qloop: asyncio.AbstractEventLoop, qtbot: QtBot) -> Iterator[AttachmentController]:
    ctrl = AttachmentController()
    yield ctrl
    close(ctrl, qloop, qtbot)


@pytest.fixture
def record(controller: AttachmentController) -> Recorder:
    return Recorder(controller)


def png(path: Path, size: tuple[int, int], colour: str = "red") -> Path:
    Image.new("RGB", size, colour).save(path, "PNG")
    return path


def png_bytes(size: tuple[int, int], colour: str = "red") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return buffer.getvalue()


def big_png(path: Path, size: tuple[int, int]) -> Path:
    """A large, smooth image: small on disk, slow to decode and fit."""
    gradient = Image.linear_gradient("L").resize(size)
    Image.merge(
        "RGB", (gradient, gradient.transpose(Image.Transpose.FLIP_LEFT_RIGHT), gradient)
    ).save(path, "PNG", compress_level=1)
    return path


def attachment_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("attachments")]


def test_planned_tokens_are_known_before_the_image_is_prepared(
    controller: AttachmentController, record: Recorder, tmp_path: Path, qtbot: QtBot
) -> None:
    big = big_png(tmp_path / "huge.png", (9000, 3000))
    (item_id,) = controller.add_paths([str(big)])
    (item,) = controller.items()
    assert item.state is AttachmentState.READING
    assert item.tokens is None  # nothing read yet: the meter counts it at the most
    assert controller.blocking_reason() == "1 image is still being prepared"
    qtbot.waitUntil(record.settled, timeout=30_000)

    # The first change came from the header probe: cost and planned size, no pixels yet.
    first, costs_then = record.snapshots[0]
    assert first.state is AttachmentState.READING
    assert first.prepared is None
    assert first.tokens == 1792
    assert first.size == (8192, 2731)
    assert first.original_size == (9000, 3000)
    assert costs_then == [1792]

    done = controller.item(item_id)
    assert done is not None
    assert done.state is AttachmentState.FITTED
    assert done.status_text == "Downscaled from 9000×3000"
    assert done.prepared is not None
    assert (done.prepared.width, done.prepared.height) == done.size == (8192, 2731)
    assert done.tokens == 1792
    assert done.thumbnail is not None
    assert controller.blocking_reason() is None


def test_a_failure_stays_with_its_file(
    controller: AttachmentController, record: Recorder, tmp_path: Path, qtbot: QtBot
) -> None:
    good = png(tmp_path / "good.png", (448, 448))
    truncated = tmp_path / "cut.png"
    truncated.write_bytes(png_bytes((900, 900))[:200])  # a valid header, then nothing
    missing = tmp_path / "gone.png"
    controller.add_paths([str(good), str(truncated), str(missing)])
    qtbot.waitUntil(record.settled, timeout=10_000)

    states = {item.name: item for item in controller.items()}
    assert states["good.png"].state is AttachmentState.READY
    assert states["cut.png"].failed
    assert states["gone.png"].failed
    assert states["gone.png"].error == "file not found"
    assert states["gone.png"].status_text == "Failed: file not found"
    assert controller.token_costs() == [512]
    assert any(n.startswith("cut.png: ") for n in record.notices)
    reason = controller.blocking_reason()
    assert reason is not None
    assert reason.startswith("2 images failed (cut.png, gone.png)")
    assert [p.name for p in controller.take_parts()] == ["good.png"]


def test_a_folder_is_capped_at_the_per_message_limit(
    controller: AttachmentController, record: Recorder, tmp_path: Path, qtbot: QtBot
) -> None:
    controller.set_limits(dataclasses.replace(XAI_LIMITS, max_images_per_message=3))
    png(tmp_path / "alone.png", (100, 100))
    folder = tmp_path / "album"
    folder.mkdir()
    for name in ("e.png", "b.png", "D.png", "a.png", "c.png"):
        png(folder / name, (100, 100))
    (folder / ".hidden.png").write_bytes(png_bytes((10, 10)))
    controller.add_paths([str(tmp_path / "alone.png"), str(folder)])
    assert [i.name for i in controller.items()] == ["alone.png", "a.png", "b.png"]
    assert record.notices[-1] == (
        "Added 2 images from the folder album. Left out 3 images "
        "(c.png, D.png, e.png): a message takes at most 3."
    )
    qtbot.waitUntil(record.settled, timeout=10_000)

    # Files picked one by one are all added; the draft then says what is wrong.
    controller.add_paths([str(folder / "e.png")])
    assert controller.blocking_reason() == (
        "4 images attached, but a message takes at most 3 — remove 1"
    )
    qtbot.waitUntil(record.settled, timeout=10_000)


def test_duplicates_are_skipped(
    controller: AttachmentController, record: Recorder, tmp_path: Path, qtbot: QtBot
) -> None:
    image = png(tmp_path / "x.png", (100, 100))
    controller.add_paths([str(image), str(tmp_path / "." / "x.png")])
    assert len(controller.items()) == 1
    assert record.notices[-1] == "Skipped x.png: already in the tray."

    data = png_bytes((50, 50), "blue")
    assert controller.add_image_data(data, "Pasted image 1.png") is not None
    assert controller.add_image_data(data, "Pasted image 2.png") is None
    assert "the same image is already in the tray (Pasted image 1.png)" in record.notices[-1]
    qtbot.waitUntil(record.settled, timeout=10_000)
    assert [i.kind for i in controller.items()] == [SourceKind.FILE, SourceKind.DATA]


def test_image_addresses(controller: AttachmentController, record: Recorder) -> None:
    assert controller.add_url("ftp://example.com/a.png") is None
    assert controller.add_url("http://example.com/a.png") is None
    assert "not an https:// address" in record.notices[-1]
    item_id = controller.add_url("https://example.com/img/a%20b.png")
    assert item_id is not None
    assert controller.add_url("https://example.com/img/a%20b.png") is None
    (item,) = controller.items()
    assert item.name == "a b.png"
    assert item.state is AttachmentState.READY
    assert item.tokens is None
    assert controller.token_costs() == [None]
    estimate = estimate_next(
        Conversation(), "", controller.token_costs(), context_window=32_768, reply_reserve=1024
    )
    assert estimate.unknown_images == 1
    (part,) = controller.take_parts(detail="low")
    assert part.url == "https://example.com/img/a%20b.png"
    assert part.detail == "low"


def test_move_remove_clear_and_parts_in_order(
    controller: AttachmentController, record: Recorder, tmp_path: Path, qtbot: QtBot
) -> None:
    paths = [png(tmp_path / f"{n}.png", (448, 448)) for n in ("a", "b", "c")]
    a, b, c = controller.add_paths([str(p) for p in paths])
    qtbot.waitUntil(record.settled, timeout=10_000)
    controller.move(a, 2)
    assert [i.id for i in controller.items()] == [b, c, a]
    controller.move(a, -5)
    assert [i.id for i in controller.items()] == [a, b, c]
    controller.move(c, 99)
    assert [i.id for i in controller.items()] == [a, b, c]
    parts = controller.take_parts()
    assert [p.name for p in parts] == ["a.png", "b.png", "c.png"]
    assert all(p.image is not None and p.detail == "high" for p in parts)
    assert [p.tokens for p in parts] == [512, 512, 512]

    controller.remove(b)
    controller.remove("no such id")
    assert [i.id for i in controller.items()] == [a, c]
    changes = record.changes
    controller.clear()
    assert controller.items() == ()
    assert record.changes == changes + 1


def test_removing_an_image_cancels_its_work(
    controller: AttachmentController, record: Recorder, tmp_path: Path, qtbot: QtBot
) -> None:
    big = big_png(tmp_path / "big.png", (6000, 4000))
    small = png(tmp_path / "small.png", (448, 448))
    big_id, _ = controller.add_paths([str(big), str(small)])
    controller.remove(big_id)
    qtbot.waitUntil(record.settled, timeout=10_000)
    qtbot.wait(50)
    assert [i.name for i in controller.items()] == ["small.png"]
    assert all(snapshot.id != big_id for snapshot, _ in record.snapshots)


def test_new_limits_re_plan_at_once(
    controller: AttachmentController, record: Recorder, tmp_path: Path, qtbot: QtBot
) -> None:
    (item_id,) = controller.add_paths([str(png(tmp_path / "wide.png", (896, 448)))])
    qtbot.waitUntil(record.settled, timeout=10_000)
    assert controller.token_costs() == [768]

    controller.set_limits(dataclasses.replace(XAI_LIMITS, max_long_edge=448))
    # Planned from the header already read: no waiting for the image to be prepared again.
    assert controller.token_costs() == [512]
    item = controller.item(item_id)
    assert item is not None
    assert item.pending
    qtbot.waitUntil(record.settled, timeout=10_000)
    item = controller.item(item_id)
    assert item is not None
    assert item.state is AttachmentState.FITTED
    assert item.size == (448, 224)
    assert item.status_text == "Downscaled from 896×448"


def test_shutdown_leaves_no_thread(
    qloop: asyncio.AbstractEventLoop, tmp_path: Path, qtbot: QtBot
) -> None:
    controller = AttachmentController()
    paths = [big_png(tmp_path / f"{n}.png", (4000, 3000)) for n in range(4)]
    controller.add_paths([str(p) for p in paths])
    qtbot.waitUntil(lambda: bool(attachment_threads()))  # the workers are busy
    close(controller, qloop, qtbot)
    assert attachment_threads() == []
    assert all(t.done() for t in asyncio.all_tasks(qloop))
    # A closed controller takes nothing new.
    assert controller.add_paths([str(paths[0])]) == []
    assert controller.add_url("https://example.com/a.png") is None
