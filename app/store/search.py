"""Full-text search over questions and replies: FTS5 where SQLite has it, LIKE where it does not.

What the user types is never passed to FTS5 as query syntax: it is split into words, and a
message matches when it contains every word as a word prefix ("screen" finds "screenshot").
Soft-deleted conversations are left out.
"""

from __future__ import annotations

import re
import sqlite3

from app.core.history_rows import HIGHLIGHT_END, HIGHLIGHT_START, SearchHit

_WORD = re.compile(r"\w+", re.UNICODE)
SNIPPET_WORDS = 12
_LIKE_CONTEXT = 40
MAX_WORDS = 16


def words(query: str) -> list[str]:
    return _WORD.findall(query)[:MAX_WORDS]


def fts5_query(query: str) -> str:
    """FTS5 syntax for "every word, as a prefix": ``"screen"* "dialog"*``."""
    return " ".join('"' + word.replace('"', '""') + '"*' for word in words(query))


def search(conn: sqlite3.Connection, query: str, *, fts5: bool, limit: int = 50) -> list[SearchHit]:
    if not words(query):
        return []
    if fts5:
        return _search_fts5(conn, query, limit)
    return _search_like(conn, query, limit)


def _search_fts5(conn: sqlite3.Connection, query: str, limit: int) -> list[SearchHit]:
    rows = conn.execute(
        "SELECT m.conversation_id, m.id, c.title, "
        "snippet(message_search, 0, ?, ?, '…', ?), m.role, m.created "
        "FROM message_search "
        "JOIN messages AS m ON m.seq = message_search.rowid "
        "JOIN conversations AS c ON c.id = m.conversation_id "
        "WHERE message_search MATCH ? AND c.deleted_at IS NULL "
        "ORDER BY rank LIMIT ?",
        (HIGHLIGHT_START, HIGHLIGHT_END, SNIPPET_WORDS, fts5_query(query), limit),
    ).fetchall()
    return [SearchHit(*row) for row in rows]


def _fold(text: str | None) -> str:
    return (text or "").casefold()


def _escape_like(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


_LIKE_SQL = (
    "SELECT m.conversation_id, m.id, c.title, s.body, m.role, m.created "
    "FROM message_search AS s "
    "JOIN messages AS m ON m.seq = s.seq "
    "JOIN conversations AS c ON c.id = m.conversation_id "
    "WHERE {condition} AND c.deleted_at IS NULL "
    "ORDER BY m.created DESC LIMIT ?"
)


def _search_like(conn: sqlite3.Connection, query: str, limit: int) -> list[SearchHit]:
    terms = words(query)
    # SQLite's LIKE folds only ASCII case; fold in Python so "über" finds "Über".
    conn.create_function("gv_fold", 1, _fold, deterministic=True)
    condition = " AND ".join("gv_fold(s.body) LIKE ? ESCAPE '\\'" for _ in terms)
    sql = _LIKE_SQL.format(condition=condition)
    rows = conn.execute(
        sql, (*(f"%{_escape_like(t.casefold())}%" for t in terms), limit)
    ).fetchall()
    return [
        SearchHit(conv, message, title, like_snippet(body, terms), role, created)
        for conv, message, title, body, role, created in rows
    ]


def like_snippet(body: str, terms: list[str]) -> str:
    """Text around the first match, every match between the highlight markers."""
    lowered = body.casefold()
    first = min((i for i in (lowered.find(t.casefold()) for t in terms) if i >= 0), default=0)
    start = max(0, first - _LIKE_CONTEXT)
    end = min(len(body), first + _LIKE_CONTEXT * 2)
    window = " ".join(body[start:end].split())
    pattern = re.compile(
        "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)), re.IGNORECASE
    )
    marked = pattern.sub(lambda m: HIGHLIGHT_START + m.group(0) + HIGHLIGHT_END, window)
    return ("…" if start > 0 else "") + marked + ("…" if end < len(body) else "")
