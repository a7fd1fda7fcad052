"""The model catalogue, the bill's rules and the prompt-cache outlook (pure functions)."""

from __future__ import annotations

import pytest

from app.core.billing import Bill, bill, forecast, format_usd, usage_ticks
from app.core.budget import BudgetEstimate
from app.core.catalog import (
    CATALOGUE,
    DEFAULT_MODEL,
    ModelInfo,
    Prices,
    Pricing,
    context_window_for,
    effort_to_send,
    lookup,
    per_million,
    pick_default,
    pricing_for,
    retired_note,
    thinks,
    window_from_error,
)
from app.core.conversation import Conversation, TextPart, Usage
from app.core.prompt_cache import SentRequest, outlook, request_keys

# The table in XAI_API.md ("The API as of December 2026"): window, $/M input, cached, output.
TABLE = {
    "grok-4.7": (500_000, 2.00, 0.50, 6.00),
    "grok-4.6": (500_000, 2.00, 0.50, 6.00),
    "grok-4.5": (500_000, 2.00, 0.30, 6.00),
    "grok-4.3": (1_000_000, 1.25, 0.20, 2.50),
    "grok-4.20-0309-reasoning": (1_000_000, 1.25, 0.20, 2.50),
    "grok-4.20-0309-non-reasoning": (1_000_000, 1.25, 0.20, 2.50),
}


@pytest.mark.parametrize(("model", "facts"), TABLE.items())
def test_the_catalogue_holds_the_current_image_models(model: str, facts: tuple) -> None:
    entry = lookup(model)
    assert entry is not None
    assert entry.takes_images
    window, price_in, cached, out = facts
    assert entry.context_window == window
    assert (
        per_million(entry.prices.prompt_text),
        per_million(entry.prices.cached),
        per_million(entry.prices.completion_text),
    ) == (price_in, cached, out)
    assert per_million(entry.prices.prompt_image) == price_in  # images at the input rate
    assert context_window_for(model) == (window, True)


def test_aliases_and_retired_ids() -> None:
    assert lookup("grok-4.5-latest") is lookup("grok-4.5")
    assert lookup("grok-4.3-latest") is lookup("grok-4.3")
    # Retired in May 2026 and answered by grok-4.3: its window and prices are grok-4.3's.
    assert lookup("grok-4") is lookup("grok-4.3")
    assert context_window_for("grok-4-1-fast-reasoning") == (1_000_000, True)
    assert "grok-4.3" in (retired_note("grok-4") or "")
    # Retired in February 2026: gone ("Model not found").
    assert lookup("grok-2-vision-1212") is None
    assert "Model not found" in (retired_note("grok-3-mini") or "")
    assert retired_note("grok-4.7") is None
    assert len({m.id for m in CATALOGUE}) == len(CATALOGUE)


def test_reasoning_effort_is_sent_only_where_the_model_takes_it() -> None:
    assert effort_to_send("grok-4.7", "xhigh") == "xhigh"
    assert effort_to_send("grok-4.3", "xhigh") is None  # grok-4.3 stops at high
    assert effort_to_send("grok-4.3", "none") == "none"
    for model in ("grok-4.20-0309-reasoning", "grok-4.20-0309-non-reasoning", "gpt-4o", "mystery"):
        assert effort_to_send(model, "low") is None
    assert effort_to_send("grok-4.7", None) is None
    assert thinks("grok-4.7", None)
    assert not thinks("grok-4.3", "none")
    assert not thinks("grok-4.20-0309-non-reasoning", None)
    assert thinks("grok-4-fast-reasoning", None)  # served by grok-4.3 at low effort


def test_an_unknown_window_is_a_placeholder_and_can_be_learned() -> None:
    window, known = context_window_for("some-local-model")
    assert not known
    assert window > 0
    assert context_window_for("some-local-model", learned=8192) == (8192, True)
    assert context_window_for("some-local-model", override=4096, learned=8192) == (4096, True)
    assert (
        window_from_error(
            "This model's maximum prompt length is 32768 but the request contains 40110 tokens."
        )
        == 32_768
    )
    assert window_from_error("Some other failure") is None


def test_the_default_model_comes_from_discovery() -> None:
    listed = [ModelInfo("grok-4.7", True), ModelInfo("grok-4.3", True)]
    assert pick_default(listed) == DEFAULT_MODEL == "grok-4.3"
    assert pick_default([ModelInfo("grok-4.7", True), ModelInfo("grok-4.6", True)]) == "grok-4.7"
    assert pick_default([ModelInfo("text-only", False), ModelInfo("llava", True)]) == "llava"
    assert pick_default([]) == DEFAULT_MODEL


def test_listed_prices_win_and_keep_the_long_context_tier() -> None:
    listed = [ModelInfo("grok-4.3", True, prices=Prices(13_000, 13_000, 26_000, 2_000))]
    pricing = pricing_for("grok-4.3", listed)
    assert pricing is not None
    assert pricing.base.prompt_text == 13_000
    assert pricing.long_from == 200_000
    unknown = pricing_for("local", [ModelInfo("local", True, prices=Prices(1, 1, 1))])
    assert unknown is not None
    assert unknown.long_from is None
    assert pricing_for("local") is None


