"""The preview of an image larger than the screen (issue 16): painted from a screen-sized copy
made off the GUI thread, with crops still exact in the image's own pixels.

The real window and session against the local endpoint; images made with Pillow and dropped on
the tray as files; a damaged image handed to the real dialog and the real decoder.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import QPoint, QPointF, QSize, Qt
from PySide6.QtGui import QColor, QImage
from pytestqt.qtbot import QtBot
from support.qtevents import drag_and_drop, file_mime
from support.sessions import demo_session

from app.core.attachment import Attachment, AttachmentState, SourceKind
from app.core.imagetypes import PreparedImage
from app.gui.preview_flow import PreviewFlow
from app.gui.session import AppSession
from app.ui.image_preview import LOADING, ImagePreview
from app.ui.preview_picture import decode_for_screen, screen_bound
from app.ui.tile_canvas import MARGIN, TileCanvas

RED = (220, 30, 30)
BLUE = (20, 60, 220)
LARGE = (4800, 3200)  # larger than any offscreen screen, as a 60-MP photo is than a real one
PANEL = (600, 300, 1500, 1200)  # blue, in the large image's pixels


@pytest.fixture
def session(qtbot: QtBot, qloop: asyncio.AbstractEventLoop) -> Iterator[AppSession]:
    with demo_session(qtbot, qloop) as app_session:
        yield app_session


def large_image(path: Path, size: tuple[int, int] = LARGE) -> Path:
    im = Image.new("RGB", size, RED)
    im.paste(BLUE, PANEL)
    im.save(path, "PNG")
    return path


def add(qtbot: QtBot, session: AppSession, *paths: Path) -> list[str]:
    assert drag_and_drop(session.window.tray, file_mime(*paths))
    qtbot.waitUntil(lambda: all(i.sendable for i in session.attachments.items()), timeout=20_000)
    return [item.id for item in session.attachments.items()]


def shown(qtbot: QtBot, flow: PreviewFlow, item_id: str) -> ImagePreview:
    qtbot.waitUntil(lambda: flow.dialog is not None and flow.dialog.item_id == item_id)
    dialog = flow.dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.canvas.has_image, timeout=10_000)
    return dialog


def io_thread_idle(qtbot: QtBot, session: AppSession) -> None:
    """Wait until the session's I/O thread has finished what it was given before."""
    done = asyncio.ensure_future(session.work.in_thread(int))
    qtbot.waitUntil(done.done, timeout=10_000)


def fits(size: QSize, bound: QSize) -> bool:
    return size.width() <= bound.width() and size.height() <= bound.height()


def test_a_large_image_is_painted_from_a_screen_sized_copy_and_crops_exactly(
    qtbot: QtBot, session: AppSession, tmp_path: Path
) -> None:
    (item_id,) = add(qtbot, session, large_image(tmp_path / "photo.png"))
    flow = session.preview_flow
    flow.open(item_id)
    dialog = flow.dialog
    assert dialog is not None
    # At once, before any decoding: the tray's thumbnail, enlarged, and a word of what comes.
    assert not dialog.canvas.has_image()
    assert dialog.canvas.has_placeholder()
    assert dialog.canvas.message() == LOADING
    assert flow.decoding()

    dialog = shown(qtbot, flow, item_id)
    canvas = dialog.canvas
    # The canvas holds a copy no larger than the screen, never the 4800×3200 pixels; the grid,
    # the cost and every position stay in the image's own pixels.
    bound = screen_bound(dialog)
    assert fits(canvas.picture_size(), bound)
    assert canvas.picture_size() == QSize(*LARGE).scaled(bound, Qt.AspectRatioMode.KeepAspectRatio)
    assert canvas.sent_size() == QSize(*LARGE)
    assert len(canvas.tiles()) == 11 * 8
    assert dialog.cost_text() == "4800×3200 px as sent · 88 tiles, 6 counted → 1,792 tokens"

    # One view pixel is exactly five image pixels: the picture drawn is smaller than the view's
    # need or larger, the mapping does not care.
    wanted = QSize(960 + 2 * MARGIN, 640 + 2 * MARGIN)
    dialog.resize(dialog.size() + (wanted - canvas.size()))
    qtbot.waitUntil(lambda: canvas.size() == wanted)
    assert canvas.scale() == 0.2
    # Tile 3 (counted, not greyed) holds part of the blue panel.
    blue = canvas.grab().toImage().pixelColor(canvas.to_view(QPointF(1050, 370)).toPoint())
    assert (blue.red(), blue.green(), blue.blue()) == BLUE

    # The keyboard's selection is the one it always was, in image pixels.
    canvas.setFocus()
    qtbot.keyClick(canvas, Qt.Key.Key_Right)
    qtbot.keyClick(canvas, Qt.Key.Key_Right)
    qtbot.keyClick(canvas, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    selection = canvas.selection()
    assert selection is not None
    assert (selection.x(), selection.y(), selection.width(), selection.height()) == (
        1200 + 240,
        800,
        2400,
        1600 + 160,
    )
    qtbot.keyClick(canvas, Qt.Key.Key_Escape)
    assert canvas.selection() is None

    # Dragged over the blue panel, corner to corner: that region exactly.
    def view(x: int, y: int) -> QPoint:
        return canvas.to_view(QPointF(x, y)).toPoint()

    left, top, right, bottom = PANEL
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=view(left, top))
    qtbot.mouseMove(canvas, view(right, bottom))
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=view(right, bottom))
    selection = canvas.selection()
    assert selection is not None
    assert (selection.x(), selection.y(), selection.width(), selection.height()) == (
        left,
        top,
        right - left,
        bottom - top,
    )
    qtbot.mouseClick(dialog.crop_button(), Qt.MouseButton.LeftButton)

    def cropped() -> bool:
        item = session.attachments.item(item_id)
        return item is not None and item.prepared is not None and item.size == (900, 900)

    qtbot.waitUntil(cropped, timeout=10_000)
    item = session.attachments.item(item_id)
    assert item is not None
    assert item.prepared is not None
    assert item.notes == ("cropped to 900×900 from 4800×3200",)
    with Image.open(io.BytesIO(item.prepared.data)) as sent:
        assert sent.convert("RGB").getcolors() == [(900 * 900, BLUE)]
    # The crop is shown next, from its own copy (square, as the crop).
    qtbot.waitUntil(lambda: canvas.has_image() and canvas.sent_size() == QSize(900, 900))
    side = min(900, bound.width(), bound.height())
    assert canvas.picture_size() == QSize(side, side)


