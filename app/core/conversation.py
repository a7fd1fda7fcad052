"""A conversation as the user sees it, and its conversion to the stateless API's message list."""

from __future__ import annotations

import enum
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from app.core.budget import image_tokens
from app.core.imagetypes import PreparedImage
from app.core.titles import default_title
from app.core.versions import VersionTree

Detail = Literal["auto", "low", "high"]
Role = Literal["user", "assistant"]


@dataclass(frozen=True)
class TextPart:
    text: str


@dataclass(frozen=True)
class ImagePart:
    """An image in a message: prepared bytes, or a public https address the server downloads."""

    image: PreparedImage | None = None
    url: str | None = None
    detail: Detail = "high"
    # Its number among the message's images as the user saw them, set on a copy made for
    # sending when an earlier image of the message was left out; None: its place counts.
    number: int | None = None

    def __post_init__(self) -> None:
        if (self.image is None) == (self.url is None):
            raise ValueError("an image part holds either a prepared image or a URL")

    @property
    def name(self) -> str:
        return self.image.name if self.image else (self.url or "")

    @property
    def tokens(self) -> int | None:
        """Prompt tokens by the tile formula; None when unknown until the server reports it."""
        return image_tokens(self.image.width, self.image.height) if self.image else None


Part = TextPart | ImagePart

# What the app answers to a function call it showed (it runs no function of its own), so that the
# history sent on the next turn has the tool message the API requires after each call.
TOOL_RESULT_SHOWN = '{"status": "shown", "note": "The arguments were shown to the user."}'


@dataclass(frozen=True)
class ToolCall:
    """A function call in a reply: its arguments are JSON text as the model wrote it."""

    id: str
    name: str
    arguments: str
    result: str = TOOL_RESULT_SHOWN

    def to_api(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": "function",
            "function": {"name": self.name, "arguments": self.arguments},
        }


@dataclass(frozen=True)
class SealedReasoning:
    """A reasoning model's thinking as the Responses API returns it, encrypted: kept with the
    reply and sent back with it on later turns so the model keeps its context; never shown."""

    id: str
    encrypted: str


@dataclass(frozen=True)
class Usage:
    """What the server reported for one request."""

    prompt_tokens: int
    completion_tokens: int
    total_tokens: int
    image_tokens: int | None = None
    text_tokens: int | None = None
    cached_tokens: int | None = None
    reasoning_tokens: int | None = None  # billed as output; not in completion_tokens
    cost_ticks: int | None = None  # the server's bill (10^10 ticks = $1), when it sent one

    @classmethod
    def from_api(cls, raw: dict[str, Any]) -> Usage:
        prompt_details = raw.get("prompt_tokens_details") or {}
        completion_details = raw.get("completion_tokens_details") or {}
        prompt = int(raw.get("prompt_tokens") or 0)
        completion = int(raw.get("completion_tokens") or 0)
        return cls(
            prompt_tokens=prompt,
            completion_tokens=completion,
            total_tokens=int(raw.get("total_tokens") or prompt + completion),
            image_tokens=_int_or_none(prompt_details.get("image_tokens")),
            text_tokens=_int_or_none(prompt_details.get("text_tokens")),
            cached_tokens=_int_or_none(prompt_details.get("cached_tokens")),
            reasoning_tokens=_int_or_none(completion_details.get("reasoning_tokens")),
            cost_ticks=_int_or_none(raw.get("cost_in_usd_ticks")),
        )

    @classmethod
    def from_responses(cls, raw: dict[str, Any]) -> Usage:
        """From a Responses API `usage`. There `output_tokens` counts the reasoning too when
        `total_tokens` is input + output (xAI's recorded streams); `completion_tokens` here never
        does, as on Chat Completions."""
        input_details = raw.get("input_tokens_details") or {}
        output_details = raw.get("output_tokens_details") or {}
        prompt = int(raw.get("input_tokens") or 0)
        output = int(raw.get("output_tokens") or 0)
        reasoning = _int_or_none(output_details.get("reasoning_tokens"))
        total = int(raw.get("total_tokens") or prompt + output)
        completion = output
        if reasoning and total == prompt + output and output >= reasoning:
            completion = output - reasoning
        return cls(
            prompt_tokens=prompt,
            completion_tokens=completion,
            total_tokens=total,
            image_tokens=_int_or_none(input_details.get("image_tokens")),
            text_tokens=_int_or_none(input_details.get("text_tokens")),
            cached_tokens=_int_or_none(input_details.get("cached_tokens")),
            reasoning_tokens=reasoning,
            cost_ticks=_int_or_none(raw.get("cost_in_usd_ticks")),
        )


