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
import threading
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal

from app.controllers.attachment_adding import AddingMixin
from app.controllers.attachment_crop import CropMixin
from app.controllers.attachment_detail import LowDetailMixin
from app.controllers.attachment_entry import (
    AttachmentEntry,
    prepare_job,
    probe_job,
    screen_side,
)
from app.controllers.attachment_pdf import CHOOSE_PAGES, PdfMixin
from app.controllers.attachment_split import SplitMixin
from app.controllers.picture_png import png_of
from app.core import images
from app.core.attachment import (
    Attachment,
    AttachmentState,
    SourceKind,
    name_list,
)
from app.core.budget import image_tokens
from app.core.conversation import Detail, ImagePart
from app.core.imagetypes import ImageError
from app.core.limits import XAI_LIMITS, ImageLimits

log = logging.getLogger(__name__)

T = TypeVar("T")

# Thumbnails are made this big on the long side so that tiles stay sharp at a pixel ratio of 2.
THUMBNAIL_SIDE = 256
WORKERS = 2


class AttachmentController(AddingMixin, CropMixin, LowDetailMixin, PdfMixin, SplitMixin, QObject):
    """The ordered images of the message being composed, loaded off the GUI thread."""

    changed = Signal()  # the list or any item's state changed: recompute the meter
    itemChanged = Signal(str)  # one item changed (its id)
    notice = Signal(str)  # a plain-language message for the status line
    pagesWanted = Signal(str, object)  # a PDF item's id and its PdfInfo: ask which pages
    # The user removed an item: its name, and what `put_back` takes to bring it back.
    removed = Signal(str, object)

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
        self._entries: dict[str, AttachmentEntry] = {}
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
        asking = [v.name for v in views if v.pending and CHOOSE_PAGES in v.notes]
        if asking:
            return f"Choose the pages of {name_list(asking)} to add"
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
    # -- editing -------------------------------------------------------------------------------

    def remove(self, item_id: str) -> None:
        entry = self._entries.pop(item_id, None)
        if entry is None:
            return
        index = self._order.index(item_id)
        self._order.remove(item_id)
        for task in (entry.task, entry.low_task):
            if task is not None:
                task.cancel()
        entry.task = entry.low_task = None
        self.changed.emit()
        self.removed.emit(entry.view.name, (index, entry))

    def put_back(self, removed: object) -> None:
        """Bring back an item as `removed` announced it, at its place, with its detail, crop
        and markup (its preparation starts again if it had not finished)."""
        index, entry = removed if isinstance(removed, tuple) else (0, None)
        if not isinstance(entry, AttachmentEntry) or entry.view.id in self._entries:
            return
        self._entries[entry.view.id] = entry
        self._order.insert(min(index, len(self._order)), entry.view.id)
        if entry.view.pending:
            self._start(entry)
        else:
            self._follow_detail(entry)
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
        entries = [e for e in detached if isinstance(e, AttachmentEntry)]
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

    def _start(self, entry: AttachmentEntry) -> None:
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
                if await self._open_pdf(entry):
                    return
                entry.probe = await self._run(probe_job, view, entry.data)
                if not self._plan(entry, emit=True):
                    return
            limits = self._limits
            page = self.page_of(item_id)
            prepared, thumbnail, screen = await self._run(
                partial(prepare_job, screen=screen_side()),
                view,
                entry.data,
                limits,
                self._thumbnail_side,
                page,
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
            screen=screen,
            notes=notes,
            size=(prepared.width, prepared.height),
            original_size=prepared.original_size,
            tokens=image_tokens(prepared.width, prepared.height),
        )

    def _plan(self, entry: AttachmentEntry, *, emit: bool) -> bool:
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

    def _fail(self, entry: AttachmentEntry, reason: str, *, emit: bool = True) -> None:
        self._set(entry, state=AttachmentState.FAILED, error=reason, prepared=None, emit=emit)
        if emit:
            self.notice.emit(
                f"{entry.view.name}: {reason.rstrip('.')}. Remove it to send the other images."
            )

    def _set(self, entry: AttachmentEntry, *, emit: bool = True, **changes: Any) -> None:
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
