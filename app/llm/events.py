"""What a streamed reply yields, as typed events."""

from __future__ import annotations

from dataclasses import dataclass

from app.core.conversation import Usage
from app.llm.errors import ChatError


@dataclass(frozen=True)
class TextDelta:
    text: str


@dataclass(frozen=True)
class ReasoningDelta:
    """A piece of the model's reasoning, shown apart from the answer and never sent back."""

    text: str


@dataclass(frozen=True)
class ReasoningSealed:
    """The reasoning in encrypted form (Responses API): kept with the reply, sent back next
    turn so the model keeps its context, never shown."""

    id: str
    encrypted: str


@dataclass(frozen=True)
class ToolCallDelta:
    """A piece of a streamed tool call; `arguments` pieces concatenate by `index`."""

    index: int
    id: str | None
    name: str | None
    arguments: str


@dataclass(frozen=True)
class UsageReport:
    usage: Usage


@dataclass(frozen=True)
class Retrying:
    """The request failed in a way worth retrying; the next attempt starts after `delay` s."""

    attempt: int  # 1 for the first retry
    max_attempts: int
    delay: float
    error: ChatError


@dataclass(frozen=True)
class Finished:
    reason: str  # "stop", "length", "tool_calls", "content_filter", ...


ReplyEvent = (
    TextDelta | ReasoningDelta | ReasoningSealed | ToolCallDelta | UsageReport | Retrying | Finished
)
