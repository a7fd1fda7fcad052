"""The detail switch of the draft's images: an image sent at low detail is downscaled to one
448×448 tile (512 tokens) and sent with detail "low"; the version sent is made in the attachment
controller's executor, and made again whenever the prepared image changes (new limits, a crop).

A mixin of :class:`app.controllers.attachments.AttachmentController` (it uses the controller's
entries, executor, task set and signals).
"""

from __future__ import annotations

import asyncio
import dataclasses
from typing import TYPE_CHECKING, TypeVar

from app.controllers.attachment_parts import ControllerParts
from app.core.attachment import SourceKind
from app.core.budget import MIN_IMAGE_TOKENS, image_tokens
from app.core.images.low_detail import make_low_detail
from app.core.imagetypes import ImageError, PreparedImage

if TYPE_CHECKING:
    from app.controllers.attachment_entry import AttachmentEntry

T = TypeVar("T")


class LowDetailMixin(ControllerParts):
    """See the module docstring."""

    def set_low_detail(self, item_id: str, low: bool) -> None:
        """Send this image downscaled to one 448×448 tile (512 tokens, detail "low"), or as
        prepared. The low-detail version is made in the executor."""
        entry = self._entries.get(item_id)
        if (
            entry is None
            or self._closed
            or entry.view.kind is SourceKind.URL
            or entry.view.low_detail == low
        ):
            return
        size = entry.view.size
        tokens = image_tokens(*size) if size and not low else entry.view.tokens
        self._set(entry, low_detail=low, tokens=tokens)

    def low_detail_thumbnails(self) -> dict[str, bytes]:
        """Thumbnails by the hash of the low-detail versions that `take_parts` gives."""
        return {
            e.low.sha256: e.view.thumbnail
            for e in self._entries.values()
            if e.view.low_detail and e.low is not None and e.view.thumbnail
        }

    def _low_missing(self, entry: AttachmentEntry) -> bool:
        prepared = entry.view.prepared
        return (
            entry.view.low_detail
            and prepared is not None
            and (entry.low is None or entry.low_of != prepared.sha256)
        )

    def _follow_detail(self, entry: AttachmentEntry) -> None:
        """Keep a low-detail item's cost at one tile and its low-detail version made."""
        view = entry.view
        if not view.low_detail or view.failed:
            return
        if view.size is not None and view.tokens != MIN_IMAGE_TOKENS:
            entry.view = dataclasses.replace(view, tokens=MIN_IMAGE_TOKENS)
        prepared = view.prepared
        if prepared is None or self._closed:
            return
        if entry.low_task is not None or (
            entry.low is not None and entry.low_of == prepared.sha256
        ):
            return
        entry.low = None
        task = asyncio.get_running_loop().create_task(
            self._make_low(entry, prepared), name=f"low detail {view.name}"
        )
        entry.low_task = task
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _make_low(self, entry: AttachmentEntry, prepared: PreparedImage) -> None:
        try:
            low = await self._run(make_low_detail, prepared)
        except ImageError as exc:
            entry.low_task = None
            self.notice.emit(f"{entry.view.name} stays at full detail: {exc.reason}.")
            self._set(entry, low_detail=False, tokens=image_tokens(prepared.width, prepared.height))
            return
        finally:
            entry.low_task = None
        if entry.view.prepared is prepared:
            entry.low = low
            entry.low_of = prepared.sha256
            self._set(entry)
        else:
            self._follow_detail(entry)
