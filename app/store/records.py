"""How messages and their parts become rows, and rows become messages again.

An image part is stored as blob references — the bytes actually sent (``blob``, the
PreparedImage's data) and, when the caller has them, the file as the user dropped it
(``original_blob``) and the thumbnail the window shows (``thumbnail_blob``, JPEG or PNG) — plus
every field needed to rebuild the PreparedImage. The rows never hold image bytes themselves.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.core.conversation import (
    Detail,
    ImagePart,
    Message,
    Part,
    Status,
    TextPart,
)
from app.core.imagetypes import PreparedImage
from app.store.blobs import BlobStore
from app.store.message_extras import apply_extras, usage_from_json

log = logging.getLogger(__name__)

# What an image's original can be given as: its bytes, or the path of the file as dropped.
Original = bytes | str | os.PathLike[str]

PART_COLUMNS = (
    "message_id, position, kind, text, blob, original_blob, thumbnail_blob, name, "
    "mime, width, height, original_width, original_height, original_format, "
    "original_bytes, detail, url, notes"
)
_DETAILS: frozenset[str] = frozenset({"auto", "low", "high"})
_PART_SELECT = ", ".join("p." + column for column in PART_COLUMNS.split(", "))
_INSERT_PART = f"INSERT INTO parts ({PART_COLUMNS}) VALUES ({', '.join('?' * 18)})"  # noqa: S608


@dataclass(frozen=True)
class ConversationMeta:
    """What the store keeps about a conversation besides its messages."""

    id: str
    title: str
    created: float
    updated: float
    pinned: bool
    model: str
    system_prompt: str
    deleted_at: float | None


@dataclass(frozen=True)
class BlobRef:
    sha256: str
    size: int


@dataclass(frozen=True)
class PreparedParts:
    """Part rows ready to insert, and the blobs (already on disk) they refer to."""

    rows: list[tuple[Any, ...]]
    blobs: list[BlobRef]


def status_from(text: str) -> Status:
    try:
        return Status(text)
    except ValueError:
        return Status.INTERRUPTED


def store_part_blobs(
    message_id: str,
    parts: Sequence[Part],
    blobs: BlobStore,
    *,
    originals: Mapping[str, Original] | None = None,
    thumbnails: Mapping[str, bytes] | None = None,
    kept: Mapping[str, tuple[str | None, str | None]] | None = None,
) -> PreparedParts:
    """Write every image's blobs to disk (before any row refers to them) and build the rows.

    ``originals`` maps a PreparedImage's ``sha256`` to the dropped file's bytes or path (one
    that cannot be read is skipped, logged: the sent version is what matters); ``thumbnails``
    maps it to a thumbnail (JPEG or PNG); ``kept`` to the (original, thumbnail) blobs already
    stored for it, used when no new one is given.
    """
    rows: list[tuple[Any, ...]] = []
    refs: dict[str, BlobRef] = {}
    for position, part in enumerate(parts):
        if isinstance(part, TextPart):
            rows.append((message_id, position, "text", part.text) + (None,) * 14)
            continue
        image = part.image
        if image is None:
            rows.append(
                (message_id, position, "image", None, None, None, None, part.url)
                + (None,) * 7
                + (part.detail, part.url, None)
            )
            continue
        sent = blobs.put(image.data, image.sha256)
        refs[sent] = BlobRef(sent, len(image.data))
        original_sha, thumbnail_sha = (kept or {}).get(sent, (None, None))
        original = _store_original(image, blobs, (originals or {}).get(sent))
        if original is not None:
            refs[original.sha256] = original
            original_sha = original.sha256
        thumbnail = (thumbnails or {}).get(sent)
        if thumbnail:
            thumbnail_sha = blobs.put(thumbnail)
            refs[thumbnail_sha] = BlobRef(thumbnail_sha, len(thumbnail))
        rows.append(
            (
                message_id,
                position,
                "image",
                None,
                sent,
                original_sha,
                thumbnail_sha,
                image.name,
                image.mime,
                image.width,
                image.height,
                image.original_size[0],
                image.original_size[1],
                image.original_format,
                image.original_bytes,
                part.detail,
                None,
                json.dumps(list(image.notes), ensure_ascii=False),
            )
        )
    return PreparedParts(rows, list(refs.values()))


def kept_blobs(
    conn: sqlite3.Connection, message_id: str
) -> dict[str, tuple[str | None, str | None]]:
    """The (original, thumbnail) blobs stored with each image of a message, by sent sha256."""
    return {
        r[0]: (r[1], r[2])
        for r in conn.execute(
            "SELECT blob, original_blob, thumbnail_blob FROM parts WHERE message_id = ? AND "
            "blob IS NOT NULL",
            (message_id,),
        )
    }


def _store_original(
    image: PreparedImage, blobs: BlobStore, source: Original | None
) -> BlobRef | None:
    if source is None:
        return None
    try:
        if isinstance(source, bytes):
            return BlobRef(blobs.put(source), len(source))
        sha, size = blobs.put_file(Path(source))
    except OSError as exc:
        log.warning(
            "the original of %s was not kept (%s); the sent version is",
            image.name,
            exc.strerror or exc,
        )
        return None
    return BlobRef(sha, size)


def insert_parts(conn: sqlite3.Connection, prepared: PreparedParts) -> None:
    """Insert blob rows (if new) and part rows; call inside a transaction."""
    now = time.time()
    conn.executemany(
        "INSERT OR IGNORE INTO blobs (sha256, size, created) VALUES (?, ?, ?)",
        [(ref.sha256, ref.size, now) for ref in prepared.blobs],
    )
    conn.executemany(_INSERT_PART, prepared.rows)


def index_text(conn: sqlite3.Connection, seq: int, text: str) -> None:
    """(Re)index a message's text for search; call inside a transaction."""
    conn.execute("DELETE FROM message_search WHERE rowid = ?", (seq,))
    if text:
        conn.execute("INSERT INTO message_search (rowid, body) VALUES (?, ?)", (seq, text))


