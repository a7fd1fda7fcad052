"""The meter's figure for the next request when a fitting plan and learned image costs apply.

The history up to the last reply the server reported on is corrected by the server's own
count. The correction is split, because the request the
server counted may differ from the next one (images left out since, turns dropped):

- text: the server's text tokens minus the text estimated for that request when it was sent;
- images: the images still sent from that history are counted at the ratio the server showed
  for that request (its image tokens over the tile formula's figure).

With no record of how that request was estimated (a conversation reopened from history), the
server's whole prompt count replaces the estimate of that history, as the plain meter does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from app.core.budget import (
    MAX_IMAGE_TOKENS,
    TOKENS_PER_MESSAGE,
    TOKENS_PER_REQUEST,
    BudgetEstimate,
    estimate_text_tokens,
)
from app.core.conversation import Conversation, ImagePart, Message
from app.core.meter import estimate_message

ImageCost = Callable[[int], int]  # formula tokens of one image -> tokens to count for it


def _same(tokens: int) -> int:
    return tokens


@dataclass(frozen=True)
class RequestEstimate:
    """The estimate of one request's prompt, split as the learning and the correction need."""

    text: int  # framing, system prompt, message text and image labels
    images: int  # image tokens as counted for the meter (learned rule applied)
    formula_images: int  # image tokens by the tile formula
    image_count: int
    unknown_images: int  # images whose cost is not known (web addresses)

    @property
    def total(self) -> int:
        return self.text + self.images


def _message_figures(message: Message, cost: ImageCost) -> tuple[int, int, int, int, int]:
    # The text as the plain meter counts it (labels and whatever else it learns to count).
    text = TOKENS_PER_MESSAGE + estimate_message(message).text
    images = formula = unknown = 0
    for part in message.images:
        tokens = _part_tokens(part)
        if tokens is None:
            unknown += 1
            images += MAX_IMAGE_TOKENS
            formula += MAX_IMAGE_TOKENS
        else:
            images += cost(tokens)
            formula += tokens
    return text, images, formula, len(message.images), unknown


def _part_tokens(part: ImagePart) -> int | None:
    return part.tokens


def request_estimate(
    system_prompt: str, messages: Sequence[Message], cost: ImageCost = _same
) -> RequestEstimate:
    """The estimate of a request made of `system_prompt` and `messages`."""
    text = TOKENS_PER_REQUEST
    if system_prompt.strip():
        text += TOKENS_PER_MESSAGE + estimate_text_tokens(system_prompt)
    images = formula = count = unknown = 0
    for message in messages:
        t, i, f, c, u = _message_figures(message, cost)
        text, images, formula, count, unknown = (
            text + t,
            images + i,
            formula + f,
            count + c,
            unknown + u,
        )
    return RequestEstimate(text, images, formula, count, unknown)


def _last_reconciled(sent: Sequence[Message]) -> int | None:
    for index in range(len(sent) - 1, -1, -1):
        if sent[index].role == "assistant" and sent[index].usage is not None:
            return index
    return None


def estimate_next(
    conversation: Conversation,
    draft_text: str,
    draft_images: Sequence[int | None],
    *,
    context_window: int,
    reply_reserve: int,
    cost: ImageCost = _same,
    sent: Mapping[str, RequestEstimate] | None = None,
) -> BudgetEstimate:
    """What the next request will use. `conversation` is the one sent (the plan applied);
    `draft_images` are the tray's formula costs; `sent` maps a reply's id to the estimate of
    the request that produced it, made when it was sent."""
    messages = list(conversation.sent_messages())
    now = request_estimate(conversation.system_prompt, messages, cost)
    history, history_images, exact = now.total, now.images, False
    index = _last_reconciled(messages)
    if index is not None:
        reply = messages[index]
        usage = reply.usage
        assert usage is not None
        prefix = request_estimate(conversation.system_prompt, messages[:index], cost)
        reply_text = TOKENS_PER_MESSAGE + estimate_message(reply).text
        reply_fix = usage.completion_tokens + TOKENS_PER_MESSAGE - reply_text
        record = (sent or {}).get(reply.id)
        last = index == len(messages) - 1
        if record is not None and usage.image_tokens is not None and record.formula_images:
            ratio = usage.image_tokens / record.formula_images
            text_fix = (usage.prompt_tokens - usage.image_tokens) - record.text
            prefix_images = round(prefix.formula_images * ratio)
            history = (
                now.text + text_fix + reply_fix + (now.images - prefix.images) + (prefix_images)
            )
            history_images = now.images - prefix.images + prefix_images
            exact = last and (prefix.text, prefix.formula_images) == (
                record.text,
                record.formula_images,
            )
        elif record is not None:
            history += (usage.prompt_tokens - record.total) + reply_fix
            exact = last and prefix == record
        else:
            history += (usage.prompt_tokens - prefix.total) + reply_fix
            exact = last
    draft_image_tokens = 0
    draft_unknown = 0
    for tokens in draft_images:
        if tokens is None:
            draft_unknown += 1
            draft_image_tokens += MAX_IMAGE_TOKENS
        else:
            draft_image_tokens += cost(tokens)
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
        unknown_images=now.unknown_images + draft_unknown,
    )
