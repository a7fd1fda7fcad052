"""Comparing two tray images (issue 18): chosen from a tile's menu, shown side by side with one
zoom for both, one over the other up to a slider, and as a difference view whose changed pixels
are highlighted; with the "Spot the differences" preset the difference view can go with the
message, and the demo endpoint receives it.

The real window against the local endpoint; the images made with Pillow and dropped as files.
"""

from __future__ import annotations

import asyncio
import base64
import io
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hardening.running import WAIT_MS, Running
from PIL import Image
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QContextMenuEvent, QWheelEvent
from PySide6.QtWidgets import QApplication, QMenu, QWidget
from pytestqt.qtbot import QtBot
from support.qtevents import drag_and_drop, file_mime

from app.core.conversation import Status
from app.core.images.difference import HIGHLIGHT
from app.ui.compare_dialog import CompareDialog
from app.ui.tile_canvas import TileCanvas

GREY = (200, 200, 200)
BEFORE = (30, 90, 200)  # the button, before
AFTER = (230, 120, 0)  # and after
BUTTON = (300, 200, 500, 280)
SIZE = (800, 600)


@pytest.fixture
def app(qtbot: QtBot, qloop: asyncio.AbstractEventLoop) -> Iterator[Running]:
    running = Running(qtbot, qloop)
    yield running
    running.close()


def mockup(path: Path, button: tuple[int, int, int]) -> Path:
    im = Image.new("RGB", SIZE, GREY)
    im.paste(button, BUTTON)
    im.save(path, "PNG")
    return path


def colour(widget: QWidget, at: QPointF) -> tuple[int, int, int]:
    shot = widget.grab().toImage()
    ratio = shot.devicePixelRatio()
    pixel = shot.pixelColor(math.floor(at.x() * ratio), math.floor(at.y() * ratio))
    return pixel.red(), pixel.green(), pixel.blue()


def on_canvas(canvas: TileCanvas, x: float, y: float) -> tuple[int, int, int]:
    return colour(canvas, canvas.to_view(QPointF(x, y)))


def compare_from_menu(app: Running, first: str, second: str) -> CompareDialog:
    """The first tile's menu (the Menu key), Compare with → the second."""
    tile = app.tile_named(first)
    tile.setFocus()
    at = QPoint(10, 10)
    event = QContextMenuEvent(QContextMenuEvent.Reason.Keyboard, at, tile.mapToGlobal(at))
    QApplication.sendEvent(tile, event)
    menus: list[QMenu] = []

    def shown() -> bool:
        menus[:] = [m for m in app.window.findChildren(QMenu, "trayTileMenu") if m.isVisible()]
        return len(menus) == 1

    app.qtbot.waitUntil(shown, timeout=WAIT_MS)
    submenu = menus[0].findChild(QMenu, "trayCompareWith")
    assert submenu is not None
    assert submenu.isEnabled()
    (action,) = [a for a in submenu.actions() if a.text() == second]
    action.trigger()
    menus[0].close()
    flow = app.session.preview_flow.compare
    app.qtbot.waitUntil(
        lambda: flow.dialog is not None and flow.dialog.isVisible(), timeout=WAIT_MS
    )
    dialog = flow.dialog
    assert dialog is not None
    app.qtbot.waitUntil(
        lambda: (
            dialog.first.has_image() and dialog.second.has_image() and dialog.difference.has_image()
        ),
        timeout=WAIT_MS,
    )
    return dialog


def choose_preset(app: Running, name: str) -> None:
    combo = app.window.preset_picker.combo
    target = combo.findData(name)
    assert target >= 0
    combo.setFocus()
    while combo.currentIndex() != target:
        key = Qt.Key.Key_Down if combo.currentIndex() < target else Qt.Key.Key_Up
        app.qtbot.keyClick(combo, key)


def data_urls(body: Any) -> list[str]:
    if isinstance(body, str):
        return [body] if body.startswith("data:image/") else []
    if isinstance(body, dict):
        return [url for value in body.values() for url in data_urls(value)]
    if isinstance(body, list):
        return [url for value in body for url in data_urls(value)]
    return []


