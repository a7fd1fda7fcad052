"""The image tray: the draft's images as numbered tiles, fed by drops, pastes and a file dialog.

The tray does no work on images. It turns what the user drops or pastes into signals
(`pathsDropped`, `imageDataPasted`, `picturePasted`, `urlPasted`, `removeRequested`,
`moveRequested`, `previewRequested`) and renders the attachment views it is given
(`set_items`, `update_item`). The number on each tile is the image's place in the message
("Image 1", "Image 2"), which the user can refer to in the text.

Empty, it is one slim line (the hint and Add images…); with images, one row of compact tiles
that scrolls sideways when it is full. While something droppable is dragged over it, its frame
is drawn in the highlight colour (`set_drop_highlight`, also used by the window's drop overlay).

From the keyboard the tray is one Tab stop (the current tile; the others take focus only by
click) plus its Add images… button. On a tile: Left/Right, Home/End walk the tiles; Enter or
Space preview it; D toggles low detail; Delete or Backspace remove it; Ctrl+Left/Right move it.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QMimeData, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QGuiApplication,
    QImage,
    QKeyEvent,
    QKeySequence,
    QPalette,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QWidget,
)

from app.core.attachment import Attachment
from app.ui.tray_dialog import image_file_dialog
from app.ui.tray_drags import TrayDrags
from app.ui.tray_frame import quiet_text_palette
from app.ui.tray_menu import popup_tile_menu
from app.ui.tray_mime import read_offer
from app.ui.tray_names import differ_points
from app.ui.tray_strip import TileStrip
from app.ui.tray_tile import TrayTile

MARGIN = 4


class ImageTray(TrayDrags):
    """The draft's images; see the module docstring."""

    pathsDropped = Signal(list)  # list[str]: files and folders
    imageDataPasted = Signal(bytes, str)  # encoded image bytes, a name for it
    picturePasted = Signal(QImage, str)  # a picture not encoded yet, a name for it
    urlPasted = Signal(str)
    removeRequested = Signal(str)  # attachment id
    moveRequested = Signal(str, int)  # attachment id, its new index
    detailToggled = Signal(str, bool)  # attachment id, True: send it at low detail
    previewRequested = Signal(str)  # attachment id: show it as sent (double-click, Enter)
    compareRequested = Signal(str, str)  # two attachment ids: compare them (the tile's menu)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("imageTray")
        self.setAccessibleName("Image tray")
        self.setAcceptDrops(True)
        # Not a Tab stop itself (it would be an invisible one): its current tile is.
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self._tiles: dict[str, TrayTile] = {}
        self._order: list[str] = []
        self._selected: str | None = None
        self._pasted = 0
        self._dialog: QFileDialog | None = None
        self._drag_token = f"{id(self):x}"

        paste = (
            QKeySequence(QKeySequence.StandardKey.Paste).toString(
                QKeySequence.SequenceFormat.NativeText
            )
            or "Ctrl+V"
        )
        self._hint = QLabel(f"Drop screenshots here, paste with {paste}, or Add images…", self)
        self._hint.setObjectName("imageTrayHint")
        self._hint.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self._hint.setMinimumWidth(0)
        self._hint.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self._hint.setPalette(quiet_text_palette(self.palette(), self._hint.palette()))

        self._strip = TileStrip()
        self._strip.setObjectName("imageTrayStrip")
        self._scroll = QScrollArea(self)
        self._scroll.setObjectName("imageTrayTiles")
        self._scroll.setAccessibleName("Images in the draft")
        self._scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._scroll.setWidget(self._strip)
        self._scroll.setWidgetResizable(True)
        self._scroll.setFrameShape(QFrame.Shape.NoFrame)
        self._scroll.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)

        self._add = QPushButton("Add images…", self)
        self._add.setObjectName("addImagesButton")
        self._add.setAccessibleName("Add images")
        self._add.setToolTip(f"Choose image files (or drop them here, or paste with {paste})")
        self._add.clicked.connect(self.open_file_dialog)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(MARGIN + 4, MARGIN, MARGIN, MARGIN)
        layout.setSpacing(6)
        layout.addWidget(self._hint, 1)
        layout.addWidget(self._scroll, 1)
        layout.addWidget(self._add, 0, Qt.AlignmentFlag.AlignVCenter)
        self._scroll.hide()

    # -- rendering -----------------------------------------------------------------------------

    def set_items(self, items: Sequence[Attachment]) -> None:
        """Show exactly these attachments, in this order (tiles are kept and updated by id)."""
        ids = [item.id for item in items]
        old_index = self._order.index(self._selected) if self._selected in self._order else -1
        focused = QGuiApplication.focusObject()
        had_focus = isinstance(focused, QWidget) and self.isAncestorOf(focused)
        for gone in set(self._tiles) - set(ids):
            tile = self._tiles.pop(gone)
            self._strip.row.removeWidget(tile)
            tile.hide()
            tile.deleteLater()
        for number, item in enumerate(items, start=1):
            existing = self._tiles.get(item.id)
            if existing is None:
                self._new_tile(item, number)
            else:
                existing.set_item(item, number)
        if ids != self._order:
            for tile_id in ids:
                self._strip.row.removeWidget(self._tiles[tile_id])
            for index, tile_id in enumerate(ids):
                self._strip.row.insertWidget(
                    index, self._tiles[tile_id], 0, Qt.AlignmentFlag.AlignTop
                )
                self._tiles[tile_id].show()
            self._order = ids
        if self._selected not in self._tiles:
            self._selected = None
            if ids:
                index = min(old_index, len(ids) - 1) if old_index >= 0 else 0
                self.select(ids[index], focus=had_focus and old_index >= 0, mark=old_index >= 0)
        else:
            self._make_current(self._selected)
        self._hint.setVisible(not ids)
        self._scroll.setVisible(bool(ids))
        self._fit_height()
        self._disambiguate()
        if had_focus and not ids:
            self._add.setFocus(Qt.FocusReason.OtherFocusReason)  # the last image was removed

    def _fit_height(self) -> None:
        """One row of tiles, plus the scroll bar only while they do not all fit."""
        tiles = self.tiles()
        if not tiles:
            return
        margins = self._strip.row.contentsMargins()
        row = tiles[0].height() + margins.top() + margins.bottom()
        spacing = self._strip.row.spacing()
        wanted = sum(t.width() + spacing for t in tiles) + margins.left() + margins.right()
        bar = self._scroll.horizontalScrollBar()
        overflow = wanted > self._scroll.width()
        height = row + (bar.sizeHint().height() if overflow else 0)
        if self._scroll.height() != height or self._scroll.minimumHeight() != height:
            self._scroll.setFixedHeight(height)

    def hint_color(self) -> QColor:
        return self._hint.palette().color(QPalette.ColorRole.WindowText)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._hint.setPalette(quiet_text_palette(self.palette(), self._hint.palette()))

    def is_empty(self) -> bool:
        return not self._order

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_height()

    def _disambiguate(self) -> None:
        """Make names that would read the same show where they differ."""
        tiles = self.tiles()
        if tiles:
            points = differ_points([t.item.name for t in tiles], tiles[0].shown_name)
            for tile, point in zip(tiles, points, strict=True):
                tile.set_name_focus(point)

    def update_item(self, item: Attachment) -> None:
        tile = self._tiles.get(item.id)
        if tile is not None:
            tile.set_item(item, tile.number)

    def _new_tile(self, item: Attachment, number: int) -> TrayTile:
        tile = TrayTile(item, number, self._strip)
        tile.removeRequested.connect(self.removeRequested)
        tile.activated.connect(lambda tile_id: self.select(tile_id, focus=False))
        tile.stepRequested.connect(self._step_selection)
        tile.edgeRequested.connect(self._select_edge)
        tile.moveStepRequested.connect(self._move_step)
        tile.dragStarted.connect(self._start_drag)
        tile.detailToggled.connect(self.detailToggled)
        tile.previewRequested.connect(self.previewRequested)
        tile.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        tile.customContextMenuRequested.connect(
            lambda at, t=tile: popup_tile_menu(
                t,
                t.item,
                [o.item for o in self.tiles()],
                at,
                preview=self.previewRequested.emit,
                compare=self.compareRequested.emit,
            )
        )
        self._tiles[item.id] = tile
        return tile

    # -- queries -------------------------------------------------------------------------------

    def tiles(self) -> list[TrayTile]:
        """The tiles in the order shown (and sent)."""
        return [self._tiles[tile_id] for tile_id in self._order]

    def tile(self, item_id: str) -> TrayTile | None:
        return self._tiles.get(item_id)

    def selected_id(self) -> str | None:
        return self._selected

    def hint_visible(self) -> bool:
        return not self._hint.isHidden()

    def file_dialog(self) -> QFileDialog | None:
        return self._dialog

    # -- selection and keys --------------------------------------------------------------------

    def select(self, item_id: str | None, *, focus: bool = True, mark: bool = True) -> None:
        """Make a tile the current one (the tray's Tab stop); `mark`: show it as selected."""
        self._selected = item_id if item_id in self._tiles else None
        for tile_id, tile in self._tiles.items():
            tile.set_selected(mark and tile_id == self._selected)
        if self._selected is not None:
            tile = self._make_current(self._selected)
            self._scroll.ensureWidgetVisible(tile)
            if focus and not tile.hasFocus():
                tile.setFocus(Qt.FocusReason.OtherFocusReason)

    def _make_current(self, item_id: str) -> TrayTile:
        """Only the current tile is in the Tab chain, right before the Add images… button."""
        current = self._tiles[item_id]
        for tile in self._tiles.values():
            tile.setFocusPolicy(
                Qt.FocusPolicy.StrongFocus if tile is current else Qt.FocusPolicy.ClickFocus
            )
        # New tiles join the end of the window's focus chain; move the current one to the
        # tray's place. setTabOrder ignores a NoFocus widget, so the scroll area (never a stop
        # itself) accepts clicks for focus just while it anchors the tile.
        self._scroll.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        QWidget.setTabOrder(self._scroll, current)
        self._scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        QWidget.setTabOrder(current, self._add)
        return current

    def _select_edge(self, end: bool) -> None:
        if self._order:
            self.select(self._order[-1 if end else 0])

    def _step_selection(self, item_id: str, step: int) -> None:
        if item_id in self._order:
            index = max(0, min(len(self._order) - 1, self._order.index(item_id) + step))
            self.select(self._order[index])

    def _move_step(self, item_id: str, step: int) -> None:
        if item_id in self._order:
            index = self._order.index(item_id) + step
            if 0 <= index < len(self._order):
                self.moveRequested.emit(item_id, index)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.matches(QKeySequence.StandardKey.Paste):
            self.paste_from_clipboard()
            event.accept()
        elif event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and self._selected:
            self.removeRequested.emit(self._selected)
            event.accept()
        else:
            super().keyPressEvent(event)

    # -- adding images -------------------------------------------------------------------------

    def open_file_dialog(self) -> None:
        """Open the file chooser (window-modal, with `open()`); chosen files go to pathsDropped."""
        if self._dialog is not None:
            self._dialog.raise_()
            return
        dialog = image_file_dialog(self)
        dialog.filesSelected.connect(self._files_chosen)
        dialog.finished.connect(self._dialog_finished)
        self._dialog = dialog
        dialog.open()

    def _files_chosen(self, files: Sequence[str]) -> None:
        if files:
            self.pathsDropped.emit(list(files))

    def _dialog_finished(self, _result: int) -> None:
        if self._dialog is not None:
            self._dialog.deleteLater()
            self._dialog = None

    def paste_from_clipboard(self) -> bool:
        """Take images, files or an image address from the clipboard; False if it had none."""
        mime = QGuiApplication.clipboard().mimeData()
        return mime is not None and self.take_mime(mime)

    def take_mime(self, mime: QMimeData) -> bool:
        """Forward what a drop or the clipboard carries: files, web addresses, or image data."""
        offer = read_offer(mime)
        if offer.paths:
            self.pathsDropped.emit(offer.paths)
        for address in offer.urls:
            self.urlPasted.emit(address)
        if offer.image is not None:
            data, suffix = offer.image
            self._pasted += 1
            self.imageDataPasted.emit(data, f"Pasted image {self._pasted}{suffix}")
        elif offer.picture is not None:
            self._pasted += 1
            self.picturePasted.emit(offer.picture, f"Pasted image {self._pasted}.png")
        return bool(offer)
