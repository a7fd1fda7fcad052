"""The saved history, off the GUI thread: one worker thread owns the store and runs every call.

Every call is submitted to the worker *when it is made* and the worker runs them one at a time
in that order, so "append the reply, then its text, then finish it" always lands in that order.
Each call returns an asyncio future for its result, which the caller may await or ignore; a
failure is also emitted as ``failed(message)`` in plain words (show that; do not report the
exception a second time).

Opening (:meth:`HistoryController.open`) takes the data directory's instance lock. Without it
(another grok-vision is running) the history opens read-only: lists, search and loading work,
the saving calls quietly do nothing, edits fail with a message, and ``opened`` carries the
notice to show. At start-up the writable instance marks replies left streaming by a crash as
interrupted and removes the conversations deleted in an earlier session and unused blobs.

Wiring, as the window would do it::

    history.opened.connect(lambda info: ... info.notice ...)
    history.conversationsChanged.connect(sidebar.set_rows)
    history.searchFinished.connect(lambda query, hits: sidebar.set_search_results(hits))
    sidebar.searchRequested.connect(history.request_search)
    sidebar.renameRequested.connect(history.rename)       # and delete, undo_delete, pin
    chat.messageAdded -> history.save_message(chat.conversation, message, originals,
                                              thumbnails)
                         (a user message: await it before the request leaves)
    chat.replyDelta.connect(history.reply_delta)          # flushed every FLUSH_INTERVAL_MS
    chat.replyFinished.connect(history.finish_message)
    retry after a failed reply -> history.delete_message(failed_reply.id)
    regenerate / edit a question -> history.save_message of the new version (its siblings
                         stay, no longer shown); switching versions -> history.save_shown
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import sqlite3
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import QObject, QTimer, Signal

from app.controllers.history_open import (
    close_store,
    describe_failure,
    open_store,
    read_only_info,
    recover,
)
from app.core.conversation import Conversation, Message, Status
from app.core.history_rows import ConversationPage, ConversationRow, HistoryInfo, SearchHit
from app.store.db import HistoryError
from app.store.history import HistoryStore
from app.store.lock import InstanceLock
from app.store.paths import data_directory
from app.store.records import Original

log = logging.getLogger(__name__)

T = TypeVar("T")

FLUSH_INTERVAL_MS = 500  # a streaming reply's text reaches the disk at least this often
PAGE_SIZE = 40  # messages shown at once when a conversation opens
_FAILURES = (HistoryError, OSError, sqlite3.Error)


class HistoryController(QObject):
    opened = Signal(object)  # HistoryInfo
    failed = Signal(str)  # what went wrong, in plain words
    conversationsChanged = Signal(object)  # list[ConversationRow], after any change
    pageLoaded = Signal(object)  # ConversationPage: the last messages, shown first
    conversationLoaded = Signal(object)  # Conversation: the whole of it, images included
    searchFinished = Signal(str, object)  # query, list[SearchHit] (only the latest query's)

    def __init__(
        self,
        data_dir: Path | None = None,
        parent: QObject | None = None,
        *,
        flush_interval_ms: int = FLUSH_INTERVAL_MS,
    ) -> None:
        super().__init__(parent)
        self.data_dir = data_dir if data_dir is not None else data_directory()
        self._executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="history"
        )
        self._store: HistoryStore | None = None  # used only in the worker thread
        self._lock: InstanceLock | None = None
        self._info: HistoryInfo | None = None
        self._opening: asyncio.Future[HistoryInfo] | None = None
        self._first_listing: asyncio.Future[list[ConversationRow]] | None = None
        self._texts: dict[str, str] = {}  # streaming replies' text so far, by id
        self._dirty: set[str] = set()  # … not yet flushed
        self._latest_query = ""
        self._closed = False
        # The conversation whose reply was cut off when the app last ended, found on opening.
        self.interrupted_conversation: str | None = None
        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self._flush_timer.setInterval(flush_interval_ms)
        self._flush_timer.timeout.connect(self.flush)

    # -- life ------------------------------------------------------------------------------

    @property
    def read_only(self) -> bool:
        """Whether nothing is being saved: another instance has the history, or it is not
        (yet) open."""
        return self._info is None or self._info.read_only

    @property
    def info(self) -> HistoryInfo | None:
        return self._info

    def open(self) -> asyncio.Future[HistoryInfo]:
        """Open the history (lock, migrate, recover, tidy); emits ``opened`` and then
        ``conversationsChanged``. Calls made before it completes wait for it. A history that
        cannot be opened is reported once by ``failed``; the app then runs without one: the
        saving calls do nothing and the others fail with "not open"."""
        if self._opening is None:
            self._opening = self._submit(self._open_job)
            self._opening.add_done_callback(self._opened)
        return self._opening

    def _open_job(self) -> HistoryInfo:
        store, lock = open_store(self.data_dir)
        self._store, self._lock = store, lock
        if lock is None:
            return read_only_info(store, self.data_dir)
        self.interrupted_conversation = store.streaming_conversation()
        return recover(store)

    def _opened(self, future: asyncio.Future[HistoryInfo]) -> None:
        if future.cancelled() or future.exception() is not None:
            return
        self._info = future.result()
        self.opened.emit(self._info)
        self._first_listing = self.refresh()

    async def listed(self) -> None:
        """Wait until the history is open and its conversations first listed (the sidebar's
        ``conversationsChanged`` emitted); raises what opening or listing raised."""
        await self.open()
        if self._first_listing is not None:
            await self._first_listing

    async def aclose(self) -> None:
        """Flush what is streaming, remove this session's deleted conversations, close the
        store and release the lock; then stop the worker thread."""
        if self._closed:
            return
        self.flush()
        self._closed = True
        self._flush_timer.stop()
        try:
            await asyncio.wrap_future(self._executor.submit(self._close_job))
        except _FAILURES as exc:
            log.warning("closing the history: %s", exc)
        finally:
            self._executor.shutdown(wait=True)

    def _close_job(self) -> None:
        store, self._store = self._store, None
        lock, self._lock = self._lock, None
        close_store(store, lock)

    # -- the worker ------------------------------------------------------------------------

    def _require(self) -> HistoryStore:
        if self._store is None:
            raise HistoryError("The history is not open, so conversations are not being saved.")
        return self._store

    def _submit(self, job: Callable[[], T]) -> asyncio.Future[T]:
        if self._closed:
            future: asyncio.Future[T] = _loop().create_future()
            future.set_exception(HistoryError("The history is closed."))
        else:
            future = asyncio.wrap_future(self._executor.submit(job), loop=_loop())
        future.add_done_callback(self._report)
        return future

    def _call(self, fn: Callable[[HistoryStore], T]) -> asyncio.Future[T]:
        """Run ``fn(store)`` in the worker; fails when the history is not open."""
        return self._submit(lambda: fn(self._require()))

    def _save(self, fn: Callable[[HistoryStore], None]) -> asyncio.Future[None]:
        """Run a saving ``fn(store)`` in the worker; a no-op when the history is read-only or
        could not be opened (which was reported once, when it was opened)."""

        def job() -> None:
            store = self._store
            if store is not None and not store.read_only:
                fn(store)

        return self._submit(job)

    def _report(self, future: asyncio.Future[Any]) -> None:
        if future.cancelled():
            return
        exc = future.exception()  # retrieved here, so an ignored future never warns
        if exc is None:
            return
        if isinstance(exc, _FAILURES):
            self.failed.emit(describe_failure(exc))
        else:
            log.error("a history call failed", exc_info=exc)
            self.failed.emit(f"The history could not be updated ({type(exc).__name__}: {exc}).")

    # -- saving a conversation as it happens -----------------------------------------------

    def save_meta(self, conversation: Conversation) -> asyncio.Future[None]:
        """Create or update the conversation's title, model and system prompt."""
        return self._save(lambda s: s.save_conversation_meta(conversation))

    def save_message(
        self,
        conversation: Conversation,
        message: Message,
        originals: Mapping[str, Original] | None = None,
        thumbnails: Mapping[str, bytes] | None = None,
    ) -> asyncio.Future[None]:
        """Save the conversation's meta and append ``message`` with its images' blobs, and by
        PreparedImage.sha256 the ``originals`` (the dropped files' paths or bytes) and the
        ``thumbnails`` (JPEG or PNG, what the view shows when the conversation is opened
        again). For a user message, await this before the request leaves."""
        if message.status is Status.STREAMING:
            self._texts[message.id] = message.text
        conversation.link()  # its parent is set

        def job(store: HistoryStore) -> None:
            store.save_conversation_meta(conversation)
            store.append_message(conversation.id, message, originals, thumbnails)

        return self._save(job)

    def reply_delta(self, message_id: str, delta: str) -> None:
        """Text arrived for a streaming reply; it is written within FLUSH_INTERVAL_MS."""
        if self._closed or (self._info is not None and self._info.read_only):
            return
        self._texts[message_id] = self._texts.get(message_id, "") + delta
        self._dirty.add(message_id)
        if not self._flush_timer.isActive():
            self._flush_timer.start()

    def resume_text(self, message_id: str, text: str) -> None:
        """A saved reply streams again (Continue): its deltas add to `text`."""
        self._texts[message_id] = text

    def flush(self) -> None:
        """Write the text of every streaming reply that changed since the last flush."""
        if self._closed:
            return
        for message_id in sorted(self._dirty):
            text = self._texts.get(message_id, "")
            self._save(_text_update(message_id, text))
        self._dirty.clear()

    def finish_message(self, message: Message) -> asyncio.Future[None]:
        """Save a reply's final state (replaces whatever was flushed)."""
        self._texts.pop(message.id, None)
        self._dirty.discard(message.id)
        return self._save(lambda s: s.finish_message(message))

    def delete_message(self, message_id: str) -> asyncio.Future[None]:
        """Remove one message (a failed reply being retried)."""
        return self._save(lambda s: s.delete_message(message_id))

    def save_shown(self, conversation: Conversation) -> asyncio.Future[None]:
        """Save which version of each turn the conversation shows (the user switched)."""
        conv_id, shown = conversation.id, sorted(conversation.shown_ids())
        return self._save(lambda s: s.save_shown(conv_id, shown))

    # -- reading ---------------------------------------------------------------------------

    def refresh(self) -> asyncio.Future[list[ConversationRow]]:
        """List the conversations again; emits ``conversationsChanged``."""
        future = self._call(lambda s: s.list_conversations())
        future.add_done_callback(lambda f: self._emit(f, self.conversationsChanged))
        return future

    def open_conversation(
        self, conv_id: str, first_page: int = PAGE_SIZE
    ) -> asyncio.Future[Conversation]:
        """Emit ``pageLoaded`` with the last messages at once, then ``conversationLoaded``
        with the whole conversation (what a next turn needs to send)."""
        page = self._call(lambda s: s.load_page(conv_id, first_page))
        page.add_done_callback(lambda f: self._emit(f, self.pageLoaded))
        whole = self._call(lambda s: s.load_conversation(conv_id))
        whole.add_done_callback(lambda f: self._emit(f, self.conversationLoaded))
        return whole

    def load_conversation(self, conv_id: str) -> asyncio.Future[Conversation]:
        return self._call(lambda s: s.load_conversation(conv_id))

    def load_page(
        self, conv_id: str, count: int = PAGE_SIZE, before: str | None = None
    ) -> asyncio.Future[ConversationPage]:
        return self._call(lambda s: s.load_page(conv_id, count, before))

    def request_search(self, query: str) -> asyncio.Future[list[SearchHit]]:
        """Search; emits ``searchFinished`` unless a newer search was asked for meanwhile."""
        self._latest_query = query
        future = self._call(lambda s: s.search(query))

        def finished(f: asyncio.Future[list[SearchHit]]) -> None:
            if not f.cancelled() and f.exception() is None and query == self._latest_query:
                self.searchFinished.emit(query, f.result())

        future.add_done_callback(finished)
        return future

    # -- editing the list (each refreshes it) ----------------------------------------------

    def rename(self, conv_id: str, title: str) -> asyncio.Future[None]:
        return self._edit(lambda s: s.rename(conv_id, title))

    def auto_title(self, conv_id: str, title: str, default: str) -> asyncio.Future[str | None]:
        """Title a conversation from its content unless renamed (see HistoryStore)."""
        future = self._call(lambda s: s.auto_title(conv_id, title, default))
        future.add_done_callback(lambda f: f.cancelled() or f.exception() or self.refresh())
        return future

    def pin(self, conv_id: str, pinned: bool) -> asyncio.Future[None]:
        return self._edit(lambda s: s.pin(conv_id, pinned))

    def delete(self, conv_id: str) -> asyncio.Future[None]:
        """Soft delete: Undo (:meth:`undo_delete`) works until the app closes."""
        return self._edit(lambda s: s.delete(conv_id))

    def undo_delete(self, conv_id: str) -> asyncio.Future[None]:
        return self._edit(lambda s: s.undo_delete(conv_id))

    def _edit(self, fn: Callable[[HistoryStore], None]) -> asyncio.Future[None]:
        future = self._call(fn)
        self.refresh()
        return future

    # -- export and import -----------------------------------------------------------------

    def export(self, conv_id: str, out_dir: Path, fmt: str = "md") -> asyncio.Future[Path]:
        """Write the conversation as Markdown ("md") or JSON ("json") into ``out_dir``."""
        from app.store.export import export_json, export_markdown

        writer = export_json if fmt == "json" else export_markdown
        return self._call(lambda s: writer(s, conv_id, out_dir))

    def import_file(self, path: Path) -> asyncio.Future[str]:
        """Import a JSON export as a new conversation (its id); the list refreshes."""
        from app.store.importer import import_json

        future = self._call(lambda s: import_json(s, path))
        self.refresh()
        return future

    def _emit(self, future: asyncio.Future[Any], signal: Any) -> None:
        if not future.cancelled() and future.exception() is None:
            signal.emit(future.result())


def _text_update(message_id: str, text: str) -> Callable[[HistoryStore], None]:
    return lambda store: store.update_message_text(message_id, text)


def _loop() -> asyncio.AbstractEventLoop:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.get_event_loop()
