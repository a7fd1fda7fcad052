import pytest

from app.core.budget import (
    MAX_IMAGE_TOKENS,
    MIN_IMAGE_TOKENS,
    BudgetEstimate,
    estimate_text_tokens,
    image_tiles,
    image_tokens,
)
from app.core.catalog import Prices, context_window_for, lookup


@pytest.mark.parametrize(
    ("width", "height", "tiles", "tokens"),
    [
        (1, 1, 1, 512),
        (448, 448, 1, 512),
        (449, 448, 2, 768),
        (448, 449, 2, 768),
        (896, 896, 4, 1280),
        (897, 896, 6, 1792),
        (1344, 448, 3, 1024),
        (1920, 1080, 15, 1792),
        (8192, 8192, 361, 1792),
        (100, 5000, 12, 1792),
    ],
)
def test_tile_formula(width: int, height: int, tiles: int, tokens: int) -> None:
    assert image_tiles(width, height) == tiles
    assert image_tokens(width, height) == tokens
    assert MIN_IMAGE_TOKENS <= tokens <= MAX_IMAGE_TOKENS


def test_tile_formula_refuses_empty_images() -> None:
    with pytest.raises(ValueError, match="positive"):
        image_tiles(0, 10)


def test_text_estimate_grows_with_text_and_is_zero_for_nothing() -> None:
    assert estimate_text_tokens("") == 0
    short = estimate_text_tokens("What does this chart show?")
    long = estimate_text_tokens("What does this chart show? " * 20)
    assert 5 <= short <= 10
    assert long > 15 * short
    # Long unbroken strings (base64, URLs) are charged about one token per four characters.
    assert estimate_text_tokens("a" * 4000) == 1000


def test_budget_estimate_fit_and_overflow() -> None:
    fits = BudgetEstimate(
        context_window=1000,
        reply_reserve=200,
        history_tokens=300,
        history_exact=False,
        history_image_tokens=0,
        draft_text_tokens=100,
        draft_image_tokens=400,
    )
    assert fits.prompt_tokens == 800
    assert fits.needed == 1000
    assert fits.fits
    assert fits.over_by == 0
    over = BudgetEstimate(
        context_window=1000,
        reply_reserve=200,
        history_tokens=301,
        history_exact=False,
        history_image_tokens=0,
        draft_text_tokens=100,
        draft_image_tokens=400,
    )
    assert not over.fits
    assert over.over_by == 1
    assert over.fraction > 1


def test_prices_in_cents_per_hundred_million_tokens() -> None:
    # grok-4.3: $1.25 per million input tokens, $0.20 cached, $2.50 output.
    prices = lookup("grok-4.3").prices  # type: ignore[union-attr]
    assert prices.usd(text_in=1_000_000, image_in=0, out=0) == pytest.approx(1.25)
    assert prices.usd(text_in=0, image_in=0, out=1_000_000) == pytest.approx(2.50)
    assert prices.usd(text_in=0, image_in=0, out=0, cached_in=1_000_000) == pytest.approx(0.20)
    mixed = Prices(prompt_text=30_000, prompt_image=10_000, completion_text=150_000)
    assert mixed.usd(text_in=1000, image_in=1792, out=100) == pytest.approx(
        (1000 * 3 + 1792 * 1 + 100 * 15) / 1_000_000
    )


def test_context_window_known_override_and_unknown() -> None:
    assert context_window_for("grok-4.3") == (1_000_000, True)
    assert context_window_for("grok-4.7", override=16_000) == (16_000, True)
    assert context_window_for("mystery-model", learned=40_000) == (40_000, True)
    window, known = context_window_for("mystery-model")
    assert not known
    assert window > 0
