"""Opening and closing the saved history, as the history worker does it.

Opening takes the data directory's instance lock; without it the store opens read-only. A
writable store recovers on opening: replies left streaming by a crash are marked interrupted,
conversations deleted earlier are removed, and so are unused blobs.
"""

from __future__ import annotations

from pathlib import Path

from app.core.history_rows import HistoryInfo
from app.store.db import HistoryError
from app.store.history import HistoryStore
from app.store.lock import InstanceLock, acquire_instance_lock, second_instance_notice


def open_store(data_dir: Path) -> tuple[HistoryStore, InstanceLock | None]:
    """The store and the instance lock; read-only and no lock when another instance has it."""
    lock = acquire_instance_lock(data_dir)
    if lock is None:
        return HistoryStore(data_dir, read_only=True), None
    try:
        return HistoryStore(data_dir), lock
    except BaseException:
        lock.release()
        raise


def read_only_info(store: HistoryStore, data_dir: Path) -> HistoryInfo:
    return HistoryInfo(
        read_only=True,
        notice=second_instance_notice(data_dir),
        search="fts5" if store.fts5 else "like",
    )


def recover(store: HistoryStore) -> HistoryInfo:
    """Mark interrupted replies, remove what was deleted, and say what the user should know."""
    interrupted = store.mark_interrupted()
    store.purge_deleted()
    store.gc_blobs()
    notice = ""
    if interrupted:
        notice = (
            "1 reply was" if interrupted == 1 else f"{interrupted} replies were"
        ) + " cut off when grok-vision last closed; what arrived is kept, marked interrupted."
    if not store.fts5:
        notice = (notice + " " if notice else "") + (
            "Search is slower here: this system's SQLite has no full-text index."
        )
    return HistoryInfo(
        read_only=False,
        notice=notice,
        interrupted=interrupted,
        search="fts5" if store.fts5 else "like",
    )


def close_store(store: HistoryStore | None, lock: InstanceLock | None) -> None:
    """Tidy a writable store (deleted conversations, unused blobs), close it, release the
    lock."""
    try:
        if store is not None and not store.read_only:
            store.purge_deleted()
            store.gc_blobs()
    finally:
        if store is not None:
            store.close()
        if lock is not None:
            lock.release()


def describe_failure(exc: BaseException) -> str:
    """A history failure in plain words."""
    if isinstance(exc, HistoryError):
        return str(exc)
    if isinstance(exc, OSError):
        where = f" ({exc.filename})" if exc.filename else ""
        return (
            f"The history could not be saved{where}: {exc.strerror or exc}. Check free disk "
            "space and that the data folder is writable."
        )
    return (
        f"The history database reported an error: {exc}. Your conversation is still shown; "
        "restart grok-vision if it persists."
    )
