"""File → Batch…: the images or folders, a preset or a question, the output file, how many
requests at once, the forecast (what `grok-vision batch --dry-run` prints), and Start.

A view: it says what changed (`changed`) and that Start was pressed (`startRequested`); the
forecast and the reason Start must wait are handed to it. File dialogs open with open()."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.core.presets import Preset

MAX_CONCURRENCY = 64
OWN_QUESTION = ""  # the preset box's data for "no preset: the question alone"


class BatchDialog(QDialog):
    changed = Signal()  # the inputs, preset, question or output file changed
    startRequested = Signal()

    def __init__(self, presets: Sequence[Preset], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("batchDialog")
        self.setWindowTitle("Batch: one question over many images")
        self.setAccessibleName("Batch")
        self.file_dialog: QFileDialog | None = None
        self.inputs = QListWidget()
        self.inputs.setObjectName("batchInputs")
        self.inputs.setAccessibleName("Images and folders")
        add_files = self._button("Add images…", "batchAddFiles", self.pick_files)
        add_folder = self._button("Add folder…", "batchAddFolder", self.pick_folder)
        clear = self._button("Clear", "batchClearInputs", self.clear_inputs)
        self.preset = QComboBox()
        self.preset.setObjectName("batchPreset")
        self.preset.setAccessibleName("Preset")
        self.preset.addItem("None: my question", OWN_QUESTION)
        for preset in presets:
            self.preset.addItem(preset.title, preset.name)
        self.question = QLineEdit()
        self.question.setObjectName("batchQuestion")
        self.question.setAccessibleName("Question")
        self.question.setPlaceholderText("Asked of each image (with a preset: its default)")
        self.out = QLineEdit()
        self.out.setObjectName("batchOut")
        self.out.setAccessibleName("Output file")
        self.out.setPlaceholderText("results.csv or results.jsonl")
        choose_out = self._button("Choose…", "batchChooseOut", self.pick_out)
        self.concurrency = QSpinBox()
        self.concurrency.setObjectName("batchConcurrency")
        self.concurrency.setAccessibleName("Requests at once")
        self.concurrency.setRange(1, MAX_CONCURRENCY)
        self.concurrency.setValue(4)
        self.forecast = QPlainTextEdit()
        self.forecast.setObjectName("batchForecast")
        self.forecast.setAccessibleName("Forecast")
        self.forecast.setReadOnly(True)
        self.forecast.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.problem = QLabel()
        self.problem.setObjectName("batchProblem")
        self.problem.setWordWrap(True)
        self.start_button = self._button("Start", "batchStart", self.startRequested.emit)
        self.start_button.setDefault(True)
        cancel = self._button("Close", "batchClose", self.reject)
        self._layout(add_files, add_folder, clear, choose_out, cancel)
        self.preset.currentIndexChanged.connect(lambda _index: self.changed.emit())
        self.question.textChanged.connect(lambda _text: self.changed.emit())
        self.out.textChanged.connect(lambda _text: self.changed.emit())
        self.resize(620, 560)
        self.set_problem("Add images or a folder.")

    def _layout(self, *buttons: QPushButton) -> None:
        add_files, add_folder, clear, choose_out, cancel = buttons
        picks = QHBoxLayout()
        for button in (add_files, add_folder, clear):
            picks.addWidget(button)
        picks.addStretch(1)
        out_row = QHBoxLayout()
        out_row.addWidget(self.out, 1)
        out_row.addWidget(choose_out)
        form = QFormLayout()
        form.addRow("Preset:", self.preset)
        form.addRow("Question:", self.question)
        form.addRow("Rows to:", out_row)
        form.addRow("At once:", self.concurrency)
        ends = QHBoxLayout()
        ends.addWidget(self.problem, 1)
        ends.addWidget(cancel)
        ends.addWidget(self.start_button)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Images and folders (a folder's images, sorted by name):"))
        layout.addWidget(self.inputs, 1)
        layout.addLayout(picks)
        layout.addLayout(form)
        layout.addWidget(QLabel("Forecast (nothing is sent until Start):"))
        layout.addWidget(self.forecast, 1)
        layout.addLayout(ends)

    def _button(self, text: str, name: str, slot: object) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.setAccessibleName(text.rstrip("…"))
        button.clicked.connect(slot)
        return button

    # -- what the flow reads ---------------------------------------------------------------------
    def paths(self) -> list[str]:
        return [self.inputs.item(row).text() for row in range(self.inputs.count())]

    def preset_name(self) -> str:
        return str(self.preset.currentData() or OWN_QUESTION)

    def out_path(self) -> str:
        return self.out.text().strip()

    # -- what the flow shows ---------------------------------------------------------------------
    def show_forecast(self, text: str) -> None:
        self.forecast.setPlainText(text)

    def set_problem(self, text: str | None) -> None:
        """Why Start must wait (None: it may start)."""
        self.problem.setText(text or "")
        self.start_button.setEnabled(text is None)

    def set_working(self, text: str) -> None:
        """The inputs look right and the forecast is being worked out: Start may be pressed
        (the batch starts once the forecast agrees)."""
        self.problem.setText(text)
        self.start_button.setEnabled(True)

    # -- picking -------------------------------------------------------------------------------
    def add_paths(self, paths: Sequence[str]) -> None:
        have = set(self.paths())
        for path in paths:
            if path and path not in have:
                self.inputs.addItem(path)
                have.add(path)
        self.changed.emit()

    def clear_inputs(self) -> None:
        self.inputs.clear()
        self.changed.emit()

    def pick_files(self) -> None:
        dialog = self._file_dialog("Add images", "batchFilesDialog")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
        dialog.setNameFilter("Images (*.png *.jpg *.jpeg *.webp *.gif *.bmp *.tif *.tiff *.heic)")
        dialog.filesSelected.connect(self.add_paths)
        dialog.open()

    def pick_folder(self) -> None:
        dialog = self._file_dialog("Add a folder of images", "batchFolderDialog")
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
        dialog.fileSelected.connect(lambda path: self.add_paths([path]))
        dialog.open()

    def pick_out(self) -> None:
        dialog = self._file_dialog("Write the rows to", "batchOutDialog")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setFileMode(QFileDialog.FileMode.AnyFile)
        dialog.setNameFilters(["CSV (*.csv)", "JSON Lines (*.jsonl)"])
        dialog.setDefaultSuffix("csv")
        dialog.fileSelected.connect(self.set_out)
        dialog.open()

    def set_out(self, path: str) -> None:
        self.out.setText(path)  # textChanged says it changed

    def _file_dialog(self, title: str, name: str) -> QFileDialog:
        if self.file_dialog is not None:
            self.file_dialog.close()
        dialog = QFileDialog(self, title)
        dialog.setObjectName(name)
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _result: self._dialog_done(dialog))
        self.file_dialog = dialog
        return dialog

    def _dialog_done(self, dialog: QFileDialog) -> None:
        if self.file_dialog is dialog:
            self.file_dialog = None
