"""The image tray from the keyboard, in the real window (issue 13, bug 6).

People found Tab stopping on invisible places in the tray, Enter, Space and the arrows doing
nothing, preview, crop and low detail needing a mouse, a faint focus ring, a "Low detail" that
read as a label, and two long mockup names both shown as "mock….png". These tests walk the
tray with real key events: the tray is one Tab stop (its current tile) plus Add images…; the
arrows, Home and End walk the tiles; Enter and Space open the preview; D toggles low detail;
Ctrl+arrows move the image; Delete removes it; the focused tile is ringed in the highlight.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot
from support.qtevents import drag_and_drop, file_mime
from support.sessions import demo_session

from app.gui.session import AppSession
from app.ui.tray_detail import DetailToggle
from app.ui.tray_tile import FOCUS_RING_WIDTH, TrayTile

MOCKUPS = ("mockup-dashboard-final.png", "mockup-settings-final.png")


@pytest.fixture
def session(qtbot: QtBot, qloop: asyncio.AbstractEventLoop) -> Iterator[AppSession]:
    with demo_session(qtbot, qloop) as app_session:
        yield app_session


def add(qtbot: QtBot, session: AppSession, tmp_path: Path, *names: str) -> list[str]:
    paths = []
    for index, name in enumerate(names):
        path = tmp_path / name
        Image.new("RGB", (448 + 100 * index, 448), (40 * index, 90, 160)).save(path, "PNG")
        paths.append(path)
    assert drag_and_drop(session.window.tray, file_mime(*paths))
    qtbot.waitUntil(lambda: all(i.sendable for i in session.attachments.items()), timeout=10_000)
    return [item.id for item in session.attachments.items()]


def focused() -> QWidget | None:
    return QApplication.focusWidget()


def press(qtbot: QtBot, key: Qt.Key, modifier: Qt.KeyboardModifier | None = None) -> None:
    """A key pressed where the keyboard focus is, as a person would."""
    widget = focused()
    assert widget is not None
    if modifier is None:
        qtbot.keyClick(widget, key)
    else:
        qtbot.keyClick(widget, key, modifier)


def focused_tile(session: AppSession) -> TrayTile:
    widget = focused()
    assert isinstance(widget, TrayTile), widget
    assert session.window.tray.isAncestorOf(widget)
    return widget


def start_in_front_of_the_tray(qtbot: QtBot, session: AppSession) -> None:
    """Focus the system prompt (right after the tray) and Shift+Tab back into the tray."""
    window = session.window
    window.activateWindow()
    window.system_prompt_edit.setFocus()
    qtbot.waitUntil(lambda: focused() is window.system_prompt_edit)


def test_the_tray_is_one_tab_stop_plus_add_images(
    qtbot: QtBot, session: AppSession, tmp_path: Path
) -> None:
    window = session.window
    tray = window.tray
    one, two, three = add(qtbot, session, tmp_path, "one.png", *MOCKUPS)
    add_button = tray.findChild(QWidget, "addImagesButton")
    start_in_front_of_the_tray(qtbot, session)

    # Shift+Tab back through the tray: Add images…, then the current tile, then out of it.
    stops: list[QWidget] = []
    for _ in range(4):
        press(qtbot, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
        widget = focused()
        assert widget is not None
        if not (widget is tray or tray.isAncestorOf(widget)):
            break
        stops.append(widget)
    assert stops == [add_button, tray.tile(one)]
    for stop in stops:  # each stop is something a person sees, with a name for screen readers
        assert stop.isVisible()
        assert stop.accessibleName()
    assert stops[1].accessibleName() == "Image 1: one.png"

    # Forward again: the tile, Add images…, then out of the tray to the system prompt.
    press(qtbot, Qt.Key.Key_Tab)
    assert focused() is tray.tile(one)
    press(qtbot, Qt.Key.Key_Tab)
    assert focused() is add_button
    press(qtbot, Qt.Key.Key_Tab)
    assert focused() is window.system_prompt_edit

    # The tile reached last stays the tray's Tab stop.
    press(qtbot, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    press(qtbot, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert focused_tile(session).item.id == one
    press(qtbot, Qt.Key.Key_End)
    assert focused_tile(session).item.id == three
    press(qtbot, Qt.Key.Key_Tab)
    assert focused() is add_button
    press(qtbot, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert focused_tile(session).item.id == three
    assert two in [t.item.id for t in tray.tiles()]


def test_arrows_home_end_walk_the_tiles_with_a_visible_focus_ring(
    qtbot: QtBot, session: AppSession, tmp_path: Path
) -> None:
    tray = session.window.tray
    one, two, three = add(qtbot, session, tmp_path, "one.png", "two.png", "three.png")
    start_in_front_of_the_tray(qtbot, session)
    press(qtbot, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    press(qtbot, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert focused_tile(session).item.id == one

    press(qtbot, Qt.Key.Key_Right)
    assert focused_tile(session).item.id == two
    assert tray.selected_id() == two
    press(qtbot, Qt.Key.Key_Right)
    press(qtbot, Qt.Key.Key_Right)  # stays on the last
    assert focused_tile(session).item.id == three
    press(qtbot, Qt.Key.Key_Home)
    assert focused_tile(session).item.id == one
    press(qtbot, Qt.Key.Key_End)
    assert focused_tile(session).item.id == three
    press(qtbot, Qt.Key.Key_Left)
    tile = focused_tile(session)
    assert tile.item.id == two

    # The focused tile, and only it, is ringed in the palette's highlight colour, thickly.
    highlight = tile.palette().color(QPalette.ColorRole.Highlight)
    for candidate in tray.tiles():
        picture = candidate.grab().toImage()
        ratio = picture.devicePixelRatio()
        middle = round(candidate.height() / 2 * ratio)
        ring = [picture.pixelColor(x, middle) for x in range(round(FOCUS_RING_WIDTH * ratio))]
        if candidate is tile:
            assert candidate.has_focus_ring()
            assert sum(colour == highlight for colour in ring) >= 2, ring
        else:
            assert not candidate.has_focus_ring()
            assert highlight not in ring[1:]


def test_enter_and_space_open_the_preview_and_focus_comes_back(
    qtbot: QtBot, session: AppSession, tmp_path: Path
) -> None:
    flow = session.preview_flow
    one, two = add(qtbot, session, tmp_path, "one.png", "two.png")
    start_in_front_of_the_tray(qtbot, session)
    press(qtbot, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    press(qtbot, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    press(qtbot, Qt.Key.Key_Right)
    tile = focused_tile(session)
    assert tile.item.id == two

    for key in (Qt.Key.Key_Return, Qt.Key.Key_Space):
        press(qtbot, key)
        qtbot.waitUntil(lambda: flow.dialog is not None and flow.dialog.isVisible())
        dialog = flow.dialog
        assert dialog is not None
        assert dialog.item_id == two
        qtbot.waitUntil(dialog.canvas.has_image, timeout=5000)
        assert dialog.crop_button().accessibleName()  # its crop tool is there
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)
        qtbot.waitUntil(lambda: flow.dialog is None)
        qtbot.waitUntil(lambda: focused() is tile)
    assert [i.id for i in session.attachments.items()] == [one, two]


def test_d_toggles_low_detail_on_a_visible_toggle_button(
    qtbot: QtBot, session: AppSession, tmp_path: Path
) -> None:
    (one,) = add(qtbot, session, tmp_path, "big.png")
    start_in_front_of_the_tray(qtbot, session)
    press(qtbot, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    press(qtbot, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    tile = focused_tile(session)
    button = tile.detail_button()
    assert isinstance(button, DetailToggle)
    assert button.isVisible()
    assert button.isCheckable()
    assert button.accessibleName() == "Low detail for big.png"
    assert not button.isChecked()
    assert button.shown_segment() == "High"
    # Drawn as a two-part switch with the chosen part filled, not as a label: the "High" half
    # is painted in the fill colour while it is chosen, the "Low" half after D.
    fill = button.colors()["chosen"][0].rgb()
    assert fill in painted_colours(button, 0.25)
    assert fill not in painted_colours(button, 0.75)

    press(qtbot, Qt.Key.Key_D)
    qtbot.waitUntil(lambda: session.attachments.item(one).low_detail)  # type: ignore[union-attr]
    assert button.isChecked()
    assert button.shown_segment() == "Low"
    assert fill in painted_colours(button, 0.75)
    assert fill not in painted_colours(button, 0.25)
    assert focused() is tile
    assert "low detail" in tile.accessibleDescription()

    press(qtbot, Qt.Key.Key_D)
    qtbot.waitUntil(lambda: not session.attachments.item(one).low_detail)  # type: ignore[union-attr]
    assert not button.isChecked()
    assert button.shown_segment() == "High"

    # A click on the switch toggles it too.
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: session.attachments.item(one).low_detail)  # type: ignore[union-attr]


def painted_colours(widget: QWidget, at: float) -> set[int]:
    """The colours (RGB) painted along a vertical line at `at` of the widget's width."""
    picture = widget.grab().toImage()
    x = round((picture.width() - 1) * at)
    return {picture.pixelColor(x, y).rgb() for y in range(picture.height())}


