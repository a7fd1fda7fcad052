"""What the session lends its flows: background work, the settings, and the images it sent.

Each flow receives the pieces it uses in its constructor, never the session itself, so no flow
imports `app.gui.session` (an import-linter contract keeps it that way). One owner each:
:class:`Work` owns the session's tasks and its I/O thread, :class:`Preferences` owns the
settings and the model list, :class:`SentImages` the thumbnails and original files of what was
sent.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from app.controllers.tasks import TaskGroup
from app.core.catalog import ModelInfo
from app.core.notices import Notices
from app.store.settings import Settings, SettingsError, SettingsStore

T = TypeVar("T")


class Work:
    """The session's background work: its asyncio tasks and one I/O thread for files."""

    def __init__(self) -> None:
        self.tasks = TaskGroup()
        self._io = ThreadPoolExecutor(max_workers=1, thread_name_prefix="session-io")

    def start(self, coro: Coroutine[Any, Any, Any], name: str) -> asyncio.Task[Any]:
        return self.tasks.start(coro, name)

    async def in_thread(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._io, fn, *args)

    async def aclose(self) -> None:
        await self.tasks.cancel_all()

    def shutdown(self) -> None:
        self._io.shutdown(wait=True)


class Preferences:
    """The settings as saved, and the models the endpoint offers. Saving failures are said
    through the notices; nothing else writes the settings file."""

    def __init__(self, store: SettingsStore, notices: Notices) -> None:
        self.store = store
        self._notices = notices
        self.settings: Settings = store.load()
        self.models: list[ModelInfo] = []

    def save(self) -> None:
        try:
            self.store.save(self.settings)
        except SettingsError as exc:
            self._notices.error(str(exc))

    def model_info(self) -> ModelInfo | None:
        """The chosen model as the endpoint described it (None before discovery)."""
        chosen = self.settings.model
        return next((m for m in self.models if m.id == chosen or chosen in m.aliases), None)


@dataclass
class SentImages:
    """The images of sent questions: thumbnails for the view and the files as dropped, by the
    sha256 of the bytes sent (the history saves both with the question)."""

    thumbnails: dict[str, bytes] = field(default_factory=dict)
    originals: dict[str, Path] = field(default_factory=dict)

    def of(self, shas: set[str]) -> tuple[dict[str, Path], dict[str, bytes]]:
        """The originals and thumbnails of the images whose sha256 is in `shas`."""
        return (
            {k: v for k, v in self.originals.items() if k in shas},
            {k: v for k, v in self.thumbnails.items() if k in shas},
        )
