"""The token meter: its figures, accessible description, colours at thresholds and warnings."""

from __future__ import annotations

import math
from collections.abc import Iterator

import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QLabel, QWidget
from pytestqt.qtbot import QtBot

from app.core.billing import TurnForecast, conversation_bill, forecast
from app.core.budget import BudgetEstimate
from app.core.catalog import Prices, Pricing
from app.core.conversation import Conversation, Status, TextPart, Usage
from app.core.forecast import estimate_next
from app.ui.token_meter import TokenMeter

# $2 per million input tokens, $10 per million output.
PRICING = Pricing(Prices(prompt_text=20_000, prompt_image=20_000, completion_text=100_000))

WINDOW = 32_768


def estimate_needing(
    needed: int, *, window: int = WINDOW, exact: bool = False, unknown: int = 0
) -> BudgetEstimate:
    """An estimate whose `needed` is exactly this (history absorbs the difference)."""
    reserve = 1024
    images = 512
    return BudgetEstimate(
        context_window=window,
        reply_reserve=reserve,
        history_tokens=needed - reserve - images - 10,
        history_exact=exact,
        history_image_tokens=0,
        draft_text_tokens=10,
        draft_image_tokens=images,
        unknown_images=unknown,
    )


@pytest.fixture
def meter(qtbot: QtBot) -> Iterator[TokenMeter]:
    # Hosted in a plain top-level without a layout: the offscreen platform warns when a
    # top-level window's size constraints change, which a real desktop supports.
    host = QWidget()
    qtbot.addWidget(host)
    widget = TokenMeter(host)
    host.resize(900, 80)
    widget.setGeometry(0, 0, 900, 80)
    host.show()
    qtbot.waitExposed(host)
    yield widget
    del host  # qtbot closes and deletes it


def test_names_and_empty_state(meter: TokenMeter) -> None:
    assert meter.objectName() == "tokenMeter"
    assert meter.accessibleName() == "Token meter"
    assert meter.isVisible()
    assert not meter.over_window


def test_figures_from_a_real_estimate(meter: TokenMeter) -> None:
    estimate = estimate_next(
        Conversation(), "", [512, 512], context_window=WINDOW, reply_reserve=1024
    )
    meter.set_figures(
        estimate, context_known=True, next_cost=forecast(estimate, PRICING), conversation_cost=0.0
    )
    # 3 (request) + 4 (the draft message) + 1,024 (two images); 1,024 kept for the reply.
    assert estimate.prompt_tokens == 1031
    assert meter.accessibleDescription().startswith(
        "1031 of 32768 tokens used, estimated, 1024 more kept for the reply. "
        "History 3 (estimated); images 1024 (estimated); reply room 1024 (the reply length "
        "setting)."
    )
    assert meter.summary_text() == (
        "≈ 1,031 of 32,768 tokens · history ≈ 3 · images ≈ 1,024 · reply room 1,024"
    )
    assert meter.cost_text() == "next turn ≈ $0.0021 · conversation $0.00"
    # What is on screen: the same words, each part with its colour's swatch.
    assert meter.legend_text() == (
        "≈ 1,031 of 32,768 tokens · ■ history ≈ 3 · ■ images ≈ 1,024 · ▨ reply room 1,024 · "
        "next turn ≈ $0.0021 · conversation $0.00"
    )
    tooltip = meter.toolTip()
    for line in (
        "≈ marks an estimate",
        "History text: 3 tokens (estimated)",
        "History images: 0 tokens",
        "Draft text: 4 tokens",
        "Draft images: 1,024 tokens",
        "Reply room: 1,024",
        "Total: 2,055 of 32,768 tokens, the reply room included",
        "Next turn: the request ≈ $0.00206; the reply at most $0.0102",
        "This conversation so far: $0.00",
    ):
        assert line in tooltip
    assert "Unknown images" not in tooltip
    assert meter.level == "ok"


