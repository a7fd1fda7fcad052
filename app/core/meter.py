"""The pieces of the token meter's figures: the estimate of one message.

What the next request will use, corrected by the server's own counts, is
`app.core.forecast.estimate_next`; what turns cost is `app.core.billing`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from app.core.budget import (
    MAX_IMAGE_TOKENS,
    TOKENS_PER_MESSAGE,
    estimate_text_tokens,
)
from app.core.conversation import Message, Status


@dataclass(frozen=True)
class MessageEstimate:
    text: int
    images: int
    unknown_images: int

    @property
    def total(self) -> int:
        return TOKENS_PER_MESSAGE + self.text + self.images


def estimate_images(costs: Iterable[int | None]) -> tuple[int, int]:
    """Sum of image token costs, and how many are unknown (remote, priced at the maximum)."""
    tokens = unknown = 0
    for cost in costs:
        if cost is None:
            unknown += 1
        tokens += MAX_IMAGE_TOKENS if cost is None else cost
    return tokens, unknown


def estimate_message(message: Message) -> MessageEstimate:
    """The estimate of one message. The meter estimates every message of the conversation
    again on each change, several times a turn on the GUI thread: estimates are remembered by
    what they depend on (10 ms a time at 200 messages otherwise)."""
    text, parts = message.text, message.images
    key = (text, tuple((part.number, part.name, part.tokens) for part in parts))
    known = _ESTIMATES.get(key)
    if known is None:
        images, unknown = estimate_images(part.tokens for part in parts)
        labels = sum(estimate_text_tokens(label) for label in message.image_labels())
        known = MessageEstimate(estimate_text_tokens(text) + labels, images, unknown)
        if message.status is not Status.STREAMING:  # a streaming reply's text keeps growing
            if len(_ESTIMATES) >= _ESTIMATES_KEPT:
                _ESTIMATES.clear()
            _ESTIMATES[key] = known
    return known


_ESTIMATES_KEPT = 4096
_ESTIMATES: dict[tuple[str, tuple[tuple[int | None, str, int | None], ...]], MessageEstimate] = {}