def _int_or_none(value: object) -> int | None:
    return int(value) if isinstance(value, int | float) else None


class Status(enum.Enum):
    COMPLETE = "complete"
    STREAMING = "streaming"
    STOPPED = "stopped"  # the user pressed Stop; the text so far is kept
    FAILED = "failed"  # the request failed; `error` says why
    INTERRUPTED = "interrupted"  # the app ended mid-reply (found on reopening)


@dataclass
class Message:
    role: Role
    parts: list[Part]
    status: Status = Status.COMPLETE
    usage: Usage | None = None
    error: str | None = None
    model: str | None = None
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    created: float = field(default_factory=time.time)
    tool_calls: list[ToolCall] = field(default_factory=list)
    expects_json: bool = False  # the reply was asked for as JSON (a response_format)
    reasoning: str = ""  # the model's reasoning, shown apart; never sent back
    thought_for: float | None = None  # seconds from sending to the first word of a reasoning model
    effort: str | None = None  # the reasoning effort this reply was asked for with
    sealed_reasoning: list[SealedReasoning] = field(default_factory=list)
    parent: str | None = None  # the message before it in its branch (None: a first message)
    cut: bool = False  # the reply stopped at the token limit (finish_reason "length")
    # A continued reply's earlier requests (`usage` is its last one's): see core.continuation
    earlier_usage: list[Usage] = field(default_factory=list)

    @property
    def continuable(self) -> bool:
        """A reply that Continue can take further: stopped, interrupted or cut at the limit."""
        return (
            self.role == "assistant"
            and bool(self.text)
            and not self.tool_calls
            and (self.status in (Status.STOPPED, Status.INTERRUPTED) or self.cut)
        )

    @property
    def text(self) -> str:
        return "".join(p.text for p in self.parts if isinstance(p, TextPart))

    @property
    def images(self) -> list[ImagePart]:
        return [p for p in self.parts if isinstance(p, ImagePart)]

    def image_labels(self) -> list[str]:
        """ "Image 1: before.png", … — sent before each image so that the user and the model
        name the same image the same way (the tray shows the same numbers)."""
        return [
            image_label(part.number or number, part)
            for number, part in enumerate(self.images, start=1)
        ]

    @property
    def sendable(self) -> bool:
        """Whether this message belongs in the history sent to the API."""
        if self.role == "user":
            return True
        return self.status in (Status.COMPLETE, Status.STOPPED, Status.INTERRUPTED) and bool(
            self.text or self.sent_tool_calls
        )

    @property
    def sent_tool_calls(self) -> list[ToolCall]:
        """The calls that go into the history: only those of a reply that completed (a call cut
        off mid-arguments is shown, never sent back)."""
        return self.tool_calls if self.status is Status.COMPLETE else []

    def append_text(self, delta: str) -> None:
        """Grow the last text part of a streaming reply."""
        if self.parts and isinstance(self.parts[-1], TextPart):
            self.parts[-1] = TextPart(self.parts[-1].text + delta)
        else:
            self.parts.append(TextPart(delta))


ImageEncoder = Callable[[PreparedImage], str]


def image_label(number: int, part: ImagePart) -> str:
    name = part.image.name if part.image else (part.url or "").rsplit("/", 1)[-1].split("?")[0]
    return f"Image {number}: {name}" if name else f"Image {number}"


def _user_content(message: Message, encode: ImageEncoder) -> list[dict[str, Any]]:
    content: list[dict[str, Any]] = []
    number = 0
    for part in message.parts:
        if isinstance(part, ImagePart):
            number += 1
            content.append({"type": "text", "text": image_label(part.number or number, part)})
        content.append(_api_part(part, encode))
    return content


def _api_part(part: Part, encode: ImageEncoder) -> dict[str, Any]:
    if isinstance(part, TextPart):
        return {"type": "text", "text": part.text}
    url = encode(part.image) if part.image is not None else part.url or ""
    return {"type": "image_url", "image_url": {"url": url, "detail": part.detail}}


