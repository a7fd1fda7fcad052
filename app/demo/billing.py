"""Prices, the bill of one request, and the `usage` object that carries both (XAI_API.md).

Prices are integers in USD cents per 100 million tokens, as `/v1/language-models` gives them;
one such unit is exactly one tick per token (10,000,000,000 ticks = $1), so a bill in ticks is
a sum of tokens × prices with no rounding.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

TICKS_PER_USD = 10_000_000_000
LONG_CONTEXT_PROMPT = 200_000  # from this many prompt tokens, every token is billed long


@dataclass(frozen=True)
class Prices:
    """One rate card, in USD cents per 100 million tokens (= ticks per token)."""

    prompt: int  # text and image input
    cached: int  # input found in the prompt cache
    completion: int  # output, reasoning included

    def doubled(self) -> Prices:
        return Prices(self.prompt * 2, self.cached * 2, self.completion * 2)


@dataclass(frozen=True)
class UsageCounts:
    """The token counts of one reply (or of the part of it sent so far)."""

    text_tokens: int
    image_tokens: int
    completion_tokens: int
    cached_tokens: int = 0
    reasoning_tokens: int = 0

    @property
    def prompt_tokens(self) -> int:
        return self.text_tokens + self.image_tokens


def cost_in_usd_ticks(
    prices: Prices,
    *,
    prompt_tokens: int,
    cached_tokens: int,
    completion_tokens: int,
    reasoning_tokens: int,
) -> int:
    """The bill: uncached input, cached input, and output (reasoning included) at their rates.

    `prices` is the rate card that applies to the request (see `rate_card`).
    """
    return (
        (prompt_tokens - cached_tokens) * prices.prompt
        + cached_tokens * prices.cached
        + (completion_tokens + reasoning_tokens) * prices.completion
    )


def rate_card(prices: Prices, long_prices: Prices, prompt_tokens: int) -> Prices:
    """The long-context card for every token of a request whose prompt reaches 200k tokens."""
    return long_prices if prompt_tokens >= LONG_CONTEXT_PROMPT else prices


def usage_body(counts: UsageCounts, prices: Prices, long_prices: Prices) -> dict[str, Any]:
    """The `usage` object of a reply, as the recorded real stream has it, with its bill."""
    prompt_tokens = counts.prompt_tokens
    card = rate_card(prices, long_prices, prompt_tokens)
    return {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": counts.completion_tokens,
        "total_tokens": prompt_tokens + counts.completion_tokens + counts.reasoning_tokens,
        "prompt_tokens_details": {
            "text_tokens": counts.text_tokens,
            "audio_tokens": 0,
            "image_tokens": counts.image_tokens,
            "cached_tokens": counts.cached_tokens,
        },
        "completion_tokens_details": {
            "reasoning_tokens": counts.reasoning_tokens,
            "audio_tokens": 0,
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0,
        },
        "num_sources_used": 0,
        "cost_in_usd_ticks": cost_in_usd_ticks(
            card,
            prompt_tokens=prompt_tokens,
            cached_tokens=counts.cached_tokens,
            completion_tokens=counts.completion_tokens,
            reasoning_tokens=counts.reasoning_tokens,
        ),
    }


def responses_usage_body(
    counts: UsageCounts, prices: Prices, long_prices: Prices
) -> dict[str, Any]:
    """The `usage` object of a Responses API reply, as the recorded real ones have it.

    Unlike Chat Completions (`completion_tokens` without the reasoning), Responses'
    `output_tokens` *includes* `output_tokens_details.reasoning_tokens`, and `total_tokens` is
    input + output: a grok-4.3 recording (vercel/ai, July 2026) has 197 input (192 cached),
    123 output of which 122 reasoning, 320 total, and `cost_in_usd_ticks` 3,521,500 = 5 × 12,500
    + 192 × 2,000 + 123 × 25,000: the reasoning is billed once, inside `output_tokens`.
    """
    chat = usage_body(counts, prices, long_prices)
    output_tokens = counts.completion_tokens + counts.reasoning_tokens
    return {
        "input_tokens": counts.prompt_tokens,
        "input_tokens_details": {"cached_tokens": counts.cached_tokens},
        "output_tokens": output_tokens,
        "output_tokens_details": {"reasoning_tokens": counts.reasoning_tokens},
        "total_tokens": counts.prompt_tokens + output_tokens,
        "num_sources_used": 0,
        "num_server_side_tools_used": 0,
        "cost_in_usd_ticks": chat["cost_in_usd_ticks"],
        "context_details": {"input_tokens": counts.prompt_tokens, "output_tokens": output_tokens},
    }
