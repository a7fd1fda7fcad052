"""One writer per data directory: an exclusive lock held for as long as the app runs.

The lock is an OS file lock (``flock`` on POSIX, ``msvcrt.locking`` on Windows) on
``data_dir/lock``; the OS drops it when the process ends in any way, ``kill -9`` included, so a
crash never leaves a stale lock. The file also holds the owner's process id, for messages.

What a second instance does when :func:`acquire_instance_lock` returns None: it must not open
the history for writing (and must never call ``mark_interrupted``: the first instance's reply
may be streaming). It either asks the first instance to come to the front and exits, or opens
the history with ``HistoryStore(data_dir, read_only=True)`` and tells the user that this window
shows the history read-only because grok-vision is already running (:data:`SECOND_INSTANCE_NOTICE`).
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import IO

from app.store.paths import lock_path

SECOND_INSTANCE_NOTICE = (
    "grok-vision is already running{pid}, so this window shows your history read-only: new "
    "conversations here are not saved. Close the other window and start again to save them."
)


class InstanceLock:
    """The held lock; :meth:`release` (or leaving the ``with`` block) lets another take it."""

    def __init__(self, path: Path, stream: IO[str]) -> None:
        self.path = path
        self._stream: IO[str] | None = stream

    @property
    def held(self) -> bool:
        return self._stream is not None

    def release(self) -> None:
        stream, self._stream = self._stream, None
        if stream is None:
            return
        with contextlib.suppress(OSError):
            _unlock(stream)
        stream.close()

    def __enter__(self) -> InstanceLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def acquire_instance_lock(data_dir: Path) -> InstanceLock | None:
    """Take the data directory's lock, or None when another running process holds it.

    Raises OSError when the lock file cannot be created (a read-only folder, say).
    """
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = lock_path(data_dir)
    stream = path.open("a+", encoding="ascii")
    try:
        if not _try_lock(stream):
            stream.close()
            return None
        stream.seek(0)
        stream.truncate()
        stream.write(f"{os.getpid()}\n")
        stream.flush()
    except BaseException:
        stream.close()
        raise
    return InstanceLock(path, stream)


def lock_holder(data_dir: Path) -> int | None:
    """The process id written by the lock's holder, if it can be read."""
    try:
        text = lock_path(data_dir).read_text(encoding="ascii").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def second_instance_notice(data_dir: Path) -> str:
    pid = lock_holder(data_dir)
    return SECOND_INSTANCE_NOTICE.format(pid=f" (process {pid})" if pid else "")


if sys.platform == "win32":
    import msvcrt

    def _try_lock(stream: IO[str]) -> bool:
        stream.seek(0)
        try:
            msvcrt.locking(stream.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(stream: IO[str]) -> None:
        stream.seek(0)
        msvcrt.locking(stream.fileno(), msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(stream: IO[str]) -> bool:
        try:
            fcntl.flock(stream.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(stream: IO[str]) -> None:
        fcntl.flock(stream.fileno(), fcntl.LOCK_UN)
