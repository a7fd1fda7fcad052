"""Issue 16: a large image's preview paints from the screen-sized copy made when it was
prepared (on the attachments' worker), not from a decode of the full image; zoomed in, the part
in view still comes from the full-resolution pixels. Counted by the decodes asked for."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import QRect, QSize, Qt
from pytestqt.qtbot import QtBot
from support.qtevents import drag_and_drop, file_mime
from support.sessions import demo_session

import app.gui.preview_flow as preview_flow
from app.controllers.attachment_entry import screen_side
from app.gui.session import AppSession
from app.ui.preview_picture import PreviewPicture

CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def session(qtbot: QtBot, qloop: asyncio.AbstractEventLoop) -> Iterator[AppSession]:
    with demo_session(qtbot, qloop) as app_session:
        yield app_session


def photo(path: Path, size: tuple[int, int]) -> Path:
    """A photo-like JPEG: blocks of colour with noise, so that it does not compress to nothing."""
    rng = random.Random(7)
    small = Image.new("RGB", (size[0] // 16, size[1] // 16))
    small.putdata(
        [
            (rng.randrange(256), rng.randrange(256), rng.randrange(256))
            for _ in range(small.width * small.height)
        ]
    )
    small.resize(size, Image.Resampling.BILINEAR).save(path, "JPEG", quality=90)
    return path


def test_the_first_picture_comes_from_the_screen_copy(
    qtbot: QtBot, session: AppSession, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    screens: list[bytes] = []
    regions: list[bytes] = []
    to_screen, to_region = preview_flow.decode_for_screen, preview_flow.decode_region

    def counted_screen(data: bytes, bound: QSize, full: QSize | None = None) -> PreviewPicture:
        screens.append(data)
        return to_screen(data, bound, full)

    def counted_region(data: bytes, region: QRect) -> object:
        regions.append(data)
        return to_region(data, region)

    monkeypatch.setattr(preview_flow, "decode_for_screen", counted_screen)
    monkeypatch.setattr(preview_flow, "decode_region", counted_region)

    side = screen_side()
    path = photo(tmp_path / "large.jpg", (side * 3, side * 2))
    assert drag_and_drop(session.window.tray, file_mime(path))
    qtbot.waitUntil(lambda: all(i.sendable for i in session.attachments.items()), timeout=20_000)
    (item,) = session.attachments.items()
    prepared, copy = item.prepared, item.screen
    assert prepared is not None
    assert copy is not None  # made when it was prepared
    assert copy.of_sha256 == prepared.sha256
    assert max(copy.width, copy.height) == side
    assert (prepared.width, prepared.height) == (side * 3, side * 2)

    tile = session.window.tray.tile(item.id)
    assert tile is not None
    tile.setFocus()
    qtbot.keyClick(tile, Qt.Key.Key_Return)
    flow = session.preview_flow
    qtbot.waitUntil(
        lambda: flow.dialog is not None and flow.dialog.canvas.has_image(), timeout=10_000
    )
    dialog = flow.dialog
    assert dialog is not None
    dialog.canvas.repaint()
    # One decode before the first paint, of the small copy; the full image never.
    assert screens == [copy.data]
    assert regions == []
    assert all(data is not prepared.data for data in screens)
    # Shown as the image's own size (else the canvas says the sizes differ and shows nothing):
    # crops and marks are made in its pixels.
    assert dialog.canvas.has_image()

    # Zoomed to 100 %, the part in view is decoded from the full-resolution image.
    canvas = dialog.canvas
    canvas.setFocus()
    qtbot.keyClick(canvas, Qt.Key.Key_1, CTRL)
    qtbot.waitUntil(lambda: canvas.detail_region() is not None, timeout=10_000)
    assert regions
    assert all(data is prepared.data for data in regions)
    assert screens == [copy.data]
    dialog.close()


def test_an_image_that_fits_the_screen_gets_no_copy(
    qtbot: QtBot, session: AppSession, tmp_path: Path
) -> None:
    side = screen_side()
    path = photo(tmp_path / "small.jpg", (side // 2, side // 3))
    assert drag_and_drop(session.window.tray, file_mime(path))
    qtbot.waitUntil(lambda: all(i.sendable for i in session.attachments.items()), timeout=20_000)
    (item,) = session.attachments.items()
    assert item.prepared is not None
    assert item.thumbnail
    assert item.screen is None  # the preview decodes the image itself: it is small
