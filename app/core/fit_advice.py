"""What the fit panel, the meter's warning and Send say when a request does not fit: one figure,
and the remedies that apply to this conversation and this draft."""

from __future__ import annotations

from app.core.budget import BudgetEstimate


def over_figure(estimate: BudgetEstimate) -> str:
    """The one figure the meter, its warning, the fit panel and Send all state: what the
    request needs of the window (the reply room included) against the window, and the excess."""
    return (
        f"{estimate.needed:,} / {estimate.context_window:,} tokens, over by "
        f"{estimate.over_by:,} (the request {estimate.prompt_tokens:,} + "
        f"{estimate.reply_reserve:,} kept for the reply)"
    )


def fit_status(estimate: BudgetEstimate, past_images: bool, droppable_turns: int) -> str:
    """The fit panel's status line: that it fits, or by how much it does not and what helps."""
    if estimate.fits:
        return (
            f"Fits: {estimate.needed:,} / {estimate.context_window:,} tokens "
            f"(the request {estimate.prompt_tokens:,} + {estimate.reply_reserve:,} kept "
            "for the reply)."
        )
    helps: list[str] = []
    if past_images:
        helps.append("leave out past images or send them at low detail (512 tokens each)")
    if droppable_turns:
        helps.append("drop the oldest turns")
    if estimate.draft_image_tokens:
        helps.append(
            f"send the images in the tray ({estimate.draft_image_tokens:,} tokens) at "
            "low detail or remove some"
        )
    if not helps:
        helps.append("shorten the question or lower the reply room in Settings")
    return (
        f"Does not fit: {over_figure(estimate)}. To fit: {'; '.join(helps)}. The meter "
        "shows the result of each choice."
    )
