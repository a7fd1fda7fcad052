"""A batch's results: the rows as a table (the structured reply's view: one column per field of
a JSON preset, Export CSV and Export JSON), and each row opened as its image beside its reply.

The image is decoded off the GUI thread: opening a row asks for it (`pictureWanted`), the owner
of the worker threads runs `decode_for_viewer` there and hands the result to `show_picture`."""

from __future__ import annotations

import json
from collections.abc import Sequence

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QImage, QImageReader, QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.ui.json_view import JsonView

VIEWER_IMAGE = QSize(720, 720)  # the picture is decoded at most this large


class BatchResults(QWidget):
    saveRequested = Signal(str, str, str)  # the JSON view's: path, text, what it is
    pictureWanted = Signal(str)  # a row's image path: decode it (`decode_for_viewer`)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("batchResults")
        self.view = JsonView()
        self.view.saveRequested.connect(self.saveRequested)
        self.view.status.hide()  # "Valid JSON": always, for rows the app wrote itself
        self.view.table.cellDoubleClicked.connect(lambda row, _column: self.open_row(row))
        self.open_button = QPushButton("Open the image and reply")
        self.open_button.setObjectName("batchOpenRow")
        self.open_button.setAccessibleName("Open the image and reply")
        self.open_button.clicked.connect(lambda: self.open_row(self.view.table.currentRow()))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view, 1)
        row = QHBoxLayout()
        row.addWidget(self.open_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.viewer: ResultViewer | None = None
        self._details: list[tuple[str, str]] = []
        self.set_records("", [], [])

    def set_records(
        self, title: str, records: Sequence[dict[str, str]], details: Sequence[tuple[str, str]]
    ) -> None:
        """`records` as the table (in order); `details[i]` is row i's (image path, reply)."""
        self._details = list(details)
        text = json.dumps(list(records), ensure_ascii=False) if records else ""
        self.view.set_reply(title, text)
        self.open_button.setEnabled(bool(records))

    def open_row(self, row: int) -> None:
        if not 0 <= row < len(self._details):
            return
        path, reply = self._details[row]
        if self.viewer is not None:
            self.viewer.close()
        self.viewer = ResultViewer(path, reply, self)
        self.viewer.finished.connect(self._viewer_closed)
        self.viewer.open()
        self.pictureWanted.emit(path)

    def show_picture(self, path: str, picture: QImage | str) -> None:
        """A decoded image (or why it cannot be shown), if its row is still open."""
        if self.viewer is not None and self.viewer.path == path:
            self.viewer.set_picture(picture)

    def _viewer_closed(self) -> None:
        if self.viewer is not None:
            self.viewer.deleteLater()
            self.viewer = None


class ResultViewer(QDialog):
    """One row: its image (decoded no larger than the dialog shows it) beside its reply."""

    def __init__(self, path: str, reply: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("batchResultViewer")
        self.setWindowTitle(path)
        self.path = path
        self.picture = FittedPicture()
        self.picture.setObjectName("batchResultImage")
        self.picture.setText("Loading the image…")
        self.picture.setAccessibleName(f"Image {path}")
        self.reply = QPlainTextEdit(reply)
        self.reply.setObjectName("batchResultReply")
        self.reply.setAccessibleName("Reply")
        self.reply.setReadOnly(True)
        split = QSplitter()
        split.addWidget(self.picture)
        split.addWidget(self.reply)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(split, 1)
        layout.addWidget(buttons)
        self.resize(980, 620)

    def set_picture(self, picture: QImage | str) -> None:
        if isinstance(picture, str):
            self.picture.setText(f"{self.path} cannot be shown: {picture}")
            self.picture.setWordWrap(True)
        else:
            self.picture.set_image(picture)


class FittedPicture(QLabel):
    """An image shown whole at the size the label has (never enlarged)."""

    def __init__(self) -> None:
        super().__init__()
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setMinimumSize(240, 240)
        # Its size comes from the dialog, not from the picture it shows.
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self._image: QImage | None = None

    def set_image(self, image: QImage) -> None:
        self._image = image
        self._fit()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        if self._image is None:
            return
        pixmap = QPixmap.fromImage(self._image)
        if pixmap.width() > self.width() or pixmap.height() > self.height():
            pixmap = pixmap.scaled(
                self.size(),
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        self.setPixmap(pixmap)


def decode_for_viewer(path: str) -> QImage | str:
    """The image at `path`, turned as its EXIF says and decoded no larger than `VIEWER_IMAGE`
    (JPEG scales while it decodes), or why it cannot be read. Runs on a worker thread:
    `QImageReader.read` releases the GIL."""
    reader = QImageReader(path)
    reader.setAutoTransform(True)
    size = reader.size()
    if size.isValid() and (
        size.width() > VIEWER_IMAGE.width() or size.height() > VIEWER_IMAGE.height()
    ):
        reader.setScaledSize(size.scaled(VIEWER_IMAGE, Qt.AspectRatioMode.KeepAspectRatio))
    image = reader.read()
    return reader.errorString() if image.isNull() else image
