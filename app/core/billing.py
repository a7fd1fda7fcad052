"""What a reply cost, the way xAI bills it, and what the next turn will cost.

The rules (XAI_API.md), which reproduce the server's own `cost_in_usd_ticks` exactly:
- `cached_tokens` is the part of `prompt_tokens` billed at the cached-input price;
- `completion_tokens` excludes `reasoning_tokens`, which are billed at the output price too;
- a request whose prompt reaches 200,000 tokens bills every token at the long-context rate.
When the server sends `cost_in_usd_ticks`, that is the bill, and it is marked exact.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from app.core.budget import BudgetEstimate
from app.core.catalog import TICKS_PER_USD, Prices, Pricing
from app.core.continuation import requests_usage
from app.core.conversation import Conversation, Message, Usage


@dataclass(frozen=True)
class Bill:
    """One reply's cost, in ticks (10^10 ticks = $1)."""

    ticks: int
    exact: bool  # the server's own figure
    long_context: bool  # billed at the long-context rate
    saved_ticks: int = 0  # what the cached prefix saved against the full input price

    @property
    def usd(self) -> float:
        return self.ticks / TICKS_PER_USD

    @property
    def saved_usd(self) -> float:
        return self.saved_ticks / TICKS_PER_USD

    def __add__(self, other: Bill) -> Bill:
        return Bill(
            self.ticks + other.ticks,
            self.exact and other.exact,
            self.long_context or other.long_context,
            self.saved_ticks + other.saved_ticks,
        )


NOTHING = Bill(0, exact=True, long_context=False)


def usage_ticks(usage: Usage, prices: Prices) -> int:
    """The cost of `usage` at `prices`, by the rules above."""
    cached = min(usage.cached_tokens or 0, usage.prompt_tokens)
    uncached = usage.prompt_tokens - cached
    images = min(usage.image_tokens or 0, uncached)
    output = usage.completion_tokens + (usage.reasoning_tokens or 0)
    return (
        (uncached - images) * prices.prompt_text
        + images * prices.prompt_image
        + cached * prices.cached
        + output * prices.completion_text
    )


def bill(usage: Usage, pricing: Pricing | None) -> Bill | None:
    """The bill of one reply: the server's `cost_in_usd_ticks` when it sent one, else the
    formula on the model's prices; None when neither is known."""
    prices = pricing.for_prompt(usage.prompt_tokens) if pricing is not None else None
    long_context = pricing is not None and pricing.is_long(usage.prompt_tokens)
    saved = prices.cache_saving(usage.cached_tokens or 0) if prices is not None else 0
    if usage.cost_ticks is not None:
        return Bill(usage.cost_ticks, exact=True, long_context=long_context, saved_ticks=saved)
    if prices is None:
        return None
    return Bill(
        usage_ticks(usage, prices), exact=False, long_context=long_context, saved_ticks=saved
    )


@dataclass(frozen=True)
class TurnForecast:
    """What the next request's prompt will cost, and the most its reply can add."""

    input_usd: float
    reply_usd: float  # the whole reply room at the output price
    cached_tokens: int  # of the prompt, expected to be billed at the cached price
    saved_usd: float  # what that caching saves
    long_context: bool  # the prompt reaches the long-context tier (every token doubled)


def forecast(estimate: BudgetEstimate, pricing: Pricing, cached_tokens: int = 0) -> TurnForecast:
    """The next turn's cost: images at the image price, the expected cached prefix at the
    cached price, the rest at the input price, all at the tier the prompt falls in."""
    prompt = estimate.prompt_tokens
    prices = pricing.for_prompt(prompt)
    cached = max(0, min(cached_tokens, prompt))
    images = min(estimate.history_image_tokens + estimate.draft_image_tokens, prompt - cached)
    text = prompt - cached - images
    return TurnForecast(
        input_usd=prices.usd(text_in=text, image_in=images, out=0, cached_in=cached),
        reply_usd=prices.usd(text_in=0, image_in=0, out=estimate.reply_reserve),
        cached_tokens=cached,
        saved_usd=prices.cache_saving(cached) / TICKS_PER_USD,
        long_context=pricing.is_long(prompt),
    )


def format_usd(amount: float) -> str:
    """Dollars with enough digits to mean something: $1.23, $0.0123, $0.000147, $0.00000041."""
    if amount == 0:
        return "$0.00"
    if abs(amount) >= 1:
        return f"${amount:,.2f}"
    if abs(amount) >= 0.01:
        return f"${amount:.4f}"
    digits = 2
    while abs(amount) < 10**-digits and digits < 12:
        digits += 1
    return f"${amount:.{digits + 2}f}"


def bill_note(usage: Usage, charged: Bill | None) -> str:
    """The reply's footer: "cost $0.000147 (exact) · 11 cached, saved $0.0000025 · 290
    reasoning"."""
    notes: list[str] = []
    if charged is not None:
        notes.append(
            f"cost {format_usd(charged.usd)}"
            + (" (exact)" if charged.exact else "")
            + (" at the long-context rate" if charged.long_context else "")
        )
    if usage.cached_tokens:
        saved = (
            f", saved {format_usd(charged.saved_usd)}"
            if charged is not None and charged.saved_ticks
            else ""
        )
        notes.append(f"{usage.cached_tokens:,} cached{saved}")
    if usage.reasoning_tokens:
        notes.append(f"{usage.reasoning_tokens:,} reasoning")
    return " · ".join(notes)


PricingSource = Callable[[str], Pricing | None]


def request_bill(reply: Message, model: str, pricing_for: PricingSource) -> Bill | None:
    """The bill of the last request that wrote `reply` (the server's own when it sent one);
    `model` when the reply names none."""
    if reply.usage is None:
        return None
    return bill(reply.usage, pricing_for(reply.model or model))


def reply_bill(reply: Message, model: str, pricing_for: PricingSource) -> Bill | None:
    """The whole reply's bill: each of its requests' (a continued reply has several), each at
    its own tier; exact when all are; None when any request's cost is unknown."""
    pricing = pricing_for(reply.model or model)
    total: Bill | None = None
    for usage in requests_usage(reply):
        charged = bill(usage, pricing)
        if charged is None:
            return None
        total = charged if total is None else total + charged
    return total


def conversation_bill(
    conversation: Conversation, model: str, pricing_for: PricingSource
) -> Bill | None:
    """What the conversation's replies cost so far, every version of them; None when no reply's
    cost is known."""
    total: Bill | None = None
    for message in conversation.all_messages():
        charged = reply_bill(message, model, pricing_for)
        if charged is not None:
            total = charged if total is None else total + charged
    return total