@dataclass
class Conversation:
    system_prompt: str = ""
    model: str = ""
    title: str = ""
    messages: list[Message] = field(default_factory=list)
    # Stable for the conversation's life: sent as its cache key (x-grok-conv-id).
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    reasoning_effort: str | None = None  # None: the model's own default
    # Every version of every turn; `messages` is its visible branch (see app.core.versions).
    versions: VersionTree = field(default_factory=VersionTree, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.versions.follow(self.messages)

    def link(self) -> None:
        """Take what was appended to `messages` directly into the version tree (each message
        under the one before it), so that every message has its parent set."""
        self.versions.follow(self.messages)

    def _tree(self) -> VersionTree:
        self.link()
        return self.versions

    def _push(self, message: Message) -> Message:
        tree = self._tree()
        tree.add(message, self.messages[-1].id if self.messages else None)
        self.messages.append(message)
        return message

    def add_user(self, parts: list[Part]) -> Message:
        if not parts:
            raise ValueError("a message needs text or an image")
        message = self._push(Message(role="user", parts=list(parts)))
        if not self.title:
            self.title = default_title(message.text)
        return message

    def begin_reply(self, model: str | None = None) -> Message:
        return self._push(Message(role="assistant", parts=[], status=Status.STREAMING, model=model))

    # -- versions ---------------------------------------------------------------------------

    def branch_before(self, message_id: str) -> list[Message]:
        """Start a new version of `message_id`'s turn: it and every later message leave the
        visible branch (they stay in `versions`); what left it, in order."""
        self._tree()
        index = next(i for i, m in enumerate(self.messages) if m.id == message_id)
        hidden = self.messages[index:]
        del self.messages[index:]
        return hidden

    def version(self, message_id: str) -> tuple[int, int]:
        """(the number of this version of its turn from 1, how many versions the turn has)."""
        if message_id in self.versions:  # (no need to take in what was appended)
            return self.versions.version(message_id)
        tree = self._tree()
        return tree.version(message_id) if message_id in tree else (1, 1)

    def show_version(self, message_id: str) -> bool:
        """Make `message_id` (any version, anywhere) visible with the branch it belongs to;
        False when there is no such message or it is visible already."""
        tree = self._tree()
        if message_id not in tree or any(m.id == message_id for m in self.messages):
            return False
        tree.show(message_id)
        self.messages[:] = tree.branch()
        return True

    def sibling(self, message_id: str, number: int) -> Message | None:
        """Version `number` (from 1) of `message_id`'s turn, or None."""
        tree = self._tree()
        if message_id not in tree:
            return None
        siblings = tree.siblings(message_id)
        return siblings[number - 1] if 1 <= number <= len(siblings) else None

    def all_messages(self) -> list[Message]:
        """Every version of every turn, each after its parent."""
        return list(self._tree().messages())

    def shown_ids(self) -> set[str]:
        """The ids of the versions each turn shows (visible or not)."""
        tree = self._tree()
        return {m.id for m in tree.messages() if tree.is_shown(m.id)}

    def last_effort(self) -> str | None:
        """The reasoning effort the latest reply was asked for with (None: the default)."""
        replies = (m for m in reversed(self.messages) if m.role == "assistant")
        return next((m.effort for m in replies), None)

    def discard_failed_reply(self) -> None:
        """Drop a trailing failed reply so that Retry re-sends the same user message."""
        if (
            self.messages
            and self.messages[-1].role == "assistant"
            and (self.messages[-1].status is Status.FAILED)
        ):
            self._tree().remove(self.messages.pop().id)

    def sent_messages(self) -> Iterator[Message]:
        return (m for m in self.messages if m.sendable)

    def to_api_messages(self, encode: ImageEncoder) -> list[dict[str, Any]]:
        """The whole history as the stateless API needs it each turn, parts in the user's order."""
        out: list[dict[str, Any]] = []
        if self.system_prompt.strip():
            out.append({"role": "system", "content": self.system_prompt})
        for message in self.sent_messages():
            if message.role == "assistant":
                out.extend(_assistant_messages(message))
            elif all(isinstance(p, TextPart) for p in message.parts):
                out.append({"role": "user", "content": message.text})
            else:
                out.append({"role": "user", "content": _user_content(message, encode)})
        return out


def _assistant_messages(message: Message) -> list[dict[str, Any]]:
    """A reply, and after a reply that called functions, one tool result per call."""
    calls = message.sent_tool_calls
    if not calls:
        return [{"role": "assistant", "content": message.text}]
    reply: dict[str, Any] = {
        "role": "assistant",
        "content": message.text or None,
        "tool_calls": [call.to_api() for call in calls],
    }
    return [
        reply,
        *({"role": "tool", "tool_call_id": call.id, "content": call.result} for call in calls),
    ]
