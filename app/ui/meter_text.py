"""The meter's words: the legend a user reads without hovering, the same for screen readers,
and the tooltip's breakdown. Only formatting: every figure comes from `core.meter.MeterFigures`.

"≈" marks an estimated figure and nothing else: the history the server counted and the reply
room (a setting) carry no mark.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

from app.core.billing import format_usd
from app.core.budget import MAX_IMAGE_TOKENS, TOKENS_PER_MESSAGE, BudgetEstimate
from app.core.meter import MeterFigures, Segment, SegmentKind, short_usd

ABOUT = "≈"
SWATCH = "■"
REPLY_SWATCH = "▨"
SEPARATOR = " · "

SEGMENT_NAMES: dict[SegmentKind, str] = {
    "history": "history",
    "images": "images",
    "draft": "draft",
    "reply": "reply room",
}


def _about(estimated: bool) -> str:
    return f"{ABOUT} " if estimated else ""


def _percent(figures: MeterFigures) -> str:
    return f"{round(figures.share * 100)} %"


def _shown(figures: MeterFigures) -> list[Segment]:
    """The segments the legend names: history and reply room always, images when there are
    any, the draft once it holds more than its message's framing (nothing typed yet)."""
    floor = {"history": -1, "reply": -1, "images": 0, "draft": TOKENS_PER_MESSAGE}
    return [s for s in figures.segments if s.tokens > floor[s.kind]]


def headline(figures: MeterFigures) -> str:
    """ "≈ 12,400 of 1,000,000 tokens", with the share from 75 % on and an assumed window said."""
    text = f"{_about(figures.estimated)}{figures.used:,} of {figures.window:,} tokens"
    if figures.level != "ok":
        text += f" ({_percent(figures)} with the reply room)"
    if not figures.window_known:
        text += f" · unknown window (assumed {figures.window:,})"
    return text


def segment_text(segment: Segment) -> str:
    return f"{SEGMENT_NAMES[segment.kind]} {_about(segment.estimated)}{segment.tokens:,}"


def cost_parts(figures: MeterFigures, *, reply: bool = False) -> list[str]:
    """ "next turn ≈ $0.012 (cache saves $0.003)", "conversation $0.41", "today $1.20": each
    a unit the legend never breaks. `reply` adds the most the reply can cost (the tooltip and
    screen readers say it; the legend leaves it out to stay within two lines)."""
    parts: list[str] = []
    turn = figures.next_cost
    if turn is not None:
        amount = short_usd(turn.input_usd)
        text = f"next turn {amount}" if amount.startswith("<") else f"next turn {ABOUT} {amount}"
        if turn.cached_tokens:
            text += f" (cache saves {short_usd(turn.saved_usd)})"
        if reply:
            text += f", reply up to {short_usd(turn.reply_usd)}"
        parts.append(text)
        if turn.long_context:
            parts.append("long-context rate (2×)")
    if figures.conversation_cost is not None:
        parts.append(f"conversation {short_usd(figures.conversation_cost)}")
    if figures.today_cost is not None:
        parts.append(f"today {short_usd(figures.today_cost)}")
    return parts


def summary_plain(figures: MeterFigures) -> str:
    """The token half of the legend as plain text (no swatches)."""
    return SEPARATOR.join([headline(figures), *(segment_text(s) for s in _shown(figures))])


def cost_plain(figures: MeterFigures) -> str:
    return SEPARATOR.join(cost_parts(figures))


def _unit(text: str) -> str:
    """A legend item that wraps as a whole."""
    return escape(text).replace(" ", "&nbsp;")


def legend_html(
    figures: MeterFigures, swatches: Mapping[SegmentKind, str], headline_color: str | None
) -> str:
    """The legend as one paragraph that wraps only between items. `swatches`: each segment's
    colour name; `headline_color`: the headline's colour from 75 % on (None: the text's)."""
    first = f"<b>{_unit(headline(figures))}</b>"
    if headline_color is not None:
        first = f'<span style="color:{headline_color}">{first}</span>'
    items = [first]
    for segment in _shown(figures):
        mark = REPLY_SWATCH if segment.kind == "reply" else SWATCH
        items.append(
            f'<span style="color:{swatches[segment.kind]}">{mark}</span>'
            f"&nbsp;{_unit(segment_text(segment))}"
        )
    items += [_unit(part) for part in cost_parts(figures)]
    return SEPARATOR.join(items)


def accessible_description(figures: MeterFigures) -> str:
    """What a screen reader says; starts "USED of WINDOW tokens" (plain integers)."""
    estimated = ", estimated" if figures.estimated else ""
    sentences = [
        f"{figures.used} of {figures.window} tokens used{estimated}, "
        f"{figures.reserved} more kept for the reply"
    ]
    parts = []
    for segment in _shown(figures):
        source = "estimated" if segment.estimated else "counted by the server"
        if segment.kind == "reply":
            source = "the reply length setting"
        parts.append(f"{SEGMENT_NAMES[segment.kind]} {segment.tokens} ({source})")
    sentences.append("; ".join(parts).capitalize())
    if figures.over_by:
        sentences.append(f"Over the window by {figures.over_by} tokens")
    elif figures.level != "ok":
        sentences.append(f"{_percent(figures)} of the window with the reply room")
    if not figures.window_known:
        sentences.append("The model's window is not known; assumed")
    costs = cost_parts(figures, reply=True)
    if costs:
        sentences.append("Cost: " + "; ".join(costs).replace(ABOUT, "about"))
    return ". ".join(sentences) + "."


def breakdown(estimate: BudgetEstimate, figures: MeterFigures) -> str:
    """The tooltip: every part with where its figure comes from, and the precise costs."""
    history_text = figures.segment("history").tokens
    source = "from the server's count" if estimate.history_exact else "estimated"
    lines = [
        f"{ABOUT} marks an estimate; figures without it are the server's own count.",
        f"History text: {history_text:,} tokens ({source}): the system prompt, the earlier "
        "messages and the request's framing",
        f"History images: {estimate.history_image_tokens:,} tokens",
        f"Draft text: {estimate.draft_text_tokens:,} tokens (estimated)",
        f"Draft images: {estimate.draft_image_tokens:,} tokens (tile formula)",
        f"Reply room: {estimate.reply_reserve:,} tokens kept free for the answer (the reply "
        "length in Settings)",
    ]
    if estimate.unknown_images:
        lines.append(
            f"Unknown images: {estimate.unknown_images} "
            f"(counted at the most, {MAX_IMAGE_TOKENS:,} tokens each)"
        )
    window = f"{estimate.context_window:,}"
    if not figures.window_known:
        window += " (unknown window, assumed)"
    lines.append(f"Total: {estimate.needed:,} of {window} tokens, the reply room included")
    turn = figures.next_cost
    if turn is not None:
        cached = (
            f", {turn.cached_tokens:,} cached (saves {format_usd(turn.saved_usd)})"
            if turn.cached_tokens
            else ""
        )
        lines.append(
            f"Next turn: the request {ABOUT} {format_usd(turn.input_usd)}{cached}; the reply "
            f"at most {format_usd(turn.reply_usd)}"
        )
    if figures.conversation_cost is not None:
        lines.append(f"This conversation so far: {format_usd(figures.conversation_cost)}")
    if figures.today_cost is not None:
        lines.append(f"Today, every conversation: {format_usd(figures.today_cost)}")
    return "\n".join(lines)
