"""A long PDF's page picker: opened when the attachment controller asks which pages to add,
fed thumbnails drawn in the controller's executor, and its answer handed back."""

from __future__ import annotations

import asyncio

from PySide6.QtWidgets import QWidget

from app.controllers.attachments import AttachmentController
from app.core.images.pdf_pages import PageScale, PdfInfo
from app.ui.pdf_pages_dialog import THUMB_SIDE, PdfPagesDialog

MAX_THUMBNAILS = 200  # pages past these show a blank page of the right shape


class PdfPagesFlow:
    """See the module docstring."""

    def __init__(self, window: QWidget, attachments: AttachmentController) -> None:
        self._window = window
        self._attachments = attachments
        self._open: dict[str, tuple[PdfPagesDialog, asyncio.Task[None]]] = {}
        attachments.pagesWanted.connect(self._ask)

    def dialog(self, item_id: str) -> PdfPagesDialog | None:
        entry = self._open.get(item_id)
        return entry[0] if entry else None

    def _ask(self, item_id: str, info: PdfInfo) -> None:
        if item_id in self._open:
            self._open[item_id][0].raise_()
            return
        controller = self._attachments
        room = controller.limits.max_images_per_message - (controller.count() - 1)
        dialog = PdfPagesDialog(info, room, self._window)
        pages = range(1, min(info.page_count, MAX_THUMBNAILS) + 1)
        task = controller.thumbnails_of(info, pages, THUMB_SIDE, dialog.set_thumbnail)
        self._open[item_id] = (dialog, task)

        def chosen(pages: list[int], scale: PageScale) -> None:
            controller.add_pdf_pages(item_id, pages, scale)

        def finished(result: int) -> None:
            self._open.pop(item_id, None)
            task.cancel()
            if result != PdfPagesDialog.DialogCode.Accepted:
                controller.decline_pdf_pages(item_id)
            dialog.deleteLater()

        dialog.chosen.connect(chosen)
        dialog.finished.connect(finished)
        dialog.open()
