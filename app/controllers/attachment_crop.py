"""Cropping or marking up an image of the tray in the executor (a mixin of the attachment
controller). Either replaces the tray item by the new image in place; the file it came from is
never written to."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from app.controllers.attachment_entry import AttachmentEntry
from app.controllers.attachment_parts import ControllerParts
from app.core import images
from app.core.attachment import Attachment, AttachmentState, SourceKind
from app.core.budget import image_tokens
from app.core.crop import Box, CropResult, crop_prepared, normalized_box
from app.core.imagetypes import ImageError, PreparedImage
from app.core.limits import ImageLimits
from app.core.markup import Marks, redacts
from app.core.markup_burn import markup_prepared

if TYPE_CHECKING:
    pass

T = TypeVar("T")


class CropMixin(ControllerParts):
    """The controller's :meth:`replace_with_crop` and :meth:`replace_with_markup` (its entries,
    executor, tasks and signals)."""

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
        width, height = box[2] - box[0], box[3] - box[1]
        self._replace(entry, (width, height), "crop", job=crop_prepared, change=box, done="cropped")
        return True

    def replace_with_markup(self, item_id: str, marks: Marks, *, expected_sha256: str = "") -> bool:
        """Replace an image by itself with `marks` (in the pixels of its prepared image, as
        sent) burned in, in the executor; its size and cost stay. A redaction also lets go of
        the file it came from, so the history keeps no copy of what was hidden (the file
        itself stays as it is). False when refused, as for a crop."""
        entry = self._entries.get(item_id)
        if self._closed or entry is None or not marks:
            return False
        prepared = entry.view.prepared
        if prepared is None or (expected_sha256 and prepared.sha256 != expected_sha256):
            self.notice.emit(
                f"{entry.view.name} was not marked up: it changed meanwhile."
                " Open it again to mark it up."
            )
            return False
        size = (prepared.width, prepared.height)
        self._replace(entry, size, "markup", job=markup_prepared, change=marks, done="marked up")
        return True

    def _replace(
        self,
        entry: AttachmentEntry,
        size: tuple[int, int],
        what: str,
        *,
        job: Callable[[PreparedImage, Any, ImageLimits], CropResult],
        change: Any,
        done: str,
    ) -> None:
        if entry.task is not None:
            entry.task.cancel()
        previous = entry.view
        self._set(
            entry,
            state=AttachmentState.READING,
            error=None,
            prepared=None,
            size=size,
            tokens=image_tokens(*size),
        )
        item_id = previous.id
        task = asyncio.get_running_loop().create_task(
            self._remake(item_id, previous, job, change, done, markup=what == "markup"),
            name=f"{what} {previous.name}",
        )
        entry.task = task
        self._tasks.add(task)
        task.add_done_callback(lambda t: self._task_done(item_id, t))

    async def _remake(
        self,
        item_id: str,
        previous: Attachment,
        job: Callable[[PreparedImage, Any, ImageLimits], CropResult],
        change: Any,
        done: str,
        *,
        markup: bool,
    ) -> None:
        entry = self._entries[item_id]
        assert previous.prepared is not None
        try:
            result: CropResult = await self._run(job, previous.prepared, change, self._limits)
            thumbnail = await self._run(
                images.thumbnail_bytes, result.prepared, self._thumbnail_side
            )
        except ImageError as exc:
            entry.view = previous  # the image stays as it was
            self.itemChanged.emit(item_id)
            self.changed.emit()
            self.notice.emit(f"{previous.name} was not {done}: {exc.reason}.")
            return
        # From now on the new image is the source: other limits prepare it again from these
        # bytes. Marks add to what was said of the image before ("cropped to …"); a marked-up
        # file keeps its location, the original that the history saves beside what is sent.
        made = result.prepared
        lead = (*previous.notes, result.note) if markup else (result.note,)
        entry.data, entry.probe, entry.lead_notes = result.source, None, lead
        self._set(
            entry,
            kind=SourceKind.DATA,
            location=previous.location if markup and not redacts(change) else "",
            state=AttachmentState.FITTED,
            prepared=made,
            thumbnail=thumbnail,
            notes=(*previous.notes, *made.notes) if markup else made.notes,
            size=(made.width, made.height),
            original_size=made.original_size,
            tokens=image_tokens(made.width, made.height),
        )