def test_the_picture_for_a_closed_or_switched_preview_is_dropped(
    qtbot: QtBot, session: AppSession, tmp_path: Path
) -> None:
    first, second = add(
        qtbot,
        session,
        large_image(tmp_path / "first.png"),
        large_image(tmp_path / "second.png", (3000, 2000)),
    )
    flow = session.preview_flow

    # Closed while its picture is being made: the work is cancelled, its result goes nowhere.
    flow.open(first)
    dialog = flow.dialog
    assert dialog is not None
    assert flow.decoding()
    dialog.reject()
    assert flow.dialog is None
    assert not flow.decoding()
    io_thread_idle(qtbot, session)  # the decoding has finished, and nothing took its result
    assert flow.dialog is None

    # Moved to another image while the first one's picture is being made: only the second's
    # picture is shown.
    flow.open(first)
    flow.open(second)
    dialog = shown(qtbot, flow, second)
    io_thread_idle(qtbot, session)
    assert dialog.canvas.sent_size() == QSize(3000, 2000)
    assert dialog.canvas.picture_size() == QSize(3000, 2000).scaled(
        screen_bound(dialog), Qt.AspectRatioMode.KeepAspectRatio
    )
    dialog.reject()

    # Opened again, it is shown as usual.
    flow.open(first)
    assert shown(qtbot, flow, first).canvas.sent_size() == QSize(*LARGE)


def prepared_item(name: str, data: bytes, size: tuple[int, int]) -> Attachment:
    prepared = PreparedImage(
        name=name,
        data=data,
        mime="image/png",
        width=size[0],
        height=size[1],
        sha256=hashlib.sha256(data).hexdigest(),
        original_size=size,
        original_format="PNG",
        original_bytes=len(data),
    )
    return Attachment(
        id="a1",
        name=name,
        kind=SourceKind.FILE,
        state=AttachmentState.READY,
        tokens=1792,
        size=size,
        prepared=prepared,
    )


def png_header(width: int, height: int) -> bytes:
    """A PNG that says it is `width`×`height`, with a few bytes of pixels."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(bytes(64)))
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize(
    ("data", "size", "reason"),
    [
        (b"\x89PNG\r\n\x1a\n damaged beyond reading", (1200, 800), "its data is damaged"),
        (png_header(60_000, 40_000), (60_000, 40_000), "at 60000×40000 px it is too large"),
    ],
)
def test_a_picture_that_cannot_be_made_says_why(
    qtbot: QtBot, data: bytes, size: tuple[int, int], reason: str
) -> None:
    item = prepared_item("broken.png", data, size)
    assert item.prepared is not None
    dialog = ImagePreview(item)
    qtbot.addWidget(dialog)
    result = decode_for_screen(data, screen_bound(dialog))
    assert result.picture is None
    dialog.set_picture(item.prepared.sha256, result)
    message = dialog.canvas.message()
    assert message.startswith(f"broken.png cannot be shown in the preview: {reason}")
    assert message.endswith(
        "It is still in the tray and sent as it is; remove it if the server refuses it."
    )
    assert not dialog.canvas.has_image()
    assert not dialog.crop_button().isEnabled()
    # The size and cost are still what will be sent.
    assert dialog.canvas.sent_size() == QSize(*size)


def test_the_canvas_maps_a_small_copy_to_the_image_pixels(qtbot: QtBot) -> None:
    canvas = TileCanvas()
    qtbot.addWidget(canvas)
    canvas.set_sent_size(8000, 6000)
    copy = QImage(800, 600, QImage.Format.Format_RGB32)
    copy.fill(QColor(*RED))
    canvas.set_image(copy, full_size=QSize(8000, 6000))
    assert canvas.has_image()
    assert canvas.picture_size() == QSize(800, 600)
    canvas.resize(800 + 2 * MARGIN, 600 + 2 * MARGIN)
    assert canvas.scale() == 0.1
    assert canvas.to_sent(QPointF(MARGIN + 100.2, MARGIN + 50.4)) == QPoint(1002, 504)
    # A copy made from an image of another size is refused with a message.
    canvas.set_image(copy, full_size=QSize(4000, 3000))
    assert not canvas.has_image()
    assert canvas.message() == "The image data is 4000×3000 px, not 8000×6000."
