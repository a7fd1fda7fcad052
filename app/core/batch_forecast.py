"""What a batch will send and cost, before anything is sent (`batch --dry-run`).

Each request is the shared system prompt and one user message (the image and the question).
Images are priced by the tile formula on the pixels as they will be sent (exact); text is
estimated. The requests of a batch share one cache key, so every request after the first is
expected to find the system prompt cached and pay the cached price for it. Each request is
priced at the tier its own prompt falls in (the long-context rate from 200,000 tokens).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app.core.billing import forecast, format_usd
from app.core.budget import TOKENS_PER_MESSAGE, BudgetEstimate, estimate_text_tokens
from app.core.catalog import FALLBACK_CONTEXT_WINDOW, Pricing
from app.core.conversation import Conversation, ImagePart, TextPart
from app.core.forecast import request_estimate
from app.core.images import prepare_file
from app.core.imagetypes import ImageError, PreparedImage
from app.core.limits import ImageLimits

REPLY_TOKENS = 1_000  # the reply length the forecast's reply figure assumes, per request


@dataclass(frozen=True)
class BatchForecast:
    requests: int
    image_tokens: int  # by the tile formula: exact
    text_tokens: int  # estimated (framing, system prompt, question, image labels)
    cached_tokens: int  # of the prompts, expected at the cached price
    input_usd: float | None  # None: the model's prices are not known
    saved_usd: float | None  # what the cached system prompt saves
    reply_usd: float | None  # REPLY_TOKENS of output per request
    long_context: int  # requests at the long-context rate

    @property
    def prompt_tokens(self) -> int:
        return self.image_tokens + self.text_tokens


def system_tokens(system_prompt: str) -> int:
    """The estimated tokens of the system message, the part a batch's requests share."""
    if not system_prompt.strip():
        return 0
    return TOKENS_PER_MESSAGE + estimate_text_tokens(system_prompt)


def batch_forecast(
    system_prompt: str,
    question: str,
    images: Sequence[PreparedImage],
    pricing: Pricing | None,
) -> BatchForecast:
    shared = system_tokens(system_prompt)
    image_total = text_total = cached_total = long_count = 0
    input_usd = saved_usd = reply_usd = 0.0
    for index, image in enumerate(images):
        conversation = Conversation(system_prompt=system_prompt)
        conversation.add_user([ImagePart(image), TextPart(question)])
        estimate = request_estimate(system_prompt, conversation.messages)
        cached = shared if index else 0
        image_total += estimate.images
        text_total += estimate.text
        cached_total += cached
        if pricing is None:
            continue
        budget = BudgetEstimate(
            context_window=FALLBACK_CONTEXT_WINDOW,  # not used for the cost
            reply_reserve=REPLY_TOKENS,
            history_tokens=estimate.text,
            history_exact=False,
            history_image_tokens=0,
            draft_text_tokens=0,
            draft_image_tokens=estimate.images,
        )
        turn = forecast(budget, pricing, cached)
        input_usd += turn.input_usd
        saved_usd += turn.saved_usd
        reply_usd += turn.reply_usd
        long_count += turn.long_context
    known = pricing is not None
    return BatchForecast(
        requests=len(images),
        image_tokens=image_total,
        text_tokens=text_total,
        cached_tokens=cached_total,
        input_usd=input_usd if known else None,
        saved_usd=saved_usd if known else None,
        reply_usd=reply_usd if known else None,
        long_context=long_count,
    )


def prepare_inputs(
    paths: Sequence[str], limits: ImageLimits
) -> tuple[list[PreparedImage], list[str]]:
    """Each input as it would be sent (decoded and fitted: slow, for a worker thread), and
    what is wrong with those that would fail."""
    images: list[PreparedImage] = []
    failures: list[str] = []
    for path in paths:
        try:
            images.append(prepare_file(path, limits))
        except ImageError as exc:
            failures.append(str(exc))
    return images, failures


def describe_forecast(plan: BatchForecast, model: str) -> str:
    """The dry run's report, one figure a line."""
    lines = [
        f"requests:      {plan.requests} to {model} (one image each)",
        f"image tokens:  {plan.image_tokens:,} (tile formula, exact)",
        f"text tokens:   ≈ {plan.text_tokens:,} (system prompt, question and labels, estimated)",
        f"prompt tokens: ≈ {plan.prompt_tokens:,}, of which ≈ {plan.cached_tokens:,} cached "
        "(the shared system prompt, after the first request)",
    ]
    if plan.input_usd is None or plan.reply_usd is None:
        lines.append(f"cost:          unknown (no prices for {model})")
        return "\n".join(lines) + "\n"
    input_line = f"input cost:    ≈ {format_usd(plan.input_usd)}"
    if plan.saved_usd:
        input_line += f" (the cached system prompt saves {format_usd(plan.saved_usd)})"
    lines.append(input_line)
    if plan.long_context:
        lines.append(f"               {plan.long_context} at the long-context rate (doubled)")
    lines.append(
        f"replies:       ≈ {format_usd(plan.reply_usd)} if each is {REPLY_TOKENS:,} "
        "output tokens (reasoning included)"
    )
    lines.append(f"total:         ≈ {format_usd(plan.input_usd + plan.reply_usd)}")
    return "\n".join(lines) + "\n"
