"""File → Batch… typed by hand: Start follows the last key of the output file's name, Enter
pressed at once starts the batch; and the batch's money counts in the meter's "today"."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QFileDialog, QLabel, QLineEdit, QPushButton
from pytestqt.qtbot import QtBot
from support.sessions import demo_session

from app.core.batch_rows import Outcome
from app.core.meter import short_usd
from app.gui.session import AppSession
from app.llm.stream import RetryPolicy
from app.store.usage_ledger import UsageLedger


@pytest.fixture
def session(qtbot: QtBot, qloop: asyncio.AbstractEventLoop) -> Iterator[AppSession]:
    with demo_session(qtbot, qloop, retry=RetryPolicy(max_retries=0)) as app_session:
        yield app_session


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    images = tmp_path / "shots"
    images.mkdir()
    for name, size in (("a.png", (900, 500)), ("b.png", (448, 448)), ("c.png", (300, 1200))):
        Image.new("RGB", size, (200, 30, 30)).save(images / name)
    return images


def found(widget: object, kind: type, name: str) -> object:
    child = widget.findChild(kind, name)  # type: ignore[attr-defined]
    assert child is not None, name
    return child


def open_with_folder(qtbot: QtBot, session: AppSession, folder: Path) -> QDialog:
    action = found(session.window, QAction, "batchAction")
    assert isinstance(action, QAction)
    action.trigger()
    dialog = found(session.window, QDialog, "batchDialog")
    assert isinstance(dialog, QDialog)
    qtbot.waitUntil(dialog.isVisible, timeout=5000)
    add = found(dialog, QPushButton, "batchAddFolder")
    assert isinstance(add, QPushButton)
    qtbot.mouseClick(add, Qt.MouseButton.LeftButton)
    picker = found(dialog, QFileDialog, "batchFolderDialog")
    assert isinstance(picker, QFileDialog)
    picker.fileSelected.emit(str(folder))
    question = found(dialog, QLineEdit, "batchQuestion")
    assert isinstance(question, QLineEdit)
    qtbot.keyClicks(question, "What colour?")
    return dialog


def test_start_follows_each_key_of_the_output_name(
    qtbot: QtBot, session: AppSession, folder: Path, tmp_path: Path
) -> None:
    dialog = open_with_folder(qtbot, session, folder)
    out = found(dialog, QLineEdit, "batchOut")
    start = found(dialog, QPushButton, "batchStart")
    problem = found(dialog, QLabel, "batchProblem")
    assert isinstance(out, QLineEdit)
    assert isinstance(start, QPushButton)
    assert isinstance(problem, QLabel)
    out.setFocus()
    qtbot.keyClicks(out, str(tmp_path / "rows."))
    assert not start.isEnabled()  # no focus change, no wait: checked as typed
    assert "must end in .csv or .jsonl" in problem.text()
    qtbot.keyClicks(out, "csv")
    assert start.isEnabled()
    assert "must end" not in problem.text()
    qtbot.keyClick(out, Qt.Key.Key_Backspace)
    assert not start.isEnabled()
    assert f"{tmp_path / 'rows.cs'}: the file must end in .csv or .jsonl." in problem.text()
    assert session.batch_flow.controller.total == 0  # nothing ran meanwhile


def test_enter_right_after_typing_the_name_starts_the_batch(
    qtbot: QtBot, session: AppSession, folder: Path, tmp_path: Path
) -> None:
    dialog = open_with_folder(qtbot, session, folder)
    out = found(dialog, QLineEdit, "batchOut")
    assert isinstance(out, QLineEdit)
    out.setFocus()
    qtbot.keyClicks(out, str(tmp_path / "rows.jsonl"))
    qtbot.keyClick(out, Qt.Key.Key_Return)  # no wait: the forecast has not run yet
    flow = session.batch_flow
    qtbot.waitUntil(lambda: flow.dialog is None, timeout=10_000)  # accepted, then deleted
    assert flow.plan is not None
    assert flow.plan.out == tmp_path / "rows.jsonl"
    qtbot.waitUntil(
        lambda: not flow.controller.running and flow.controller.done == 3, timeout=60_000
    )
    assert (tmp_path / "rows.jsonl").read_text(encoding="utf-8").count("\n") == 3


def test_enter_with_a_wrong_name_says_why_and_sends_nothing(
    qtbot: QtBot, session: AppSession, folder: Path, tmp_path: Path
) -> None:
    dialog = open_with_folder(qtbot, session, folder)
    out = found(dialog, QLineEdit, "batchOut")
    problem = found(dialog, QLabel, "batchProblem")
    assert isinstance(out, QLineEdit)
    assert isinstance(problem, QLabel)
    out.setFocus()
    qtbot.keyClicks(out, str(tmp_path / "rows.txt"))
    qtbot.keyClick(out, Qt.Key.Key_Return)
    assert dialog.isVisible()
    assert "must end in .csv or .jsonl" in problem.text()
    assert out.text() == str(tmp_path / "rows.txt")  # kept, to mend
    assert session.batch_flow.plan is None


def test_a_window_batch_adds_its_spending_to_today(
    qtbot: QtBot, session: AppSession, folder: Path, tmp_path: Path
) -> None:
    costs, meter = session.budget.costs, session.window.meter
    qtbot.waitUntil(lambda: costs.today is not None, timeout=5000)
    before = costs.today
    assert before == 0.0
    seen: list[float] = []

    def row_done(_outcome: Outcome) -> None:
        assert costs.today is not None
        seen.append(costs.today)

    session.batch_flow.controller.rowFinished.connect(row_done)
    dialog = open_with_folder(qtbot, session, folder)
    out = found(dialog, QLineEdit, "batchOut")
    assert isinstance(out, QLineEdit)
    out.setFocus()
    qtbot.keyClicks(out, str(tmp_path / "rows.csv"))
    qtbot.keyClick(out, Qt.Key.Key_Return)
    flow = session.batch_flow
    qtbot.waitUntil(
        lambda: not flow.controller.running and flow.controller.done == 3, timeout=60_000
    )
    spent = flow.controller.spent
    assert spent > 0
    assert len(seen) == 3
    assert seen == sorted(seen)
    assert seen[0] > 0
    assert costs.today == pytest.approx(before + spent, abs=1e-12)
    qtbot.waitUntil(lambda: f"today {short_usd(spent)}" in meter.cost_text(), timeout=3000)
    qtbot.waitUntil(lambda: len(list(UsageLedger().entries())) == 3, timeout=3000)
    entries = list(UsageLedger().entries())
    assert sum(e.cost_usd or 0.0 for e in entries) == pytest.approx(spent, abs=1e-12)
    assert {e.endpoint for e in entries} == {"demo"}
    assert all(e.cost_exact and e.prompt_tokens > 0 for e in entries)  # the server's bills
