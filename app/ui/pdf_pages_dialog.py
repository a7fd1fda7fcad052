"""The page picker: which pages of a long PDF go to the tray, at which resolution, at what cost.

Pages are shown as checkable thumbnails (handed over with `set_thumbnail` as they are drawn
elsewhere; until then a numbered placeholder). The resolution choice prices every page from
its size in points; the summary says how many pages are chosen, their tokens, and whether they
fit in the message. `chosen` carries the pages in page order and the scale; Cancel rejects.
Open it with `open()`.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QImage, QPainter, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.attachment import plural
from app.core.images.pdf_pages import (
    SCALE_REASONS,
    PageScale,
    PdfInfo,
    page_dpi,
    page_pixels,
    page_tokens,
)

THUMB_SIDE = 96
PRESELECTED = 4  # pages checked when the picker opens


class PdfPagesDialog(QDialog):
    """See the module docstring."""

    chosen = Signal(list, object)  # list[int] pages (from 1), PageScale

    def __init__(self, info: PdfInfo, room: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pdfPagesDialog")
        self.setWindowTitle(f"Add pages from {info.name}")
        self.setAccessibleName(f"Choose the pages of {info.name} to add")
        self._info = info
        self._room = room

        intro = QLabel(
            f"{info.name} has {info.page_count} pages. Choose the pages to send as images"
            f" (at most {room} more fit in this message).",
            self,
        )
        intro.setWordWrap(True)
        self.pages = self._page_list(info, room)
        self.scale = self._scale_choice(info)
        all_pages = QPushButton("All", self)
        all_pages.setObjectName("pdfPagesAll")
        all_pages.clicked.connect(lambda: self._check_all(Qt.CheckState.Checked))
        no_pages = QPushButton("None", self)
        no_pages.setObjectName("pdfPagesNone")
        no_pages.clicked.connect(lambda: self._check_all(Qt.CheckState.Unchecked))
        for button in (all_pages, no_pages):
            button.setAutoDefault(False)

        self.summary = QLabel(self)
        self.summary.setObjectName("pdfPagesSummary")
        self.summary.setWordWrap(True)
        self._buttons = QDialogButtonBox(self)
        self._add = self._buttons.addButton("Add pages", QDialogButtonBox.ButtonRole.AcceptRole)
        self._add.setObjectName("pdfPagesAdd")
        self._buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self._buttons.accepted.connect(self._accept)
        self._buttons.rejected.connect(self.reject)

        row = QHBoxLayout()
        row.addWidget(QLabel("Resolution:", self))
        row.addWidget(self.scale, 1)
        row.addWidget(all_pages)
        row.addWidget(no_pages)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.pages, 1)
        layout.addLayout(row)
        layout.addWidget(self.summary)
        layout.addWidget(self._buttons)
        self.resize(640, 520)
        self._update()

    def _page_list(self, info: PdfInfo, room: int) -> QListWidget:
        pages = QListWidget(self)
        pages.setObjectName("pdfPageList")
        pages.setAccessibleName("Pages")
        pages.setViewMode(QListView.ViewMode.IconMode)
        pages.setResizeMode(QListView.ResizeMode.Adjust)
        pages.setMovement(QListView.Movement.Static)
        pages.setIconSize(QSize(THUMB_SIDE, THUMB_SIDE))
        pages.setGridSize(QSize(THUMB_SIDE + 28, THUMB_SIDE + 40))
        pages.setUniformItemSizes(True)
        for page in range(1, info.page_count + 1):
            item = QListWidgetItem(self._placeholder(page), f"Page {page}")
            item.setData(Qt.ItemDataRole.UserRole, page)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            checked = page <= min(PRESELECTED, room)
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            pages.addItem(item)
        pages.itemChanged.connect(self._update)
        pages.itemActivated.connect(self._toggle)
        return pages

    def _scale_choice(self, info: PdfInfo) -> QComboBox:
        scale_box = QComboBox(self)
        scale_box.setObjectName("pdfScale")
        scale_box.setAccessibleName("Resolution of the pages")
        first = info.page_sizes[0]
        for scale in (PageScale.STANDARD, PageScale.SHARPER, PageScale.CHEAPER):
            width, height = page_pixels(first, scale)
            scale_box.addItem(
                f"{scale.label}: {width}×{height} px, ≈{page_dpi(first, scale)} dpi"
                f" ({SCALE_REASONS[scale]})",
                scale,
            )
        scale_box.currentIndexChanged.connect(self._update)
        return scale_box

    def selected_pages(self) -> list[int]:
        return [
            int(item.data(Qt.ItemDataRole.UserRole))
            for item in (self.pages.item(i) for i in range(self.pages.count()))
            if item.checkState() is Qt.CheckState.Checked
        ]

    def selected_scale(self) -> PageScale:
        scale = self.scale.currentData()
        return scale if isinstance(scale, PageScale) else PageScale.STANDARD

    def set_thumbnail(self, page: int, png: bytes) -> None:
        item = self.pages.item(page - 1)
        picture = QImage.fromData(png)
        if item is not None and not picture.isNull():
            item.setIcon(_framed(QPixmap.fromImage(picture)))

    def _placeholder(self, page: int) -> QIcon:
        width, height = page_pixels(self._info.page_sizes[page - 1], PageScale.CHEAPER)
        side = THUMB_SIDE / max(width, height)
        pixmap = QPixmap(max(1, round(width * side)), max(1, round(height * side)))
        pixmap.fill(Qt.GlobalColor.white)
        return _framed(pixmap)

    def _toggle(self, item: QListWidgetItem) -> None:
        checked = item.checkState() is Qt.CheckState.Checked
        item.setCheckState(Qt.CheckState.Unchecked if checked else Qt.CheckState.Checked)

    def _check_all(self, state: Qt.CheckState) -> None:
        self.pages.blockSignals(True)
        for i in range(self.pages.count()):
            self.pages.item(i).setCheckState(state)
        self.pages.blockSignals(False)
        self._update()

    def _update(self) -> None:
        pages = self.selected_pages()
        scale = self.selected_scale()
        tokens = sum(page_tokens(self._info, page, scale) for page in pages)
        text = f"{plural(len(pages), 'page')} chosen · {tokens:,} tokens"
        fits = 0 < len(pages) <= self._room
        if len(pages) > self._room:
            text += (
                f" — a message takes {self._room} more at most: uncheck {len(pages) - self._room}"
            )
        elif not pages:
            text += " — check the pages to add"
        self.summary.setText(text)
        self._add.setEnabled(fits)

    def _accept(self) -> None:
        pages = self.selected_pages()
        if 0 < len(pages) <= self._room:
            self.chosen.emit(pages, self.selected_scale())
            self.accept()


def _framed(pixmap: QPixmap) -> QIcon:
    """A page's picture with a thin grey edge, so a white page shows on a white list."""
    painter = QPainter(pixmap)
    painter.setPen(QColor(128, 128, 128))
    painter.drawRect(0, 0, pixmap.width() - 1, pixmap.height() - 1)
    painter.end()
    return QIcon(pixmap)
