"""The history database: opening it safely, its schema, and the migrations between versions.

The schema version is SQLite's ``PRAGMA user_version``. ``MIGRATIONS[n]`` takes a database from
version ``n`` to ``n + 1`` inside one transaction that also writes the new version number, so a
crash mid-migration leaves the previous version intact. A new schema version is one more function
appended to ``MIGRATIONS``; a fresh database runs them all in order, so there is a single path to
every schema. A database written by a newer version of the app is refused, never "downgraded".

Every connection has foreign keys on, a busy timeout, and (when writable) the WAL journal with
``synchronous=NORMAL``: a committed transaction survives the app being killed at any moment; only
a power cut can lose the last few commits, and it never corrupts the file.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5000

Migration = Callable[[sqlite3.Connection], None]


class HistoryError(Exception):
    """The history cannot be used as asked, in words a user can act on."""


class SchemaTooNewError(HistoryError):
    """The database was written by a newer version of the app."""


class ReadOnlyHistoryError(HistoryError):
    """A write was asked of a history opened read-only (another instance holds it)."""


class ConversationNotFoundError(HistoryError, LookupError):
    """No conversation (or message) with that id."""


def fts5_available(conn: sqlite3.Connection) -> bool:
    """Whether this SQLite library was built with the FTS5 full-text extension."""
    try:
        conn.execute("CREATE VIRTUAL TABLE temp.fts5_probe USING fts5(x)")
    except sqlite3.OperationalError:
        return False
    conn.execute("DROP TABLE temp.fts5_probe")
    return True


def create_search_table(conn: sqlite3.Connection, *, fts5: bool) -> None:
    """The text index of messages, keyed by ``messages.seq``: an FTS5 table, or (where SQLite
    has no FTS5) a plain table that :mod:`app.store.search` scans with LIKE."""
    if fts5:
        conn.execute(
            "CREATE VIRTUAL TABLE message_search USING fts5("
            "body, tokenize = 'unicode61 remove_diacritics 2')"
        )
    else:
        log.warning("this SQLite has no FTS5: history search falls back to LIKE (slower)")
        conn.execute("CREATE TABLE message_search (seq INTEGER PRIMARY KEY, body TEXT NOT NULL)")
    conn.execute(
        "CREATE TRIGGER messages_unindex AFTER DELETE ON messages BEGIN "
        "DELETE FROM message_search WHERE rowid = old.seq; END"
    )


def search_is_fts5(conn: sqlite3.Connection) -> bool:
    row = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'message_search'").fetchone()
    return row is not None and "fts5" in str(row[0]).lower()


_V1 = (
    """CREATE TABLE conversations (
        id TEXT PRIMARY KEY,
        title TEXT NOT NULL DEFAULT '',
        created REAL NOT NULL,
        updated REAL NOT NULL,
        pinned INTEGER NOT NULL DEFAULT 0,
        model TEXT NOT NULL DEFAULT '',
        system_prompt TEXT NOT NULL DEFAULT '',
        deleted_at REAL
    )""",
    "CREATE INDEX conversations_by_recency ON conversations (pinned DESC, updated DESC)",
    """CREATE TABLE messages (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
        status TEXT NOT NULL,
        error TEXT,
        model TEXT,
        created REAL NOT NULL,
        usage TEXT,
        UNIQUE (conversation_id, position)
    )""",
    "CREATE INDEX messages_streaming ON messages (status) WHERE status = 'streaming'",
    """CREATE TABLE blobs (
        sha256 TEXT PRIMARY KEY,
        size INTEGER NOT NULL,
        created REAL NOT NULL
    )""",
    """CREATE TABLE parts (
        message_id TEXT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('text', 'image')),
        text TEXT,
        blob TEXT REFERENCES blobs (sha256),
        original_blob TEXT REFERENCES blobs (sha256),
        thumbnail_blob TEXT REFERENCES blobs (sha256),
        name TEXT,
        mime TEXT,
        width INTEGER,
        height INTEGER,
        original_width INTEGER,
        original_height INTEGER,
        original_format TEXT,
        original_bytes INTEGER,
        detail TEXT,
        url TEXT,
        notes TEXT,
        PRIMARY KEY (message_id, position)
    )""",
    "CREATE INDEX parts_by_blob ON parts (blob) WHERE blob IS NOT NULL",
    "CREATE INDEX parts_by_original ON parts (original_blob) WHERE original_blob IS NOT NULL",
    "CREATE INDEX parts_by_thumbnail ON parts (thumbnail_blob) WHERE thumbnail_blob IS NOT NULL",
)


def _to_v1(conn: sqlite3.Connection) -> None:
    """Conversations, messages, their parts, image blobs (sent, original, thumbnail) and the
    text index."""
    for statement in _V1:
        conn.execute(statement)
    create_search_table(conn, fts5=fts5_available(conn))


def _to_v2(conn: sqlite3.Connection) -> None:
    """A reply's tool calls and whether it was asked for as JSON (a JSON object per message)."""
    conn.execute("ALTER TABLE messages ADD COLUMN extras TEXT")


