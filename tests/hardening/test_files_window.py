"""Hostile files given to the real window: dropped on its tray (real drag and drop events) and
pasted into its composer (the real clipboard, with file URLs or with image data).

Every case starts from a draft the user cares about (a question typed, a good screenshot in
the tray) and checks, once the app has looked at the file: the window is still up; the file is
sent as it is, changed to fit with the tile saying how, or refused with its name and the reason
in the tile, in the notice and in Send's reason; the draft and the good screenshot are intact;
and, the refused file removed, Send sends everything else to the demo endpoint.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from hardening import corpus
from hardening.corpus import Case, Outcome
from hardening.running import Running
from PySide6.QtCore import QByteArray, QMimeData
from PySide6.QtGui import QColor, QImage
from pytestqt.qtbot import QtBot
from support.qtevents import drag_and_drop, file_mime

from app.core.attachment import AttachmentState
from app.core.conversation import Status
from app.store.history import HistoryStore
from app.store.paths import data_directory

DRAFT = "What is wrong with these screenshots?"
GOOD = (448, 448)


@pytest.fixture
def app(qtbot: QtBot, qloop: asyncio.AbstractEventLoop) -> Iterator[Running]:
    running = Running(qtbot, qloop)
    yield running
    running.close()


def start_draft(app: Running, tmp_path: Path) -> None:
    """A typed question and a good screenshot in the tray, as a user would have them."""
    app.window.composer.setPlainText(DRAFT)
    assert drag_and_drop(app.window.tray, file_mime(corpus.good_png(tmp_path)))


def check_tray(app: Running, case: Case, name: str) -> None:
    """What the window shows once it has looked at the file called `name`."""
    app.wait_settled()
    assert app.window.isVisible()
    assert [item.name for item in app.items()] == ["good.png", name]
    good = app.item_named("good.png")
    assert good.state is AttachmentState.READY
    assert good.size == GOOD
    assert good.tokens == 512
    assert app.window.composer.toPlainText() == DRAFT
    item, tile = app.item_named(name), app.tile_named(name)
    if case.outcome is Outcome.REFUSED:
        assert item.state is AttachmentState.FAILED
        assert item.error is not None
        assert case.words in item.error
        assert tile.state_text() == f"Failed: {item.error}"
        assert name in app.notice()
        assert case.words in app.notice()
        reason = app.window.send_reason.text()
        assert not app.window.send_button.isEnabled()
        assert name in reason
        assert case.words in reason
        return
    assert item.size == case.sent_size
    if case.outcome is Outcome.FITTED:
        assert item.state is AttachmentState.FITTED
        assert any(case.words in note for note in item.notes), item.notes
        assert case.words.lower() in tile.state_text().lower()
    else:
        assert item.state is AttachmentState.READY, item.error


def send_the_rest(app: Running, case: Case, name: str) -> None:
    """Remove a refused file with its ×; Send; the rest reaches the server in order."""
    expected = [GOOD]
    if case.outcome is Outcome.REFUSED:
        app.remove(name)
    else:
        assert case.sent_size is not None
        expected.append(case.sent_size)
    reply = app.ask()
    assert reply.status is Status.COMPLETE, reply.error
    question = app.messages[-2]
    assert question.text == DRAFT
    assert [part.name for part in question.images] == ["good.png", name][: len(expected)]
    assert app.session.demo_server.model_requests[-1].image_sizes == expected
    assert not app.items()


@pytest.mark.parametrize("case", corpus.params())
def test_dropped_on_the_tray(case: Case, app: Running, tmp_path: Path) -> None:
    start_draft(app, tmp_path)
    folder = tmp_path / "corpus"
    folder.mkdir()
    path = case.make(folder)
    assert drag_and_drop(app.window.tray, file_mime(path))
    check_tray(app, case, path.name)
    send_the_rest(app, case, path.name)


# The 60-MP screenshot is pasted as image data below; as a file it takes the path of a drop.
@pytest.mark.parametrize("case", corpus.params(but=("screenshot_60mp",)))
def test_pasted_as_a_file(case: Case, app: Running, tmp_path: Path) -> None:
    start_draft(app, tmp_path)
    folder = tmp_path / "corpus"
    folder.mkdir()
    path = case.make(folder)
    app.paste(file_mime(path))
    check_tray(app, case, path.name)  # the composer got no text: the draft is as typed
    send_the_rest(app, case, path.name)


@pytest.mark.parametrize("case", corpus.params(as_bytes=True))
def test_pasted_as_image_data(case: Case, app: Running, tmp_path: Path) -> None:
    """As a screenshot tool or a browser offers a picture: its bytes, declared image/png
    whatever they really are."""
    start_draft(app, tmp_path)
    folder = tmp_path / "corpus"
    folder.mkdir()
    data = case.make(folder).read_bytes()
    mime = QMimeData()
    mime.setData("image/png", QByteArray(data))
    app.paste(mime)
    if not data:
        # An empty offer is no offer: nothing is added and nothing else changes.
        app.wait_settled()
        assert [item.name for item in app.items()] == ["good.png"]
        assert app.window.composer.toPlainText() == DRAFT
        return
    check_tray(app, case, "Pasted image 1.png")
    send_the_rest(app, case, "Pasted image 1.png")


def test_a_picture_pasted_as_pixels_is_encoded_off_the_gui_thread(
    app: Running, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As screenshot tools put a picture on the clipboard: pixels only, no encoded bytes.
    Encoding a 60-MP one as PNG took seconds; the GUI thread must not be the one doing it."""
    from app.controllers import attachments

    encoded_on: list[str] = []
    png_of = attachments.png_of

    def recording(picture: QImage, name: str) -> bytes:
        encoded_on.append(threading.current_thread().name)
        return png_of(picture, name)

    monkeypatch.setattr(attachments, "png_of", recording)
    start_draft(app, tmp_path)
    picture = QImage(2400, 1500, QImage.Format.Format_RGB32)
    picture.fill(QColor("orange"))
    mime = QMimeData()
    mime.setImageData(picture)
    app.paste(mime)
    app.wait_settled()
    assert [item.name for item in app.items()] == ["good.png", "Pasted image 1.png"]
    pasted = app.item_named("Pasted image 1.png")
    assert pasted.state is AttachmentState.READY
    assert pasted.size == (2400, 1500)
    assert pasted.tokens == 256 * 7
    assert len(encoded_on) == 1
    assert encoded_on[0] != threading.main_thread().name
    assert app.window.composer.toPlainText() == DRAFT


