"""The SQL that writes messages: insert, a streaming reply's text, the final state, truncation."""

from __future__ import annotations

import sqlite3
import time

from app.core.conversation import Message, Status
from app.store import records
from app.store.db import ConversationNotFoundError


def insert_message(
    conn: sqlite3.Connection,
    conv_id: str,
    message: Message,
    prepared: records.PreparedParts,
    *,
    touch: bool,
) -> None:
    """Add the message after the conversation's last one; ``touch`` moves its ``updated``."""
    seq = conn.execute(
        "INSERT INTO messages (id, conversation_id, position, role, status, error, model, "
        "created, usage, extras) VALUES (?, ?, (SELECT COALESCE(MAX(position), -1) + 1 "
        "FROM messages WHERE conversation_id = ?), ?, ?, ?, ?, ?, ?, ?) RETURNING seq",
        (
            message.id,
            conv_id,
            conv_id,
            message.role,
            message.status.value,
            message.error,
            message.model,
            message.created,
            records.usage_json(message.usage),
            records.extras_json(message),
        ),
    ).fetchone()[0]
    records.insert_parts(conn, prepared)
    records.index_text(conn, seq, message.text)
    if touch:
        conn.execute("UPDATE conversations SET updated = ? WHERE id = ?", (time.time(), conv_id))


def update_text(conn: sqlite3.Connection, message_id: str, text: str, status: Status) -> None:
    """Replace the message's text parts by one (where the first was) and set its status."""
    seq = message_seq(conn, message_id)
    positions = [
        r[0]
        for r in conn.execute(
            "SELECT position, kind FROM parts WHERE message_id = ? ORDER BY position",
            (message_id,),
        )
        if r[1] == "text"
    ] or [
        conn.execute(
            "SELECT COALESCE(MAX(position), -1) + 1 FROM parts WHERE message_id = ?",
            (message_id,),
        ).fetchone()[0]
    ]
    conn.execute("DELETE FROM parts WHERE message_id = ? AND kind = 'text'", (message_id,))
    if text:
        conn.execute(
            "INSERT INTO parts (message_id, position, kind, text) VALUES (?, ?, 'text', ?)",
            (message_id, positions[0], text),
        )
    conn.execute("UPDATE messages SET status = ? WHERE seq = ?", (status.value, seq))
    records.index_text(conn, seq, text)


def finish(conn: sqlite3.Connection, message: Message, prepared: records.PreparedParts) -> None:
    """Save the message's final status, error, usage, model and parts."""
    seq = message_seq(conn, message.id)
    conn.execute(
        "UPDATE messages SET status = ?, error = ?, model = ?, usage = ?, extras = ? WHERE seq = ?",
        (
            message.status.value,
            message.error,
            message.model,
            records.usage_json(message.usage),
            records.extras_json(message),
            seq,
        ),
    )
    conn.execute("DELETE FROM parts WHERE message_id = ?", (message.id,))
    records.insert_parts(conn, prepared)
    records.index_text(conn, seq, message.text)
    conn.execute(
        "UPDATE conversations SET updated = ? WHERE id = (SELECT "
        "conversation_id FROM messages WHERE seq = ?)",
        (time.time(), seq),
    )


def truncate(conn: sqlite3.Connection, conv_id: str, message_id: str, operator: str) -> int:
    """Remove the messages whose position compares to ``message_id``'s by ``operator``."""
    row = conn.execute(
        "SELECT position FROM messages WHERE id = ? AND conversation_id = ?",
        (message_id, conv_id),
    ).fetchone()
    if row is None:
        raise ConversationNotFoundError(
            f"The message {message_id} is not in the conversation {conv_id}."
        )
    removed = conn.execute(
        f"DELETE FROM messages WHERE conversation_id = ? AND position {operator} ?",  # noqa: S608
        (conv_id, row[0]),
    ).rowcount
    conn.execute("UPDATE conversations SET updated = ? WHERE id = ?", (time.time(), conv_id))
    return int(removed)


def message_seq(conn: sqlite3.Connection, message_id: str) -> int:
    row = conn.execute("SELECT seq FROM messages WHERE id = ?", (message_id,)).fetchone()
    if row is None:
        raise ConversationNotFoundError(f"There is no saved message {message_id}.")
    return int(row[0])
