"""Splitting a tall page of the tray into parts of readable height (a controller mixin).

`tall_split` says how the item would be split (for the preview's offer, with the cost of each
choice); `split_tall` makes the parts in the executor, a crop of the image as sent per part,
then puts them in the item's place, in order, each labelled "part 1 of N". Until they are made
the item says it is being split and is priced as its parts will be.
"""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from typing import TYPE_CHECKING, TypeVar

from app.controllers.attachment_entry import AttachmentEntry
from app.controllers.attachment_parts import ControllerParts
from app.core import images
from app.core.attachment import Attachment, AttachmentState, SourceKind
from app.core.budget import image_tokens
from app.core.crop import CropResult, crop_prepared
from app.core.images.tall_split import TallSplit, part_name, plan_split
from app.core.imagetypes import ImageError

if TYPE_CHECKING:
    pass

T = TypeVar("T")


class SplitMixin(ControllerParts):
    """See the module docstring."""

    def tall_split(self, item_id: str) -> TallSplit | None:
        """How the item would be split into parts (None: it is not a tall page, or it is not
        prepared yet, or the message has no room for a second image)."""
        entry = self._entries.get(item_id)
        prepared = entry.view.prepared if entry is not None else None
        if entry is None or prepared is None or entry.view.low_detail:
            return None
        room = self._limits.max_images_per_message - (len(self._order) - 1)
        return plan_split(prepared.width, prepared.height, room)

    def split_tall(self, item_id: str, *, expected_sha256: str = "") -> bool:
        """Replace a tall page by its parts (made in the executor). False when refused."""
        entry = self._entries.get(item_id)
        split = self.tall_split(item_id)
        if self._closed or entry is None or split is None:
            return False
        prepared = entry.view.prepared
        assert prepared is not None
        if expected_sha256 and prepared.sha256 != expected_sha256:
            self.notice.emit(f"{entry.view.name} was not split: it changed meanwhile.")
            return False
        if entry.task is not None:
            entry.task.cancel()
        previous = entry.view
        self._set(
            entry,
            state=AttachmentState.READING,
            prepared=None,
            notes=(f"splitting into {split.count} parts…",),
            tokens=split.tokens(),
        )
        task = asyncio.get_running_loop().create_task(
            self._split(entry, previous, split), name=f"split {previous.name}"
        )
        entry.task = task
        self._tasks.add(task)
        task.add_done_callback(lambda t: self._task_done(item_id, t))
        return True

    async def _split(self, entry: AttachmentEntry, previous: Attachment, split: TallSplit) -> None:
        assert previous.prepared is not None
        parts: list[tuple[CropResult, bytes]] = []
        try:
            for box in split.boxes():
                result = await self._run(crop_prepared, previous.prepared, box, self._limits)
                thumbnail = await self._run(
                    images.thumbnail_bytes, result.prepared, self._thumbnail_side
                )
                parts.append((result, thumbnail))
        except ImageError as exc:
            entry.view = previous  # the page stays as it was
            self.itemChanged.emit(previous.id)
            self.changed.emit()
            self.notice.emit(f"{previous.name} was not split: {exc.reason}.")
            return
        if self._entries.get(previous.id) is not entry:
            return  # removed meanwhile
        index = self._order.index(previous.id)
        del self._entries[previous.id]
        self._order.pop(index)
        for number, ((result, thumbnail), (top, bottom)) in enumerate(
            zip(parts, split.rows, strict=True)
        ):
            note = f"split off at rows {top}–{bottom} of {split.width}×{split.height}"
            name = part_name(previous.name, number, split.count)
            made = dataclasses.replace(result.prepared, name=name)  # its label when sent
            view = Attachment(
                id=uuid.uuid4().hex,
                name=name,
                kind=SourceKind.DATA,
                state=AttachmentState.FITTED,
                prepared=made,
                thumbnail=thumbnail,
                notes=(note, *made.notes[1:]),
                size=(made.width, made.height),
                original_size=made.original_size,
                tokens=image_tokens(made.width, made.height),
            )
            part = AttachmentEntry(view, data=result.source, lead_notes=(note,))
            self._entries[view.id] = part
            self._order.insert(index + number, view.id)
        self.changed.emit()