def _to_v3(conn: sqlite3.Connection) -> None:
    """Versions of a turn: each message names its parent (the message before it in its branch;
    NULL for a first message) and whether it is the version shown among its siblings. Every
    existing conversation is one branch: each message's parent is the one before it."""
    conn.execute("ALTER TABLE messages ADD COLUMN parent_id TEXT")
    conn.execute("ALTER TABLE messages ADD COLUMN shown INTEGER NOT NULL DEFAULT 1")
    conn.execute(
        "UPDATE messages SET parent_id = (SELECT p.id FROM messages AS p WHERE "
        "p.conversation_id = messages.conversation_id AND p.position < messages.position "
        "ORDER BY p.position DESC LIMIT 1)"
    )
    conn.execute("CREATE INDEX messages_by_parent ON messages (conversation_id, parent_id)")


# MIGRATIONS[n] takes version n to n + 1. Append; never edit one that has shipped.
MIGRATIONS: tuple[Migration, ...] = (_to_v1, _to_v2, _to_v3)
SCHEMA_VERSION = len(MIGRATIONS)


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(
    conn: sqlite3.Connection,
    *,
    target: int = SCHEMA_VERSION,
    label: str = "",
    migrations: Sequence[Migration] = MIGRATIONS,
) -> int:
    """Bring the schema up to ``target``, one version per transaction. Returns the version found.

    Raises :class:`SchemaTooNewError` for a database of a later version than ``target``.
    """
    found = schema_version(conn)
    if found > len(migrations) or found > target:
        raise SchemaTooNewError(
            f"The history {label or 'database'} was written by a newer version of grok-vision "
            f"(schema version {found}; this version reads up to {target}). Update grok-vision to "
            f"open it, or move the file aside to start a new history."
        )
    for version in range(found, target):
        conn.execute("BEGIN IMMEDIATE")
        try:
            migrations[version](conn)
            conn.execute(f"PRAGMA user_version = {version + 1:d}")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        log.info("history schema migrated to version %d", version + 1)
    return found


def connect(path: Path, *, read_only: bool = False) -> sqlite3.Connection:
    """An autocommit connection (transactions are explicit) with the app's pragmas, migrated to
    the current schema. A read-only connection never writes, so it is refused a database that
    still needs migrating. Raises :class:`HistoryError` with what to do."""
    label = str(path)
    try:
        if read_only:
            if not path.exists():
                raise HistoryError(f"There is no history at {path} yet.")
            conn = sqlite3.connect(
                f"{path.resolve().as_uri()}?mode=ro",
                uri=True,
                isolation_level=None,
                check_same_thread=True,
            )
        else:
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            conn = sqlite3.connect(path, isolation_level=None, check_same_thread=True)
    except sqlite3.Error as exc:
        raise HistoryError(
            f"Could not open the history {label}: {exc}. Check that the folder "
            f"exists and is writable."
        ) from None
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS:d}")
        conn.execute("PRAGMA foreign_keys = ON")
        if read_only:
            _check_readable_version(conn, label)
        else:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            migrate(conn, label=label)
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise HistoryError(
            f"The history {label} cannot be read ({exc}). It may be damaged or not a grok-vision "
            f"history: move it aside to start a new one."
        ) from None
    except BaseException:
        conn.close()
        raise
    return conn


def _check_readable_version(conn: sqlite3.Connection, label: str) -> None:
    found = schema_version(conn)
    if found > SCHEMA_VERSION:
        migrate(conn, label=label)  # raises SchemaTooNewError
    if found < SCHEMA_VERSION:
        raise HistoryError(
            f"The history {label} needs upgrading, which cannot be done while "
            f"another grok-vision window has it open. Close that window first."
        )
