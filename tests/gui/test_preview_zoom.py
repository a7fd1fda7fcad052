"""Zoom and pan in the preview (issue 18): Ctrl+wheel at the pointer, Ctrl+plus/minus, Ctrl+0
fits, Ctrl+1 is 100 %, a middle-button or Space drag pans; crops and marks made while zoomed are
exact in sent pixels, and a large image zoomed in is painted from its full-resolution pixels.

The real window and session against the local endpoint; images made with Pillow and dropped on
the tray as files; real key, mouse and wheel events.
"""

from __future__ import annotations

import asyncio
import io
import math
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import QPoint, QPointF, QSize, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from support.qtevents import drag_and_drop, file_mime
from support.sessions import demo_session

from app.core.markup import RectMark
from app.gui.session import AppSession
from app.ui.image_preview import ImagePreview
from app.ui.markup_canvas import Tool
from app.ui.tile_canvas import MARGIN, TileCanvas

RED = (220, 30, 30)
BLUE = (20, 60, 220)
CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def session(qtbot: QtBot, qloop: asyncio.AbstractEventLoop) -> Iterator[AppSession]:
    with demo_session(qtbot, qloop) as app_session:
        yield app_session


def picture(path: Path, size: tuple[int, int], panel: tuple[int, int, int, int]) -> Path:
    im = Image.new("RGB", size, RED)
    im.paste(BLUE, panel)
    im.save(path, "PNG")
    return path


def opened(qtbot: QtBot, session: AppSession, path: Path) -> tuple[str, ImagePreview]:
    assert drag_and_drop(session.window.tray, file_mime(path))
    qtbot.waitUntil(lambda: all(i.sendable for i in session.attachments.items()), timeout=20_000)
    (item,) = session.attachments.items()
    tile = session.window.tray.tile(item.id)
    assert tile is not None
    qtbot.mouseDClick(tile, Qt.MouseButton.LeftButton)
    flow = session.preview_flow
    qtbot.waitUntil(
        lambda: flow.dialog is not None and flow.dialog.canvas.has_image(), timeout=10_000
    )
    assert flow.dialog is not None
    return item.id, flow.dialog


def sized(qtbot: QtBot, dialog: ImagePreview, wanted: QSize) -> TileCanvas:
    canvas = dialog.canvas
    dialog.resize(dialog.size() + (wanted - canvas.size()))
    qtbot.waitUntil(lambda: canvas.size() == wanted)
    return canvas


def wheel(canvas: TileCanvas, at: QPointF, notches: int, modifiers: Qt.KeyboardModifier) -> None:
    event = QWheelEvent(
        at,
        canvas.mapToGlobal(at),
        QPoint(),
        QPoint(0, 120 * notches),
        Qt.MouseButton.NoButton,
        modifiers,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(canvas, event)


def view(canvas: TileCanvas, x: float, y: float) -> QPoint:
    return canvas.to_view(QPointF(x, y)).toPoint()


def colour_at(canvas: TileCanvas, x: float, y: float) -> tuple[int, int, int]:
    shot = canvas.grab().toImage()
    ratio = shot.devicePixelRatio()
    point = canvas.to_view(QPointF(x, y))
    colour = shot.pixelColor(math.floor(point.x() * ratio), math.floor(point.y() * ratio))
    return colour.red(), colour.green(), colour.blue()


def test_keys_and_wheel_zoom_and_a_crop_made_at_200_percent_is_exact(
    qtbot: QtBot, session: AppSession, tmp_path: Path
) -> None:
    path = picture(tmp_path / "dashboard.png", (1920, 1080), (600, 300, 1048, 748))
    item_id, dialog = opened(qtbot, session, path)
    canvas = sized(qtbot, dialog, QSize(960 + 2 * MARGIN, 540 + 2 * MARGIN))
    label = dialog.zoom.label
    assert canvas.fitted()
    assert canvas.scale() == 0.5
    assert label.text() == "50 %"

    # Ctrl+wheel zooms in at the pointer: the sent pixel under it stays under it.
    under = QPointF(300.0, 200.0)
    before = canvas.to_sent(under)
    wheel(canvas, under, 1, CTRL)
    assert canvas.scale() == 0.67
    assert not canvas.fitted()
    assert (canvas.to_sent(under) - before).manhattanLength() <= 2
    assert label.text() == "67 %"
    # Without Ctrl the wheel pans (it is zoomed in).
    top = canvas.visible_region().top()
    wheel(canvas, under, -2, Qt.KeyboardModifier.NoModifier)
    assert canvas.visible_region().top() > top

    # Ctrl+0 fits, Ctrl+1 is 100 %, Ctrl+plus the next level up, Ctrl+minus back down.
    qtbot.keyClick(canvas, Qt.Key.Key_0, CTRL)
    assert canvas.fitted()
    assert canvas.scale() == 0.5
    qtbot.keyClick(canvas, Qt.Key.Key_1, CTRL)
    assert canvas.scale() == 1.0
    assert label.text() == "100 %"
    qtbot.keyClick(canvas, Qt.Key.Key_Plus, CTRL)
    assert canvas.scale() == 1.5
    qtbot.keyClick(canvas, Qt.Key.Key_Minus, CTRL)
    assert canvas.scale() == 1.0
    qtbot.keyClick(canvas, Qt.Key.Key_Plus, CTRL)
    qtbot.keyClick(canvas, Qt.Key.Key_Plus, CTRL)
    assert canvas.scale() == 2.0
    assert label.text() == "200 %"

    # Pan with the middle button so that (600, 300), the panel's corner, is in the view's
    # middle; the grid follows (the line at x = 448 is where the mapping says).
    corner = canvas.to_view(QPointF(600, 300))
    middle = QPointF(canvas.width() / 2, canvas.height() / 2)
    start = QPoint(400, 300)
    qtbot.mousePress(canvas, Qt.MouseButton.MiddleButton, pos=start)
    qtbot.mouseMove(canvas, (QPointF(start) + middle - corner).toPoint())
    qtbot.mouseRelease(
        canvas, Qt.MouseButton.MiddleButton, pos=(QPointF(start) + middle - corner).toPoint()
    )
    assert (canvas.to_view(QPointF(600, 300)) - middle).manhattanLength() <= 2
    assert canvas.selection() is None  # a pan selects nothing
    assert colour_at(canvas, 598, 290) == RED
    assert colour_at(canvas, 604, 310) == BLUE

    # A crop dragged at 200 % over the panel's corner: 100×100 px of it blue, the rest red.
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=view(canvas, 500, 250))
    qtbot.mouseMove(canvas, view(canvas, 650, 320))
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=view(canvas, 700, 400))
    selection = canvas.selection()
    assert selection is not None
    assert (selection.x(), selection.y(), selection.width(), selection.height()) == (
        500,
        250,
        200,
        150,
    )
    qtbot.mouseClick(dialog.crop_button(), Qt.MouseButton.LeftButton)

    def cropped() -> bool:
        item = session.attachments.item(item_id)
        return item is not None and item.prepared is not None and item.size == (200, 150)

    qtbot.waitUntil(cropped, timeout=10_000)
    item = session.attachments.item(item_id)
    assert item is not None
    assert item.prepared is not None
    with Image.open(io.BytesIO(item.prepared.data)) as sent:
        colours = {c: n for n, c in sent.convert("RGB").getcolors()}
    assert colours == {BLUE: 100 * 100, RED: 200 * 150 - 100 * 100}
    # The new image is shown fitted.
    qtbot.waitUntil(canvas.has_image, timeout=5000)
    assert canvas.fitted()


