"""The conversation history: the one API through which the app reads and writes saved chats.

``HistoryStore(data_dir)`` opens ``data_dir/history.sqlite3`` (creating and migrating it) and the
blob folder ``data_dir/blobs``. It is not thread-safe: one thread owns it (the history controller
runs every call on its single worker thread). Before opening it for writing, the app takes the
instance lock (:func:`app.store.lock.acquire_instance_lock`); a second instance opens it with
``read_only=True``, where every write raises :class:`ReadOnlyHistoryError`.

Durability: every method is one transaction, committed before it returns. The user's message
(with its image blobs, written and flushed first) is saved by :meth:`append_message` before the
request leaves; a streaming reply is saved by :meth:`update_message_text` (the controller calls
it at least once a second) and :meth:`finish_message`.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from app.core.conversation import Conversation, Message, Status
from app.core.history_rows import ConversationPage, ConversationRow, SearchHit
from app.core.titles import distinct_title
from app.core.versions import VersionTree
from app.store import branches, conversation_reads, db, message_writes, records, search
from app.store.blobs import BlobStore, GcReport
from app.store.db import ConversationNotFoundError, HistoryError, ReadOnlyHistoryError
from app.store.paths import blobs_path, data_directory, database_path
from app.store.records import ConversationMeta

log = logging.getLogger(__name__)

__all__ = [
    "ConversationMeta",
    "ConversationNotFoundError",
    "GcReport",
    "HistoryError",
    "HistoryStore",
    "ReadOnlyHistoryError",
]

ORPHAN_GRACE_SECONDS = 600.0  # a blob file younger than this may belong to a write under way


class HistoryStore:
    """Saved conversations, messages and image blobs of one data directory."""

    def __init__(self, data_dir: Path, *, read_only: bool = False) -> None:
        self.data_dir = data_dir
        self.read_only = read_only
        self.path = database_path(data_dir)
        self.blobs = BlobStore(blobs_path(data_dir))
        self._conn = db.connect(self.path, read_only=read_only)
        self._conn.row_factory = sqlite3.Row
        self.fts5 = db.search_is_fts5(self._conn)

    @classmethod
    def open_default(cls, *, read_only: bool = False) -> HistoryStore:
        """The store in :func:`app.store.paths.data_directory`."""
        return cls(data_directory(), read_only=read_only)

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction. BEGIN IMMEDIATE takes the write lock at once (waiting up to
        the busy timeout for another writer); readers never block it in WAL mode."""
        if self.read_only:
            raise ReadOnlyHistoryError(
                "The history is open read-only because another grok-vision window is using it; "
                "changes can be made in that window."
            )
        conn = self._conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def integrity_check(self) -> str:
        return str(self._conn.execute("PRAGMA integrity_check").fetchone()[0])

    # -- conversations ---------------------------------------------------------------------

    def save_conversation_meta(self, conv: Conversation) -> None:
        """Create the conversation, or update its model and system prompt. The title is taken
        only while the saved one is empty (so a rename is never undone by the next save: change
        it with :meth:`rename`). ``updated`` is set on creation and moves when messages change."""
        now = time.time()
        with self._write() as conn:
            conn.execute(
                "INSERT INTO conversations (id, title, created, updated, model, system_prompt) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET title = CASE WHEN "
                "conversations.title = '' THEN excluded.title ELSE conversations.title END, "
                "model = excluded.model, system_prompt = excluded.system_prompt",
                (conv.id, conv.title, now, now, conv.model, conv.system_prompt),
            )

    def save_conversation(
        self,
        conv: Conversation,
        *,
        created: float | None = None,
        updated: float | None = None,
        pinned: bool = False,
        originals: Mapping[str, records.Original] | None = None,
        thumbnails: Mapping[str, bytes] | None = None,
    ) -> None:
        """Save a whole conversation as new (an import, a copy): meta and every message, with
        ``originals`` and ``thumbnails`` as in :meth:`append_message`. Raises HistoryError if
        a conversation with its id already exists."""
        prepared = [
            (
                m,
                records.store_part_blobs(
                    m.id, m.parts, self.blobs, originals=originals, thumbnails=thumbnails
                ),
            )
            for m in conv.all_messages()
        ]
        shown = conv.shown_ids()
        first = (
            created
            if created is not None
            else min((m.created for m in conv.all_messages()), default=time.time())
        )
        with self._write() as conn:
            try:
                conn.execute(
                    "INSERT INTO conversations (id, title, created, updated, pinned, model, "
                    "system_prompt) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        conv.id,
                        conv.title,
                        first,
                        updated if updated is not None else first,
                        int(pinned),
                        conv.model,
                        conv.system_prompt,
                    ),
                )
            except sqlite3.IntegrityError:
                raise HistoryError(
                    f"A conversation with the id {conv.id} already exists."
                ) from None
            for message, parts in prepared:
                message_writes.insert_message(
                    conn, conv.id, message, parts, touch=updated is None, shown=message.id in shown
                )

    def conversation_meta(self, conv_id: str) -> ConversationMeta:
        return conversation_reads.conversation_meta(self._conn, conv_id)

    def load_conversation(self, conv_id: str) -> Conversation:
        """The conversation with every message, images rebuilt from their blobs.

        A message whose image blob is missing gets a text part saying so in its place.
        """
        meta = self.conversation_meta(conv_id)
        shown = [node.id for node in branches.nodes(self._conn, conv_id) if node.shown]
        tree = VersionTree.of(self._messages(conv_id), shown)
        return Conversation(
            system_prompt=meta.system_prompt,
            model=meta.model,
            title=meta.title,
            messages=tree.branch(),
            id=meta.id,
            versions=tree,
        )

    def load_page(
        self, conv_id: str, count: int = 50, before: str | None = None
    ) -> ConversationPage:
        """The last ``count`` messages (or the ``count`` before the message ``before``), with
        the thumbnails of their images: what to show at once when a long conversation opens,
        while the whole loads."""
        return conversation_reads.load_page(self._conn, self.blobs, conv_id, count, before)

    def _messages(self, conv_id: str) -> list[Message]:
        return records.load_messages(self._conn, self.blobs, conv_id)

    def load_thumbnails(self, conv_id: str) -> dict[str, bytes]:
        """The stored thumbnails of a conversation's images, by PreparedImage.sha256."""
        return records.load_thumbnails(self._conn, self.blobs, conv_id)

    def list_conversations(
        self, limit: int | None = None, offset: int = 0, *, deleted: bool = False
    ) -> list[ConversationRow]:
        """Pinned first, then most recently updated first. ``deleted=True`` lists instead the
        conversations deleted and not yet purged (what Undo can bring back)."""
        return conversation_reads.list_rows(self._conn, limit, offset, deleted=deleted)

    def conversation_row(self, conv_id: str) -> ConversationRow:
        return conversation_reads.conversation_row(self._conn, conv_id)

    def count_conversations(self) -> int:
        return int(
            self._conn.execute(
                "SELECT COUNT(*) FROM conversations WHERE deleted_at IS NULL"
            ).fetchone()[0]
        )

    def rename(self, conv_id: str, title: str) -> None:
        self._update_conversation(conv_id, "title = ?", " ".join(title.split()))

    def auto_title(self, conv_id: str, title: str, default: str) -> str | None:
        """Give the conversation `title` (with a number when another has it) in place of
        `default`, the title its first question gave. None, and nothing changed, when its
        title is another one by now: the user's rename always wins."""
        with self._write() as conn:
            others = [
                row[0]
                for row in conn.execute(
                    "SELECT title FROM conversations WHERE id != ? AND deleted_at IS NULL",
                    (conv_id,),
                )
            ]
            title = distinct_title(" ".join(title.split()), others)
            changed = conn.execute(
                "UPDATE conversations SET title = ? WHERE id = ? AND title = ?",
                (title, conv_id, default),
            ).rowcount
        return title if changed else None

    def pin(self, conv_id: str, pinned: bool = True) -> None:
        self._update_conversation(conv_id, "pinned = ?", int(pinned))

    def delete(self, conv_id: str) -> None:
        """Soft delete: the conversation leaves the list and search, but stays (with its blobs)
        until :meth:`purge_deleted`, so :meth:`undo_delete` can bring it back."""
        self._update_conversation(conv_id, "deleted_at = ?", time.time())

    def undo_delete(self, conv_id: str) -> None:
        self._update_conversation(conv_id, "deleted_at = ?", None)

    def purge_deleted(self, older_than: float = 0.0) -> int:
        """Remove for good the conversations deleted at least ``older_than`` seconds ago (all of
        them with the default). Returns how many; their blobs go at the next :meth:`gc_blobs`."""
        with self._write() as conn:
            return conn.execute(
                "DELETE FROM conversations WHERE deleted_at IS NOT NULL AND deleted_at <= ?",
                (time.time() - older_than,),
            ).rowcount

    def _update_conversation(self, conv_id: str, assignment: str, value: object) -> None:
        with self._write() as conn:
            changed = conn.execute(
                f"UPDATE conversations SET {assignment} WHERE id = ?",  # noqa: S608
                (value, conv_id),
            ).rowcount
        if not changed:
            raise ConversationNotFoundError(f"There is no saved conversation {conv_id}.")

    # -- messages --------------------------------------------------------------------------

    def append_message(
        self,
        conv_id: str,
        message: Message,
        originals: Mapping[str, records.Original] | None = None,
        thumbnails: Mapping[str, bytes] | None = None,
    ) -> None:
        """Add a message at the end of a saved conversation: its image blobs are written and
        flushed to disk first, then the message and its parts in one transaction.

        ``originals`` maps an image's ``PreparedImage.sha256`` to the file as the user dropped
        it (bytes or a path), kept beside the version sent; an unreadable original is skipped.
        ``thumbnails`` maps it to the PNG thumbnail the window shows (see :meth:`load_page`).
        """
        prepared = records.store_part_blobs(
            message.id, message.parts, self.blobs, originals=originals, thumbnails=thumbnails
        )
        with self._write() as conn:
            if (
                conn.execute("SELECT 1 FROM conversations WHERE id = ?", (conv_id,)).fetchone()
                is None
            ):
                raise ConversationNotFoundError(
                    f"There is no saved conversation {conv_id}: save it first."
                )
            message_writes.insert_message(conn, conv_id, message, prepared, touch=True)

    def save_shown(self, conv_id: str, shown: list[str]) -> None:
        """Save which version of each turn is shown (after the user switched versions)."""
        with self._write() as conn:
            message_writes.set_shown(conn, conv_id, shown)

    def update_message_text(
        self, message_id: str, text: str, status: Status = Status.STREAMING
    ) -> None:
        """Replace a message's text (a streaming reply's text so far) and its status. Its text
        parts become one, where the first one was (or after its images)."""
        with self._write() as conn:
            message_writes.update_text(conn, message_id, text, status)

    def finish_message(self, message: Message) -> None:
        """Save a message's final state (status, error, usage, model and parts); the originals
        and thumbnails kept with its images stay."""
        kept = records.kept_blobs(self._conn, message.id)
        prepared = records.store_part_blobs(message.id, message.parts, self.blobs, kept=kept)
        with self._write() as conn:
            message_writes.finish(conn, message, prepared)

    def delete_message(self, message_id: str) -> None:
        """Remove one message (a failed reply the user retries, for example)."""
        with self._write() as conn:
            conn.execute(
                "DELETE FROM messages WHERE seq = ?",
                (message_writes.message_seq(conn, message_id),),
            )

    def streaming_conversation(self) -> str | None:
        """The conversation of the latest reply still marked streaming (the app ended while it
        streamed), if any: call before :meth:`mark_interrupted`."""
        row = self._conn.execute(
            "SELECT m.conversation_id FROM messages AS m JOIN conversations AS c "
            "ON c.id = m.conversation_id WHERE m.status = ? AND c.deleted_at IS NULL "
            "ORDER BY m.created DESC, m.seq DESC LIMIT 1",
            (Status.STREAMING.value,),
        ).fetchone()
        return str(row[0]) if row is not None else None

    def mark_interrupted(self) -> int:
        """At start-up: every reply still marked streaming (the app ended mid-reply) becomes
        interrupted, keeping the text of its last flush. Returns how many. Only the instance
        holding the lock may call this (another's reply may be streaming right now)."""
        with self._write() as conn:
            return conn.execute(
                "UPDATE messages SET status = ? WHERE status = ?",
                (Status.INTERRUPTED.value, Status.STREAMING.value),
            ).rowcount

    # -- search and blobs ------------------------------------------------------------------

    def search(self, query: str, limit: int = 50) -> list[SearchHit]:
        """Messages containing every word of ``query`` (as word prefixes), best first."""
        return search.search(self._conn, query, fts5=self.fts5, limit=limit)

    def blob_path(self, sha256: str) -> Path | None:
        """The file of a stored blob, or None when it is missing."""
        path = self.blobs.path(sha256)
        return path if path.is_file() else None

    def image_originals(self, conv_id: str) -> dict[tuple[str, int], str]:
        """The SHA-256 of each kept original, by (message id, part position)."""
        return {
            (r[0], r[1]): r[2]
            for r in self._conn.execute(
                "SELECT p.message_id, p.position, p.original_blob FROM parts AS p "
                "JOIN messages AS m ON m.id = p.message_id "
                "WHERE m.conversation_id = ? AND p.original_blob IS NOT NULL",
                (conv_id,),
            )
        }

    def gc_blobs(self) -> GcReport:
        """Delete the blobs no message refers to (a soft-deleted conversation's still count),
        and files a crash left behind with no database row."""
        with self._write() as conn:
            unused = conn.execute(
                "SELECT sha256, size FROM blobs AS b WHERE NOT EXISTS (SELECT 1 FROM parts "
                "WHERE blob = b.sha256) AND NOT EXISTS (SELECT 1 FROM parts WHERE "
                "original_blob = b.sha256) AND NOT EXISTS (SELECT 1 FROM parts WHERE "
                "thumbnail_blob = b.sha256)"
            ).fetchall()
            conn.executemany("DELETE FROM blobs WHERE sha256 = ?", [(r[0],) for r in unused])
        for sha, _size in unused:
            self.blobs.delete(sha)
        known = {r[0] for r in self._conn.execute("SELECT sha256 FROM blobs")}
        orphans = self.blobs.remove_orphans(known, ORPHAN_GRACE_SECONDS)
        self.blobs.remove_stale_temporaries()
        return GcReport(len(unused), sum(r[1] for r in unused), orphans)
