"""File → Batch… in the window against the demo endpoint: the forecast, the run, Stop and
Resume, chatting meanwhile, the results table and its export."""

from __future__ import annotations

import asyncio
import csv
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QImage
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTabWidget,
    QWidget,
)
from pytestqt.qtbot import QtBot
from shiboken6 import isValid
from support.sessions import demo_session
from support.turns import finished

from app.core.conversation import Status
from app.core.presets import builtin
from app.gui.session import AppSession
from app.llm.stream import RetryPolicy
from app.ui.batch_results import decode_for_viewer

MODEL_PATHS = ("/v1/responses", "/v1/chat/completions")


@pytest.fixture
def session(qtbot: QtBot, qloop: asyncio.AbstractEventLoop) -> Iterator[AppSession]:
    with demo_session(qtbot, qloop, retry=RetryPolicy(max_retries=0)) as app_session:
        yield app_session


def png(path: Path, width: int, height: int, color: tuple[int, int, int] = (200, 30, 30)) -> Path:
    Image.new("RGB", (width, height), color).save(path)
    return path


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Three good images, a damaged one, and a text file."""
    images = tmp_path / "shots"
    images.mkdir()
    png(images / "a.png", 900, 500, (10, 200, 10))
    png(images / "b.png", 448, 448)
    png(images / "d.png", 300, 1200, (10, 10, 200))
    (images / "c.png").write_bytes(b"\x89PNG\r\n\x1a\n cut short")
    (images / "notes.txt").write_text("not an image")
    return images


def model_requests(session: AppSession) -> int:
    return sum(1 for r in session.demo_server.requests if r.path in MODEL_PATHS)


def child(widget: object, kind: type, name: str) -> object:
    found = widget.findChild(kind, name)  # type: ignore[attr-defined]
    assert found is not None, name
    return found


def open_batch(qtbot: QtBot, session: AppSession) -> QDialog:
    action = child(session.window, QAction, "batchAction")
    assert isinstance(action, QAction)
    assert action in session.window.menu("file").actions()
    action.trigger()
    dialog = child(session.window, QDialog, "batchDialog")
    assert isinstance(dialog, QDialog)
    qtbot.waitUntil(dialog.isVisible, timeout=5000)
    return dialog


def add_folder(qtbot: QtBot, dialog: QDialog, folder: Path) -> None:
    qtbot.mouseClick(child(dialog, QPushButton, "batchAddFolder"), Qt.MouseButton.LeftButton)
    picker = child(dialog, QFileDialog, "batchFolderDialog")
    assert isinstance(picker, QFileDialog)
    picker.fileSelected.emit(str(folder))


def set_up(
    qtbot: QtBot,
    dialog: QDialog,
    *,
    out: Path,
    question: str = "",
    preset: str = "",
    concurrency: int = 4,
) -> None:
    if preset:
        combo = child(dialog, QComboBox, "batchPreset")
        assert isinstance(combo, QComboBox)
        combo.setCurrentIndex(combo.findData(preset))
    if question:
        qtbot.keyClicks(child(dialog, QLineEdit, "batchQuestion"), question)
    spin = child(dialog, QSpinBox, "batchConcurrency")
    assert isinstance(spin, QSpinBox)
    spin.setValue(concurrency)
    line = child(dialog, QLineEdit, "batchOut")
    assert isinstance(line, QLineEdit)
    line.setText(str(out))
    line.editingFinished.emit()


def start(qtbot: QtBot, dialog: QDialog) -> None:
    button = child(dialog, QPushButton, "batchStart")
    assert isinstance(button, QPushButton)
    qtbot.waitUntil(button.isEnabled, timeout=10_000)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    # Start may wait for the forecast; the dialog is then accepted and deleted.
    qtbot.waitUntil(lambda: not isValid(dialog) or not dialog.isVisible(), timeout=10_000)


def wait_ended(qtbot: QtBot, session: AppSession) -> None:
    qtbot.waitUntil(lambda: not session.batch_flow.controller.running, timeout=60_000)
    resume = child(session.window, QPushButton, "batchStop")
    assert isinstance(resume, QPushButton)
    qtbot.waitUntil(lambda: not resume.isEnabled(), timeout=5000)


def states(session: AppSession) -> dict[str, str]:
    table = child(session.window, QTableWidget, "batchRows")
    assert isinstance(table, QTableWidget)
    return {
        Path(table.item(row, 0).text()).name: table.item(row, 1).text()
        for row in range(table.rowCount())
    }


def jsonl(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_a_folder_with_good_and_bad_files_gives_the_right_rows_and_states(
    qtbot: QtBot, session: AppSession, folder: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out.jsonl"
    dialog = open_batch(qtbot, session)
    add_folder(qtbot, dialog, folder)
    set_up(qtbot, dialog, out=out, question="What colour?")
    start(qtbot, dialog)
    wait_ended(qtbot, session)
    assert states(session) == {"a.png": "done", "b.png": "done", "c.png": "failed", "d.png": "done"}
    rows = {Path(str(row["path"])).name: row for row in jsonl(out)}
    assert sorted(rows) == ["a.png", "b.png", "c.png", "d.png"]
    assert rows["c.png"]["status"] == "error"
    assert "c.png" in str(rows["c.png"]["error"])
    assert all(rows[name]["status"] == "ok" for name in ("a.png", "b.png", "d.png"))
    assert model_requests(session) == 3  # the damaged file never reaches the endpoint
    summary = child(session.window, QLabel, "batchSummary")
    assert "3 done, 1 failed of 4" in summary.text()  # type: ignore[attr-defined]
    resume = child(session.window, QPushButton, "batchResume")
    assert resume.isEnabled()  # type: ignore[attr-defined]


def test_stop_then_resume_sends_nothing_again_for_rows_done(
    qtbot: QtBot, session: AppSession, tmp_path: Path
) -> None:
    images = tmp_path / "many"
    images.mkdir()
    for index in range(10):
        png(images / f"{index:02d}.png", 64 + index, 64)
    out = tmp_path / "out.csv"
    dialog = open_batch(qtbot, session)
    add_folder(qtbot, dialog, images)
    set_up(qtbot, dialog, out=out, question="Colour?", concurrency=2)
    start(qtbot, dialog)
    controller = session.batch_flow.controller
    qtbot.waitUntil(lambda: controller.done >= 2, timeout=30_000)
    qtbot.mouseClick(child(session.window, QPushButton, "batchStop"), Qt.MouseButton.LeftButton)
    wait_ended(qtbot, session)
    sent_at_stop = model_requests(session)
    done_at_stop = controller.done
    assert done_at_stop < 10
    assert sent_at_stop == done_at_stop  # the requests in flight finished; no new one began
    assert "Stopped" in child(session.window, QLabel, "batchSummary").text()  # type: ignore[attr-defined]
    resume = child(session.window, QPushButton, "batchResume")
    assert isinstance(resume, QPushButton)
    qtbot.mouseClick(resume, Qt.MouseButton.LeftButton)
    wait_ended(qtbot, session)
    assert model_requests(session) == 10  # each image sent once, over both runs
    assert controller.total == 10 - done_at_stop
    with out.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert sorted(Path(row["path"]).name for row in rows) == [f"{i:02d}.png" for i in range(10)]
    assert {row["status"] for row in rows} == {"ok"}


def test_the_batch_runs_while_a_chat_turn_streams(
    qtbot: QtBot, session: AppSession, tmp_path: Path
) -> None:
    images = tmp_path / "many"
    images.mkdir()
    for index in range(12):
        png(images / f"{index:02d}.png", 80 + index, 80)
    dialog = open_batch(qtbot, session)
    add_folder(qtbot, dialog, images)
    set_up(qtbot, dialog, out=tmp_path / "out.jsonl", question="Colour?", concurrency=1)
    start(qtbot, dialog)
    controller = session.batch_flow.controller
    qtbot.waitUntil(lambda: controller.done >= 1, timeout=30_000)
    window = session.window
    window.composer.setFocus()
    window.composer.setPlainText("Hello while the batch runs")
    qtbot.waitUntil(window.send_button.isEnabled, timeout=5000)
    qtbot.keyClick(window.composer, Qt.Key.Key_Return)
    qtbot.waitUntil(finished(session, Status.COMPLETE), timeout=30_000)
    assert controller.running  # the reply arrived while the batch was still going
    assert controller.done < 12
    assert "simulat" in session.chat.conversation.messages[-1].text.lower()
    wait_ended(qtbot, session)
    assert controller.done == 12


def test_the_forecast_shows_the_dry_run_figures(
    qtbot: QtBot,
    session: AppSession,
    folder: Path,
    tmp_path: Path,
) -> None:
    out = tmp_path / "out.csv"
    dialog = open_batch(qtbot, session)
    add_folder(qtbot, dialog, folder)
    set_up(qtbot, dialog, out=out, preset="ocr")
    problem = child(dialog, QLabel, "batchProblem")
    assert isinstance(problem, QLabel)
    qtbot.waitUntil(lambda: problem.text() == "", timeout=10_000)  # the forecast is worked out
    shown = child(dialog, QPlainTextEdit, "batchForecast").toPlainText()  # type: ignore[attr-defined]
    model = session.chat.model
    args = ["batch", "--base-url", session.demo_server.base_url, "--model", model]
    args += ["--preset", "ocr", "--dry-run", "--out", str(out), str(folder)]
    result = subprocess.run(
        [sys.executable, "-m", "app", *args],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    printed = result.stdout
    assert "image tokens:" in printed
    assert "total:" in printed
    lines = [line for line in shown.splitlines() if not line.startswith("skipped")]
    assert lines == printed.splitlines()
    assert model_requests(session) == 0


def test_a_json_preset_gives_one_column_per_field_and_the_export_writes_the_file(
    qtbot: QtBot, session: AppSession, tmp_path: Path
) -> None:
    images = tmp_path / "receipts"
    images.mkdir()
    png(images / "r1.png", 600, 800, (250, 250, 250))
    png(images / "r2.png", 500, 700, (240, 240, 240))
    dialog = open_batch(qtbot, session)
    add_folder(qtbot, dialog, images)
    set_up(qtbot, dialog, out=tmp_path / "items.jsonl", preset="invoice-json")
    start(qtbot, dialog)
    wait_ended(qtbot, session)
    tabs = child(session.window, QTabWidget, "batchTabs")
    assert isinstance(tabs, QTabWidget)
    tabs.setCurrentIndex(1)
    results = child(session.window, QWidget, "batchResults")
    table = child(results, QTableWidget, "jsonViewTable")
    assert isinstance(table, QTableWidget)
    preset = builtin("invoice-json")
    assert preset is not None
    assert preset.schema is not None
    fields = list(preset.schema["properties"])
    headers = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    assert headers[:2] == ["path", "status"]
    assert headers[2 : 2 + len(fields)] == fields
    assert "reply" not in headers
    assert table.rowCount() == 2
    vendor = headers.index("vendor")
    assert all(table.item(row, vendor).text() for row in range(2))
    # Export CSV writes the table.
    target = tmp_path / "export.csv"
    qtbot.mouseClick(child(results, QPushButton, "jsonExportCsv"), Qt.MouseButton.LeftButton)
    saver = child(results, QFileDialog, "jsonExportDialog-csv")
    assert isinstance(saver, QFileDialog)
    saver.selectFile(str(target))
    saver.accept()
    qtbot.waitUntil(target.exists, timeout=5000)
    header = target.read_text(encoding="utf-8").splitlines()[0]
    assert header.split(",")[:3] == ["path", "status", fields[0]]
    # A row opens its image beside its reply.
    table.setCurrentCell(0, 0)
    qtbot.mouseClick(child(results, QPushButton, "batchOpenRow"), Qt.MouseButton.LeftButton)
    viewer = child(results, QDialog, "batchResultViewer")
    qtbot.waitUntil(viewer.isVisible, timeout=5000)  # type: ignore[attr-defined]
    reply = child(viewer, QPlainTextEdit, "batchResultReply").toPlainText()  # type: ignore[attr-defined]
    assert json.loads(reply)["vendor"]
    # Its image is decoded on a worker thread and shown when it is ready, whole, as large as
    # the viewer has room for (r1 is 600×800).
    picture = child(viewer, QLabel, "batchResultImage")
    assert isinstance(picture, QLabel)
    qtbot.waitUntil(lambda: not picture.pixmap().isNull(), timeout=5000)
    shown = picture.pixmap().size()
    assert shown.width() <= picture.width()
    assert shown.height() <= picture.height()
    assert max(shown.width(), shown.height()) >= 200
    assert shown.width() / shown.height() == pytest.approx(600 / 800, abs=0.01)
    viewer.close()  # type: ignore[attr-defined]


def test_stop_pressed_twice_stops_the_requests_in_flight_and_the_file_stays_whole(
    qtbot: QtBot, session: AppSession, tmp_path: Path
) -> None:
    images = tmp_path / "many"
    images.mkdir()
    for index in range(8):
        png(images / f"{index:02d}.png", 70 + index, 70)
    out = tmp_path / "out.jsonl"
    dialog = open_batch(qtbot, session)
    add_folder(qtbot, dialog, images)
    set_up(qtbot, dialog, out=out, question="Colour?", concurrency=2)
    start(qtbot, dialog)
    controller = session.batch_flow.controller
    qtbot.waitUntil(lambda: model_requests(session) > controller.done, timeout=30_000)
    stop = child(session.window, QPushButton, "batchStop")
    assert isinstance(stop, QPushButton)
    qtbot.mouseClick(stop, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(stop, Qt.MouseButton.LeftButton)
    wait_ended(qtbot, session)
    assert controller.done < 8
    rows = jsonl(out)  # every line a whole row
    assert len(rows) == controller.done
    assert "Stopped" in child(session.window, QLabel, "batchSummary").text()  # type: ignore[attr-defined]
    shown = states(session)
    assert "sending" not in shown.values()
    assert list(shown.values()).count("not sent") == 8 - controller.done


def test_the_viewer_decodes_turned_scaled_or_says_why_not(qtbot: QtBot, tmp_path: Path) -> None:
    photo = tmp_path / "photo.jpg"
    exif = Image.Exif()
    exif[0x0112] = 6  # the camera was turned: shown 90° clockwise
    Image.new("RGB", (2000, 1000), (90, 90, 90)).save(photo, exif=exif)
    picture = decode_for_viewer(str(photo))
    assert isinstance(picture, QImage)
    assert picture.height() > picture.width()  # turned as its EXIF says
    assert max(picture.width(), picture.height()) <= 720
    damaged = tmp_path / "damaged.png"
    damaged.write_bytes(b"\x89PNG\r\n\x1a\n cut short")
    why = decode_for_viewer(str(damaged))
    assert isinstance(why, str)
    assert why
