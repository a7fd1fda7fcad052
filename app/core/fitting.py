"""Fitting a conversation into the context window: what to leave out of the request sent.

The conversation itself is never changed. A :class:`FitPlan` says which past images are left
out (they stay in the view, marked "not sent"), which are sent at low detail (downscaled to one
448×448 tile: 512 tokens), and how many of the oldest turns are dropped; :func:`apply_plan`
makes the copy of the conversation that the meter estimates and the chat controller sends.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from app.core.conversation import Conversation, ImagePart, Message, Part, TextPart
from app.core.imagetypes import PreparedImage

ImageKey = tuple[str, int]  # (message id, index among the message's images)


@dataclass(frozen=True)
class FitPlan:
    """What to leave out of the requests sent, by image and by turn."""

    dropped_images: frozenset[ImageKey] = field(default_factory=frozenset)
    low_detail: frozenset[ImageKey] = field(default_factory=frozenset)
    dropped_turns: int = 0  # the oldest turns (a question and its replies) left out

    @property
    def empty(self) -> bool:
        return not (self.dropped_images or self.low_detail or self.dropped_turns)

    def with_image(
        self, key: ImageKey, *, dropped: bool | None = None, low: bool | None = None
    ) -> FitPlan:
        """The plan with one image left out or sent again, at low detail or at its own."""
        dropped_images, low_detail = set(self.dropped_images), set(self.low_detail)
        if dropped is not None:
            (dropped_images.add if dropped else dropped_images.discard)(key)
        if low is not None:
            (low_detail.add if low else low_detail.discard)(key)
        return replace(
            self, dropped_images=frozenset(dropped_images), low_detail=frozenset(low_detail)
        )

    def with_dropped_turns(self, count: int) -> FitPlan:
        return replace(self, dropped_turns=max(0, count))

    def pruned(self, conversation: Conversation) -> FitPlan:
        """Only what still refers to this conversation (after a new one started, say)."""
        keys = set(image_keys(conversation))
        turns = droppable_turns(conversation)
        plan = FitPlan(
            self.dropped_images & keys, self.low_detail & keys, min(self.dropped_turns, turns)
        )
        return self if plan == self else plan


def image_keys(conversation: Conversation) -> Iterable[ImageKey]:
    """Every image of the conversation's user messages, in order."""
    for message in conversation.messages:
        if message.role == "user":
            for index in range(len(message.images)):
                yield message.id, index


def turns(conversation: Conversation) -> list[list[Message]]:
    """The messages grouped by turn: a user message and the replies that follow it."""
    groups: list[list[Message]] = []
    for message in conversation.messages:
        if message.role == "user" or not groups:
            groups.append([message])
        else:
            groups[-1].append(message)
    return groups


def droppable_turns(conversation: Conversation) -> int:
    """How many of the oldest turns may be left out: all of them but a last question that is
    still waiting for its answer (the one being sent)."""
    groups = turns(conversation)
    if groups and not any(m.role == "assistant" and m.sendable for m in groups[-1]):
        return len(groups) - 1
    return len(groups)


def dropped_message_ids(conversation: Conversation, plan: FitPlan) -> frozenset[str]:
    """The messages of the oldest turns the plan leaves out."""
    count = min(plan.dropped_turns, droppable_turns(conversation))
    return frozenset(m.id for group in turns(conversation)[:count] for m in group)


def low_detail_key(image: PreparedImage) -> str:
    """The key of an image's low-detail version in the mapping given to `apply_plan`."""
    return image.sha256


def omitted_text(part: ImagePart, number: int | None = None) -> str:
    """What the model reads where a left-out image was."""
    which = f"Image {number} (“{part.name}”)" if number else f"image “{part.name}”"
    return f"[{which} left out of this request to save tokens]"


def apply_plan(
    conversation: Conversation, plan: FitPlan, low_detail_images: Mapping[str, PreparedImage]
) -> Conversation:
    """The copy of `conversation` to estimate and send under `plan`.

    `low_detail_images` maps an image's `low_detail_key` to its low-detail version; an image
    planned at low detail whose version is not there yet is kept as it is.
    """
    if plan.empty:
        return conversation
    skip = dropped_message_ids(conversation, plan)
    messages: list[Message] = []
    for message in conversation.messages:
        if message.id in skip:
            continue
        if message.role != "user" or not message.images:
            messages.append(message)
            continue
        messages.append(_applied_message(message, plan, low_detail_images))
    return replace(conversation, messages=messages)


def _applied_message(
    message: Message, plan: FitPlan, low_detail_images: Mapping[str, PreparedImage]
) -> Message:
    parts: list[Part] = []
    index = 0
    changed = False
    for part in message.parts:
        if not isinstance(part, ImagePart):
            parts.append(part)
            continue
        key = (message.id, index)
        index += 1
        if key in plan.dropped_images:
            parts.append(TextPart(omitted_text(part, index)))
            changed = True
            continue
        low = (
            low_detail_images.get(low_detail_key(part.image))
            if key in plan.low_detail and part.image is not None and part.detail != "low"
            else None
        )
        if low is not None:
            changed = True
        # The images that stay keep the numbers the user knows them by ("Image 3").
        parts.append(
            replace(part, number=index)
            if low is None
            else ImagePart(image=low, detail="low", number=index)
        )
    return replace(message, parts=parts) if changed else message