def test_an_empty_conversation_reads_as_nothing_used_and_room_kept(meter: TokenMeter) -> None:
    estimate = estimate_next(Conversation(), "", [], context_window=WINDOW, reply_reserve=2048)
    meter.set_figures(estimate, context_known=True, next_cost=None, conversation_cost=None)
    assert meter.legend_text() == "≈ 3 of 32,768 tokens · ■ history ≈ 3 · ▨ reply room 2,048"
    assert "2,051" not in meter.legend_text()
    meter.set_figures(
        estimate, context_known=True, next_cost=forecast(estimate, PRICING), conversation_cost=0.0
    )
    assert "next turn < $0.0001 · conversation $0.00" in meter.legend_text()
    assert meter.accessibleDescription().startswith(
        "3 of 32768 tokens used, estimated, 2048 more kept for the reply."
    )


def test_typing_shows_the_draft_and_the_mark_follows_what_is_estimated(
    meter: TokenMeter,
) -> None:
    estimate = estimate_next(
        Conversation(), "What is in this picture?", [], context_window=WINDOW, reply_reserve=8
    )
    meter.set_figures(estimate, context_known=True, next_cost=None, conversation_cost=None)
    draft = estimate.draft_text_tokens
    assert f"■ draft ≈ {draft:,}" in meter.legend_text()
    assert "▨ reply room 8" in meter.legend_text()  # a setting, never marked


def test_history_exact_and_costs_so_far(meter: TokenMeter) -> None:
    conversation = Conversation()
    conversation.add_user([TextPart("What is in this picture?")])
    reply = conversation.begin_reply()
    reply.append_text("A cat.")
    reply.status = Status.COMPLETE
    reply.usage = Usage(
        prompt_tokens=1800, completion_tokens=3, total_tokens=1803, image_tokens=1792
    )
    estimate = estimate_next(conversation, "", [], context_window=WINDOW, reply_reserve=1024)
    assert estimate.history_exact
    spent = conversation_bill(conversation, "m", lambda _model: PRICING)
    assert spent is not None
    meter.set_figures(estimate, context_known=True, next_cost=None, conversation_cost=spent.usd)
    # Nothing estimated: no "≈" anywhere; the tooltip and screen readers say whose count it is.
    history = estimate.history_tokens
    assert meter.summary_text() == (
        f"{history:,} of 32,768 tokens · history {history:,} · reply room 1,024"
    )
    assert "≈" not in meter.legend_text()
    assert meter.cost_text() == "conversation $0.0036"
    assert "from the server's count" in meter.toolTip()
    assert meter.accessibleDescription().startswith(
        f"{history} of 32768 tokens used, 1024 more kept for the reply. "
        f"History {history} (counted by the server)"
    )


def test_unknown_window_and_unknown_images(meter: TokenMeter) -> None:
    estimate = estimate_next(
        Conversation(), "hi", [None], context_window=WINDOW, reply_reserve=1024
    )
    meter.set_figures(estimate, context_known=False, next_cost=None, conversation_cost=None)
    assert "unknown window (assumed 32,768)" in meter.summary_text()
    assert "Unknown images: 1 (counted at the most, 1,792 tokens each)" in meter.toolTip()
    assert "The model's window is not known" in meter.accessibleDescription()
    assert meter.cost_text() == ""


