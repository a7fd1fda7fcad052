"""The SQL that writes messages: insert, a streaming reply's text, the final state, the versions
shown."""

from __future__ import annotations

import json
import sqlite3
import time

from app.core.conversation import Message, Status
from app.store import message_extras, records
from app.store.db import ConversationNotFoundError


def insert_message(
    conn: sqlite3.Connection,
    conv_id: str,
    message: Message,
    prepared: records.PreparedParts,
    *,
    touch: bool,
    shown: bool = True,
) -> None:
    """Add the message after the conversation's last one, under its parent; ``shown``: it is
    the version of its turn shown (its siblings are not); ``touch`` moves ``updated``."""
    if shown:
        conn.execute(
            "UPDATE messages SET shown = 0 WHERE conversation_id = ? AND parent_id IS ?",
            (conv_id, message.parent),
        )
    seq = conn.execute(
        "INSERT INTO messages (id, conversation_id, position, role, status, error, model, "
        "created, usage, extras, parent_id, shown) VALUES (?, ?, (SELECT "
        "COALESCE(MAX(position), -1) + 1 FROM messages WHERE conversation_id = ?), ?, ?, ?, "
        "?, ?, ?, ?, ?, ?) RETURNING seq",
        (
            message.id,
            conv_id,
            conv_id,
            message.role,
            message.status.value,
            message.error,
            message.model,
            message.created,
            message_extras.usage_json(message.usage),
            message_extras.extras_json(message),
            message.parent,
            int(shown),
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
            message_extras.usage_json(message.usage),
            message_extras.extras_json(message),
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


def set_shown(conn: sqlite3.Connection, conv_id: str, shown: list[str]) -> None:
    """Mark the versions each turn shows: `shown` and no other message of the conversation."""
    conn.execute(
        "UPDATE messages SET shown = (id IN (SELECT value FROM json_each(?))) "
        "WHERE conversation_id = ?",
        (json.dumps(shown), conv_id),
    )


def message_seq(conn: sqlite3.Connection, message_id: str) -> int:
    row = conn.execute("SELECT seq FROM messages WHERE id = ?", (message_id,)).fetchone()
    if row is None:
        raise ConversationNotFoundError(f"There is no saved message {message_id}.")
    return int(row[0])
