"""The image tray wired to the attachment controller and the meter, as the window wires them.

Real widgets and real events: drops are QDragEnterEvent/QDropEvent carrying file URLs, pastes
go through the real clipboard and the Paste key sequence, images are made with Pillow.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QImage, QKeySequence
from PySide6.QtWidgets import QFileDialog, QPushButton, QWidget
from pytestqt.qtbot import QtBot
from support.qtevents import drag_and_drop, file_mime

from app.controllers.attachments import AttachmentController
from app.core.attachment import AttachmentState, SourceKind
from app.core.budget import BudgetEstimate
from app.core.conversation import Conversation
from app.core.forecast import estimate_next
from app.ui.image_tray import ImageTray
from app.ui.token_meter import TokenMeter
from app.ui.tray_tile import TrayTile

WINDOW = 32_768
RESERVE = 1024
FRAMING = 3 + 4  # request priming + the draft message's framing (app.core.budget)


@dataclass
class Rig:
    tray: ImageTray
    meter: TokenMeter
    controller: AttachmentController
    notices: list[str] = field(default_factory=list)
    moves: list[tuple[str, int]] = field(default_factory=list)

    def refresh_meter(self) -> BudgetEstimate:
        estimate = estimate_next(
            Conversation(),
            "",
            self.controller.token_costs(),
            context_window=WINDOW,
            reply_reserve=RESERVE,
        )
        self.meter.set_figures(estimate, context_known=True, next_cost=None, conversation_cost=None)
        return estimate

    def meter_tokens(self) -> int:
        """The used-token figure the meter states for assistive tools ("N of W tokens used",
        the reply room apart)."""
        used, _, total = self.meter.accessibleDescription().split()[:3]
        assert int(total) == WINDOW
        return int(used)

    def item_changed(self, item_id: str) -> None:
        item = self.controller.item(item_id)
        if item is not None:
            self.tray.update_item(item)

    def settled(self) -> bool:
        return not any(item.pending for item in self.controller.items())

    def names(self) -> list[str]:
        return [item.name for item in self.controller.items()]

    def tile_named(self, name: str) -> TrayTile:
        for tile in self.tray.tiles():
            if tile.item.name == name:
                return tile
        raise AssertionError(f"no tile for {name}")


@pytest.fixture
def rig(qtbot: QtBot, qloop: asyncio.AbstractEventLoop) -> Iterator[Rig]:
    # A plain top-level without a layout hosts the widgets: the offscreen platform warns when a
    # top-level window's size constraints change (a real desktop supports it).
    host = QWidget()
    qtbot.addWidget(host)
    tray = ImageTray(host)
    meter = TokenMeter(host)
    host.resize(1100, 380)
    tray.setGeometry(0, 0, 1100, 290)
    meter.setGeometry(0, 295, 1100, 80)
    controller = AttachmentController()
    rig = Rig(tray, meter, controller)
    # The wiring the main window does.
    tray.pathsDropped.connect(controller.add_paths)
    tray.imageDataPasted.connect(controller.add_image_data)
    tray.picturePasted.connect(controller.add_picture)
    tray.urlPasted.connect(controller.add_url)
    tray.removeRequested.connect(controller.remove)
    tray.moveRequested.connect(controller.move)
    tray.moveRequested.connect(lambda item_id, index: rig.moves.append((item_id, index)))
    controller.changed.connect(lambda: tray.set_items(controller.items()))
    controller.changed.connect(rig.refresh_meter)
    controller.itemChanged.connect(rig.item_changed)
    controller.notice.connect(rig.notices.append)
    rig.refresh_meter()
    host.show()
    qtbot.waitExposed(host)
    yield rig
    closing = qloop.create_task(controller.aclose())
    qtbot.waitUntil(closing.done, timeout=20_000)
    del host  # qtbot closes and deletes it


def png(path: Path, size: tuple[int, int], colour: str = "red") -> Path:
    Image.new("RGB", size, colour).save(path, "PNG")
    return path


def test_names_and_empty_state(rig: Rig) -> None:
    assert rig.tray.objectName() == "imageTray"
    assert rig.tray.accessibleName() == "Image tray"
    assert rig.tray.hint_visible()
    hint = rig.tray.findChild(QWidget, "imageTrayHint")
    assert hint is not None
    assert "Drop screenshots here" in hint.property("text")
    assert rig.meter_tokens() == 3  # an empty draft: the request's framing only


def test_drop_files_a_folder_and_a_bad_file(rig: Rig, qtbot: QtBot, tmp_path: Path) -> None:
    first = png(tmp_path / "first.png", (448, 448), "red")
    second = png(tmp_path / "second.png", (448, 448), "blue")
    folder = tmp_path / "shots"
    folder.mkdir()
    png(folder / "b-shot.png", (300, 200), "green")
    Image.new("RGB", (896, 448), "white").save(folder / "a-shot.jpg", "JPEG")
    (folder / "notes.txt").write_text("not an image")
    bad = tmp_path / "report.png"
    bad.write_text("this is text, not a PNG")

    assert drag_and_drop(rig.tray, file_mime(first, second, folder, bad))
    # Every item is listed at once, before any of them is read.
    assert rig.names() == ["first.png", "second.png", "a-shot.jpg", "b-shot.png", "report.png"]
    assert any(
        "Added 2 images from the folder shots" in n and "Skipped 1 file that is not an image" in n
        for n in rig.notices
    )
    qtbot.waitUntil(rig.settled, timeout=10_000)

    states = {item.name: item for item in rig.controller.items()}
    for name in ("first.png", "second.png", "b-shot.png", "a-shot.jpg"):
        assert states[name].state is AttachmentState.READY, states[name]
    assert states["first.png"].tokens == states["second.png"].tokens == 512
    assert states["a-shot.jpg"].tokens == 768  # 2×1 tiles + 1
    assert states["report.png"].state is AttachmentState.FAILED
    assert any(n.startswith("report.png: ") for n in rig.notices)
    reason = rig.controller.blocking_reason()
    assert reason is not None
    assert reason.startswith("report.png failed: ")
    assert reason.endswith("remove it to send")

    tiles = rig.tray.tiles()
    assert [t.badge_text() for t in tiles] == ["1", "2", "3", "4", "5"]
    assert [t.item.name for t in tiles] == rig.names()
    assert rig.tile_named("report.png").state_text().startswith("Failed: ")
    assert rig.tile_named("report.png").tokens_text() == ""
    assert rig.tile_named("first.png").state_text() == "Ready"
    assert rig.tile_named("first.png").tokens_text() == "512 tok"
    assert rig.tile_named("a-shot.jpg").tokens_text() == "768 tok"
    qtbot.waitUntil(lambda: all(t.has_thumbnail() for t in tiles if not t.item.failed))
    assert not rig.tray.hint_visible()

    # The meter counts the four good images; the failed one cannot be sent.
    assert rig.controller.token_costs() == [512, 512, 768, 512]
    assert rig.meter_tokens() == FRAMING + 512 + 512 + 768 + 512

    # Remove the bad file with its × button: the rest is untouched and the draft can be sent.
    bad_tile = rig.tile_named("report.png")
    assert bad_tile.remove_button().accessibleName() == "Remove report.png"
    qtbot.mouseClick(bad_tile.remove_button(), Qt.MouseButton.LeftButton)
    assert "report.png" not in rig.names()
    assert rig.controller.blocking_reason() is None
    assert [t.badge_text() for t in rig.tray.tiles()] == ["1", "2", "3", "4"]
    assert rig.meter_tokens() == FRAMING + 512 + 512 + 768 + 512


def test_dropping_the_same_file_again_is_skipped(rig: Rig, qtbot: QtBot, tmp_path: Path) -> None:
    image = png(tmp_path / "same.png", (448, 448))
    assert drag_and_drop(rig.tray, file_mime(image))
    assert drag_and_drop(rig.tray, file_mime(image))
    assert rig.names() == ["same.png"]
    assert rig.notices[-1] == "Skipped same.png: already in the tray."
    qtbot.waitUntil(rig.settled, timeout=10_000)


def test_paste_an_image_from_the_clipboard(rig: Rig, qtbot: QtBot) -> None:
    image = QImage(500, 300, QImage.Format.Format_RGB32)
    image.fill(QColor("teal"))
    clipboard = QGuiApplication.clipboard()
    clipboard.setImage(image)
    try:
        qtbot.keySequence(rig.tray, QKeySequence(QKeySequence.StandardKey.Paste))
        assert len(rig.controller.items()) == 1
        qtbot.waitUntil(rig.settled, timeout=10_000)
    finally:
        clipboard.clear()
    (item,) = rig.controller.items()
    assert item.kind is SourceKind.DATA
    assert item.name == "Pasted image 1.png"
    assert item.state is AttachmentState.READY
    assert item.size == (500, 300)
    assert item.tokens == 768
    assert rig.meter_tokens() == FRAMING + 768
    assert rig.meter.accessibleDescription().startswith(
        f"{FRAMING + 768} of 32768 tokens used, estimated, {RESERVE} more kept for the reply."
    )


def test_paste_with_nothing_useful_does_nothing(rig: Rig) -> None:
    clipboard = QGuiApplication.clipboard()
    clipboard.setText("just some words")
    try:
        assert not rig.tray.paste_from_clipboard()
    finally:
        clipboard.clear()
    assert rig.controller.items() == ()


def test_drop_an_image_address(rig: Rig) -> None:
    mime = QMimeData()
    mime.setText("https://example.com/pictures/cat.png")
    assert drag_and_drop(rig.tray, mime)
    (item,) = rig.controller.items()
    assert item.kind is SourceKind.URL
    assert item.state is AttachmentState.READY
    assert item.name == "cat.png"
    assert rig.tray.tiles()[0].tokens_text() == "? tok"
    # An unknown cost is budgeted at the most an image can cost.
    assert rig.meter_tokens() == FRAMING + 1792
    assert "Unknown images: 1" in rig.meter.toolTip()

    mime = QMimeData()
    mime.setText("http://example.com/dog.png")
    assert drag_and_drop(rig.tray, mime)
    assert len(rig.controller.items()) == 1
    assert "not an https:// address" in rig.notices[-1]


def test_plain_text_is_not_accepted(rig: Rig) -> None:
    mime = QMimeData()
    mime.setText("hello there")
    assert not drag_and_drop(rig.tray, mime)
    assert rig.controller.items() == ()


def three_images(rig: Rig, qtbot: QtBot, tmp_path: Path) -> list[str]:
    paths = [
        png(tmp_path / "one.png", (448, 448), "red"),  # 512 tokens
        png(tmp_path / "two.png", (896, 448), "green"),  # 768
        png(tmp_path / "three.png", (1344, 448), "blue"),
    ]  # 1,024
    assert drag_and_drop(rig.tray, file_mime(*paths))
    qtbot.waitUntil(rig.settled, timeout=10_000)
    return [item.id for item in rig.controller.items()]


def test_reorder_by_dragging_a_tile(rig: Rig, qtbot: QtBot, tmp_path: Path) -> None:
    one, two, three = three_images(rig, qtbot, tmp_path)
    before = rig.meter_tokens()
    assert before == FRAMING + 512 + 768 + 1024

    # Drag tile 1 past the right edge of tile 3.
    last = rig.tray.tile(three)
    assert last is not None
    target = last.mapTo(rig.tray, QPoint(last.width() + 4, last.height() // 2))
    assert drag_and_drop(rig.tray, rig.tray.drag_mime(one), QPointF(target))
    assert rig.moves == [(one, 2)]
    assert [item.id for item in rig.controller.items()] == [two, three, one]
    numbers = {t.item.id: t.badge_text() for t in rig.tray.tiles()}
    assert numbers == {two: "1", three: "2", one: "3"}
    moved = rig.tray.tile(one)
    assert moved is not None
    assert moved.accessibleName() == "Image 3: one.png"
    # Parts are sent in the tray's order.
    assert [p.name for p in rig.controller.take_parts()] == ["two.png", "three.png", "one.png"]
    assert rig.meter_tokens() == before

    # Drop it in front of everything.
    first = rig.tray.tile(two)
    assert first is not None
    target = first.mapTo(rig.tray, QPoint(2, first.height() // 2))
    assert drag_and_drop(rig.tray, rig.tray.drag_mime(one), QPointF(target))
    assert [item.id for item in rig.controller.items()] == [one, two, three]

    # From the keyboard: Ctrl+Right moves the tile one place.
    qtbot.keyClick(moved, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    assert [item.id for item in rig.controller.items()] == [two, one, three]
    assert moved.badge_text() == "2"


def test_a_tile_drag_from_another_tray_is_refused(rig: Rig, qtbot: QtBot, tmp_path: Path) -> None:
    one, _, _ = three_images(rig, qtbot, tmp_path)
    other = ImageTray()
    qtbot.addWidget(other)
    assert not drag_and_drop(rig.tray, other.drag_mime(one))
    assert rig.moves == []


def test_remove_with_the_button_and_the_delete_key(rig: Rig, qtbot: QtBot, tmp_path: Path) -> None:
    one, two, three = three_images(rig, qtbot, tmp_path)

    tile = rig.tray.tile(two)
    assert tile is not None
    qtbot.mouseClick(tile.remove_button(), Qt.MouseButton.LeftButton)
    assert [item.id for item in rig.controller.items()] == [one, three]
    assert rig.meter_tokens() == FRAMING + 512 + 1024
    assert [t.badge_text() for t in rig.tray.tiles()] == ["1", "2"]

    # Select a tile with a click, then Delete on the tile.
    tile = rig.tray.tile(three)
    assert tile is not None
    qtbot.mouseClick(tile, Qt.MouseButton.LeftButton)
    assert rig.tray.selected_id() == three
    qtbot.keyClick(tile, Qt.Key.Key_Delete)
    assert [item.id for item in rig.controller.items()] == [one]
    assert rig.meter_tokens() == FRAMING + 512

    # The selection moved to the neighbour; Backspace on the tray removes it too.
    assert rig.tray.selected_id() == one
    qtbot.keyClick(rig.tray, Qt.Key.Key_Backspace)
    assert rig.controller.items() == ()
    assert rig.meter_tokens() == 3
    assert rig.tray.hint_visible()


def test_arrow_keys_move_the_selection(rig: Rig, qtbot: QtBot, tmp_path: Path) -> None:
    one, two, three = three_images(rig, qtbot, tmp_path)
    tile = rig.tray.tile(one)
    assert tile is not None
    qtbot.mouseClick(tile, Qt.MouseButton.LeftButton)
    qtbot.keyClick(tile, Qt.Key.Key_Right)
    assert rig.tray.selected_id() == two
    middle = rig.tray.tile(two)
    assert middle is not None
    qtbot.keyClick(middle, Qt.Key.Key_Right)
    assert rig.tray.selected_id() == three
    qtbot.keyClick(middle, Qt.Key.Key_Left)
    assert rig.tray.selected_id() == one
    assert [item.id for item in rig.controller.items()] == [one, two, three]


# Qt's offscreen platform cannot apply size constraints to a top-level window (the dialog).
@pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)$")
def test_add_images_opens_a_file_dialog(rig: Rig, qtbot: QtBot, tmp_path: Path) -> None:
    image = png(tmp_path / "chosen.png", (448, 448))
    button = rig.tray.findChild(QPushButton, "addImagesButton")
    assert button is not None
    assert button.text() == "Add images…"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    dialog = rig.tray.file_dialog()
    assert isinstance(dialog, QFileDialog)
    assert dialog.isVisible()
    assert dialog.fileMode() is QFileDialog.FileMode.ExistingFiles
    images_filter = dialog.nameFilters()[0]
    for pattern in ("*.png", "*.jpg", "*.jpeg", "*.PNG"):
        assert pattern in images_filter.split("(")[1].rstrip(")").split()
    dialog.filesSelected.emit([str(image)])
    dialog.reject()
    assert rig.names() == ["chosen.png"]
    qtbot.waitUntil(lambda: rig.tray.file_dialog() is None)
    qtbot.waitUntil(rig.settled, timeout=10_000)
