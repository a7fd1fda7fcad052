"""Cropping an image of the tray in the executor (a mixin of the attachment controller)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from app.controllers.attachment_entry import AttachmentEntry
from app.core import images
from app.core.attachment import Attachment, AttachmentState, SourceKind
from app.core.budget import image_tokens
from app.core.crop import Box, CropResult, crop_prepared, normalized_box
from app.core.imagetypes import ImageError
from app.core.limits import ImageLimits

if TYPE_CHECKING:
    from PySide6.QtCore import SignalInstance

T = TypeVar("T")


class CropMixin:
    """The controller's :meth:`replace_with_crop` (its entries, executor, tasks and signals)."""

    _entries: dict[str, AttachmentEntry]
    _limits: ImageLimits
    _thumbnail_side: int
    _closed: bool
    _tasks: set[asyncio.Task[None]]
    changed: SignalInstance
    itemChanged: SignalInstance
    notice: SignalInstance

    if TYPE_CHECKING:  # provided by the controller

        def _set(self, entry: AttachmentEntry, *, emit: bool = True, **changes: Any) -> None: ...

        async def _run(self, fn: Callable[..., T], *args: Any) -> T: ...

        def _task_done(self, item_id: str, task: asyncio.Task[None]) -> None: ...

    def replace_with_crop(self, item_id: str, box: Box, *, expected_sha256: str = "") -> bool:
        """Replace an image by a part of it: `box` is (left, top, right, bottom) in the pixels
        of its prepared image, as sent. It keeps its place; the cost changes at once (from the
        box) and the crop is made in the executor. `expected_sha256` (the prepared image the box
        was drawn on) refuses a crop of an image that changed meanwhile. False when refused."""
        entry = self._entries.get(item_id)
        if self._closed or entry is None:
            return False
        prepared = entry.view.prepared
        if prepared is None or (expected_sha256 and prepared.sha256 != expected_sha256):
            self.notice.emit(
                f"{entry.view.name} was not cropped: it changed meanwhile."
                " Open it again to crop it."
            )
            return False
        try:
            box = normalized_box(box, (prepared.width, prepared.height))
        except ValueError:
            self.notice.emit(f"{entry.view.name} was not cropped: select a region of it first.")
            return False
        if entry.task is not None:
            entry.task.cancel()
        width, height = box[2] - box[0], box[3] - box[1]
        previous = entry.view
        self._set(
            entry,
            state=AttachmentState.READING,
            error=None,
            prepared=None,
            size=(width, height),
            tokens=image_tokens(width, height),
        )
        task = asyncio.get_running_loop().create_task(
            self._crop(item_id, previous, box), name=f"crop {entry.view.name}"
        )
        entry.task = task
        self._tasks.add(task)
        task.add_done_callback(lambda t: self._task_done(item_id, t))
        return True

    async def _crop(self, item_id: str, previous: Attachment, box: Box) -> None:
        entry = self._entries[item_id]
        assert previous.prepared is not None
        try:
            result: CropResult = await self._run(
                crop_prepared, previous.prepared, box, self._limits
            )
            thumbnail = await self._run(
                images.thumbnail_bytes, result.prepared, self._thumbnail_side
            )
        except ImageError as exc:
            entry.view = previous  # the image stays as it was
            self.itemChanged.emit(item_id)
            self.changed.emit()
            self.notice.emit(f"{previous.name} was not cropped: {exc.reason}.")
            return
        # From now on the crop is the source: other limits prepare it again from these bytes.
        entry.data, entry.probe, entry.lead_notes = result.source, None, (result.note,)
        crop = result.prepared
        self._set(
            entry,
            kind=SourceKind.DATA,
            location="",
            state=AttachmentState.FITTED,
            prepared=crop,
            thumbnail=thumbnail,
            notes=crop.notes,
            size=(crop.width, crop.height),
            original_size=crop.original_size,
            tokens=image_tokens(crop.width, crop.height),
        )
