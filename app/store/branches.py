"""The version tree of a saved conversation, read from its message rows without their content:
which message follows which, which version of each turn is shown, and the visible branch."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Node:
    """A message's place in its conversation's version tree, without its content."""

    id: str
    parent: str | None
    shown: bool


def nodes(conn: sqlite3.Connection, conv_id: str) -> list[Node]:
    """Every message of a conversation as a tree node, in the order they were added."""
    return [
        Node(r[0], r[1], bool(r[2]))
        for r in conn.execute(
            "SELECT id, parent_id, shown FROM messages WHERE conversation_id = ? ORDER BY position",
            (conv_id,),
        )
    ]


def visible_ids(tree: Sequence[Node]) -> list[str]:
    """The visible branch: from the first message through the shown child of each (the last
    child where none is marked shown)."""
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
