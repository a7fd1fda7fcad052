"""The window's batch while it runs and after: each input's state, how far it is and what it
has cost, Stop and Resume; and the results (`BatchResults`) in a second tab."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.ui.batch_results import BatchResults

COLUMNS = ("Image", "State", "Cost", "Note")
WAITING, SENDING, DONE, FAILED, NOT_SENT = "waiting", "sending", "done", "failed", "not sent"


class BatchPanel(QWidget):
    stopRequested = Signal()
    resumeRequested = Signal()
    resultsShown = Signal()  # the Results tab came to the front

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("batchPanel")
        self.setAccessibleName("Batch")
        self.summary = QLabel("No batch yet: File → Batch…")
        self.summary.setObjectName("batchSummary")
        self.summary.setWordWrap(True)
        self.bar = QProgressBar()
        self.bar.setObjectName("batchProgressBar")
        self.bar.setAccessibleName("Batch progress")
        self.rows = QTableWidget(0, len(COLUMNS))
        self.rows.setObjectName("batchRows")
        self.rows.setAccessibleName("Images of the batch")
        self.rows.setHorizontalHeaderLabels(list(COLUMNS))
        self.rows.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.rows.horizontalHeader().setStretchLastSection(True)
        self.note = QLabel()
        self.note.setObjectName("batchNote")
        self.note.setWordWrap(True)
        self.stop_button = self._button("Stop", "batchStop", self.stopRequested.emit)
        self.resume_button = self._button("Resume", "batchResume", self.resumeRequested.emit)
        self.stop_button.setToolTip("No new request; press again to stop those in flight too")
        self.resume_button.setToolTip("Send what is not done yet (done rows are not sent again)")
        self.results = BatchResults()
        progress = QWidget()
        column = QVBoxLayout(progress)
        column.addWidget(self.summary)
        column.addWidget(self.bar)
        column.addWidget(self.rows, 1)
        column.addWidget(self.note)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.stop_button)
        buttons.addWidget(self.resume_button)
        column.addLayout(buttons)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("batchTabs")
        self.tabs.addTab(progress, "Progress")
        self.tabs.addTab(self.results, "Results")
        self.tabs.currentChanged.connect(self._tab_changed)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)
        self._index: dict[str, int] = {}
        self.set_running(False, can_resume=False)

    def _button(self, text: str, name: str, slot: object) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.setAccessibleName(text)
        button.clicked.connect(slot)
        return button

    def _tab_changed(self, index: int) -> None:
        if self.tabs.widget(index) is self.results:
            self.resultsShown.emit()

    @property
    def results_visible(self) -> bool:
        return self.tabs.currentWidget() is self.results and self.isVisible()

    # -- what the flow shows ---------------------------------------------------------------------
    def begin(self, paths: Sequence[str], kept: int) -> None:
        """A run of `paths`; `kept` inputs were done before and are not sent again."""
        self.rows.setRowCount(len(paths))
        self._index = {}
        for row, path in enumerate(paths):
            self._index[path] = row
            for column, text in enumerate((path, WAITING, "", "")):
                self.rows.setItem(row, column, QTableWidgetItem(text))
        self.rows.resizeColumnToContents(0)
        self.bar.setRange(0, max(1, len(paths)))
        self.bar.setValue(0)
        self.note.setText(f"{kept} done before, not sent again." if kept else "")
        self.tabs.setCurrentIndex(0)

    def row_state(self, path: str, state: str, cost: str = "", note: str = "") -> None:
        row = self._index.get(path)
        if row is None:
            return
        for column, text in ((1, state), (2, cost), (3, note)):
            item = self.rows.item(row, column)
            if item is not None:
                item.setText(text)
                item.setToolTip(text if column == 3 else "")
        if state in (DONE, FAILED):
            self.bar.setValue(self.bar.value() + 1)

    def end(self) -> None:
        """The run is over: what did not finish (stopped, or never begun) says so."""
        for row in range(self.rows.rowCount()):
            item = self.rows.item(row, 1)
            if item is not None and item.text() in (WAITING, SENDING):
                item.setText(NOT_SENT)

    def state_of(self, path: str) -> str:
        row = self._index.get(path)
        item = self.rows.item(row, 1) if row is not None else None
        return item.text() if item is not None else ""

    def set_summary(self, text: str) -> None:
        self.summary.setText(text)

    def set_note(self, text: str) -> None:
        self.note.setText(text)

    def set_running(self, running: bool, *, can_resume: bool) -> None:
        self.stop_button.setEnabled(running)
        self.resume_button.setEnabled(not running and can_resume)