def test_two_images_compared_side_by_side_over_each_other_and_as_their_difference(
    app: Running, tmp_path: Path
) -> None:
    before = mockup(tmp_path / "before.png", BEFORE)
    after = mockup(tmp_path / "after.png", AFTER)
    assert drag_and_drop(app.window.tray, file_mime(before, after))
    app.wait_settled()
    dialog = compare_from_menu(app, "before.png", "after.png")
    middle = ((BUTTON[0] + BUTTON[2]) / 2, (BUTTON[1] + BUTTON[3]) / 2)

    # Side by side: both images, each as it is.
    assert dialog.modes.tabText(dialog.modes.currentIndex()) == "Side by side"
    assert on_canvas(dialog.first, *middle) == BEFORE
    assert on_canvas(dialog.second, *middle) == AFTER
    assert on_canvas(dialog.second, 50, 50) == GREY
    # One zoom for both: Ctrl+wheel over the second zooms the first (and the difference) too.
    at = dialog.second.to_view(QPointF(*middle))
    event = QWheelEvent(
        at,
        dialog.second.mapToGlobal(at),
        QPoint(),
        QPoint(0, 240),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.ControlModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(dialog.second, event)
    assert not dialog.second.fitted()
    assert not dialog.first.fitted()
    assert dialog.first.view_state() == dialog.second.view_state()
    assert dialog.first.scale() == dialog.second.scale()
    assert dialog.first.visible_region() == dialog.second.visible_region()
    qtbot = app.qtbot
    # The difference view shows the same part, and showing it changes no zoom.
    dialog.modes.setCurrentIndex(2)
    qtbot.waitUntil(dialog.difference.isVisible)
    assert dialog.difference.scale() == dialog.first.scale()
    assert dialog.difference.view_state() == dialog.first.view_state()
    assert not dialog.first.fitted()
    dialog.modes.setCurrentIndex(0)
    qtbot.keyClick(dialog.first, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert dialog.second.fitted()

    # Overlay: the slider moves the divider; left of it the second image, right of it the first.
    dialog.modes.setCurrentIndex(1)
    overlay = dialog.overlay
    qtbot.waitUntil(overlay.isVisible)
    target = overlay.image_rect()
    point = QPointF(
        target.left() + middle[0] / SIZE[0] * target.width(),
        target.top() + middle[1] / SIZE[1] * target.height(),
    )
    dialog.slider.setValue(0)
    assert colour(overlay, point) == BEFORE
    dialog.slider.setFocus()
    qtbot.keyClick(dialog.slider, Qt.Key.Key_End)
    assert dialog.slider.value() == 100
    assert colour(overlay, point) == AFTER

    # The difference: the button highlighted, the rest not.
    dialog.modes.setCurrentIndex(2)
    qtbot.waitUntil(dialog.difference.isVisible)
    assert on_canvas(dialog.difference, *middle) == HIGHLIGHT
    assert on_canvas(dialog.difference, 100, 100) != HIGHLIGHT
    assert on_canvas(dialog.difference, 700, 500) != HIGHLIGHT
    assert "pixels changed, within x 300–500, y 200–280" in dialog.summary.text()
    # Sending it needs the "Spot the differences" preset.
    assert not dialog.send.isEnabled()
    dialog.close()


def test_with_spot_the_differences_the_difference_view_is_sent_too(
    app: Running, tmp_path: Path
) -> None:
    before = mockup(tmp_path / "before.png", BEFORE)
    after = mockup(tmp_path / "after.png", AFTER)
    assert drag_and_drop(app.window.tray, file_mime(before, after))
    app.wait_settled()
    choose_preset(app, "spot-differences")
    dialog = compare_from_menu(app, "before.png", "after.png")
    app.qtbot.waitUntil(dialog.send.isEnabled, timeout=WAIT_MS)
    dialog.send.setFocus()
    app.qtbot.keyClick(dialog.send, Qt.Key.Key_Space)
    name = "difference of before.png and after.png"
    app.qtbot.waitUntil(lambda: len(app.items()) == 3, timeout=WAIT_MS)
    app.wait_settled()
    assert [i.name for i in app.items()] == ["before.png", "after.png", name]
    # Unticked, it leaves the tray; ticked again, it is back.
    app.qtbot.keyClick(dialog.send, Qt.Key.Key_Space)
    app.qtbot.waitUntil(lambda: len(app.items()) == 2, timeout=WAIT_MS)
    app.qtbot.keyClick(dialog.send, Qt.Key.Key_Space)
    app.qtbot.waitUntil(lambda: len(app.items()) == 3, timeout=WAIT_MS)
    app.wait_settled()
    dialog.close()

    reply = app.ask("What changed?")
    assert reply.status is Status.COMPLETE, reply.error
    request = app.session.demo_server.requests[-1]
    assert request.image_sizes == [SIZE, SIZE, SIZE]
    assert [part.name for part in app.messages[-2].images] == ["before.png", "after.png", name]
    urls = data_urls(request.body)
    assert len(urls) == 3
    with Image.open(io.BytesIO(base64.b64decode(urls[2].split(",", 1)[1]))) as received:
        shown = received.convert("RGB")
    assert shown.crop(BUTTON).getcolors() == [(200 * 80, HIGHLIGHT)]
    assert shown.getpixel((50, 50)) != HIGHLIGHT


def test_the_preview_compares_its_image_with_another(app: Running, tmp_path: Path) -> None:
    before = mockup(tmp_path / "before.png", BEFORE)
    after = mockup(tmp_path / "after.png", AFTER)
    assert drag_and_drop(app.window.tray, file_mime(before, after))
    app.wait_settled()
    tile = app.tile_named("after.png")
    tile.setFocus()
    app.qtbot.keyClick(tile, Qt.Key.Key_Return)  # the tray's keyboard way to the preview
    flow = app.session.preview_flow
    app.qtbot.waitUntil(lambda: flow.dialog is not None, timeout=WAIT_MS)
    preview = flow.dialog
    assert preview is not None
    button = preview.compare
    assert button.objectName() == "imagePreviewCompare"
    assert button.isEnabled()
    (action,) = button.menu().actions()
    assert action.text() == "before.png"
    action.trigger()
    app.qtbot.waitUntil(lambda: flow.dialog is None, timeout=WAIT_MS)
    compare = flow.compare.dialog
    assert compare is not None
    assert compare.names == ("after.png", "before.png")
    app.qtbot.waitUntil(compare.difference.has_image, timeout=WAIT_MS)
    assert on_canvas(compare.first, 400, 240) == AFTER
