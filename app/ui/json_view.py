"""A structured reply up close: pretty JSON, a table when it holds records, Copy, Export CSV and
Export JSON. File dialogs open with open(); the chosen path and the text to write are handed on
(`saveRequested`) for the writing to happen off the GUI thread."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.json_reply import (
    ParsedReply,
    Table,
    find_table,
    parse_reply,
    pretty,
    to_csv,
    value_tables,
)


class JsonView(QWidget):
    saveRequested = Signal(str, str, str)  # path, text to write, what it is ("3 rows", "JSON")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("jsonView")
        self.setAccessibleName("Structured reply")
        self.title = QLabel()
        self.title.setObjectName("jsonViewTitle")
        self.status = QLabel()
        self.status.setObjectName("jsonViewStatus")
        self.status.setWordWrap(True)
        self.tables = QComboBox()
        self.tables.setObjectName("jsonViewTables")
        self.tables.setAccessibleName("Table to show")
        self.tables.currentIndexChanged.connect(self._show_table)
        self.table = QTableWidget()
        self.table.setObjectName("jsonViewTable")
        self.table.setAccessibleName("Records")
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.text = QPlainTextEdit()
        self.text.setObjectName("jsonViewText")
        self.text.setAccessibleName("JSON")
        self.text.setReadOnly(True)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._table_page(), "Table")
        self.tabs.addTab(self.text, "JSON")
        self.copy_button = self._button("Copy", "jsonCopy", self.copy)
        self.csv_button = self._button("Export CSV…", "jsonExportCsv", self.export_csv)
        self.json_button = self._button("Export JSON…", "jsonExportJson", self.export_json)
        buttons = QHBoxLayout()
        for button in (self.copy_button, self.csv_button, self.json_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.status)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(buttons)
        self.file_dialog: QFileDialog | None = None
        self._parsed = ParsedReply("")
        self._tables: list[Table] = []
        self.set_reply("", "")

    def _table_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tables)
        layout.addWidget(self.table, 1)
        return page

    def _button(self, text: str, name: str, slot: object) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.setAccessibleName(text.rstrip("…"))
        button.clicked.connect(slot)
        return button

    # -- state --------------------------------------------------------------------------------
    def set_reply(self, title: str, text: str, note: str | None = None) -> None:
        """Show ``text`` (a JSON reply or a call's arguments); ``note`` adds what is known about
        it (the schema check, a fallback)."""
        self.title.setText(title)
        self._parsed = parse_reply(text) if text.strip() else ParsedReply("", error="")
        parsed = self._parsed
        if parsed.ok:
            self.text.setPlainText(pretty(parsed.value))
            self._tables = value_tables(parsed.value)
            best = find_table(parsed.value)
            status = "Valid JSON."
        else:
            self.text.setPlainText(text)
            self._tables = []
            best = None
            status = f"Not valid JSON: {parsed.error}" if parsed.error else ""
        if note:
            status = f"{status} {note}".strip()
        self.status.setText(status)
        self.tables.blockSignals(True)
        self.tables.clear()
        for table in self._tables:
            self.tables.addItem(table.title or "fields")
        self.tables.blockSignals(False)
        self.tables.setVisible(len(self._tables) > 1)
        index = self._tables.index(best) if best in self._tables else 0
        self.tables.setCurrentIndex(index if self._tables else -1)
        self._show_table(index)
        self.tabs.setTabEnabled(0, bool(self._tables))
        self.tabs.setCurrentIndex(0 if best is not None else 1)
        self.copy_button.setEnabled(bool(text.strip()))
        self.json_button.setEnabled(parsed.ok)
        self.csv_button.setEnabled(bool(self._tables))

    def current_table(self) -> Table | None:
        index = self.tables.currentIndex()
        return self._tables[index] if 0 <= index < len(self._tables) else None

    def _show_table(self, _index: int) -> None:
        table = self.current_table()
        self.table.clear()
        if table is None:
            self.table.setRowCount(0)
            self.table.setColumnCount(0)
            return
        self.table.setColumnCount(len(table.columns))
        self.table.setRowCount(len(table.rows))
        self.table.setHorizontalHeaderLabels(list(table.columns))
        for row, cells in enumerate(table.rows):
            for column, cell in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(cell))
        self.table.resizeColumnsToContents()

    # -- actions ------------------------------------------------------------------------------
    def copy(self) -> None:
        """The pretty JSON (or, when it does not parse, the text as it came)."""
        QGuiApplication.clipboard().setText(self.text.toPlainText())

    def export_csv(self) -> None:
        table = self.current_table()
        if table is not None:
            rows = f"{len(table.rows)} rows"
            self._ask_path("CSV", "csv", table.title or "table", to_csv(table), rows)

    def export_json(self) -> None:
        if self._parsed.ok:
            self._ask_path("JSON", "json", "reply", pretty(self._parsed.value) + "\n", "JSON")

    def _ask_path(self, kind: str, suffix: str, stem: str, content: str, what: str) -> None:
        if self.file_dialog is not None:
            self.file_dialog.close()
        dialog = QFileDialog(self, f"Export {kind}")
        dialog.setObjectName(f"jsonExportDialog-{suffix}")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setFileMode(QFileDialog.FileMode.AnyFile)
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        dialog.setNameFilter(f"{kind} files (*.{suffix})")
        dialog.setDefaultSuffix(suffix)
        dialog.selectFile(f"{stem}.{suffix}")
        dialog.fileSelected.connect(lambda path: self.saveRequested.emit(path, content, what))
        dialog.finished.connect(lambda _result: self._dialog_done(dialog))
        self.file_dialog = dialog
        dialog.open()

    def _dialog_done(self, dialog: QFileDialog) -> None:
        if self.file_dialog is dialog:
            self.file_dialog = None
        dialog.deleteLater()