def test_a_folder_dropped_then_pasted(app: Running, tmp_path: Path) -> None:
    start_draft(app, tmp_path)
    folder = tmp_path / "album"
    folder.mkdir()
    corpus.good_png(folder, "inside.png", (300, 200))
    (folder / "broken.png").write_text("not a picture")
    (folder / "readme.txt").write_text("not an image either")
    (folder / "nested").mkdir()
    corpus.good_png(folder / "nested", "deeper.png")
    assert drag_and_drop(app.window.tray, file_mime(folder))
    assert app.notice() == (
        "Added 2 images from the folder album. Skipped 1 file that is not an image."
    )
    app.wait_settled()
    assert [item.name for item in app.items()] == ["good.png", "broken.png", "inside.png"]
    broken = app.item_named("broken.png")
    assert broken.failed
    assert broken.error is not None
    assert "not an image" in broken.error
    assert "broken.png" in app.notice()
    app.paste(file_mime(folder))  # the same folder again: nothing is added twice
    assert app.notice().startswith("Added 0 images from the folder album.")
    assert "Skipped broken.png, inside.png: already in the tray." in app.notice()
    assert len(app.items()) == 3
    assert app.window.composer.toPlainText() == DRAFT
    app.remove("broken.png")
    reply = app.ask()
    assert reply.status is Status.COMPLETE, reply.error
    assert app.session.demo_server.model_requests[-1].image_sizes == [GOOD, (300, 200)]


def test_a_file_deleted_between_drop_and_send(app: Running, tmp_path: Path, qtbot: QtBot) -> None:
    start_draft(app, tmp_path)
    at_once = corpus.good_png(tmp_path, "deleted at once.png", (200, 100))
    later = corpus.good_png(tmp_path, "deleted before send.png", (300, 200))
    assert drag_and_drop(app.window.tray, file_mime(at_once, later))
    # Before the app read a byte of it: its work waits for the event loop, which has not run.
    at_once.unlink()
    app.wait_settled()
    gone = app.item_named("deleted at once.png")
    assert gone.failed
    assert gone.error == "file not found"
    assert "deleted at once.png" in app.notice()
    assert "file not found" in app.notice()
    # Once read, the tray holds the bytes that will be sent: deleting the file loses nothing.
    assert app.item_named("deleted before send.png").state is AttachmentState.READY
    later.unlink()
    app.remove("deleted at once.png")
    reply = app.ask()
    assert reply.status is Status.COMPLETE, reply.error
    assert app.session.demo_server.model_requests[-1].image_sizes == [GOOD, (300, 200)]
    # The history keeps the question with both images as sent (the deleted original is
    # simply not kept).
    conv_id = app.session.chat.conversation.id

    def stored_images() -> list[str]:
        with HistoryStore(data_directory(), read_only=True) as store:
            question = store.load_conversation(conv_id).messages[0]
        return [part.name for part in question.images if part.image is not None]

    qtbot.waitUntil(
        lambda: stored_images() == ["good.png", "deleted before send.png"], timeout=10_000
    )


@pytest.mark.slow
def test_two_hundred_files_at_once(app: Running, tmp_path: Path) -> None:
    start_draft(app, tmp_path)
    paths = corpus.many_pngs(tmp_path / "shots", 200)
    assert drag_and_drop(app.window.tray, file_mime(*paths))
    app.wait_settled()
    items = app.items()
    assert len(items) == 201
    assert len(app.window.tray.tiles()) == 201
    assert all(item.state is AttachmentState.READY for item in items)
    assert app.window.composer.toPlainText() == DRAFT
    # Files picked one by one are all kept; Send says what to do.
    assert not app.window.send_button.isEnabled()
    assert app.window.send_reason.text() == (
        "201 images attached, but a message takes at most 10 — remove 191"
    )
    app.paste(file_mime(*paths))  # all of them again, pasted: each is already there
    assert (
        app.notice() == "Skipped shot 000.png, shot 001.png, shot 002.png and 197 more: "
        "already in the tray."
    )
    assert len(app.items()) == 201
    for item in items[10:]:
        app.window.tray.removeRequested.emit(item.id)  # what each tile's × does
    reply = app.ask()
    assert reply.status is Status.COMPLETE, reply.error
    assert app.session.demo_server.model_requests[-1].image_sizes == [GOOD] + [(64, 48)] * 9
