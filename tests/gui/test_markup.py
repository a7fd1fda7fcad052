"""Marking up and redacting a tray image in its preview: drawn with the real mouse and keys,
burned into the image in the tray, and covered in what reaches the endpoint."""

from __future__ import annotations

import asyncio
import base64
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from PySide6.QtCore import QPoint, QPointF, QSize, Qt
from pytestqt.qtbot import QtBot
from support.qtevents import drag_and_drop, file_mime
from support.sessions import demo_session
from support.turns import finished

from app.core.conversation import Status
from app.core.markup import MARK_COLOURS, RED, RectMark, RedactMark, TextMark, stroke_width
from app.gui.session import AppSession
from app.ui.image_preview import ImagePreview
from app.ui.markup_canvas import MarkupCanvas, Tool
from app.ui.tile_canvas import MARGIN

SIZE = (1920, 1080)
SECRET = (255, 255, 255)  # the panel that must not leave: white, with grey "text" lines


@pytest.fixture
def session(qtbot: QtBot, qloop: asyncio.AbstractEventLoop) -> Iterator[AppSession]:
    with demo_session(qtbot, qloop) as app_session:
        yield app_session


def picture(path: Path) -> Path:
    im = Image.new("RGB", SIZE, (40, 140, 90))
    im.paste(SECRET, (600, 300, 900, 500))
    for y in range(320, 480, 20):
        im.paste((90, 90, 90), (620, y, 880, y + 8))
    im.save(path, "PNG")
    return path


def opened(qtbot: QtBot, session: AppSession, path: Path) -> tuple[str, ImagePreview]:
    assert drag_and_drop(session.window.tray, file_mime(path))
    qtbot.waitUntil(lambda: all(i.sendable for i in session.attachments.items()), timeout=10_000)
    (item,) = session.attachments.items()
    tile = session.window.tray.tile(item.id)
    assert tile is not None
    qtbot.mouseDClick(tile, Qt.MouseButton.LeftButton)
    flow = session.preview_flow
    qtbot.waitUntil(lambda: flow.dialog is not None)
    dialog = flow.dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.canvas.has_image, timeout=5000)
    # One view pixel is exactly two sent pixels.
    canvas = dialog.canvas
    wanted = QSize(SIZE[0] // 2 + 2 * MARGIN, SIZE[1] // 2 + 2 * MARGIN)
    dialog.resize(dialog.size() + (wanted - canvas.size()))
    qtbot.waitUntil(lambda: canvas.size() == wanted)
    assert canvas.scale() == 0.5
    return item.id, dialog


def view(canvas: MarkupCanvas, x: int, y: int) -> QPoint:
    return canvas.to_view(QPointF(x, y)).toPoint()


def drag(qtbot: QtBot, canvas: MarkupCanvas, start: tuple[int, int], end: tuple[int, int]) -> None:
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=view(canvas, *start))
    middle = ((start[0] + end[0]) // 2, (start[1] + end[1]) // 2)
    qtbot.mouseMove(canvas, view(canvas, *middle))
    qtbot.mouseMove(canvas, view(canvas, *end))
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=view(canvas, *end))


def choose(qtbot: QtBot, canvas: MarkupCanvas, key: Qt.Key, tool: Tool | None) -> None:
    canvas.setFocus()
    qtbot.keyClick(canvas, key)
    qtbot.waitUntil(lambda: canvas.tool() is tool, timeout=2000)


def decoded(data: bytes) -> Image.Image:
    with Image.open(io.BytesIO(data)) as im:
        return im.convert("RGB")


def data_urls(body: Any) -> list[str]:
    """Every image data URL anywhere in a request body."""
    if isinstance(body, str):
        return [body] if body.startswith("data:image/") else []
    if isinstance(body, dict):
        return [url for value in body.values() for url in data_urls(value)]
    if isinstance(body, list):
        return [url for value in body for url in data_urls(value)]
    return []