def test_a_prompt_of_200k_tokens_bills_every_token_at_the_long_rate() -> None:
    pricing = lookup("grok-4.3").pricing  # type: ignore[union-attr]
    below = Usage(
        prompt_tokens=199_999,
        completion_tokens=1_000,
        total_tokens=0,
        cached_tokens=100_000,
        reasoning_tokens=500,
    )
    at = Usage(
        prompt_tokens=200_000,
        completion_tokens=1_000,
        total_tokens=0,
        cached_tokens=100_000,
        reasoning_tokens=500,
    )
    cheap, dear = bill(below, pricing), bill(at, pricing)
    assert cheap is not None
    assert dear is not None
    assert not cheap.long_context
    assert dear.long_context
    # Input, cached input and output alike at twice the price.
    assert dear.ticks == 2 * usage_ticks(at, pricing.base)
    assert cheap.ticks == usage_ticks(below, pricing.base)
    assert dear.ticks == (100_000 * 25_000 + 100_000 * 4_000 + 1_500 * 50_000)


def test_the_saving_of_a_cached_prefix() -> None:
    prices = Prices(20_000, 20_000, 60_000, 5_000)
    usage = Usage(prompt_tokens=10_000, completion_tokens=100, total_tokens=0, cached_tokens=8_000)
    charged = bill(usage, Pricing(prices))
    assert charged == Bill(
        2_000 * 20_000 + 8_000 * 5_000 + 100 * 60_000,
        exact=False,
        long_context=False,
        saved_ticks=8_000 * 15_000,
    )
    assert bill(usage, None) is None
    exact = bill(Usage(1, 1, 2, cost_ticks=123), None)
    assert exact is not None
    assert (exact.ticks, exact.exact) == (123, True)


def estimate(prompt: int, images: int = 0, reply: int = 1000) -> BudgetEstimate:
    return BudgetEstimate(
        context_window=1_000_000,
        reply_reserve=reply,
        history_tokens=prompt,
        history_exact=True,
        history_image_tokens=images,
        draft_text_tokens=0,
        draft_image_tokens=0,
    )


def test_the_forecast_prices_the_cached_prefix_and_the_tier() -> None:
    pricing = lookup("grok-4.7").pricing  # type: ignore[union-attr]
    plain = forecast(estimate(100_000, images=20_000), pricing)
    cached = forecast(estimate(100_000, images=20_000), pricing, cached_tokens=90_000)
    assert plain.input_usd == pytest.approx(100_000 * 2.00 / 1e6)
    assert cached.input_usd == pytest.approx((90_000 * 0.50 + 10_000 * 2.00) / 1e6)
    assert cached.saved_usd == pytest.approx(90_000 * 1.50 / 1e6)
    assert not plain.long_context
    long = forecast(estimate(250_000), pricing)
    assert long.long_context
    assert long.input_usd == pytest.approx(250_000 * 4.00 / 1e6)
    assert long.reply_usd == pytest.approx(1000 * 12.00 / 1e6)


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (0.0, "$0.00"),
        (12.3456, "$12.35"),
        (0.0123, "$0.0123"),
        (0.000146625, "$0.000147"),
        (0.0000041, "$0.00000410"),
        (0.006, "$0.00600"),
    ],
)
def test_costs_print_with_meaningful_digits(amount: float, text: str) -> None:
    assert format_usd(amount) == text


def conversation(*texts: str, system: str = "Be brief.") -> Conversation:
    conv = Conversation(system_prompt=system)
    for index, text in enumerate(texts):
        if index % 2 == 0:
            conv.add_user([TextPart(text)])
        else:
            reply = conv.begin_reply()
            reply.append_text(text)
            reply.status = reply.status.COMPLETE
    return conv


def test_the_cache_outlook_trusts_a_prefix_only_when_the_server_caches() -> None:
    sent = conversation("What is this?")
    previous = SentRequest(request_keys(sent.system_prompt, sent.messages), prompt_tokens=900)
    later = conversation("What is this?", "A chart.", "And the trend?")
    keys = request_keys(later.system_prompt, later.messages)
    assert outlook(previous, False, keys, lambda _n: 0).cached_tokens == 0
    intact = outlook(previous, True, keys, lambda _n: 0)
    assert (intact.cached_tokens, intact.broken) == (900, None)

    edited = conversation("What is this now?", "A chart.", "And the trend?")
    broken = outlook(
        previous, True, request_keys(edited.system_prompt, edited.messages), lambda n: 10 * n
    )
    assert broken.cached_tokens == 0
    assert broken.broken is not None
    assert "message 1" in broken.broken
    assert broken.lost_tokens == 900

    new_system = conversation("What is this?", "A chart.", "More?", system="Be thorough.")
    changed = outlook(
        previous, True, request_keys(new_system.system_prompt, new_system.messages), lambda _n: 0
    )
    assert changed.broken == "the system prompt changed"
