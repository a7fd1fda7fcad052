"""The figures behind the token meter: what the next request will use and what turns cost.

Before any reply, every figure is an estimate (text by `estimate_text_tokens`, images by the tile
formula). Once the server reports `usage` for a reply, the history up to that reply is corrected
by the difference between what was estimated and what the server counted, so the sent history's
figure becomes the server's own.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from app.core.budget import (
    MAX_IMAGE_TOKENS,
    TOKENS_PER_MESSAGE,
    TOKENS_PER_REQUEST,
    BudgetEstimate,
    estimate_text_tokens,
)
from app.core.conversation import Conversation, Message, Usage
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
    images, unknown = estimate_images(p.tokens for p in message.images)
    labels = sum(estimate_text_tokens(label) for label in message.image_labels())
    return MessageEstimate(estimate_text_tokens(message.text) + labels, images, unknown)


@dataclass(frozen=True)
class Drift:
    """How far the estimate of one request was from what the server counted."""

    estimated_prompt: int
    reported_prompt: int
    estimated_images: int
    reported_images: int | None

    @property
    def prompt_error(self) -> int:
        return self.reported_prompt - self.estimated_prompt


def _prefix_estimate(system_prompt: str, messages: Sequence[Message]) -> tuple[int, int, int]:
    """Estimated prompt tokens of a request made of these messages; its image tokens; unknowns."""
    total = TOKENS_PER_REQUEST
    if system_prompt.strip():
        total += TOKENS_PER_MESSAGE + estimate_text_tokens(system_prompt)
    images = unknown = 0
    for message in messages:
        est = estimate_message(message)
        total += est.total
        images += est.images
        unknown += est.unknown_images
    return total, images, unknown


def drift_of_reply(conversation: Conversation, reply: Message) -> Drift | None:
    """Compare the estimate of the request that produced `reply` with its reported usage."""
    if reply.usage is None:
        return None
    sent = list(conversation.sent_messages())
    prefix = sent[: sent.index(reply)] if reply in sent else sent
    estimated, images, _ = _prefix_estimate(conversation.system_prompt, prefix)
    return Drift(estimated, reply.usage.prompt_tokens, images, reply.usage.image_tokens)


def estimate_request(conversation: Conversation, draft_text: str,
                     draft_images: Sequence[int | None], *, context_window: int,
                     reply_reserve: int) -> BudgetEstimate:
    """What the next request (history + draft) will use of the context window."""
    sent = list(conversation.sent_messages())
    history, history_images, unknown = _prefix_estimate(conversation.system_prompt, sent)
    exact = False
    reconciled = _last_reconciled(sent)
    if reconciled is not None:
        index, reply = reconciled
        usage = reply.usage
        assert usage is not None
        prefix_estimate, _, _ = _prefix_estimate(conversation.system_prompt, sent[:index])
        reply_estimate = estimate_message(reply).total
        # Replace the estimate of the prefix and of the reply by what the server counted.
        history += (usage.prompt_tokens - prefix_estimate) + (
            usage.completion_tokens + TOKENS_PER_MESSAGE - reply_estimate)
        exact = index == len(sent) - 1
    # Draft images are given by their token cost (planned from the header before decoding).
    draft_image_tokens, draft_unknown = estimate_images(draft_images)
    draft_text_tokens = estimate_text_tokens(draft_text)
    if draft_text or draft_images:
        draft_text_tokens += TOKENS_PER_MESSAGE
    return BudgetEstimate(
        context_window=context_window,
        reply_reserve=reply_reserve,
        history_tokens=history,
        history_exact=exact,
        history_image_tokens=history_images,
        draft_text_tokens=draft_text_tokens,
        draft_image_tokens=draft_image_tokens,
        unknown_images=unknown + draft_unknown,
    )


def _last_reconciled(sent: Sequence[Message]) -> tuple[int, Message] | None:
    for index in range(len(sent) - 1, -1, -1):
        if sent[index].role == "assistant" and sent[index].usage is not None:
            return index, sent[index]
    return None


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
