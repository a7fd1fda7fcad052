"""How the fit plan shows: the fit panel's rows, each past image's mark, the plan's summary."""

from __future__ import annotations

from collections.abc import Iterable

from app.core.attachment import Attachment, SourceKind
from app.core.conversation import Conversation, Message
from app.core.fitting import FitPlan, droppable_turns, dropped_message_ids
from app.ui.conversation_render import ImageMark
from app.ui.fit_panel import FitImageRow, FitTrayRow


def panel_rows(
    conversation: Conversation, tray: Iterable[Attachment]
) -> tuple[list[FitImageRow], list[FitTrayRow]]:
    """The fit panel's rows: every past image by turn, and the tray's images not failed."""
    rows: list[FitImageRow] = []
    turn = 0
    for message in conversation.messages:
        if message.role != "user":
            continue
        turn += 1
        for index, part in enumerate(message.images):
            rows.append(
                FitImageRow(
                    (message.id, index),
                    f"Turn {turn} · Image {index + 1}: {part.name}",
                    part.tokens,
                    part.image is not None and part.detail != "low",
                )
            )
    tray_rows = [
        FitTrayRow(
            item.id,
            f"Tray · Image {number}: {item.name}",
            item.tokens,
            item.low_detail,
            item.kind is not SourceKind.URL,
        )
        for number, item in enumerate(tray, 1)
        if not item.failed
    ]
    return rows, tray_rows


def image_marks(
    conversation: Conversation, plan: FitPlan, message: Message
) -> list[ImageMark] | None:
    """How each image of a question goes into the next request under `plan`."""
    if message.role != "user" or not message.images:
        return None
    gone = message.id in dropped_message_ids(conversation, plan)
    return [
        ImageMark(
            sent=not gone and (message.id, i) not in plan.dropped_images,
            low=part.detail == "low" or (message.id, i) in plan.low_detail,
            switchable=part.image is not None and part.detail != "low",
            restorable=not gone,
        )
        for i, part in enumerate(message.images)
    ]


def plan_summary(plan: FitPlan, conversation: Conversation) -> str:
    """One line for the meter's notes: what the plan leaves out; "" for none."""
    parts: list[str] = []
    if plan.dropped_images:
        parts.append(_count(len(plan.dropped_images), "past image") + " left out")
    if plan.low_detail:
        parts.append(
            _count(len(plan.low_detail - plan.dropped_images), "past image") + " at low detail"
        )
    turns = min(plan.dropped_turns, droppable_turns(conversation))
    if turns:
        parts.append(_count(turns, "oldest turn") + " dropped")
    return ("Sending less: " + ", ".join(parts) + ".") if parts else ""


def _count(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"