class PartReader:
    """Rebuilds parts from rows, reading each blob file once per load."""

    def __init__(self, blobs: BlobStore) -> None:
        self._blobs = blobs
        self._data: dict[str, bytes | None] = {}

    def _read(self, sha: str | None) -> bytes | None:
        if sha is None:
            return None
        if sha not in self._data:
            try:
                self._data[sha] = self._blobs.read(sha)
            except OSError:
                self._data[sha] = None
        return self._data[sha]

    def part(self, row: sqlite3.Row) -> Part:
        if row["kind"] == "text":
            return TextPart(row["text"] or "")
        detail: Detail = row["detail"] if row["detail"] in _DETAILS else "high"
        if row["blob"] is None:
            return ImagePart(url=row["url"] or "", detail=detail)
        data = self._read(row["blob"])
        if data is None:
            log.warning("image blob %s of %s is missing", row["blob"], row["name"])
            return TextPart(f"[The image {row['name']} is missing from the saved history.]")
        return ImagePart(
            image=PreparedImage(
                name=row["name"] or "",
                data=data,
                mime=row["mime"] or "",
                width=row["width"] or 0,
                height=row["height"] or 0,
                sha256=row["blob"],
                original_size=(row["original_width"] or 0, row["original_height"] or 0),
                original_format=row["original_format"] or "",
                original_bytes=row["original_bytes"] or 0,
                notes=_notes(row["notes"]),
            ),
            detail=detail,
        )


def _notes(text: str | None) -> tuple[str, ...]:
    if not text:
        return ()
    try:
        raw = json.loads(text)
    except json.JSONDecodeError:
        return ()
    return tuple(str(n) for n in raw) if isinstance(raw, list) else ()


def message_from_row(row: sqlite3.Row, parts: list[Part]) -> Message:
    message = Message(
        role="assistant" if row["role"] == "assistant" else "user",
        parts=parts,
        status=status_from(row["status"]),
        usage=usage_from_json(row["usage"]),
        error=row["error"],
        model=row["model"],
        id=row["id"],
        created=row["created"],
        parent=row["parent_id"],
    )
    return apply_extras(message, row["extras"])


# The ids given to a query as one JSON array (any number of them, one parameter).
_IDS = "(SELECT value FROM json_each(?))"


def load_messages(
    conn: sqlite3.Connection, blobs: BlobStore, conv_id: str, ids: Sequence[str] | None = None
) -> list[Message]:
    """The messages `ids` of a conversation (every one when None), in the order they were
    added."""
    where, args = _which(conv_id, ids)
    by_message: dict[str, list[Part]] = {}
    reader = PartReader(blobs)
    for row in conn.execute(
        f"SELECT {_PART_SELECT} FROM parts AS p "  # noqa: S608
        f"JOIN messages AS m ON m.id = p.message_id WHERE {where} "
        "ORDER BY m.position, p.position",
        args,
    ):
        by_message.setdefault(row["message_id"], []).append(reader.part(row))
    return [
        message_from_row(row, by_message.get(row["id"], []))
        for row in conn.execute(
            "SELECT m.id, m.role, m.status, m.error, m.model, m.created, m.usage, m.extras, "  # noqa: S608
            f"m.parent_id FROM messages AS m WHERE {where} ORDER BY m.position",
            args,
        )
    ]


def _which(conv_id: str, ids: Sequence[str] | None) -> tuple[str, tuple[str, ...]]:
    if ids is None:
        return "m.conversation_id = ?", (conv_id,)
    # Found by id (its unique index), not by scanning the whole conversation for them: the
    # unary + keeps SQLite from choosing the conversation's index instead.
    return f"m.id IN {_IDS} AND +m.conversation_id = ?", (json.dumps(list(ids)), conv_id)


def load_thumbnails(
    conn: sqlite3.Connection, blobs: BlobStore, conv_id: str, ids: Sequence[str] | None = None
) -> dict[str, bytes]:
    """Thumbnails of the images of the messages `ids` (all when None), by the sent sha256."""
    where, args = _which(conv_id, ids)
    out: dict[str, bytes] = {}
    for sent, thumb in conn.execute(
        "SELECT p.blob, p.thumbnail_blob FROM parts AS p JOIN messages AS m ON m.id = "  # noqa: S608
        f"p.message_id WHERE {where} AND p.thumbnail_blob IS NOT NULL",
        args,
    ):
        if sent not in out:
            try:
                out[sent] = blobs.read(thumb)
            except OSError:
                log.warning("thumbnail blob %s is missing", thumb)
    return out
