"""A tall page (a whole web page captured at once) split into parts from the preview (issue 18):
the preview offers the split with the cost of each choice; the split puts the parts in the
page's place, labelled "part 1 of N", whose sizes the meter prices exactly as the demo server
counts the images it receives and decodes.

The real window against the local endpoint; the page made with Pillow and dropped as a file.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from hardening.running import WAIT_MS, Running
from PIL import Image
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from support.qtevents import drag_and_drop, file_mime

from app.core.budget import image_tokens
from app.core.conversation import Status
from app.core.images.tall_split import plan_split

SIZE = (1080, 8000)


@pytest.fixture
def app(qtbot: QtBot, qloop: asyncio.AbstractEventLoop) -> Iterator[Running]:
    running = Running(qtbot, qloop)
    yield running
    running.close()


def web_page(path: Path) -> Image.Image:
    """Bands 100 rows high, each its own colour, so that every row says where it came from."""
    page = Image.new("RGB", SIZE)
    for band in range(SIZE[1] // 100):
        page.paste(
            (band * 3 % 256, band * 7 % 256, 255 - band * 3 % 256),
            (0, band * 100, SIZE[0], band * 100 + 100),
        )
    page.save(path, "PNG")
    return page


def test_a_tall_page_is_offered_split_and_the_parts_are_priced_as_the_server_counts(
    app: Running, tmp_path: Path
) -> None:
    page = web_page(tmp_path / "page.png")
    assert drag_and_drop(app.window.tray, file_mime(tmp_path / "page.png"))
    app.wait_settled()
    (item,) = app.items()
    assert item.tokens == 1792  # sent whole: 54 tiles, six counted
    plan = plan_split(*SIZE, max_parts=10)
    assert plan is not None
    assert plan.count == 6

    app.qtbot.mouseDClick(app.tile_named("page.png"), Qt.MouseButton.LeftButton)
    flow = app.session.preview_flow
    app.qtbot.waitUntil(
        lambda: flow.dialog is not None and flow.dialog.tall.isVisible(), timeout=WAIT_MS
    )
    dialog = flow.dialog
    assert dialog is not None
    offer = dialog.tall.text()
    assert "As it is: 1080×8000 px" in offer
    assert "→ 1,792 tokens" in offer
    part_w, part_h = plan.part_size
    assert f"Split: 6 parts of {part_w}×{part_h} px" in offer
    assert f"→ {plan.tokens():,} tokens" in offer
    assert dialog.tall.button.text() == "Split into 6 parts"

    # The keyboard reaches the button too (Tab); a click here.
    app.qtbot.mouseClick(dialog.tall.button, Qt.MouseButton.LeftButton)
    names = [f"page.png, part {n} of 6" for n in range(1, 7)]
    app.qtbot.waitUntil(lambda: [i.name for i in app.items()] == names, timeout=WAIT_MS)
    app.qtbot.waitUntil(lambda: flow.dialog is None, timeout=WAIT_MS)  # the page left the tray
    app.wait_settled()
    parts = app.items()
    assert all(p.sendable for p in parts)
    assert [p.size for p in parts] == [plan.part_size] * 6
    assert sum(p.tokens or 0 for p in parts) == plan.tokens()
    # Each part is the page's own rows, top to bottom, overlapping the next.
    for part, box in zip(parts, plan.boxes(), strict=True):
        assert part.prepared is not None
        with Image.open(io.BytesIO(part.prepared.data)) as sent:
            assert sent.convert("RGB").tobytes() == page.crop(box).tobytes()
    assert app.tile_named(names[0]).state_text() == f"Split off at rows 0–{part_h} of 1080×8000"

    reply = app.ask("What does this page say?")
    assert reply.status is Status.COMPLETE, reply.error
    request = app.session.demo_server.model_requests[-1]
    assert request.image_sizes == [plan.part_size] * 6
    assert request.image_tokens == sum(image_tokens(*size) for size in request.image_sizes)
    assert request.image_tokens == plan.tokens()
    assert [image.name for image in app.messages[-2].images] == names


def test_a_page_that_is_not_tall_is_not_offered_a_split(app: Running, tmp_path: Path) -> None:
    Image.new("RGB", (1920, 1080), (200, 200, 200)).save(tmp_path / "wide.png")
    assert drag_and_drop(app.window.tray, file_mime(tmp_path / "wide.png"))
    app.wait_settled()
    app.qtbot.mouseDClick(app.tile_named("wide.png"), Qt.MouseButton.LeftButton)
    flow = app.session.preview_flow
    app.qtbot.waitUntil(
        lambda: flow.dialog is not None and flow.dialog.canvas.has_image(), timeout=WAIT_MS
    )
    assert flow.dialog is not None
    assert not flow.dialog.tall.isVisible()
    assert flow.dialog.tall.text() == ""
