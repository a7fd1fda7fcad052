"""What the attachment controller provides to its mixins (adding, crop, detail, PDF, split):
its entries and their order, limits, tasks and signals, and the steps they share. Declared
once here; `AttachmentController` defines them."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from PySide6.QtCore import SignalInstance

    from app.controllers.attachment_entry import AttachmentEntry
    from app.core.limits import ImageLimits

T = TypeVar("T")


class ControllerParts:
    """The controller's state and steps as its mixins see them (declarations only)."""

    _entries: dict[str, AttachmentEntry]
    _order: list[str]
    _limits: ImageLimits
    _thumbnail_side: int
    _closed: bool
    _tasks: set[asyncio.Task[None]]
    changed: SignalInstance
    itemChanged: SignalInstance
    notice: SignalInstance
    pagesWanted: SignalInstance

    if TYPE_CHECKING:  # defined by AttachmentController

        def _start(self, entry: AttachmentEntry) -> None: ...

        def _plan(self, entry: AttachmentEntry, *, emit: bool) -> bool: ...

        def _set(self, entry: AttachmentEntry, *, emit: bool = True, **changes: Any) -> None: ...

        async def _run(self, fn: Callable[..., T], *args: Any) -> T: ...

        def _task_done(self, item_id: str, task: asyncio.Task[None]) -> None: ...