def test_marks_drawn_zoomed_in_land_on_the_sent_pixels(
    qtbot: QtBot, session: AppSession, tmp_path: Path
) -> None:
    path = picture(tmp_path / "form.png", (1600, 1200), (800, 600, 900, 700))
    _item_id, dialog = opened(qtbot, session, path)
    canvas = dialog.canvas
    canvas.setFocus()
    qtbot.keyClick(canvas, Qt.Key.Key_1, CTRL)
    assert canvas.scale() == 1.0
    qtbot.keyClick(canvas, Qt.Key.Key_R)
    assert dialog.canvas.tool() is Tool.RECTANGLE
    # Space held, a left drag pans instead of drawing.
    qtbot.keyPress(canvas, Qt.Key.Key_Space)
    centre = canvas.to_sent(QPointF(canvas.width() / 2, canvas.height() / 2))
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=QPoint(200, 200))
    qtbot.mouseMove(canvas, QPoint(150, 180))
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=QPoint(150, 180))
    qtbot.keyRelease(canvas, Qt.Key.Key_Space)
    assert canvas.to_sent(QPointF(canvas.width() / 2, canvas.height() / 2)) == centre + QPoint(
        50, 20
    )
    assert dialog.canvas.edit.marks == ()
    # Now a drag draws, exactly around the panel in sent pixels.
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=view(canvas, 800, 600))
    qtbot.mouseMove(canvas, view(canvas, 850, 650))
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=view(canvas, 900, 700))
    (mark,) = dialog.canvas.edit.marks
    assert isinstance(mark, RectMark)
    assert mark.box == (800, 600, 900, 700)


def test_a_large_image_zoomed_in_is_painted_from_its_own_pixels(
    qtbot: QtBot, session: AppSession, tmp_path: Path
) -> None:
    path = picture(
        tmp_path / "photo.png", (4800, 3200), (2401, 0, 4800, 3200)
    )  # an edge off the copy's grid
    _item_id, dialog = opened(qtbot, session, path)
    canvas = dialog.canvas
    copy = canvas.picture_size()
    assert copy.width() < 4800  # a screen-sized copy
    canvas.setFocus()
    qtbot.keyClick(canvas, Qt.Key.Key_1, CTRL)  # 100 %, centred on the panel's edge
    # Scrolled to the top, where the tiles that count are (the others are greyed over).
    wheel(canvas, QPointF(100, 100), 30, Qt.KeyboardModifier.NoModifier)
    assert canvas.visible_region().top() == 0
    # The part in view is decoded at full resolution off the GUI thread and painted sharp:
    # the panel's edge falls between two screen pixels, not blurred over several.
    qtbot.waitUntil(lambda: canvas.detail_region() is not None, timeout=10_000)
    region = canvas.detail_region()
    assert region is not None
    assert region.contains(canvas.visible_region())
    for offset in (1, 2, 3):
        assert colour_at(canvas, 2401 - offset + 0.5, 100) == RED
        assert colour_at(canvas, 2401 + offset - 0.5, 100) == BLUE
    # Fitted again, it paints from the screen-sized copy and asks for nothing more.
    qtbot.keyClick(canvas, Qt.Key.Key_0, CTRL)
    assert canvas.fitted()