def test_the_bar_paints_each_segment_in_its_colour(meter: TokenMeter) -> None:
    estimate = BudgetEstimate(
        context_window=WINDOW,
        reply_reserve=6000,
        history_tokens=12_000,
        history_exact=False,
        history_image_tokens=4000,
        draft_text_tokens=4000,
        draft_image_tokens=2000,
    )
    meter.set_figures(estimate, context_known=True, next_cost=None, conversation_cost=None)
    bar = meter.findChild(QWidget, "tokenMeterBar")
    assert bar is not None
    image = bar.grab().toImage()
    width = image.width() - 2
    # history text 8,000 · images 6,000 · draft 4,000 · reply room 6,000, of 32,768
    x = 1.0
    middles = {}
    for kind, tokens in (("history", 8000), ("images", 6000), ("draft", 4000)):
        share = width * tokens / WINDOW
        middles[kind] = int(x + share / 2)
        x += share
    y = image.height() // 2
    colours = {kind: image.pixelColor(at, y) for kind, at in middles.items()}
    for kind, colour in colours.items():
        assert colour == meter.segment_color(kind), kind
    assert len({c.name() for c in colours.values()}) == 3
    # Past the reply room: the empty track.
    end = image.pixelColor(int(x + width * 6000 / WINDOW) + 6, y)
    assert end.name() == meter.track_color().name()


@pytest.mark.parametrize(
    ("share", "level"),
    [
        (0.5, "ok"),
        (0.74, "ok"),
        (0.75, "warn"),
        (0.89, "warn"),
        (0.90, "high"),
        (1.0, "high"),
        (1.01, "over"),
    ],
)
def test_colour_levels_at_thresholds(meter: TokenMeter, share: float, level: str) -> None:
    meter.set_figures(
        estimate_needing(math.ceil(WINDOW * share)),
        context_known=True,
        next_cost=None,
        conversation_cost=None,
    )
    assert meter.level == level
    highlight = meter.palette().color(QPalette.ColorRole.Highlight)
    assert (meter.bar_color() == highlight) == (level == "ok")
    assert meter.over_window == (level == "over")


def test_colours_differ_per_level_and_follow_the_palette(meter: TokenMeter) -> None:
    colours = {}
    for share in (0.5, 0.8, 0.95, 1.2):
        meter.set_figures(
            estimate_needing(math.ceil(WINDOW * share)),
            context_known=True,
            next_cost=None,
            conversation_cost=None,
        )
        colours[meter.level] = meter.bar_color().name()
    assert len(set(colours.values())) == 4

    light_red = meter.bar_color()
    dark = QPalette(meter.palette())
    dark.setColor(QPalette.ColorRole.Window, QColor("#202124"))
    dark.setColor(QPalette.ColorRole.WindowText, QColor("#e8eaed"))
    meter.setPalette(dark)
    dark_red = meter.bar_color()
    assert dark_red != light_red
    # A dark theme gets the lighter tone, readable on its dark window.
    assert dark_red.lightnessF() > light_red.lightnessF()


def test_over_the_window_says_by_how_much_and_what_to_do(meter: TokenMeter, qtbot: QtBot) -> None:
    meter.set_figures(
        estimate_needing(WINDOW + 1234), context_known=True, next_cost=None, conversation_cost=None
    )
    assert meter.over_window
    assert meter.warning_text() == (
        f"Over by 1,234 tokens ({WINDOW + 1234:,} / {WINDOW:,} tokens with the reply room): "
        "remove an image or start a new conversation"
    )
    warning = meter.findChild(QLabel, "tokenMeterWarning")
    assert warning is not None
    assert warning.isVisible()
    description = meter.accessibleDescription()
    assert description.startswith(f"{WINDOW + 1234 - 1024} of {WINDOW} tokens used")
    assert "Over the window by 1234 tokens" in description
    assert "(104 % with the reply room)" in meter.summary_text()

    meter.set_figures(
        estimate_needing(1000), context_known=True, next_cost=None, conversation_cost=None
    )
    assert not meter.over_window
    assert meter.warning_text() == ""
    assert not warning.isVisible()


def test_large_costs_use_cents(meter: TokenMeter) -> None:
    meter.set_figures(
        estimate_needing(2000),
        context_known=True,
        next_cost=TurnForecast(1.5, 0.01, 0, 0.0, long_context=False),
        conversation_cost=12.3456,
    )
    assert meter.cost_text() == "next turn ≈ $1.50 · conversation $12.35"
