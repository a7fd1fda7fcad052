"""Opening a tray image in the preview, and carrying out the crop or the marks asked for there.

The tray asks (`previewRequested`: double-click, Enter or Space on a tile); this flow opens the
`ImagePreview` with `open()`, has the prepared image's screen copy (made when it was prepared;
else the prepared bytes) decoded to fit the screen in the session's I/O thread (the GUI thread
never decodes or scales the full image), and hands a crop or the marks to the attachment
controller, which replaces the image in place. The flow owns that one decode at a time: closing
the preview or moving it to another image cancels it, and a result arrives for a preview no
longer showing that image is dropped. The dialog follows its item: a crop being made, the
cropped image once ready (shown and priced in turn), the item leaving the tray (the dialog
closes). Closing it gives the keyboard focus back to the item's tile.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRect, QSize, Qt

from app.controllers.attachments import AttachmentController
from app.core.attachment import SourceKind
from app.core.conversation import Conversation
from app.core.imagetypes import PreparedImage
from app.core.markup import Marks
from app.core.notices import Notices
from app.gui.compare_flow import CompareFlow
from app.gui.dialogs import show_image
from app.gui.services import Work
from app.ui.image_preview import ImagePreview
from app.ui.main_window import MainWindow
from app.ui.preview_picture import decode, decode_for_screen, decode_region, screen_bound
from app.ui.tray_menu import comparable


class PreviewFlow(QObject):
    """See the module docstring."""

    def __init__(
        self,
        *,
        window: MainWindow,
        attachments: AttachmentController,
        work: Work,
        notices: Notices,
        conversation: Callable[[], Conversation],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._window = window
        self._attachments = attachments
        self._work = work
        self._notices = notices
        self._dialog: ImagePreview | None = None
        self._decoding = ""  # the sha256 being decoded for the dialog
        self._decode_task: asyncio.Task[Any] | None = None
        self._detail_task: asyncio.Task[Any] | None = None
        window.tray.previewRequested.connect(self.open)
        window.view.imageActivated.connect(self._open_sent)
        self._conversation = conversation
        attachments.itemChanged.connect(self._item_changed)
        attachments.changed.connect(self._items_changed)
        self.compare = CompareFlow(
            window=window, attachments=attachments, work=work, notices=notices, parent=self
        )

    @property
    def dialog(self) -> ImagePreview | None:
        """The preview while it is open."""
        return self._dialog

    def decoding(self) -> bool:
        """Whether a picture for the preview is being made."""
        return self._decode_task is not None and not self._decode_task.done()

    def _open_sent(self, message_id: str, index: int) -> None:
        """An image of a sent message, clicked in the conversation: shown at full size."""
        messages = self._conversation().messages
        message = next((m for m in messages if m.id == message_id), None)
        if message is None or index >= len(message.images):
            return
        image = message.images[index].image
        if image is not None:
            self._work.start(self._show_sent(image), "open-image")

    async def _show_sent(self, image: PreparedImage) -> None:
        decoded = await self._work.in_thread(decode, image.data)
        if not decoded.isNull():
            show_image(self._window, image.name, decoded)

    def open(self, item_id: str) -> None:
        item = self._attachments.item(item_id)
        if item is None:
            return
        if item.kind is SourceKind.URL:
            self._notices.info(
                f"{item.name} is a web address that the server downloads itself, so there is "
                "nothing to preview here. Save the image and add the file to see and crop it."
            )
            return
        if item.failed:
            self._notices.info(f"{item.name} cannot be previewed: {item.error}.")
            return
        if self._dialog is not None:
            if self._dialog.item_id == item_id:
                self._dialog.raise_()
                self._dialog.activateWindow()
                return
            self._dialog.close()
        dialog = ImagePreview(item, self._window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.cropRequested.connect(self._crop)
        dialog.pageScaleRequested.connect(self._attachments.set_page_scale)
        self._offer_choices(dialog)
        dialog.markupRequested.connect(self._markup)
        dialog.splitRequested.connect(self._split)
        dialog.compareRequested.connect(self._compare)
        dialog.canvas.detailWanted.connect(self._decode_detail)
        dialog.finished.connect(lambda _result: self._closed(dialog))
        self._dialog = dialog
        dialog.open()
        self._decode_if_needed()

    def _closed(self, dialog: ImagePreview) -> None:
        if self._dialog is dialog:
            self._dialog = None
            self._cancel_decode()
            window = self._window
            if window.tray.tile(dialog.item_id) is not None:
                # Back to the tile it was opened from, for the next key.
                window.activateWindow()
                window.tray.select(dialog.item_id)

    def _decode_detail(self, region: QRect) -> None:
        """The zoomed canvas wants a part at full resolution: decode it (the last asked)."""
        dialog = self._dialog
        prepared = dialog.item.prepared if dialog is not None else None
        if dialog is None or prepared is None:
            return
        if self._detail_task is not None:
            self._detail_task.cancel()
        self._detail_task = self._work.start(
            self._detail(dialog, prepared, QRect(region)), "preview-detail"
        )

    async def _detail(self, dialog: ImagePreview, prepared: PreparedImage, region: QRect) -> None:
        image = await self._work.in_thread(decode_region, prepared.data, region)
        if self._dialog is dialog and not image.isNull():
            dialog.set_detail(prepared.sha256, region, image)

    def _cancel_decode(self) -> None:
        if self._detail_task is not None:
            self._detail_task.cancel()
        self._detail_task = None
        if self._decode_task is not None:
            self._decode_task.cancel()  # the thread finishes; its result goes nowhere
        self._decode_task = None
        self._decoding = ""

    def _decode_if_needed(self) -> None:
        dialog = self._dialog
        if dialog is None:
            return
        prepared = dialog.item.prepared
        wanted = dialog.wanted_sha256()
        if prepared is None or not wanted or wanted == self._decoding:
            return
        self._cancel_decode()
        self._decoding = wanted
        screen = dialog.item.screen
        copy = screen.data if screen is not None and screen.of_sha256 == prepared.sha256 else None
        self._decode_task = self._work.start(
            self._decode(dialog.item_id, prepared, copy, screen_bound(dialog)), "preview-decode"
        )

    async def _decode(
        self, item_id: str, prepared: PreparedImage, copy: bytes | None, bound: QSize
    ) -> None:
        """The picture to paint: from the screen copy made when the image was prepared, when
        there is one (a small decode), else from the prepared image itself."""
        full = QSize(prepared.width, prepared.height)
        try:
            if copy is not None:
                result = await self._work.in_thread(decode_for_screen, copy, bound, full)
            else:
                result = await self._work.in_thread(decode_for_screen, prepared.data, bound)
        finally:
            if self._decode_task is asyncio.current_task():
                self._decoding = ""
        dialog = self._dialog
        if dialog is None or dialog.item_id != item_id:
            return
        dialog.set_picture(prepared.sha256, result)
        self._decode_if_needed()  # it may have changed again meanwhile

    def _crop(self, item_id: str, region: QRect) -> None:
        dialog = self._dialog
        prepared = dialog.item.prepared if dialog is not None else None
        box = (region.x(), region.y(), region.x() + region.width(), region.y() + region.height())
        self._attachments.replace_with_crop(
            item_id, box, expected_sha256=prepared.sha256 if prepared is not None else ""
        )

    def _markup(self, item_id: str, marks: Marks) -> None:
        dialog = self._dialog
        prepared = dialog.item.prepared if dialog is not None else None
        self._attachments.replace_with_markup(
            item_id, marks, expected_sha256=prepared.sha256 if prepared is not None else ""
        )

    def _item_changed(self, item_id: str) -> None:
        dialog = self._dialog
        if dialog is None or dialog.item_id != item_id:
            return
        item = self._attachments.item(item_id)
        if item is not None:
            dialog.set_item(item)
            self._offer_choices(dialog)
            self._decode_if_needed()

    def _offer_choices(self, dialog: ImagePreview) -> None:
        page = self._attachments.page_of(dialog.item_id)
        dialog.set_page_scale(page[2] if page is not None else None)
        dialog.tall.show_split(self._attachments.tall_split(dialog.item_id))
        others = [
            (i.id, i.name)
            for i in self._attachments.items()
            if i.id != dialog.item_id and comparable(i)
        ]
        dialog.set_compare_choices(others if comparable(dialog.item) else [])

    def _compare(self, first_id: str, second_id: str) -> None:
        if self._dialog is not None:
            self._dialog.close()
        self.compare.open(first_id, second_id)

    def _split(self, item_id: str) -> None:
        dialog = self._dialog
        prepared = dialog.item.prepared if dialog is not None else None
        self._attachments.split_tall(
            item_id, expected_sha256=prepared.sha256 if prepared is not None else ""
        )

    def _items_changed(self) -> None:
        dialog = self._dialog
        if dialog is not None and self._attachments.item(dialog.item_id) is None:
            dialog.close()  # removed from the tray, or sent
        elif dialog is not None:
            self._offer_choices(dialog)  # the images to compare with changed
