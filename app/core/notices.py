"""One way to tell the user something: a Qt-free bridge that flows raise notices on and the
window observes (the pattern of qutebrowser's ``message`` module).

A flow calls ``notices.info(...)``, ``notices.warning(...)`` or ``notices.error(...)``; every
observer that subscribed receives a :class:`Notice`. The bridge keeps no history of what it
said and never passes a secret on: every text goes through
:func:`app.core.redact.redact_secrets` first.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from app.core.redact import redact_secrets

log = logging.getLogger(__name__)


class Level(Enum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


@dataclass(frozen=True)
class Notice:
    level: Level
    text: str


Observer = Callable[[Notice], None]


class Notices:
    """The session's one notice bridge. Observers are called in the order they subscribed."""

    def __init__(self) -> None:
        self._observers: list[Observer] = []

    def subscribe(self, observer: Observer) -> Callable[[], None]:
        """Call ``observer`` with every notice from now on; returns the way to unsubscribe."""
        self._observers.append(observer)

        def unsubscribe() -> None:
            if observer in self._observers:
                self._observers.remove(observer)

        return unsubscribe

    def info(self, text: str) -> None:
        self.notify(Level.INFO, text)

    def warning(self, text: str) -> None:
        self.notify(Level.WARNING, text)

    def error(self, text: str) -> None:
        self.notify(Level.ERROR, text)

    def notify(self, level: Level, text: str) -> None:
        """Hand one notice, its secrets hidden, to every observer. An observer that fails is
        logged and does not keep the notice from the others."""
        notice = Notice(level, redact_secrets(text))
        log.info("notice (%s): %s", level.value, notice.text)  # kept in the log even when unseen
        for observer in list(self._observers):
            try:
                observer(notice)
            except Exception:
                log.exception("A notice observer failed on %r", notice.text)
