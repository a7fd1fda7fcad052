"""The pieces of the token meter's figures: the estimate of one message, and what turns cost.

What the next request will use, corrected by the server's own counts, is
`app.core.forecast.estimate_next`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from app.core.budget import (
    MAX_IMAGE_TOKENS,
    TOKENS_PER_MESSAGE,
    BudgetEstimate,
    estimate_text_tokens,
)
from app.core.conversation import Conversation, Message, Status, Usage
from app.core.limits import Prices


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
        if message.status is not Status.STREAMING:   # a streaming reply's text keeps growing
            if len(_ESTIMATES) >= _ESTIMATES_KEPT:
                _ESTIMATES.clear()
            _ESTIMATES[key] = known
    return known


_ESTIMATES_KEPT = 4096
_ESTIMATES: dict[tuple[str, tuple[tuple[int | None, str, int | None], ...]], MessageEstimate] = {}


def usage_cost(usage: Usage, prices: Prices) -> float:
    """USD cost of one reply from the server's figures."""
    image = usage.image_tokens or 0
    return prices.usd(text_in=max(0, usage.prompt_tokens - image), image_in=image,
                      out=usage.completion_tokens)


def next_turn_cost(estimate: BudgetEstimate, prices: Prices) -> tuple[float, float]:
    """USD cost of the next request's input, and the most its reply can add (max_tokens)."""
    images = estimate.history_image_tokens + estimate.draft_image_tokens
    text = max(0, estimate.prompt_tokens - images)
    return (prices.usd(text_in=text, image_in=images, out=0),
            prices.usd(text_in=0, image_in=0, out=estimate.reply_reserve))


def conversation_cost(conversation: Conversation, prices: Prices) -> float:
    return sum(usage_cost(m.usage, prices) for m in conversation.messages if m.usage)
