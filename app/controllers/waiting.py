"""The line under a reply until its first word: "Thinking… 12 s" for a model that reasons in
silence (seconds to minutes), "Waiting for the first words… 3 s" for any other, with the last
words of its reasoning when it shows them. A retry's note stands until its next attempt."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from app.core.conversation import Message
from app.llm.events import ReasoningDelta, Retrying, TextDelta, ToolCallDelta

TICK_SECONDS = 1.0
PREVIEW_CHARS = 90


class WaitingNote:
    def __init__(self, reply: Message, *, thinking: bool, emit: Callable[[str, str], None]) -> None:
        self._reply = reply
        self._thinking = thinking
        self._emit = emit
        self._started = time.monotonic()
        self._hold_until = 0.0
        self._done = False
        self._show()

    def saw(self, event: object) -> None:
        """Every event of the reply, in order."""
        if self._done:
            return
        if isinstance(event, TextDelta | ToolCallDelta):
            self._done = True
            if self._thinking or self._reply.reasoning:
                self._reply.thought_for = time.monotonic() - self._started
            self._emit(self._reply.id, "")
        elif isinstance(event, Retrying):
            self._hold_until = time.monotonic() + event.delay
        elif isinstance(event, ReasoningDelta) and not self._thinking:
            self._thinking = True  # later pieces show with the next tick
            self._show()

    def stop(self) -> None:
        self._done = True

    async def tick(self) -> None:
        while not self._done:
            await asyncio.sleep(TICK_SECONDS)
            if not self._done and time.monotonic() >= self._hold_until:
                self._show()

    def _show(self) -> None:
        seconds = int(time.monotonic() - self._started)
        waited = f" {seconds} s" if seconds else ""
        if not self._thinking:
            self._emit(self._reply.id, f"Waiting for the first words…{waited}")
            return
        note = f"Thinking…{waited}"
        tail = " ".join(self._reply.reasoning.split())[-PREVIEW_CHARS:]
        if tail:
            note += f" — “…{tail}”"
        self._emit(self._reply.id, note)
