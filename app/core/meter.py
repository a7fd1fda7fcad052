"""The token meter's figures: the estimate of one message, and the meter's reading (the
context bar's segments, the level at 75/90/100 %, what is estimated and what the server counted).

What the next request will use, corrected by the server's own counts, is
`app.core.forecast.estimate_next`; what turns cost is `app.core.billing`. The widget
(`app.ui.token_meter`) only shows a `MeterFigures`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from app.core.billing import TurnForecast
from app.core.budget import (
    MAX_IMAGE_TOKENS,
    TOKENS_PER_MESSAGE,
    BudgetEstimate,
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


# -- the meter's reading: what the widget shows, computed here once ----------------------------

MeterLevel = Literal["ok", "warn", "high", "over"]
SegmentKind = Literal["history", "images", "draft", "reply"]

WARN_AT = 0.75
HIGH_AT = 0.90


@dataclass(frozen=True)
class Segment:
    """One stretch of the context bar: what it holds, how many tokens, and whether that figure
    is an estimate (the history counted by the server and the reply room are not)."""

    kind: SegmentKind
    tokens: int
    estimated: bool


@dataclass(frozen=True)
class MeterFigures:
    """Everything the meter states, in numbers: the request (`used`, the prompt) and the reply
    room kept free beside it (`reserved`) within `window`, split into segments; the level of
    the whole (75/90/100 %) and the costs."""

    used: int
    reserved: int
    window: int
    window_known: bool
    estimated: bool
    segments: tuple[Segment, ...]
    level: MeterLevel
    share: float  # (used + reserved) / window
    over_by: int
    next_cost: TurnForecast | None
    conversation_cost: float | None
    today_cost: float | None
    unknown_images: int

    @property
    def needed(self) -> int:
        return self.used + self.reserved

    def segment(self, kind: SegmentKind) -> Segment:
        return next(s for s in self.segments if s.kind == kind)


def level_of(estimate: BudgetEstimate, *, context_known: bool = True) -> MeterLevel:
    """ok below 75 % of the window, warn from 75 %, high from 90 %, over past 100 %. Past an
    unknown (assumed) window only high: the server decides."""
    if not estimate.fits:
        return "over" if context_known else "high"
    if estimate.fraction >= HIGH_AT:
        return "high"
    if estimate.fraction >= WARN_AT:
        return "warn"
    return "ok"


def is_estimated(estimate: BudgetEstimate) -> bool:
    """Whether any part of the figure is an estimate rather than the server's own count."""
    return not estimate.history_exact or bool(
        estimate.draft_text_tokens or estimate.draft_image_tokens or estimate.unknown_images
    )


def segments_of(estimate: BudgetEstimate) -> tuple[Segment, ...]:
    """The bar's stretches in the order the request is built: the history's text (system prompt
    and framing included), every image (the history's and the tray's), the draft's text, then
    the room kept for the reply."""
    history_text = max(0, estimate.history_tokens - estimate.history_image_tokens)
    images = estimate.history_image_tokens + estimate.draft_image_tokens
    images_estimated = bool(
        estimate.draft_image_tokens
        or estimate.unknown_images
        or (estimate.history_image_tokens and not estimate.history_exact)
    )
    return (
        Segment("history", history_text, not estimate.history_exact),
        Segment("images", images, images_estimated),
        Segment("draft", estimate.draft_text_tokens, bool(estimate.draft_text_tokens)),
        Segment("reply", estimate.reply_reserve, False),
    )


def meter_figures(
    estimate: BudgetEstimate,
    *,
    context_known: bool,
    next_cost: TurnForecast | None = None,
    conversation_cost: float | None = None,
    today_cost: float | None = None,
) -> MeterFigures:
    """The meter's reading of `estimate` and the costs."""
    return MeterFigures(
        used=estimate.prompt_tokens,
        reserved=estimate.reply_reserve,
        window=estimate.context_window,
        window_known=context_known,
        estimated=is_estimated(estimate),
        segments=segments_of(estimate),
        level=level_of(estimate, context_known=context_known),
        share=estimate.fraction,
        over_by=estimate.over_by,
        next_cost=next_cost,
        conversation_cost=conversation_cost,
        today_cost=today_cost,
        unknown_images=estimate.unknown_images,
    )


GLANCE_FLOOR_USD = 0.0001


def short_usd(amount: float) -> str:
    """Dollars at a glance, two significant digits under a dollar: $0.012, $0.0023, $0.41,
    $1.20, $12.35, and "< $0.0001" for less (the tooltip and the replies' footers keep the
    precise figure)."""
    if amount == 0 or abs(amount) >= 0.1:
        return f"${amount:,.2f}"
    if abs(amount) < GLANCE_FLOOR_USD:
        return f"< ${GLANCE_FLOOR_USD}"
    digits = 1 - math.floor(math.log10(abs(amount)))
    return f"${amount:.{digits}f}"
