"""The draft's images: what the user added, in order, and how far each is from being sendable.

Every attachment gets one asyncio task. The task reads the image's header in the controller's
executor (two worker threads) and publishes the planned token cost at once, so the meter is
right before a pixel is decoded; then it prepares the image (EXIF rotation, fitting to the
limits, re-encoding) and its thumbnail in the executor too. A failure stays with its file.
The GUI thread only updates the list and emits signals.

Wiring, as the window does it::

    controller.changed.connect(lambda: tray.set_items(controller.items()))
    controller.itemChanged.connect(lambda i: tray.update_item(controller.item(i)))
    tray.pathsDropped.connect(controller.add_paths)   # also imageDataPasted, urlPasted,
    tray.removeRequested.connect(controller.remove)   # moveRequested -> move
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import dataclasses
import logging
import os
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import unquote, urlsplit

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage

from app.controllers.attachment_detail import LowDetailMixin
from app.controllers.picture_png import png_of
from app.core import images
from app.core.attachment import (
    Attachment,
    AttachmentState,
    SourceKind,
    list_folder_images,
    name_list,
    plural,
)
from app.core.budget import image_tokens
from app.core.conversation import Detail, ImagePart
from app.core.crop import Box, CropResult, crop_prepared, normalized_box
from app.core.imagetypes import ImageError, ImageProbe, PreparedImage
from app.core.limits import XAI_LIMITS, ImageLimits

log = logging.getLogger(__name__)

T = TypeVar("T")

# Thumbnails are made this big on the long side so that tiles stay sharp at a pixel ratio of 2.
THUMBNAIL_SIDE = 256
WORKERS = 2


@dataclass
class _Entry:
    view: Attachment
    data: bytes | None = None  # pasted bytes (kept to re-prepare when limits change)
    picture: QImage | None = None  # a pasted picture until `data` is made from it
    probe: ImageProbe | None = None
    task: asyncio.Task[None] | None = None
    lead_notes: tuple[str, ...] = ()  # what was done before preparing `data` ("cropped to …")
    low: PreparedImage | None = None  # the low-detail version of view.prepared, once made
    low_of: str = ""  # the sha256 of the prepared image `low` was made from
    low_task: asyncio.Task[None] | None = None


def _probe_job(view: Attachment, data: bytes | None) -> ImageProbe:
    if view.kind is SourceKind.FILE:
        return images.probe(view.location)
    return images.probe_bytes(data or b"", view.name)


def _prepare_job(
    view: Attachment, data: bytes | None, limits: ImageLimits, side: int
) -> tuple[PreparedImage, bytes]:
    if view.kind is SourceKind.FILE:
        prepared = images.prepare_file(view.location, limits)
    else:
        prepared = images.prepare_bytes(data or b"", view.name, limits)
    return prepared, images.thumbnail_bytes(prepared, max_side=side)


def _path_key(path: str) -> str:
    return os.path.normcase(os.path.abspath(path))


class AttachmentController(LowDetailMixin, QObject):
    """The ordered images of the message being composed, loaded off the GUI thread."""

    changed = Signal()  # the list or any item's state changed: recompute the meter
    itemChanged = Signal(str)  # one item changed (its id)
    notice = Signal(str)  # a plain-language message for the status line

    def __init__(
        self,
        limits: ImageLimits = XAI_LIMITS,
        parent: QObject | None = None,
        *,
        thumbnail_side: int = THUMBNAIL_SIDE,
    ) -> None:
        super().__init__(parent)
        self._limits = limits
        self._thumbnail_side = thumbnail_side
        self._entries: dict[str, _Entry] = {}
        self._order: list[str] = []
        self._executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=WORKERS, thread_name_prefix="attachments"
        )
        self._jobs: set[concurrent.futures.Future[Any]] = set()
        self._jobs_lock = threading.Lock()
        self._tasks: set[asyncio.Task[None]] = set()  # every load still running, removed or not
        self._closed = False

    # -- queries -------------------------------------------------------------------------------

    @property
    def limits(self) -> ImageLimits:
        return self._limits

    def items(self) -> tuple[Attachment, ...]:
        return tuple(self._entries[i].view for i in self._order)

    def item(self, item_id: str) -> Attachment | None:
        entry = self._entries.get(item_id)
        return entry.view if entry else None

    def count(self) -> int:
        return len(self._order)

    def token_costs(self) -> list[int | None]:
        """Planned tokens of each image that will be sent; None where not known (yet).

        Failed images are left out: they cannot be sent (and block sending until removed).
        """
        return [view.tokens for view in self.items() if not view.failed]

    def blocking_reason(self) -> str | None:
        """Why the draft cannot be sent now, in words for the user; None when it can."""
        views = self.items()
        failed = [v for v in views if v.failed]
        if len(failed) == 1:
            return f"{failed[0].name} failed: {failed[0].error} — remove it to send"
        if failed:
            return (
                f"{len(failed)} images failed ({name_list([v.name for v in failed])})"
                " — remove them to send"
            )
        limit = self._limits.max_images_per_message
        if len(views) > limit:
            return (
                f"{len(views)} images attached, but a message takes at most {limit}"
                f" — remove {len(views) - limit}"
            )
        pending = sum(1 for v in views if v.pending)
        if not pending and any(self._low_missing(self._entries[v.id]) for v in views):
            return "Making the low-detail versions…"
        if pending == 1:
            return "1 image is still being prepared"
        if pending:
            return f"{pending} images are still being prepared"
        return None

    def take_parts(self, detail: Detail = "high") -> list[ImagePart]:
        """The sendable images in order, as message parts (the caller clears afterwards)."""
        parts: list[ImagePart] = []
        for view in self.items():
            if view.kind is SourceKind.URL and view.sendable:
                parts.append(ImagePart(url=view.location, detail=detail))
            elif view.sendable and view.prepared is not None:
                entry = self._entries[view.id]
                low = entry.low if view.low_detail and not self._low_missing(entry) else None
                parts.append(
                    ImagePart(image=low, detail="low")
                    if low is not None
                    else ImagePart(image=view.prepared, detail=detail)
                )
        return parts

    # -- adding --------------------------------------------------------------------------------

    def add_paths(self, paths: Sequence[str]) -> list[str]:
        """Add files, and the image files of folders (sorted, up to the per-message limit)."""
        if self._closed:
            return []
        added: list[str] = []
        duplicates: list[str] = []
        messages: list[str] = []
        keys = {
            _path_key(e.view.location)
            for e in self._entries.values()
            if e.view.kind is SourceKind.FILE
        }
        for raw in paths:
            path = os.fspath(raw)
            if os.path.isdir(path):
                messages.append(self._add_folder(path, keys, added, duplicates))
                continue
            key = _path_key(path)
            if key in keys:
                duplicates.append(os.path.basename(path) or path)
                continue
            keys.add(key)
            added.append(self._add(SourceKind.FILE, os.path.basename(path) or path, path))
        if duplicates:
            messages.append(f"Skipped {name_list(duplicates)}: already in the tray.")
        if added:
            self.changed.emit()
        if messages:
            self.notice.emit(" ".join(messages))
        return added

    def _add_folder(
        self, folder: str, keys: set[str], added: list[str], duplicates: list[str]
    ) -> str:
        label = os.path.basename(os.path.normpath(folder)) or folder
        try:
            listing = list_folder_images(folder, images.IMAGE_SUFFIXES)
        except OSError as exc:
            return f"Could not open the folder {label}: {exc.strerror or exc}."
        others = listing.others
        over: list[str] = []
        count = 0
        for name, path in listing.images:
            key = _path_key(path)
            if key in keys:
                duplicates.append(name)
                continue
            if len(self._order) >= self._limits.max_images_per_message:
                over.append(name)
                continue
            keys.add(key)
            added.append(self._add(SourceKind.FILE, name, path))
            count += 1
        parts = [f"Added {plural(count, 'image')} from the folder {label}."]
        if others:
            parts.append(
                "Skipped 1 file that is not an image."
                if others == 1
                else f"Skipped {others} files that are not images."
            )
        if over:
            parts.append(
                f"Left out {plural(len(over), 'image')} ({name_list(over)}): a message"
                f" takes at most {self._limits.max_images_per_message}."
            )
        return " ".join(parts)

    def add_image_data(self, data: bytes, name: str) -> str | None:
        """Add image bytes (a paste from the clipboard, or image data dropped)."""
        if self._closed:
            return None
        for entry in self._entries.values():
            if entry.data is not None and entry.data == data:
                self.notice.emit(
                    f"Skipped {name}: the same image is already in the tray ({entry.view.name})."
                )
                return None
        item_id = self._add(SourceKind.DATA, name, "", data=data)
        self.changed.emit()
        return item_id

    def add_picture(self, picture: QImage, name: str) -> str | None:
        """Add a pasted picture (pixels only); it is encoded as PNG on the worker thread."""
        if self._closed:
            return None
        item_id = self._add(SourceKind.DATA, name, "", picture=picture)
        self.changed.emit()
        return item_id

    def add_url(self, url: str) -> str | None:
        """Add a public https image address; the server downloads it, its cost is unknown."""
        if self._closed:
            return None
        url = url.strip()
        parts = urlsplit(url)
        if parts.scheme.lower() != "https" or not parts.hostname:
            self.notice.emit(
                f"Not added: {url or 'the address'} is not an https:// address."
                " Only public https image addresses can be sent; save the image"
                " and add the file instead."
            )
            return None
        if any(
            e.view.kind is SourceKind.URL and e.view.location == url for e in self._entries.values()
        ):
            self.notice.emit(f"Skipped {url}: already in the tray.")
            return None
        name = unquote(parts.path.rstrip("/").rpartition("/")[2]) or parts.hostname
        item_id = uuid.uuid4().hex
        self._entries[item_id] = _Entry(
            Attachment(
                id=item_id,
                name=name,
                kind=SourceKind.URL,
                location=url,
                state=AttachmentState.READY,
            )
        )
        self._order.append(item_id)
        self.changed.emit()
        return item_id

    def _add(
        self,
        kind: SourceKind,
        name: str,
        location: str,
        *,
        data: bytes | None = None,
        picture: QImage | None = None,
    ) -> str:
        item_id = uuid.uuid4().hex
        entry = _Entry(
            Attachment(id=item_id, name=name, kind=kind, location=location),
            data=data,
            picture=picture,
        )
        self._entries[item_id] = entry
        self._order.append(item_id)
        self._start(entry)
        return item_id

    # -- editing -------------------------------------------------------------------------------

    def remove(self, item_id: str) -> None:
        entry = self._entries.pop(item_id, None)
        if entry is None:
            return
        self._order.remove(item_id)
        if entry.task is not None:
            entry.task.cancel()
        self.changed.emit()

    def move(self, item_id: str, new_index: int) -> None:
        """Put the item at `new_index` of the list (the order the images are sent in)."""
        if item_id not in self._entries:
            return
        old = self._order.index(item_id)
        new = max(0, min(len(self._order) - 1, new_index))
        if new != old:
            self._order.insert(new, self._order.pop(old))
            self.changed.emit()

    def clear(self) -> None:
        for entry in self._entries.values():
            if entry.task is not None:
                entry.task.cancel()
        had_items = bool(self._order)
        self._entries.clear()
        self._order.clear()
        if had_items:
            self.changed.emit()

    def detach(self) -> list[object]:
        """Take every item out of the tray, to be given back with :meth:`restore` (the tray of
        a conversation left for another). Work still running on them stops; it starts again
        when they come back."""
        entries = [self._entries[i] for i in self._order]
        for entry in entries:
            for task in (entry.task, entry.low_task):
                if task is not None:
                    task.cancel()
            entry.task = entry.low_task = None
        self._entries.clear()
        self._order.clear()
        if entries:
            self.changed.emit()
        return list(entries)

    def restore(self, detached: Sequence[object]) -> None:
        """Put back what :meth:`detach` took out (after anything in the tray now)."""
        entries = [e for e in detached if isinstance(e, _Entry)]
        for entry in entries:
            item_id = entry.view.id
            self._entries[item_id] = entry
            self._order.append(item_id)
            if entry.view.pending:
                self._start(entry)
            else:
                self._follow_detail(entry)
        if entries:
            self.changed.emit()

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

    def set_limits(self, limits: ImageLimits) -> None:
        """Re-plan every image for another endpoint's limits (and prepare them again)."""
        if limits == self._limits:
            return
        self._limits = limits
        for entry in self._entries.values():
            if entry.view.kind is SourceKind.URL:
                continue
            if entry.task is not None:
                entry.task.cancel()
            self._set(
                entry,
                state=AttachmentState.READING,
                error=None,
                prepared=None,
                notes=(),
                emit=False,
            )
            if entry.probe is None or self._plan(entry, emit=True):
                self._start(entry)
        self.changed.emit()

    # -- the work ------------------------------------------------------------------------------

    def _start(self, entry: _Entry) -> None:
        item_id = entry.view.id
        task = asyncio.get_running_loop().create_task(
            self._load(item_id), name=f"attachment {entry.view.name}"
        )
        entry.task = task
        self._tasks.add(task)
        task.add_done_callback(lambda t: self._task_done(item_id, t))

    async def _load(self, item_id: str) -> None:
        entry = self._entries[item_id]
        view = entry.view
        try:
            if entry.picture is not None:
                entry.data = await self._run(png_of, entry.picture, view.name)
                entry.picture = None
            if entry.probe is None:
                entry.probe = await self._run(_probe_job, view, entry.data)
                if not self._plan(entry, emit=True):
                    return
            limits = self._limits
            prepared, thumbnail = await self._run(
                _prepare_job, view, entry.data, limits, self._thumbnail_side
            )
        except ImageError as exc:
            self._fail(entry, exc.reason)
            return
        except OSError as exc:
            self._fail(entry, f"cannot be read ({exc.strerror or exc})")
            return
        notes = entry.lead_notes + prepared.notes
        state = AttachmentState.FITTED if notes else AttachmentState.READY
        self._set(
            entry,
            state=state,
            prepared=prepared,
            thumbnail=thumbnail,
            notes=notes,
            size=(prepared.width, prepared.height),
            original_size=prepared.original_size,
            tokens=image_tokens(prepared.width, prepared.height),
        )

    def _plan(self, entry: _Entry, *, emit: bool) -> bool:
        """Token cost and pixel size from the header, under the current limits."""
        assert entry.probe is not None
        try:
            images.validate(entry.probe, self._limits)
            tokens = images.planned_tokens(entry.probe, self._limits)
            size = images.planned_size(entry.probe, self._limits)
        except ImageError as exc:
            self._fail(entry, exc.reason, emit=emit)
            return False
        self._set(
            entry, tokens=tokens, size=size, original_size=entry.probe.oriented_size, emit=emit
        )
        return True

    async def _run(self, fn: Callable[..., T], *args: Any) -> T:
        """Run a job in the controller's executor (kept to wait out running jobs on close)."""
        job = self._executor.submit(fn, *args)
        with self._jobs_lock:
            self._jobs.add(job)
        job.add_done_callback(self._job_done)
        return await asyncio.wrap_future(job)

    def _job_done(self, job: concurrent.futures.Future[Any]) -> None:
        with self._jobs_lock:  # called in the worker thread that ran the job
            self._jobs.discard(job)

    def _task_done(self, item_id: str, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        entry = self._entries.get(item_id)
        if entry is not None and entry.task is task:
            entry.task = None
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None:
            # Something the image code did not foresee: keep it to this one file.
            log.error("preparing an attachment failed", exc_info=exc)
            if entry is not None and not entry.view.failed:
                self._fail(entry, f"could not be prepared ({type(exc).__name__}: {exc})")

    def _fail(self, entry: _Entry, reason: str, *, emit: bool = True) -> None:
        self._set(entry, state=AttachmentState.FAILED, error=reason, prepared=None, emit=emit)
        if emit:
            self.notice.emit(
                f"{entry.view.name}: {reason.rstrip('.')}. Remove it to send the other images."
            )

    def _set(self, entry: _Entry, *, emit: bool = True, **changes: Any) -> None:
        entry.view = dataclasses.replace(entry.view, **changes)
        self._follow_detail(entry)
        if emit and entry.view.id in self._entries:
            self.itemChanged.emit(entry.view.id)
            self.changed.emit()

    # -- shutting down -------------------------------------------------------------------------

    async def aclose(self) -> None:
        """Cancel every task, wait out the jobs already running, and stop the worker threads."""
        self._closed = True
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._executor.shutdown(wait=False, cancel_futures=True)
        with self._jobs_lock:
            running = [asyncio.wrap_future(job) for job in self._jobs if not job.done()]
        await asyncio.gather(*running, return_exceptions=True)
        self._executor.shutdown(wait=True)

    def shutdown(self) -> None:
        """The same without a running loop: cancel, and block until running jobs end."""
        self._closed = True
        for task in list(self._tasks):
            task.cancel()
        self._executor.shutdown(wait=True, cancel_futures=True)
