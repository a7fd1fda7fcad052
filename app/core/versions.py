"""The versions of a conversation's turns, as a tree of messages.

Each message has a parent (the message before it in its branch; the first messages have none)
and each parent remembers which of its children is shown. Regenerating a reply adds a sibling
to that reply; editing a question adds a sibling to that question. The visible branch is the
walk from the root through the shown child of each message: that is what the window shows and
what a request sends (`Conversation.messages` holds it as a plain list).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.core.conversation import Message

ROOT = ""  # the parent key of a conversation's first messages


class VersionTree:
    """Every message of a conversation, each version of each turn, in the order they were made."""

    def __init__(self) -> None:
        self._nodes: dict[str, Message] = {}
        self._children: dict[str, list[str]] = {}
        self._shown: dict[str, str] = {}  # parent key -> the child shown

    def __contains__(self, message_id: object) -> bool:
        return message_id in self._nodes

    def __len__(self) -> int:
        return len(self._nodes)

    def get(self, message_id: str) -> Message | None:
        return self._nodes.get(message_id)

    def messages(self) -> Iterator[Message]:
        """Every message, each after its parent, siblings in the order they were made."""
        stack = list(reversed(self._children.get(ROOT, [])))
        while stack:
            message = self._nodes[stack.pop()]
            yield message
            stack.extend(reversed(self._children.get(message.id, [])))

    def add(self, message: Message, parent: str | None, *, shown: bool = True) -> None:
        """Add `message` under `parent` (None: a first message); `shown`: it becomes the
        version shown among its siblings (a new version always is)."""
        key = parent or ROOT
        if key != ROOT and key not in self._nodes:
            raise KeyError(f"no message {key} to add a reply to")
        message.parent = parent or None
        self._nodes[message.id] = message
        self._children.setdefault(key, []).append(message.id)
        if shown or key not in self._shown:
            self._shown[key] = message.id

    def remove(self, message_id: str) -> list[Message]:
        """Take a message and everything after it out of the tree; what was removed."""
        message = self._nodes.get(message_id)
        if message is None:
            return []
        key = message.parent or ROOT
        siblings = self._children[key]
        siblings.remove(message_id)
        if self._shown.get(key) == message_id:
            if siblings:
                self._shown[key] = siblings[-1]
            else:
                del self._shown[key]
        removed: list[Message] = []
        stack = [message_id]
        while stack:
            current = stack.pop()
            removed.append(self._nodes.pop(current))
            self._shown.pop(current, None)
            stack.extend(self._children.pop(current, []))
        return removed

    def siblings(self, message_id: str) -> list[Message]:
        """The versions of a message's turn (itself included), oldest first."""
        message = self._nodes[message_id]
        return [self._nodes[i] for i in self._children[message.parent or ROOT]]

    def version(self, message_id: str) -> tuple[int, int]:
        """(its number among its turn's versions from 1, how many there are)."""
        message = self._nodes[message_id]
        siblings = self._children[message.parent or ROOT]
        return siblings.index(message_id) + 1, len(siblings)

    def show(self, message_id: str) -> None:
        """Make `message_id` visible: it, and each message before it, becomes the version its
        parent shows (a search hit in another version brings that version forward)."""
        message: Message | None = self._nodes[message_id]
        while message is not None:
            self._shown[message.parent or ROOT] = message.id
            message = self._nodes.get(message.parent) if message.parent else None

    def choose(self, message_id: str) -> None:
        """Make `message_id` the version its parent shows (nothing above it changes)."""
        self._shown[self._nodes[message_id].parent or ROOT] = message_id

    def is_shown(self, message_id: str) -> bool:
        message = self._nodes[message_id]
        return self._shown.get(message.parent or ROOT) == message_id

    def branch(self) -> list[Message]:
        """The visible branch: from the first message through each shown child."""
        out: list[Message] = []
        key = ROOT
        while key in self._shown:
            message = self._nodes[self._shown[key]]
            out.append(message)
            key = message.id
        return out

    def follow(self, visible: Sequence[Message]) -> None:
        """Take into the tree the messages of `visible` it does not hold yet (added to the list
        directly), each under the one before it."""
        parent: str | None = None
        for message in visible:
            if message.id not in self._nodes:
                self.add(message, parent)
            parent = message.id

    @classmethod
    def of(cls, messages: Iterable[Message], shown: Iterable[str] = ()) -> VersionTree:
        """A tree of `messages` (each after its parent) by their `parent`; `shown` names the
        versions shown (by default the latest of each turn)."""
        tree = cls()
        chosen = set(shown)
        for message in messages:
            parent = message.parent if message.parent in tree else None
            tree.add(message, parent, shown=message.id in chosen or not chosen)
        for message_id in chosen:
            if message_id in tree:
                tree.choose(message_id)
        return tree
