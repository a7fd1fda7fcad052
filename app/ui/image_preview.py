"""The preview of a tray image exactly as it will be sent, its tile grid, its cost, and a crop.

The dialog shows the prepared pixels (a screen-sized copy made elsewhere and handed over with
`set_picture`; until then the tray's thumbnail, enlarged) in a `TileCanvas`, which draws the
448-px tiles of the tile formula over them in sent-pixel coordinates (tiles past the six that
count are hatched), and states the cost. Dragging over the
image selects a region, snapped to whole sent pixels, whose own size, tiles and cost are shown
while dragging; Crop asks (`cropRequested`) for the image to be replaced by that region. The
marking-up tools (`MarkupTools`) draw rectangles, arrows, numbered markers, text and redacted
regions on the canvas; Apply asks (`markupRequested`) for them to be burned into the image that
is sent. The dialog does no image work beyond decoding the small thumbnail.
"""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import QRect, Qt, Signal
from PySide6.QtGui import QImage
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.core.attachment import Attachment
from app.core.budget import MAX_TILES, image_tiles
from app.core.crop import cost_text
from app.core.images.low_detail import low_detail_size
from app.core.images.pdf_pages import SCALE_REASONS, PageScale
from app.ui.markup_canvas import MarkupCanvas, Tool
from app.ui.markup_tools import MarkupTools
from app.ui.preview_picture import PreviewPicture
from app.ui.preview_zoom import PreviewZoom
from app.ui.tall_offer import TallOffer

LOADING = "Loading the picture…"
SELECT_HINT = (
    "Drag over the image, or press an arrow key (Shift+arrows resize), to select a region; "
    "Crop or Enter crops the image to it."
)
TOOL_HINTS = {
    Tool.RECTANGLE: "Drag to draw a rectangle",
    Tool.ARROW: "Drag from the tail to where the arrow points",
    Tool.NUMBER: "Click to put the next numbered marker",
    Tool.TEXT: "Click where the text goes, type it, then Enter",
    Tool.REDACT: "Drag over what must not be sent",
    Tool.MOVE: "Drag a mark to move it, or pick one with Page Up/Down, move it with arrows and "
    "remove it with Delete",
}
KEYBOARD_HINT = " (or arrows, Shift+arrows and Enter); Esc leaves the tool."


