"""The SQL that reads saved conversations: their meta, a page of messages, the list's rows."""

from __future__ import annotations

import sqlite3

from app.core.history_rows import ConversationPage, ConversationRow
from app.store import records
from app.store.blobs import BlobStore
from app.store.db import ConversationNotFoundError
from app.store.records import ConversationMeta

ALL = 1 << 62  # a position past every message

_ROW_SELECT = (
    "SELECT c.id, c.title, c.updated, c.pinned, "
    "(SELECT COUNT(*) FROM messages AS m WHERE m.conversation_id = c.id), "
    "c.model, c.created FROM conversations AS c"
)


def conversation_meta(conn: sqlite3.Connection, conv_id: str) -> ConversationMeta:
    row = conn.execute(
        "SELECT id, title, created, updated, pinned, model, system_prompt, deleted_at "
        "FROM conversations WHERE id = ?",
        (conv_id,),
    ).fetchone()
    if row is None:
        raise ConversationNotFoundError(f"There is no saved conversation {conv_id}.")
    return ConversationMeta(row[0], row[1], row[2], row[3], bool(row[4]), row[5], row[6], row[7])


def load_page(
    conn: sqlite3.Connection, blobs: BlobStore, conv_id: str, count: int, before: str | None
) -> ConversationPage:
    """See :meth:`app.store.history.HistoryStore.load_page`."""
    meta = conversation_meta(conn, conv_id)
    limit = ALL
    if before is not None:
        row = conn.execute(
            "SELECT position FROM messages WHERE id = ? AND conversation_id = ?",
            (before, conv_id),
        ).fetchone()
        if row is None:
            raise ConversationNotFoundError(
                f"The message {before} is not in the conversation {conv_id}."
            )
        limit = int(row[0])
    positions = [
        r[0]
        for r in conn.execute(
            "SELECT position FROM messages WHERE conversation_id = ? AND position < ? "
            "ORDER BY position DESC LIMIT ?",
            (conv_id, limit, max(0, count)),
        )
    ]
    total = int(
        conn.execute(
            "SELECT COUNT(*) FROM messages WHERE conversation_id = ?", (conv_id,)
        ).fetchone()[0]
    )
    if not positions:
        start = (
            0
            if before is None
            else int(
                conn.execute(
                    "SELECT COUNT(*) FROM messages WHERE conversation_id = ? AND position < ?",
                    (conv_id, limit),
                ).fetchone()[0]
            )
        )
        return ConversationPage(conv_id, meta.title, [], total, start)
    low, high = positions[-1], positions[0]
    start = int(
        conn.execute(
            "SELECT COUNT(*) FROM messages WHERE conversation_id = ? AND position < ?",
            (conv_id, low),
        ).fetchone()[0]
    )
    return ConversationPage(
        conv_id,
        meta.title,
        records.load_messages(conn, blobs, conv_id, low, high),
        total,
        start,
        records.load_thumbnails(conn, blobs, conv_id, low, high),
    )


def list_rows(
    conn: sqlite3.Connection, limit: int | None, offset: int, *, deleted: bool
) -> list[ConversationRow]:
    """Pinned first, then most recently updated first (or the deleted ones not yet purged)."""
    where = "c.deleted_at IS NOT NULL" if deleted else "c.deleted_at IS NULL"
    rows = conn.execute(
        f"{_ROW_SELECT} WHERE {where} ORDER BY c.pinned DESC, c.updated DESC, c.id "
        "LIMIT ? OFFSET ?",
        (-1 if limit is None else limit, offset),
    ).fetchall()
    return [_conversation_row(row) for row in rows]


def conversation_row(conn: sqlite3.Connection, conv_id: str) -> ConversationRow:
    row = conn.execute(f"{_ROW_SELECT} WHERE c.id = ?", (conv_id,)).fetchone()
    if row is None:
        raise ConversationNotFoundError(f"There is no saved conversation {conv_id}.")
    return _conversation_row(row)


def _conversation_row(row: sqlite3.Row) -> ConversationRow:
    return ConversationRow(
        id=row[0],
        title=row[1],
        updated=row[2],
        pinned=bool(row[3]),
        message_count=row[4],
        model=row[5],
        created=row[6],
    )
