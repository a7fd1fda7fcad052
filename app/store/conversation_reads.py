"""The SQL that reads saved conversations: their meta, a page of messages, the list's rows."""

from __future__ import annotations

import sqlite3

from app.core.history_rows import ConversationPage, ConversationRow
from app.store import branches, records
from app.store.blobs import BlobStore
from app.store.db import ConversationNotFoundError
from app.store.records import ConversationMeta

_ROW_SELECT = (
    "SELECT c.id, c.title, c.updated, c.pinned, "
    # The messages of the visible branch: from the first message shown, each one's shown child.
    "(WITH RECURSIVE branch(id) AS (SELECT m.id FROM messages AS m WHERE "
    "m.conversation_id = c.id AND m.parent_id IS NULL AND m.shown = 1 UNION ALL "
    "SELECT m.id FROM messages AS m JOIN branch ON m.conversation_id = c.id AND "
    "m.parent_id = branch.id AND m.shown = 1) SELECT COUNT(*) FROM branch), "
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
    """See :meth:`app.store.history.HistoryStore.load_page`: a page of the visible branch."""
    meta = conversation_meta(conn, conv_id)
    branch = branches.visible_ids(branches.nodes(conn, conv_id))
    limit = len(branch)
    if before is not None:
        if before not in branch:
            raise ConversationNotFoundError(
                f"The message {before} is not in the conversation {conv_id}."
            )
        limit = branch.index(before)
    start = max(0, limit - max(0, count))
    ids = branch[start:limit]
    if not ids:
        return ConversationPage(conv_id, meta.title, [], len(branch), limit)
    return ConversationPage(
        conv_id,
        meta.title,
        records.load_messages(conn, blobs, conv_id, ids),
        len(branch),
        start,
        records.load_thumbnails(conn, blobs, conv_id, ids),
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