class ImagePreview(QDialog):
    """One tray image as it will be sent; see the module docstring. Open it with `open()`."""

    cropRequested = Signal(str, QRect)  # attachment id, the region in sent pixels
    pageScaleRequested = Signal(str, object)  # attachment id, PageScale: render it again
    markupRequested = Signal(str, object)  # attachment id, the marks (`Marks`) in sent pixels
    splitRequested = Signal(str)  # attachment id: split the tall page into its parts
    compareRequested = Signal(str, str)  # this attachment's id, the other's: compare them

    def __init__(self, item: Attachment, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("imagePreview")
        self.setSizeGripEnabled(True)
        self._item = item
        self._shown_sha = ""
        self._cropping = False
        self._marking = False

        self._notes = QLabel(self)
        self._notes.setObjectName("imagePreviewNotes")
        self._notes.setWordWrap(True)
        self.canvas = MarkupCanvas(self)
        self.tools = MarkupTools(self.canvas, self)
        self.zoom = PreviewZoom(self.canvas, self)
        self._cost = QLabel(self)
        self._cost.setObjectName("imagePreviewCost")
        self._cost.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._cost.setToolTip(
            "256 tokens for each 448×448 tile, at most 6 tiles counted, "
            "plus 256 for the image itself"
        )
        self._selection = QLabel(self)
        self._selection.setObjectName("imagePreviewSelection")
        self._crop = QPushButton("Crop", self)
        self._crop.setObjectName("imagePreviewCrop")
        self._crop.setAccessibleName("Crop to the selection")
        self._crop.setToolTip("Replace the image in the tray by the selected region")
        self._crop.setAutoDefault(False)
        self._crop.clicked.connect(self._crop_clicked)
        self._close = QPushButton("Close", self)
        self._close.setObjectName("imagePreviewClose")
        self._close.setAccessibleName("Close the preview")
        self._close.setDefault(True)
        self._close.clicked.connect(self.reject)

        self._page_scale = self._make_page_scale()
        self.tall = TallOffer(self)
        self.compare = QToolButton(self)
        self.compare.setObjectName("imagePreviewCompare")
        self.compare.setText("Compare with…")
        self.compare.setAccessibleName("Compare with another image of the tray")
        self.compare.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.compare.setMenu(QMenu(self.compare))
        self.compare.setEnabled(False)
        self.tall.splitRequested.connect(lambda: self.splitRequested.emit(self._item.id))

        self._lay_out()
        self.canvas.selectionChanged.connect(self._selection_changed)
        self.canvas.cropKeyPressed.connect(self._crop_clicked)
        self.canvas.toolChanged.connect(self._update_controls)
        self.canvas.edit.subscribe(self._update_controls)
        self.tools.applyRequested.connect(self._apply_marks)
        self.set_item(item)
        self.resize(900, 680)

    def _lay_out(self) -> None:
        buttons = QHBoxLayout()
        buttons.addWidget(self._selection, 1)
        buttons.addWidget(self._page_scale)
        buttons.addWidget(self._crop)
        buttons.addWidget(self._close)
        layout = QVBoxLayout(self)
        head = QHBoxLayout()
        head.addWidget(self._notes, 1)
        head.addWidget(self.compare)
        layout.addLayout(head)
        layout.addWidget(self.tall)
        layout.addWidget(self.tools)
        layout.addWidget(self.canvas, 1)
        cost = QHBoxLayout()
        cost.addWidget(self._cost, 1)
        cost.addWidget(self.zoom)
        layout.addLayout(cost)
        layout.addLayout(buttons)

    def _make_page_scale(self) -> QComboBox:
        """The resolution choice of a PDF page (hidden for other images)."""
        combo = QComboBox(self)
        combo.setObjectName("imagePreviewPageScale")
        combo.setAccessibleName("Resolution of the PDF page")
        combo.setToolTip(
            "Sharper: 1792 px on the long side, the same tokens, a bigger upload."
            " Cheaper: 896 px, fewer tiles."
        )
        for scale in (PageScale.STANDARD, PageScale.SHARPER, PageScale.CHEAPER):
            combo.addItem(f"{scale.label}, {scale.value} px: {SCALE_REASONS[scale]}", scale)
        combo.setVisible(False)
        combo.activated.connect(self._page_scale_chosen)
        return combo

    # -- state ---------------------------------------------------------------------------------

    @property
    def item_id(self) -> str:
        return self._item.id

    @property
    def item(self) -> Attachment:
        return self._item

    def wanted_sha256(self) -> str:
        """The prepared image the dialog waits for ("" when it is not prepared yet)."""
        prepared = self._item.prepared
        if prepared is None or prepared.sha256 == self._shown_sha:
            return ""
        return prepared.sha256

    def set_item(self, item: Attachment) -> None:
        """Follow the tray item (its preparation, a crop being made, a failure)."""
        self._item = item
        self.setWindowTitle(f"Preview — {item.name}")
        self.setAccessibleName(f"Preview of {item.name} as it will be sent")
        prepared = item.prepared
        size = (prepared.width, prepared.height) if prepared is not None else item.size
        notes = [f"{item.name} — {item.status_text}"]
        if prepared is not None and not item.low_detail:
            kind = prepared.mime.removeprefix("image/").upper()
            notes.append(f"sent as {kind}, {len(prepared.data) / 1024:,.0f} KiB")
        if size is None:
            self._cost.setText("Size not known yet")
        elif item.low_detail:
            # Sent downscaled to one tile; the picture and grid show it at high detail.
            self._cost.setText(f"Low detail: sent as {cost_text(*low_detail_size(*size))}")
            notes.append(f"at high detail: {cost_text(*size)}, the tiles drawn here")
        else:
            self._cost.setText(cost_text(*size, as_sent=True))
            if image_tiles(*size) > MAX_TILES:
                notes.append(f"tiles past the {MAX_TILES}th (hatched) are sent but not counted")
        if size is not None:
            self.canvas.set_sent_size(*size)
        self._notes.setText(" · ".join(notes))
        if prepared is None or prepared.sha256 != self._shown_sha:
            self.canvas.edit.reset()  # the marks belong to the pixels they were drawn on
        if prepared is None:
            self._shown_sha = ""
            self._cropping = self._cropping and not item.failed
            self._marking = self._marking and not item.failed
            self.canvas.set_image(
                None,
                item.status_text
                if item.failed
                else "Cropping…"
                if self._cropping
                else "Marking up…"
                if self._marking
                else "Preparing…",
            )
        elif prepared.sha256 != self._shown_sha:
            self._cropping = self._marking = False
            thumbnail = QImage.fromData(item.thumbnail) if item.thumbnail else None
            self.canvas.set_placeholder(thumbnail, LOADING)
        self._update_controls()

    def set_picture(self, sha256: str, result: PreviewPicture) -> None:
        """The screen-sized copy of the prepared image `sha256`, or why there is none (ignored
        if that image is no longer the current one)."""
        prepared = self._item.prepared
        if prepared is None or prepared.sha256 != sha256:
            return
        if result.picture is None:
            self._shown_sha = ""
            self.canvas.set_image(
                None,
                f"{self._item.name} cannot be shown in the preview: {result.error}. It is still "
                "in the tray and sent as it is; remove it if the server refuses it.",
            )
        else:
            self._shown_sha = sha256
            self.canvas.set_image(result.picture, full_size=result.full_size)
        self._update_controls()

    def set_detail(self, sha256: str, region: QRect, image: QImage) -> None:
        """A part of the prepared image `sha256` at full resolution, for the zoomed canvas."""
        if sha256 == self._shown_sha and self.canvas.has_image():
            self.canvas.set_detail(region, image)

    def set_compare_choices(self, others: list[tuple[str, str]]) -> None:
        """The other images it can be compared with: (id, name) each."""
        menu = self.compare.menu()
        menu.clear()
        for other_id, name in others:
            menu.addAction(name, partial(self.compareRequested.emit, self._item.id, other_id))
        self.compare.setEnabled(bool(others))

    def set_page_scale(self, scale: PageScale | None) -> None:
        """Offer the resolution choice of a PDF page (None: the item is not a page)."""
        self._page_scale.setVisible(scale is not None)
        if scale is not None:
            self._page_scale.setCurrentIndex(self._page_scale.findData(scale))

    def page_scale_box(self) -> QComboBox:
        return self._page_scale

    def _page_scale_chosen(self, index: int) -> None:
        scale = self._page_scale.itemData(index)
        if isinstance(scale, PageScale):
            self.pageScaleRequested.emit(self._item.id, scale)

    def cost_text(self) -> str:
        return self._cost.text()

    def selection_text(self) -> str:
        return self._selection.text()

    def crop_button(self) -> QPushButton:
        return self._crop

    # -- intent --------------------------------------------------------------------------------

    def _selection_changed(self) -> None:
        self._update_controls()

    def _update_controls(self) -> None:
        selection = self.canvas.selection()
        tool = self.canvas.tool()
        marks = self.canvas.edit.marks
        if tool is not None:
            keys = "; Esc leaves the tool." if tool is Tool.MOVE else KEYBOARD_HINT
            text = TOOL_HINTS[tool] + keys
        elif selection is not None:
            text = "Selection: " + cost_text(selection.width(), selection.height())
        elif marks:
            text = f"{len(marks)} mark{'s' if len(marks) != 1 else ''}: Apply marks to send them"
        else:
            text = SELECT_HINT if self.canvas.has_image() else ""
        self._selection.setText(text)
        self._crop.setEnabled(
            selection is not None
            and tool is None
            and not marks
            and self.canvas.has_image()
            and not self.canvas.dragging()
        )
        self._crop.setToolTip(
            "Apply or undo the marks first"
            if marks
            else "Replace the image in the tray by the selected region"
        )
        self.tools.refresh()
        self.canvas.setAccessibleDescription(" ".join(p for p in (self._cost.text(), text) if p))

    def _crop_clicked(self) -> None:
        selection = self.canvas.selection()
        if selection is None or not self.canvas.has_image():
            return
        self.canvas.clear_selection()
        self.canvas.set_image(None, "Cropping…")
        self._shown_sha = ""
        self._cropping = True
        self._update_controls()
        self.cropRequested.emit(self._item.id, selection)

    def _apply_marks(self) -> None:
        marks = self.canvas.edit.marks
        if not marks or not self.canvas.has_image():
            return
        self.canvas.set_tool(None)
        self.canvas.set_image(None, "Marking up…")
        self._shown_sha = ""
        self._marking = True
        self._update_controls()
        self.markupRequested.emit(self._item.id, marks)
