"""HTML made on worker threads and handed back to the GUI thread (long replies' Markdown, as
a list of pieces)."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal


class BackgroundHtml(QObject):
    """Runs HTML makers, a short-lived thread each; `made` hands each result back, with the tag
    given to `start`, on the thread this object lives in (once that worker has ended)."""

    made = Signal(object, object)  # tag, what the maker made
    _from_worker = Signal(object, object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._workers: dict[int, threading.Thread] = {}  # by id() of their tag
        self._from_worker.connect(self._finish)

    @property
    def busy(self) -> bool:
        """Whether some HTML is still being made."""
        return bool(self._workers)

    def start(self, tag: object, make: Callable[[], object]) -> None:
        def work() -> None:
            html = make()
            with contextlib.suppress(RuntimeError):  # the owner was deleted meanwhile
                self._from_worker.emit(tag, html)

        worker = threading.Thread(target=work, name="render-reply", daemon=True)
        self._workers[id(tag)] = worker
        worker.start()

    def _finish(self, tag: object, html: object) -> None:
        worker = self._workers.pop(id(tag), None)
        if worker is not None:
            worker.join()  # it has emitted: only its return is left
        self.made.emit(tag, html)