def test_marks_and_a_redaction_are_burned_in_and_sent_covered(
    qtbot: QtBot, session: AppSession, tmp_path: Path
) -> None:
    item_id, dialog = opened(qtbot, session, picture(tmp_path / "account.png"))
    canvas = dialog.canvas
    before = session.attachments.item(item_id)
    assert before is not None
    assert before.tokens is not None
    stroke = stroke_width(*SIZE)

    choose(qtbot, canvas, Qt.Key.Key_R, Tool.RECTANGLE)
    assert dialog.tools.button(Tool.RECTANGLE).isChecked()
    drag(qtbot, canvas, (100, 100), (300, 200))
    assert canvas.edit.marks == (RectMark((100, 100, 300, 200), stroke),)
    choose(qtbot, canvas, Qt.Key.Key_X, Tool.REDACT)
    drag(qtbot, canvas, (900, 500), (600, 300))  # from any corner
    assert canvas.edit.marks[-1] == RedactMark((600, 300, 900, 500))
    # The canvas shows the region black already.
    shown = canvas.grab().toImage().pixelColor(view(canvas, 750, 400))
    assert (shown.red(), shown.green(), shown.blue()) == (0, 0, 0)

    # Undo and redo, by keys and by buttons.
    qtbot.keyClick(canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: len(canvas.edit.marks) == 1, timeout=2000)
    assert dialog.tools.redo_button.isEnabled()
    qtbot.keyClick(
        canvas,
        Qt.Key.Key_Z,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    qtbot.waitUntil(lambda: len(canvas.edit.marks) == 2, timeout=2000)
    qtbot.mouseClick(dialog.tools.undo_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.tools.undo_button, Qt.MouseButton.LeftButton)
    assert canvas.edit.marks == ()
    assert not dialog.tools.apply_button.isEnabled()
    qtbot.mouseClick(dialog.tools.redo_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.tools.redo_button, Qt.MouseButton.LeftButton)
    assert len(canvas.edit.marks) == 2
    choose(qtbot, canvas, Qt.Key.Key_Escape, None)  # Esc leaves the tool, the preview stays
    assert session.preview_flow.dialog is dialog

    qtbot.mouseClick(dialog.tools.apply_button, Qt.MouseButton.LeftButton)

    def marked() -> bool:
        item = session.attachments.item(item_id)
        return item is not None and item.prepared is not None

    qtbot.waitUntil(marked, timeout=10_000)
    item = session.attachments.item(item_id)
    assert item is not None
    assert item.prepared is not None
    assert item.size == SIZE
    assert item.tokens == before.tokens  # the same size, the same price
    assert item.notes[0] == "marked up (1 mark), 1 region redacted"
    assert item.location == ""  # a redaction lets go of the file: the history keeps no copy
    assert before.prepared is not None
    assert item.prepared.sha256 != before.prepared.sha256
    sent = decoded(item.prepared.data)
    assert sent.crop((600, 300, 900, 500)).getcolors() == [(300 * 200, (0, 0, 0))]
    assert sent.getpixel((101, 150)) == RED  # the rectangle's left edge
    assert sent.getpixel((200, 150)) == (40, 140, 90)  # its inside, untouched
    assert sent.getpixel((1200, 650)) == (40, 140, 90)
    assert Image.open(tmp_path / "account.png").getpixel((700, 310)) == SECRET  # file as it was
    # The preview shows the new image, with no marks left to apply.
    qtbot.waitUntil(lambda: canvas.has_image() and not canvas.edit.marks, timeout=5000)

    dialog.close()
    window = session.window
    window.composer.setFocus()
    window.composer.setPlainText("Is the account number hidden?")
    qtbot.waitUntil(window.send_button.isEnabled, timeout=5000)
    qtbot.keyClick(window.composer, Qt.Key.Key_Return)
    qtbot.waitUntil(finished(session, Status.COMPLETE), timeout=30_000)
    request = session.demo_server.requests[-1]
    assert request.image_sizes == [SIZE]
    (url,) = data_urls(request.body)
    received = decoded(base64.b64decode(url.split(",", 1)[1]))
    assert received.crop((600, 300, 900, 500)).getcolors() == [(300 * 200, (0, 0, 0))]


def test_text_numbers_arrows_and_pixelation_with_mouse_and_keyboard(
    qtbot: QtBot, session: AppSession, tmp_path: Path
) -> None:
    item_id, dialog = opened(qtbot, session, picture(tmp_path / "form.png"))
    canvas = dialog.canvas
    location = session.attachments.item(item_id)
    assert location is not None

    choose(qtbot, canvas, Qt.Key.Key_N, Tool.NUMBER)
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=view(canvas, 200, 400))
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=view(canvas, 400, 400))
    assert [m.number for m in canvas.edit.marks if hasattr(m, "number")] == [1, 2]

    choose(qtbot, canvas, Qt.Key.Key_A, Tool.ARROW)
    # The keyboard: an arrow key makes a region, Enter draws the tool's mark across it.
    qtbot.keyClick(canvas, Qt.Key.Key_Right)
    qtbot.keyClick(canvas, Qt.Key.Key_Return)
    assert canvas.edit.marks[-1].start == (480, 270)  # type: ignore[union-attr]
    assert canvas.edit.marks[-1].end == (1440, 810)  # type: ignore[union-attr]

    choose(qtbot, canvas, Qt.Key.Key_T, Tool.TEXT)
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=view(canvas, 100, 600))
    entry = canvas.text_entry()
    assert entry is not None
    qtbot.waitUntil(entry.hasFocus, timeout=2000)
    qtbot.keyClicks(entry, "Why?")
    qtbot.keyClick(entry, Qt.Key.Key_Return)
    assert canvas.edit.marks[-1] == TextMark((100, 600), "Why?", stroke_width(*SIZE))
    assert canvas.text_entry() is None

    dialog.tools._style.setCurrentIndex(1)  # Pixelate
    choose(qtbot, canvas, Qt.Key.Key_X, Tool.REDACT)
    drag(qtbot, canvas, (600, 300), (900, 500))
    assert len(canvas.edit.marks) == 5
    qtbot.mouseClick(dialog.tools.apply_button, Qt.MouseButton.LeftButton)

    def marked() -> bool:
        item = session.attachments.item(item_id)
        return item is not None and item.prepared is not None

    qtbot.waitUntil(marked, timeout=10_000)
    item = session.attachments.item(item_id)
    assert item is not None
    assert item.prepared is not None
    sent = decoded(item.prepared.data)
    # Blocks of 67 px (a third of the 200-px side): each one colour, the grey lines gone.
    for bx in range(600, 900, 67):
        for by in range(300, 500, 67):
            block = sent.crop((bx, by, min(900, bx + 67), min(500, by + 67)))
            assert len(block.getcolors() or []) == 1
    assert (90, 90, 90) not in {c for _, c in sent.crop((600, 300, 900, 500)).getcolors() or []}
    assert sent.getpixel((200, 400)) == RED  # marker 1
    assert sent.getpixel((960, 540)) == RED  # the arrow's shaft, half way


