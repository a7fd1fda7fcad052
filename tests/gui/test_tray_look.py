"""The compact tray in the real window (issue 15): one slim line when empty, one row of tiles
72–96 px high with images, names that never read the same, cost and state as badges; and the
window-wide drop target: a drag over any part of the window shows the overlay, a drop anywhere
adds the images, a drag of files that are not images is refused."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragLeaveEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QPushButton, QWidget
from pytestqt.qtbot import QtBot
from support.qtevents import drag_and_drop, file_mime
from support.sessions import demo_session

from app.gui.session import AppSession
from app.ui.window_drop import DropOverlay

MOCKUPS = ("mockup-homepage-v1-final.png", "mockup-homepage-v2-final.png")


@pytest.fixture
def session(qtbot: QtBot, qloop: asyncio.AbstractEventLoop) -> Iterator[AppSession]:
    with demo_session(qtbot, qloop) as app_session:
        yield app_session


def images(tmp_path: Path, *names: str, size: tuple[int, int] = (900, 600)) -> list[Path]:
    paths = []
    for index, name in enumerate(names):
        path = tmp_path / name
        Image.new("RGB", size, (30 * index, 120, 200)).save(path, "PNG")
        paths.append(path)
    return paths


def settled(session: AppSession) -> bool:
    return all(not item.pending for item in session.attachments.items())


def test_the_empty_tray_is_one_slim_line(session: AppSession) -> None:
    tray = session.window.tray
    add = tray.findChild(QPushButton, "addImagesButton")
    assert add is not None
    assert tray.hint_visible()
    assert tray.height() <= add.height() + 16
    hint = tray.findChild(QWidget, "imageTrayHint")
    assert hint is not None
    assert hint.property("text") == "Drop screenshots here, paste with Ctrl+V, or Add images…"
    assert hint.height() <= 2 * hint.fontMetrics().lineSpacing()  # one line, not a tall box


def test_a_row_of_compact_tiles_whose_names_differ(
    qtbot: QtBot, session: AppSession, tmp_path: Path
) -> None:
    tray = session.window.tray
    assert drag_and_drop(tray, file_mime(*images(tmp_path, *MOCKUPS)))
    qtbot.waitUntil(lambda: settled(session), timeout=10_000)
    tiles = tray.tiles()
    assert len(tiles) == 2
    for tile in tiles:
        assert 72 <= tile.height() <= 96
        assert tile.y() == tiles[0].y()  # one row
    assert tray.height() <= 96 + 30  # the row and the frame (and a scroll bar if it overflows)
    shown = [tile.name_text() for tile in tiles]
    assert shown[0] != shown[1]
    assert "v1" in shown[0].replace("\n", "")
    assert "v2" in shown[1].replace("\n", "")
    # The cost and the state as badges; the number on the thumbnail.
    assert [t.badge_text() for t in tiles] == ["1", "2"]
    assert tiles[0].tokens_badge().text() == "1,792 tok"
    assert tiles[0].state_badge().text() == "Ready"
    assert tiles[0].state_badge().tone() == "good"
    assert tiles[0].tokens_badge().isVisible()
    assert tiles[0].detail_button().isVisible()


def test_badges_for_a_downscaled_and_a_failed_image(
    qtbot: QtBot, session: AppSession, tmp_path: Path
) -> None:
    tray = session.window.tray
    (big,) = images(tmp_path, "huge-screenshot.png", size=(9000, 600))
    bad = tmp_path / "report.png"
    bad.write_text("this is text, not a PNG " * 10)
    assert drag_and_drop(tray, file_mime(big, bad))
    qtbot.waitUntil(lambda: settled(session), timeout=20_000)
    huge, failed = tray.tiles()
    assert huge.state_badge().text() == "Downscaled"
    assert huge.state_badge().tone() == "info"
    assert huge.state_text().startswith("Downscaled from 9000×600")  # all of it for the tooltip
    assert failed.state_badge().text() == "Failed"
    assert failed.state_badge().tone() == "bad"
    assert not failed.tokens_badge().isVisible()
    assert not failed.detail_button().isVisible()
    assert failed.reason_label().isVisible()
    assert failed.reason_label().toolTip() == failed.item.error


def send_drag(window: QWidget, mime: QMimeData, at: QPoint) -> bool:
    """A drag entering the window at `at`, through the window's own dispatch (as the platform
    delivers it); whether it was accepted."""
    handle = window.windowHandle()
    assert handle is not None
    actions = Qt.DropAction.CopyAction | Qt.DropAction.MoveAction
    buttons, keys = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(at, actions, mime, buttons, keys)
    QApplication.sendEvent(handle, enter)
    QApplication.sendEvent(handle, QDragMoveEvent(at, actions, mime, buttons, keys))
    return enter.isAccepted()


def drop(window: QWidget, mime: QMimeData, at: QPoint) -> bool:
    handle = window.windowHandle()
    assert handle is not None
    actions = Qt.DropAction.CopyAction | Qt.DropAction.MoveAction
    event = QDropEvent(
        QPointF(at), actions, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    QApplication.sendEvent(handle, event)
    return event.isAccepted()


def overlay_of(session: AppSession) -> DropOverlay:
    overlay = session.window.findChild(DropOverlay, "dropOverlay")
    assert overlay is not None
    return overlay


def over_the_conversation(session: AppSession) -> QPoint:
    view = session.window.view
    return view.mapTo(session.window, view.rect().center())


def test_a_drop_anywhere_on_the_window_adds_the_images(
    qtbot: QtBot, session: AppSession, tmp_path: Path
) -> None:
    window, tray = session.window, session.window.tray
    overlay = overlay_of(session)
    assert not overlay.isVisible()
    mime = file_mime(*images(tmp_path, *MOCKUPS))
    at = over_the_conversation(session)
    entered = send_drag(window, mime, at)
    assert entered
    verdict = overlay.verdict()
    assert verdict is not None
    assert verdict.accepted
    assert verdict.title == "Drop images to add them"
    assert overlay.geometry() == window.rect()  # the whole window
    assert tray.drop_highlighted()
    assert drop(window, mime, at)
    assert not overlay.isVisible()
    assert not tray.drop_highlighted()
    assert [i.name for i in session.attachments.items()] == list(MOCKUPS)
    qtbot.waitUntil(lambda: settled(session), timeout=10_000)

    # Over the composer too; leaving the window takes the overlay away.
    composer = window.composer
    send_drag(window, mime, composer.mapTo(window, composer.rect().center()))
    assert overlay.isVisible()
    handle = window.windowHandle()
    assert handle is not None
    QApplication.sendEvent(handle, QDragLeaveEvent())
    assert not overlay.isVisible()
    assert composer.toPlainText() == ""


def test_files_that_are_not_images_are_refused(session: AppSession, tmp_path: Path) -> None:
    window = session.window
    notes = tmp_path / "notes.pdf"
    notes.write_bytes(b"%PDF-1.4 not an image")
    mime = file_mime(notes)
    at = over_the_conversation(session)
    entered = send_drag(window, mime, at)
    assert not entered
    verdict = overlay_of(session).verdict()
    assert verdict is not None
    assert not verdict.accepted
    assert verdict.title == "Only images can be added"
    assert verdict.detail == "notes.pdf is not an image"
    assert not window.tray.drop_highlighted()
    assert not drop(window, mime, at)
    assert session.attachments.items() == ()
    assert not overlay_of(session).isVisible()


def test_text_dragged_into_the_composer_is_not_taken_by_the_overlay(session: AppSession) -> None:
    window = session.window
    mime = QMimeData()
    mime.setText("a few words")
    composer = window.composer
    send_drag(window, mime, composer.mapTo(window, composer.rect().center()))
    assert not overlay_of(session).isVisible()
    handle = window.windowHandle()
    assert handle is not None
    QApplication.sendEvent(handle, QDragLeaveEvent())
