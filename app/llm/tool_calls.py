"""Function calls arrive in pieces: the first delta of a call names it (index, id, function
name), later ones carry only the index and the next piece of the arguments. This puts them back
together, call by call, in the order of their index."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from app.core.conversation import ToolCall
from app.llm.events import ToolCallDelta


@dataclass
class _Pending:
    id: str | None = None
    name: str = ""
    pieces: list[str] = field(default_factory=list)


class ToolCallAssembler:
    """Feed it every ToolCallDelta of one reply; ``calls()`` gives the complete calls."""

    def __init__(self) -> None:
        self._calls: dict[int, _Pending] = {}
        self.deltas = 0

    def feed(self, delta: ToolCallDelta) -> bool:
        """Take one piece; True when it starts a call not seen before."""
        self.deltas += 1
        pending = self._calls.get(delta.index)
        new = pending is None
        if pending is None:
            pending = self._calls[delta.index] = _Pending()
        if delta.id and not pending.id:
            pending.id = delta.id
        if delta.name and delta.name.startswith(pending.name):
            # Sent once by OpenAI and xAI; some servers repeat it (or grow it) in every piece.
            pending.name = delta.name
        if delta.arguments:
            pending.pieces.append(delta.arguments)
        return new

    def __bool__(self) -> bool:
        return bool(self._calls)

    def names(self) -> list[str]:
        return [self._calls[index].name for index in sorted(self._calls)]

    def argument_chars(self) -> int:
        return sum(len(piece) for pending in self._calls.values() for piece in pending.pieces)

    def calls(self) -> list[ToolCall]:
        """Every call so far, by index; a call the server sent without an id gets one."""
        out: list[ToolCall] = []
        for index in sorted(self._calls):
            pending = self._calls[index]
            call_id = pending.id or f"call_{index}_{uuid.uuid4().hex[:12]}"
            pending.id = call_id  # the same id every time this reply is read
            out.append(ToolCall(call_id, pending.name, "".join(pending.pieces)))
        return out
