"""The preview of a tray image as sent: tile grid, cost, and a crop made with the mouse.

The real window and session against the local endpoint; images made with Pillow, dropped on
the tray as files; the preview opened with a double-click or the keyboard; the crop dragged
out with real mouse events.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import QPoint, QPointF, QSize, Qt
from PySide6.QtGui import QColor, QImage
from pytestqt.qtbot import QtBot
from support.qtevents import drag_and_drop, file_mime
from support.sessions import demo_session

from app.core.attachment import AttachmentState, SourceKind
from app.core.crop import Tile
from app.gui import preview_flow
from app.gui.session import AppSession
from app.ui.image_preview import ImagePreview
from app.ui.tile_canvas import MARGIN, TileCanvas
from app.ui.tray_tile import TrayTile

RED = (220, 30, 30)
BLUE = (20, 60, 220)


@pytest.fixture
def session(qtbot: QtBot, qloop: asyncio.AbstractEventLoop) -> Iterator[AppSession]:
    with demo_session(qtbot, qloop) as app_session:
        yield app_session


@pytest.fixture
def flow(session: AppSession) -> preview_flow.PreviewFlow:
    return session.preview_flow


def screenshot(path: Path, size: tuple[int, int]) -> Path:
    """Red, with a blue 448×448 panel at (600, 300) when it fits."""
    im = Image.new("RGB", size, RED)
    if size[0] >= 1048 and size[1] >= 748:
        im.paste(BLUE, (600, 300, 1048, 748))
    im.save(path, "PNG")
    return path


def add(qtbot: QtBot, session: AppSession, *paths: Path) -> list[str]:
    assert drag_and_drop(session.window.tray, file_mime(*paths))
    qtbot.waitUntil(lambda: all(i.sendable for i in session.attachments.items()), timeout=10_000)
    return [item.id for item in session.attachments.items()]


def tile(session: AppSession, item_id: str) -> TrayTile:
    found = session.window.tray.tile(item_id)
    assert found is not None
    return found


def opened(qtbot: QtBot, flow: preview_flow.PreviewFlow, item_id: str) -> ImagePreview:
    qtbot.waitUntil(lambda: flow.dialog is not None and flow.dialog.item_id == item_id)
    dialog = flow.dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.canvas.has_image, timeout=5000)
    return dialog


def close(qtbot: QtBot, flow: preview_flow.PreviewFlow, dialog: ImagePreview) -> None:
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: flow.dialog is None)


def meter_used(session: AppSession) -> int:
    return int(session.window.meter.accessibleDescription().split(" ")[0])


def canvas_pixel(canvas: TileCanvas, sent: QPointF) -> QColor:
    """The colour the canvas paints at a point given in sent pixels."""
    picture = canvas.grab().toImage()
    ratio = picture.devicePixelRatio()
    view = canvas.to_view(sent)
    return picture.pixelColor(round(view.x() * ratio), round(view.y() * ratio))


def not_red_share(canvas: TileCanvas, tile: Tile) -> float:
    """The share of painted pixels inside a tile (away from its edges) that are not the red."""
    picture = canvas.grab().toImage()
    ratio = picture.devicePixelRatio()
    inset_x, inset_y = tile.width // 4, tile.height // 4  # clear of the grid and the labels
    corner = canvas.to_view(QPointF(tile.left + inset_x, tile.top + inset_y))
    end = canvas.to_view(
        QPointF(tile.left + tile.width - inset_x, tile.top + tile.height - inset_y)
    )
    seen = other = 0
    for y in range(round(corner.y() * ratio), round(end.y() * ratio)):
        for x in range(round(corner.x() * ratio), round(end.x() * ratio)):
            colour = picture.pixelColor(x, y)
            seen += 1
            other += abs(colour.red() - RED[0]) + abs(colour.green() - RED[1]) > 40
    return other / seen


def test_preview_shows_size_tiles_and_cost(
    qtbot: QtBot, session: AppSession, flow: preview_flow.PreviewFlow, tmp_path: Path
) -> None:
    small, wide, full_hd = add(
        qtbot,
        session,
        screenshot(tmp_path / "one-tile.png", (448, 448)),
        screenshot(tmp_path / "two-tiles.png", (896, 448)),
        screenshot(tmp_path / "dashboard.png", (1920, 1080)),
    )

    # A double-click on the tile opens the preview, window-modal, with open() (not exec()).
    qtbot.mouseDClick(tile(session, small), Qt.MouseButton.LeftButton)
    dialog = opened(qtbot, flow, small)
    assert dialog.objectName() == "imagePreview"
    assert dialog.isVisible()
    assert dialog.windowModality() == Qt.WindowModality.WindowModal
    assert dialog.accessibleName() == "Preview of one-tile.png as it will be sent"
    assert dialog.canvas.objectName() == "imagePreviewCanvas"
    assert dialog.canvas.accessibleName()
    assert dialog.cost_text() == "448×448 px as sent · 1 tile → 512 tokens"
    assert dialog.canvas.sent_size() == QSize(448, 448)
    assert [(t.box, t.counted) for t in dialog.canvas.tiles()] == [((0, 0, 448, 448), True)]
    assert dialog.cost_text() in dialog.canvas.accessibleDescription()
    assert not dialog.crop_button().isEnabled()  # nothing selected yet
    close(qtbot, flow, dialog)

    # From the keyboard: select a tile, then Enter.
    qtbot.mouseClick(tile(session, wide), Qt.MouseButton.LeftButton)
    qtbot.keyClick(tile(session, wide), Qt.Key.Key_Return)
    dialog = opened(qtbot, flow, wide)
    assert dialog.cost_text() == "896×448 px as sent · 2 tiles → 768 tokens"
    assert len(dialog.canvas.tiles()) == 2
    close(qtbot, flow, dialog)

    # Space works too. 1920×1080: 15 tiles, only 6 of which count.
    qtbot.mouseClick(tile(session, full_hd), Qt.MouseButton.LeftButton)
    qtbot.keyClick(tile(session, full_hd), Qt.Key.Key_Space)
    dialog = opened(qtbot, flow, full_hd)
    assert dialog.cost_text() == "1920×1080 px as sent · 15 tiles, 6 counted → 1,792 tokens"
    tiles = dialog.canvas.tiles()
    assert len(tiles) == 15
    assert [t.counted for t in tiles] == [True] * 6 + [False] * 9
    qtbot.waitUntil(lambda: dialog.canvas.scale() < 1)  # shrunk to fit the dialog

    # The picture is the image as sent, with the grid drawn over it: the middle of tile 1 is
    # the image's red, the line between tiles 1 and 2 (x = 448) is not; tiles past the sixth
    # are hatched over.
    inside = canvas_pixel(dialog.canvas, QPointF(224, 100))
    assert (inside.red(), inside.green(), inside.blue()) == RED
    grid = canvas_pixel(dialog.canvas, QPointF(448, 100))
    assert (grid.red(), grid.green(), grid.blue()) != RED
    assert not_red_share(dialog.canvas, tiles[0]) < 0.02  # tile 1: counted, clear
    assert not_red_share(dialog.canvas, tiles[5]) < 0.02  # tile 6: the last that counts
    assert not_red_share(dialog.canvas, tiles[6]) > 0.9  # tile 7: not counted, greyed
    assert not_red_share(dialog.canvas, tiles[14]) > 0.9  # tile 15


def test_crop_by_dragging_replaces_the_tray_image(
    qtbot: QtBot, session: AppSession, flow: preview_flow.PreviewFlow, tmp_path: Path
) -> None:
    (item_id,) = add(qtbot, session, screenshot(tmp_path / "dashboard.png", (1920, 1080)))
    before = meter_used(session)
    assert tile(session, item_id).tokens_text() == "1,792 tok"

    qtbot.mouseDClick(tile(session, item_id), Qt.MouseButton.LeftButton)
    dialog = opened(qtbot, flow, item_id)
    canvas = dialog.canvas
    # Size the canvas so that one view pixel is exactly two sent pixels.
    wanted = QSize(960 + 2 * MARGIN, 540 + 2 * MARGIN)
    dialog.resize(dialog.size() + (wanted - canvas.size()))
    qtbot.waitUntil(lambda: canvas.size() == wanted)
    assert canvas.scale() == 0.5

    def view(x: int, y: int) -> QPoint:
        return canvas.to_view(QPointF(x, y)).toPoint()

    # Drag from the blue panel's top-left corner (600, 300) to its far corner (1048, 748).
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=view(600, 300))
    qtbot.mouseMove(canvas, view(824, 524))
    assert dialog.selection_text() == "Selection: 224×224 px · 1 tile → 512 tokens"
    qtbot.mouseMove(canvas, view(1300, 900))
    assert dialog.selection_text() == "Selection: 700×600 px · 4 tiles → 1,280 tokens"
    assert not dialog.crop_button().isEnabled()  # still dragging
    qtbot.mouseMove(canvas, view(1048, 748))
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=view(1048, 748))
    assert dialog.selection_text() == "Selection: 448×448 px · 1 tile → 512 tokens"
    selection = canvas.selection()
    assert selection is not None
    assert (selection.x(), selection.y(), selection.width(), selection.height()) == (
        600,
        300,
        448,
        448,
    )
    assert dialog.crop_button().isEnabled()

    qtbot.mouseClick(dialog.crop_button(), Qt.MouseButton.LeftButton)
    # The cost follows at once, before the crop is even made.
    assert tile(session, item_id).tokens_text() == "512 tok"

    def cropped() -> bool:
        item = session.attachments.item(item_id)
        return item is not None and item.prepared is not None

    qtbot.waitUntil(cropped, timeout=10_000)

    item = session.attachments.item(item_id)
    assert item is not None
    assert item.prepared is not None
    assert [i.id for i in session.attachments.items()] == [item_id]  # same place in the tray
    assert item.size == (448, 448)
    assert (item.prepared.width, item.prepared.height) == (448, 448)
    assert item.tokens == 512
    assert item.state is AttachmentState.FITTED
    assert item.kind is SourceKind.DATA
    assert item.notes == ("cropped to 448×448 from 1920×1080",)
    with Image.open(io.BytesIO(item.prepared.data)) as sent:
        assert sent.convert("RGB").getcolors() == [(448 * 448, BLUE)]  # the blue panel only
    qtbot.waitUntil(
        lambda: tile(session, item_id).state_text() == "Cropped to 448×448 from 1920×1080"
    )
    assert tile(session, item_id).tokens_text() == "512 tok"
    qtbot.waitUntil(lambda: meter_used(session) == before - 1792 + 512, timeout=3000)

    # The preview stays open and now shows the crop, as it will be sent.
    qtbot.waitUntil(
        lambda: (
            canvas.has_image() and dialog.cost_text() == "448×448 px as sent · 1 tile → 512 tokens"
        ),
        timeout=5000,
    )
    assert canvas.sent_size() == QSize(448, 448)
    shown = canvas_pixel(canvas, QPointF(224, 224))
    assert (shown.red(), shown.green(), shown.blue()) == BLUE


def test_escape_drops_the_selection_then_closes(
    qtbot: QtBot, session: AppSession, flow: preview_flow.PreviewFlow, tmp_path: Path
) -> None:
    (item_id,) = add(qtbot, session, screenshot(tmp_path / "shot.png", (1000, 700)))
    qtbot.mouseDClick(tile(session, item_id), Qt.MouseButton.LeftButton)
    dialog = opened(qtbot, flow, item_id)
    canvas = dialog.canvas
    start = canvas.to_view(QPointF(100, 100)).toPoint()
    end = canvas.to_view(QPointF(600, 400)).toPoint()
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(canvas, end)
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=end)
    assert canvas.selection() is not None
    assert dialog.selection_text().startswith("Selection: ")
    canvas.setFocus()
    qtbot.keyClick(canvas, Qt.Key.Key_Escape)
    assert canvas.selection() is None
    assert dialog.isVisible()
    assert not dialog.crop_button().isEnabled()
    qtbot.keyClick(canvas, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: flow.dialog is None)
    # Nothing changed in the tray.
    item = session.attachments.item(item_id)
    assert item is not None
    assert item.size == (1000, 700)


def test_removing_the_image_closes_its_preview(
    qtbot: QtBot, session: AppSession, flow: preview_flow.PreviewFlow, tmp_path: Path
) -> None:
    (item_id,) = add(qtbot, session, screenshot(tmp_path / "gone.png", (500, 500)))
    flow.open(item_id)
    opened(qtbot, flow, item_id)
    session.attachments.remove(item_id)
    qtbot.waitUntil(lambda: flow.dialog is None)


def test_what_cannot_be_previewed_says_why(
    qtbot: QtBot, session: AppSession, flow: preview_flow.PreviewFlow, tmp_path: Path
) -> None:
    url_id = session.attachments.add_url("https://example.com/pictures/cat.png")
    assert url_id is not None
    flow.open(url_id)
    assert flow.dialog is None
    assert "server downloads itself" in session.window.notice_banner.label.text()

    bad = tmp_path / "broken.png"
    bad.write_text("not a picture")
    assert drag_and_drop(session.window.tray, file_mime(bad))
    qtbot.waitUntil(lambda: any(i.failed for i in session.attachments.items()), timeout=5000)
    failed = next(i for i in session.attachments.items() if i.failed)
    qtbot.mouseDClick(tile(session, failed.id), Qt.MouseButton.LeftButton)
    assert flow.dialog is None
    assert session.window.notice_banner.label.text().startswith("broken.png cannot be previewed: ")


def test_the_canvas_maps_view_points_to_whole_sent_pixels(qtbot: QtBot) -> None:
    canvas = TileCanvas()
    qtbot.addWidget(canvas)
    canvas.set_sent_size(1920, 1080)
    image = QImage(1920, 1080, QImage.Format.Format_RGB32)
    image.fill(QColor(*RED))
    canvas.set_image(image)
    canvas.resize(960 + 2 * MARGIN, 540 + 2 * MARGIN)
    assert canvas.scale() == 0.5
    assert canvas.to_sent(QPointF(MARGIN + 100.2, MARGIN + 50.4)) == QPoint(200, 101)
    assert canvas.to_sent(QPointF(-50, 5000)) == QPoint(0, 1080)  # clamped to the image
    # Pixels that do not match the sent size are refused with a message.
    canvas.set_image(QImage(10, 10, QImage.Format.Format_RGB32))
    assert not canvas.has_image()
    assert canvas.message() == "The image data is 10×10 px, not 1920×1080."


def test_crops_that_cannot_be_made_are_refused(
    qtbot: QtBot, session: AppSession, tmp_path: Path
) -> None:
    (item_id,) = add(qtbot, session, screenshot(tmp_path / "shot.png", (1200, 800)))
    controller = session.attachments
    notices: list[str] = []
    controller.notice.connect(notices.append)
    assert not controller.replace_with_crop(item_id, (10, 10, 10, 400))
    assert notices[-1] == "shot.png was not cropped: select a region of it first."
    assert not controller.replace_with_crop(item_id, (0, 0, 100, 100), expected_sha256="0" * 64)
    assert notices[-1] == (
        "shot.png was not cropped: it changed meanwhile. Open it again to crop it."
    )
    assert not controller.replace_with_crop("no-such-item", (0, 0, 10, 10))
    item = controller.item(item_id)
    assert item is not None
    assert (item.size, item.tokens, item.notes) == ((1200, 800), 1792, ())


def test_a_crop_stays_cropped_under_other_limits(
    qtbot: QtBot, session: AppSession, tmp_path: Path
) -> None:
    from app.core.limits import XAI_LIMITS_10MIB

    (item_id,) = add(qtbot, session, screenshot(tmp_path / "dashboard.png", (1920, 1080)))
    controller = session.attachments
    assert controller.replace_with_crop(item_id, (600, 300, 1048, 748))

    def prepared() -> bool:
        item = controller.item(item_id)
        return item is not None and item.prepared is not None

    qtbot.waitUntil(prepared, timeout=10_000)
    first = controller.item(item_id)
    assert first is not None
    assert first.prepared is not None
    # Another endpoint's limits prepare the image again: from the crop, not the original file.
    controller.set_limits(XAI_LIMITS_10MIB)
    qtbot.waitUntil(prepared, timeout=10_000)
    again = controller.item(item_id)
    assert again is not None
    assert again.prepared is not None
    assert again.size == (448, 448)
    assert again.tokens == 512
    assert again.notes == ("cropped to 448×448 from 1920×1080",)
    assert again.state is AttachmentState.FITTED
    assert again.prepared.sha256 == first.prepared.sha256


def test_a_low_detail_image_is_priced_as_sent(
    qtbot: QtBot, session: AppSession, flow: preview_flow.PreviewFlow, tmp_path: Path
) -> None:
    (item_id,) = add(qtbot, session, screenshot(tmp_path / "dashboard.png", (1920, 1080)))
    flow.open(item_id)
    dialog = opened(qtbot, flow, item_id)
    assert dialog.cost_text() == "1920×1080 px as sent · 15 tiles, 6 counted → 1,792 tokens"
    # Switched to low detail in the tray while the preview is open: the preview follows.
    session.attachments.set_low_detail(item_id, True)
    qtbot.waitUntil(lambda: dialog.cost_text().startswith("Low detail"))
    assert dialog.cost_text() == "Low detail: sent as 448×252 px · 1 tile → 512 tokens"
    assert len(dialog.canvas.tiles()) == 15  # the grid still shows the high-detail tiles
    session.attachments.set_low_detail(item_id, False)
    qtbot.waitUntil(lambda: dialog.cost_text().endswith("1,792 tokens"))
    qtbot.waitUntil(lambda: not session.attachments.blocking_reason(), timeout=5000)


def test_crop_with_the_keyboard_only(
    qtbot: QtBot, session: AppSession, flow: preview_flow.PreviewFlow, tmp_path: Path
) -> None:
    """Enter on the tile opens the preview; an arrow selects the middle half, arrows move it,
    Shift+arrows resize it, Enter crops (issue 13: crop needed a mouse)."""
    (item_id,) = add(qtbot, session, screenshot(tmp_path / "report.png", (1920, 1080)))
    tray_tile = tile(session, item_id)
    tray_tile.setFocus()
    qtbot.keyClick(tray_tile, Qt.Key.Key_Return)
    dialog = opened(qtbot, flow, item_id)
    canvas = dialog.canvas
    qtbot.waitUntil(canvas.hasFocus, timeout=3000)  # the keys go to the picture at once

    qtbot.keyClick(canvas, Qt.Key.Key_Right)  # the first arrow selects the middle half
    assert dialog.selection_text().startswith("Selection: 960×540 px")
    qtbot.keyClick(canvas, Qt.Key.Key_Right)  # then moves it by a twentieth
    qtbot.keyClick(canvas, Qt.Key.Key_Left, Qt.KeyboardModifier.ShiftModifier)  # narrower
    selection = canvas.selection()
    assert selection is not None
    assert (selection.x(), selection.y(), selection.width(), selection.height()) == (
        576,
        270,
        864,
        540,
    )
    assert dialog.crop_button().isEnabled()
    qtbot.keyClick(canvas, Qt.Key.Key_Return)

    def cropped() -> bool:
        item = session.attachments.item(item_id)
        return item is not None and item.prepared is not None and item.size == (864, 540)

    qtbot.waitUntil(cropped, timeout=10_000)
    item = session.attachments.item(item_id)
    assert item is not None
    assert item.notes == ("cropped to 864×540 from 1920×1080",)
    assert flow.dialog is dialog  # still open, now on the crop
