"""What a message's action bar offers: one list, built in one place (`message_actions`), that
the bar shows as icon buttons. A feature that adds a per-message action adds it here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app.core.conversation import Message, Status
from app.ui.conversation_render import ImageMark

REGENERATE_SHORTCUT = "Ctrl+R"


@dataclass(frozen=True)
class MessageAction:
    """One button: `verb` is what it does, as the parts of an ``action:`` URL (the same verbs
    the document's links use); `label` its tooltip and accessible name; `icon` its
    ``resources/icons`` name. `choices`: a button with a menu of these instead."""

    verb: tuple[str, ...]
    label: str
    icon: str
    shortcut: str = ""
    choices: tuple[MessageAction, ...] = ()

    @property
    def name(self) -> str:
        """The button's objectName: ``messageAction-<verb>`` (tests and styles reach it)."""
        return f"messageAction-{self.verb[0]}" if self.verb else "messageAction-menu"

    @property
    def tooltip(self) -> str:
        return f"{self.label} ({self.shortcut})" if self.shortcut else self.label


def message_actions(
    message: Message,
    *,
    text: str,
    last: bool,
    marks: Sequence[ImageMark] | None = None,
) -> list[MessageAction]:
    """The actions of `message`, in the bar's order. `text`: its copyable text; `last`: it is
    the conversation's last message (a finished last reply can be regenerated); `marks`: how
    each of a question's images goes into the next request."""
    ident = message.id
    actions: list[MessageAction] = []
    if text.strip():
        actions.append(MessageAction(("copy", ident), "Copy", "copy"))
    if message.role == "user":
        actions.append(MessageAction(("edit", ident), "Edit and send again", "edit"))
        actions.extend(image_actions(message, marks))
    elif message.status is Status.FAILED:
        actions.append(MessageAction(("retry", ident), "Retry", "regenerate"))
    elif last and message.status is not Status.STREAMING:
        actions.append(
            MessageAction(
                ("regenerate", ident), "Regenerate", "regenerate", shortcut=REGENERATE_SHORTCUT
            )
        )
    return actions


def image_actions(message: Message, marks: Sequence[ImageMark] | None) -> list[MessageAction]:
    """How each past image is sent (detail, left out): a button each for a single image, one
    menu button for several."""
    if marks is None:
        return []
    per_image: list[MessageAction] = []
    images = message.images
    for index, (part, mark) in enumerate(zip(images, marks, strict=False)):
        name = f"image {part.number or index + 1}" if len(images) > 1 else "image"
        where = (message.id, str(index))
        if not mark.sent:
            if mark.restorable:
                per_image.append(
                    MessageAction(("send", *where, "1"), f"Send {name} again", "send-again")
                )
            continue
        if mark.switchable:
            level = "high" if mark.low else "low"
            per_image.append(
                MessageAction(
                    ("detail", *where, level),
                    f"Send {name} at {level} detail",
                    f"{level}-detail",
                )
            )
        per_image.append(MessageAction(("send", *where, "0"), f"Leave out {name}", "leave-out"))
    if len(images) <= 1 or not per_image:
        return per_image
    return [MessageAction((), "Images: detail and what is sent", "image", choices=tuple(per_image))]
