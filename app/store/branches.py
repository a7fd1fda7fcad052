"""The version tree of a saved conversation, read from its message rows without their content:
which message follows which, which version of each turn is shown, and the visible branch."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import NamedTuple


class Node(NamedTuple):
    """A message's place in its conversation's version tree, without its content."""

    id: str
    parent: str | None
    shown: int  # 1: the version shown among its siblings


def nodes(conn: sqlite3.Connection, conv_id: str) -> list[Node]:
    """Every message of a conversation as a tree node, in the order they were added."""
    cursor = conn.cursor()
    cursor.row_factory = None  # plain tuples: a long conversation has thousands of rows
    rows = cursor.execute(
        "SELECT id, parent_id, shown FROM messages WHERE conversation_id = ? ORDER BY position",
        (conv_id,),
    ).fetchall()
    return list(map(Node._make, rows))


def visible_ids(tree: Sequence[Node]) -> list[str]:
    """The visible branch: from the first message through the shown child of each (the last
    child where none is marked shown)."""
    if _one_branch(tree):
        return [node.id for node in tree]
    children: dict[str | None, list[Node]] = {}
    known = {node.id for node in tree}
    for node in tree:
        children.setdefault(node.parent if node.parent in known else None, []).append(node)
    out: list[str] = []
    key: str | None = None
    while key in children:
        group = children[key]
        key = next((n for n in reversed(group) if n.shown), group[-1]).id
        out.append(key)
    return out


def _one_branch(tree: Sequence[Node]) -> bool:
    """Whether the tree is one branch, every message following the one before it (a
    conversation without versions: the common case, answered without building the tree)."""
    before: str | None = None
    for node in tree:
        if node.parent != before:
            return False
        before = node.id
    return True