def test_ctrl_arrows_move_and_delete_removes_keeping_the_focus_in_the_tray(
    qtbot: QtBot, session: AppSession, tmp_path: Path
) -> None:
    tray = session.window.tray
    one, two, three = add(qtbot, session, tmp_path, "one.png", "two.png", "three.png")
    start_in_front_of_the_tray(qtbot, session)
    press(qtbot, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    press(qtbot, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert focused_tile(session).item.id == one

    press(qtbot, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    assert [i.id for i in session.attachments.items()] == [two, one, three]
    moved = focused_tile(session)
    assert moved.item.id == one
    assert moved.badge_text() == "2"
    press(qtbot, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    assert [i.id for i in session.attachments.items()] == [two, three, one]
    press(qtbot, Qt.Key.Key_Left, Qt.KeyboardModifier.ControlModifier)
    assert [i.id for i in session.attachments.items()] == [two, one, three]
    assert focused_tile(session).item.id == one

    press(qtbot, Qt.Key.Key_Delete)
    assert [i.id for i in session.attachments.items()] == [two, three]
    assert focused_tile(session).item.id == three  # the neighbour takes the focus
    press(qtbot, Qt.Key.Key_Backspace)
    assert [i.id for i in session.attachments.items()] == [two]
    assert focused_tile(session).item.id == two
    press(qtbot, Qt.Key.Key_Delete)
    assert session.attachments.items() == ()
    assert focused() is tray.findChild(QWidget, "addImagesButton")  # not lost


def test_two_long_mockup_names_never_read_the_same(
    qtbot: QtBot, session: AppSession, tmp_path: Path
) -> None:
    tray = session.window.tray
    names = (*MOCKUPS, "mockup-dashboard-final-v2.png", "a.png")
    add(qtbot, session, tmp_path, *names)
    shown = {tile.item.name: tile.name_text() for tile in tray.tiles()}
    assert len(set(shown.values())) == len(names), shown
    assert shown["a.png"] == "a.png"
    for tile in tray.tiles():
        name = tile.item.name
        assert name in tile.toolTip()
        assert tile.accessibleName().endswith(f": {name}")
        assert tile.name_text().startswith("mockup" if name != "a.png" else "a.png")