def test_marks_without_redaction_keep_the_file_as_the_original(
    qtbot: QtBot, session: AppSession, tmp_path: Path
) -> None:
    path = picture(tmp_path / "chart.png")
    item_id, dialog = opened(qtbot, session, path)
    canvas = dialog.canvas
    choose(qtbot, canvas, Qt.Key.Key_R, Tool.RECTANGLE)
    drag(qtbot, canvas, (100, 100), (300, 200))
    qtbot.mouseClick(dialog.tools.apply_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: (
            (item := session.attachments.item(item_id)) is not None and item.prepared is not None
        ),
        timeout=10_000,
    )
    item = session.attachments.item(item_id)
    assert item is not None
    assert item.location == str(path)  # sent marked; the history keeps the file beside it
    assert item.notes == ("marked up (1 mark)",)


def test_switching_tools_by_key_draws_with_the_new_tool(
    qtbot: QtBot, session: AppSession, tmp_path: Path
) -> None:
    _, dialog = opened(qtbot, session, picture(tmp_path / "switch.png"))
    canvas = dialog.canvas
    choose(qtbot, canvas, Qt.Key.Key_X, Tool.REDACT)
    drag(qtbot, canvas, (100, 100), (300, 200))
    qtbot.keyClick(canvas, Qt.Key.Key_R)  # fast hands: the drag follows the key at once
    drag(qtbot, canvas, (600, 300), (900, 500))
    assert isinstance(canvas.edit.marks[0], RedactMark)
    assert canvas.edit.marks[1] == RectMark((600, 300, 900, 500), stroke_width(*SIZE))


