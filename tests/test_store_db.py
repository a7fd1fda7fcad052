"""The history database file: pragmas, schema versions and migrations, refusal of what it
cannot read. Real SQLite files in tmp_path."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from support.history_data import sample_conversation

from app.store import db
from app.store.db import (
    MIGRATIONS,
    SCHEMA_VERSION,
    HistoryError,
    SchemaTooNewError,
    connect,
    create_search_table,
    migrate,
)
from app.store.history import HistoryStore
from app.store.paths import DATA_DIR_ENV, data_directory, database_path

# Data written at each earlier schema version with that version's own SQL (never through the
# current store code), to check that migrating keeps it. A new schema version adds its entry.
SAMPLE_AT: dict[int, Callable[[sqlite3.Connection], None]] = {}


def _sample_v1(conn: sqlite3.Connection) -> None:
    conn.execute(
        "INSERT INTO conversations (id, title, created, updated, pinned, model, "
        "system_prompt) VALUES ('c1', 'Old talk', 1.0, 2.0, 1, 'grok-4', 'Be brief.')"
    )
    conn.execute(
        "INSERT INTO messages (id, conversation_id, position, role, status, created, "
        "usage) VALUES ('m1', 'c1', 0, 'user', 'complete', 1.0, NULL)"
    )
    conn.execute(
        "INSERT INTO messages (id, conversation_id, position, role, status, model, "
        "created, usage) VALUES ('m2', 'c1', 1, 'assistant', 'streaming', 'grok-4', "
        '2.0, \'{"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7}\')'
    )
    conn.execute(
        "INSERT INTO parts (message_id, position, kind, text) VALUES "
        "('m1', 0, 'text', 'What is on the whiteboard?')"
    )
    conn.execute(
        "INSERT INTO parts (message_id, position, kind, text) VALUES "
        "('m2', 0, 'text', 'A diagram of the')"
    )
    for seq, text in conn.execute(
        "SELECT m.seq, p.text FROM messages m JOIN parts p ON p.message_id = m.id"
    ).fetchall():
        conn.execute("INSERT INTO message_search (rowid, body) VALUES (?, ?)", (seq, text))


SAMPLE_AT[1] = _sample_v1


def _sample_v2(conn: sqlite3.Connection) -> None:
    """Version 2 added `extras` (tool calls, JSON, reasoning) to messages."""
    _sample_v1(conn)
    conn.execute(
        "INSERT INTO messages (id, conversation_id, position, role, status, created, extras) "
        "VALUES ('m3', 'c1', 2, 'user', 'complete', 3.0, NULL)"
    )
    conn.execute(
        "INSERT INTO parts (message_id, position, kind, text) VALUES ('m3', 0, 'text', 'And?')"
    )
    conn.execute("UPDATE messages SET extras = '{\"reasoning\": \"Looked.\"}' WHERE id = 'm2'")


SAMPLE_AT[2] = _sample_v2


def _schema(path: Path) -> list[tuple[str, str]]:
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL "
            "AND name NOT LIKE 'message_search_%' ORDER BY name"
        ).fetchall()
    finally:
        conn.close()
    return [(name, " ".join(sql.split())) for name, sql in rows]


def _database_at(path: Path, version: int) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        migrate(conn, target=version)
        if version in SAMPLE_AT:
            conn.execute("BEGIN")
            SAMPLE_AT[version](conn)
            conn.execute("COMMIT")
    finally:
        conn.close()


def test_data_directory_comes_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path / "elsewhere"))
    assert data_directory() == tmp_path / "elsewhere"
    monkeypatch.delenv(DATA_DIR_ENV)
    assert data_directory().name == "grok-vision"


def test_a_new_database_has_the_current_schema_and_safe_pragmas(tmp_path: Path) -> None:
    conn = connect(tmp_path / "new" / "history.sqlite3")
    try:
        assert db.schema_version(conn) == SCHEMA_VERSION == len(MIGRATIONS)
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == db.BUSY_TIMEOUT_MS
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL, safe with WAL
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert {"conversations", "messages", "parts", "blobs", "message_search"} <= tables
        assert db.search_is_fts5(conn) == db.fts5_available(conn)
    finally:
        conn.close()


def test_this_python_has_fts5() -> None:
    conn = sqlite3.connect(":memory:")
    try:
        assert db.fts5_available(conn), "FTS5 missing: search would fall back to LIKE"
    finally:
        conn.close()


@pytest.mark.parametrize("version", range(SCHEMA_VERSION))
def test_migrating_from_every_earlier_version(tmp_path: Path, version: int) -> None:
    """A database left at `version` (with that version's data) opens, reaches the current
    schema — the same as a new database's — and keeps what it held."""
    old = tmp_path / "old" / "history.sqlite3"
    old.parent.mkdir()
    _database_at(old, version)
    with HistoryStore(old.parent) as store:
        assert store.integrity_check() == "ok"
        if version >= 1:
            conv = store.load_conversation("c1")
            assert conv.title == "Old talk"
            assert conv.system_prompt == "Be brief."
            texts = ["What is on the whiteboard?", "A diagram of the", "And?"][: version + 1]
            assert [m.text for m in conv.messages] == texts
            # Before versions, a conversation was one branch: each message follows the last.
            assert [m.parent for m in conv.messages] == [None, "m1", "m2"][: version + 1]
            assert all(conv.version(m.id) == (1, 1) for m in conv.messages)
            assert conv.messages[1].usage is not None
            assert conv.messages[1].usage.total_tokens == 7
            assert store.list_conversations()[0].pinned
            assert [h.message_id for h in store.search("whiteboard")] == ["m1"]
        if version >= 2:
            assert conv.messages[1].reasoning == "Looked."
    fresh = tmp_path / "fresh"
    HistoryStore(fresh).close()
    assert _schema(old) == _schema(database_path(fresh))
    conn = sqlite3.connect(old)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    finally:
        conn.close()


def test_an_empty_file_is_migrated_like_a_new_database(tmp_path: Path) -> None:
    path = database_path(tmp_path)
    path.touch()
    with HistoryStore(tmp_path) as store:
        assert store.list_conversations() == []


def test_a_database_from_a_newer_version_is_refused_and_left_alone(tmp_path: Path) -> None:
    HistoryStore(tmp_path).close()
    conn = sqlite3.connect(database_path(tmp_path))
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(SchemaTooNewError) as caught:
        HistoryStore(tmp_path)
    message = str(caught.value)
    assert "newer version of grok-vision" in message
    assert f"schema version {SCHEMA_VERSION + 1}" in message
    assert "Update grok-vision" in message
    with pytest.raises(SchemaTooNewError):
        HistoryStore(tmp_path, read_only=True)
    conn = sqlite3.connect(database_path(tmp_path))
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1
    finally:
        conn.close()


def test_a_failed_migration_leaves_the_previous_version_whole(tmp_path: Path) -> None:
    def broken(conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE half_done (x)")
        raise sqlite3.OperationalError("disk I/O error")

    path = tmp_path / "h.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        with pytest.raises(sqlite3.OperationalError):
            migrate(conn, target=2, migrations=(*MIGRATIONS[:1], broken))
        assert db.schema_version(conn) == 1
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        assert "half_done" not in names
        assert "conversations" in names
    finally:
        conn.close()


def test_a_file_that_is_not_a_database_is_reported(tmp_path: Path) -> None:
    database_path(tmp_path).write_bytes(b"this is not SQLite" * 100)
    with pytest.raises(HistoryError, match=r"cannot be read.*move it aside"):
        HistoryStore(tmp_path)


def test_read_only_needs_an_existing_current_database(tmp_path: Path) -> None:
    with pytest.raises(HistoryError, match="no history"):
        HistoryStore(tmp_path, read_only=True)
    _database_at(database_path(tmp_path), 0)
    if SCHEMA_VERSION > 0:
        with pytest.raises(HistoryError, match="needs upgrading"):
            HistoryStore(tmp_path, read_only=True)


def test_search_falls_back_to_like_without_fts5(tmp_path: Path) -> None:
    """A database made where SQLite has no FTS5 gets a plain text table, searched with LIKE."""
    with HistoryStore(tmp_path) as store:
        store.save_conversation(sample_conversation())
    conn = sqlite3.connect(database_path(tmp_path), isolation_level=None)
    try:
        conn.execute("BEGIN")
        conn.execute("DROP TRIGGER messages_unindex")
        conn.execute("DROP TABLE message_search")
        create_search_table(conn, fts5=False)
        conn.execute(
            "INSERT INTO message_search (seq, body) SELECT m.seq, group_concat(p.text, "
            "'') FROM messages m JOIN parts p ON p.message_id = m.id AND p.kind = "
            "'text' GROUP BY m.seq"
        )
        conn.execute("COMMIT")
    finally:
        conn.close()
    with HistoryStore(tmp_path) as store:
        assert not store.fts5
        hits = store.search("button RIGHT")
        assert len(hits) == 1
        assert hits[0].plain_snippet == "The button moved to the right."
        assert hits[0].highlights == ((4, 10), (24, 29))
        assert store.search("100%") == []
        assert store.search("menu_") == []
        assert len(store.search("über")) == 1
