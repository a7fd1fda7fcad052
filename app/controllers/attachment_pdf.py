"""PDFs in the tray: a dropped PDF becomes one tray item per page (a controller mixin).

A file is first added as one item. Its loading task sees a PDF (the first kilobyte, in the
executor) and reads the page sizes there; then the item gives way, at its place in the tray,
to its pages: each with a probe made from the page's size, so the meter prices it at once, and
rendered afterwards in the executor. A PDF of more than `PICKER_FROM` pages waits for the user
to choose pages (`pagesWanted`; the item says so and blocks sending until answered).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TypeVar

from app.controllers.attachment_entry import AttachmentEntry
from app.controllers.attachment_parts import ControllerParts
from app.core.attachment import Attachment, AttachmentState, SourceKind, plural
from app.core.images import pdf_pages
from app.core.images.pdf_pages import PageScale, PdfInfo

if TYPE_CHECKING:
    pass

T = TypeVar("T")

PICKER_FROM = 5  # a PDF of this many pages or more opens the page picker
CHOOSE_PAGES = "Choose the pages to add…"


class PdfMixin(ControllerParts):
    """See the module docstring."""

    async def _open_pdf(self, entry: AttachmentEntry) -> bool:
        """If the entry's file is a PDF: read it and put its pages (or the picker) in its
        place, and return True. Raises ImageError for a PDF that cannot be opened."""
        view = entry.view
        if view.kind is not SourceKind.FILE or entry.page:
            return False
        info = entry.pdf
        if info is None:
            if not await self._run(pdf_pages.looks_like_pdf, view.location):
                return False
            info = entry.pdf = await self._run(pdf_pages.read_pdf, view.location)
        if info.page_count >= PICKER_FROM:
            self._set(entry, notes=(CHOOSE_PAGES,))
            self.pagesWanted.emit(view.id, info)
        else:
            self.add_pdf_pages(view.id, range(1, info.page_count + 1), PageScale.STANDARD)
        return True

    def add_pdf_pages(self, item_id: str, pages: Sequence[int], scale: PageScale) -> list[str]:
        """Put these pages of the PDF item `item_id` in its place in the tray (in this order)."""
        entry = self._entries.get(item_id)
        if entry is None or entry.pdf is None or entry.page or self._closed:
            return []
        info = entry.pdf
        room = self._limits.max_images_per_message - (len(self._order) - 1)
        kept, over = list(pages)[: max(0, room)], list(pages)[max(0, room) :]
        index = self._order.index(item_id)
        del self._entries[item_id]
        self._order.pop(index)
        added = []
        for offset, page in enumerate(kept):
            page_entry = self._page_entry(info, page, scale)
            self._entries[page_entry.view.id] = page_entry
            self._order.insert(index + offset, page_entry.view.id)
            if self._plan(page_entry, emit=False):
                self._start(page_entry)
            added.append(page_entry.view.id)
        if over:
            self.notice.emit(
                f"{info.name}: added {plural(len(kept), 'page')}; left out"
                f" {plural(len(over), 'page')} (a message takes at most"
                f" {self._limits.max_images_per_message} images)."
            )
        self.changed.emit()
        return added

    def decline_pdf_pages(self, item_id: str) -> None:
        """The page picker was closed without choosing: the PDF leaves the tray."""
        entry = self._entries.pop(item_id, None)
        if entry is None:
            return
        self._order.remove(item_id)
        self.notice.emit(f"No pages added from {entry.view.name}.")
        self.changed.emit()

    def set_page_scale(self, item_id: str, scale: PageScale) -> None:
        """Render a PDF page sharper or cheaper (priced at once, rendered again)."""
        entry = self._entries.get(item_id)
        if entry is None or self.page_of(item_id) is None or entry.scale is scale:
            return
        assert entry.pdf is not None
        if entry.task is not None:
            entry.task.cancel()
        entry.scale = scale
        entry.probe = pdf_pages.page_probe(entry.pdf, entry.page, scale)
        self._set(entry, state=AttachmentState.READING, prepared=None, notes=(), emit=False)
        if self._plan(entry, emit=True):
            self._start(entry)

    def page_of(self, item_id: str) -> tuple[PdfInfo, int, PageScale] | None:
        """The PDF, page and scale of a tray item that is a PDF page."""
        entry = self._entries.get(item_id)
        if entry is None or entry.pdf is None or not entry.page:
            return None
        if entry.view.kind is not SourceKind.FILE:  # cropped: the crop is its source now
            return None
        return entry.pdf, entry.page, entry.scale

    def thumbnails_of(
        self, info: PdfInfo, pages: Sequence[int], side: int, deliver: Callable[[int, bytes], None]
    ) -> asyncio.Task[None]:
        """Render small pictures of these pages in the executor, handing each to `deliver` on
        the GUI thread; cancel the task when they are no longer wanted."""

        async def render() -> None:
            for page in pages:
                png = await self._run(pdf_pages.page_thumbnail, info.path, page, side)
                deliver(page, png)

        task = asyncio.get_running_loop().create_task(render(), name=f"thumbnails {info.name}")
        self._tasks.add(task)
        task.add_done_callback(self._thumbnails_done)
        return task

    def _thumbnails_done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            self.notice.emit(f"Could not draw the pages' thumbnails: {task.exception()}")

    @staticmethod
    def _page_entry(info: PdfInfo, page: int, scale: PageScale) -> AttachmentEntry:
        item_id = uuid.uuid4().hex
        view = Attachment(
            id=item_id,
            name=pdf_pages.page_name(info.name, page),
            kind=SourceKind.FILE,
            location=info.path,
        )
        return AttachmentEntry(
            view, probe=pdf_pages.page_probe(info, page, scale), pdf=info, page=page, scale=scale
        )