def test_marks_take_the_colour_chosen_by_key_or_list_and_are_sent_in_it(
    qtbot: QtBot, session: AppSession, tmp_path: Path
) -> None:
    item_id, dialog = opened(qtbot, session, picture(tmp_path / "colours.png"))
    canvas = dialog.canvas
    colour = dialog.tools.colour
    assert colour.objectName() == "markupColour"
    assert colour.currentText() == "Red"
    choose(qtbot, canvas, Qt.Key.Key_R, Tool.RECTANGLE)
    drag(qtbot, canvas, (100, 100), (300, 200))
    # C: the next colour, for the marks drawn next; the list sets it too.
    qtbot.keyClick(canvas, Qt.Key.Key_C)
    assert colour.currentText() == "Orange"
    drag(qtbot, canvas, (400, 100), (560, 200))
    colour.setCurrentIndex(colour.findText("Blue"))
    choose(qtbot, canvas, Qt.Key.Key_A, Tool.ARROW)
    drag(qtbot, canvas, (100, 600), (500, 600))
    rgb = dict(MARK_COLOURS)
    assert [m.colour for m in canvas.edit.marks] == [RED, rgb["Orange"], rgb["Blue"]]  # type: ignore[union-attr]

    qtbot.mouseClick(dialog.tools.apply_button, Qt.MouseButton.LeftButton)

    def marked() -> bool:
        item = session.attachments.item(item_id)
        return item is not None and item.prepared is not None and bool(item.notes)

    qtbot.waitUntil(marked, timeout=10_000)
    item = session.attachments.item(item_id)
    assert item is not None
    assert item.prepared is not None
    sent = decoded(item.prepared.data)
    assert sent.getpixel((101, 150)) == RED
    assert sent.getpixel((401, 150)) == rgb["Orange"]
    assert sent.getpixel((300, 600)) == rgb["Blue"]  # on the arrow's shaft


def test_one_mark_is_moved_recoloured_and_deleted_with_the_move_tool(
    qtbot: QtBot, session: AppSession, tmp_path: Path
) -> None:
    item_id, dialog = opened(qtbot, session, picture(tmp_path / "move.png"))
    canvas = dialog.canvas
    stroke = stroke_width(*SIZE)
    choose(qtbot, canvas, Qt.Key.Key_R, Tool.RECTANGLE)
    drag(qtbot, canvas, (100, 100), (300, 200))
    drag(qtbot, canvas, (400, 400), (500, 500))
    choose(qtbot, canvas, Qt.Key.Key_M, Tool.MOVE)
    assert dialog.tools.button(Tool.MOVE).isChecked()
    assert canvas.mover.picked == 1  # the last mark, at first
    assert "Delete" in dialog.selection_text()

    # A drag on the first rectangle moves it (and nothing is drawn).
    drag(qtbot, canvas, (200, 100), (300, 160))
    assert canvas.edit.marks == (
        RectMark((200, 160, 400, 260), stroke),
        RectMark((400, 400, 500, 500), stroke),
    )
    assert canvas.mover.picked == 0
    # The keyboard: Page Down picks the next, arrows move it by a fiftieth of the image.
    qtbot.keyClick(canvas, Qt.Key.Key_PageDown)
    assert canvas.mover.picked == 1
    qtbot.keyClick(canvas, Qt.Key.Key_Left)
    step = max(SIZE) // 50
    assert canvas.edit.marks[1] == RectMark((400 - step, 400, 500 - step, 500), stroke)
    # The colour list recolours the picked mark; Delete removes it; Ctrl+Z brings it back.
    dialog.tools.colour.setCurrentIndex(dialog.tools.colour.findText("Blue"))
    blue = dict(MARK_COLOURS)["Blue"]
    assert canvas.edit.marks[1].colour == blue  # type: ignore[union-attr]
    qtbot.keyClick(canvas, Qt.Key.Key_Delete)
    assert len(canvas.edit.marks) == 1
    qtbot.keyClick(canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: len(canvas.edit.marks) == 2, timeout=2000)

    qtbot.mouseClick(dialog.tools.apply_button, Qt.MouseButton.LeftButton)

    def marked() -> bool:
        item = session.attachments.item(item_id)
        return item is not None and item.prepared is not None and bool(item.notes)

    qtbot.waitUntil(marked, timeout=10_000)
    item = session.attachments.item(item_id)
    assert item is not None
    assert item.prepared is not None
    sent = decoded(item.prepared.data)
    assert sent.getpixel((201, 200)) == RED  # the moved rectangle's left edge
    assert sent.getpixel((101, 150)) != RED  # nothing left where it was
    assert sent.getpixel((400 - step + 1, 450)) == blue
