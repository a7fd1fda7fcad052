"""Conversations with real images (PNG made by Pillow) for the history tests."""

from __future__ import annotations

import hashlib
import io
from typing import Any

from PIL import Image

from app.core.conversation import (
    Conversation,
    ImagePart,
    Message,
    Status,
    TextPart,
    Usage,
)
from app.core.imagetypes import PreparedImage


def png_bytes(size: tuple[int, int] = (64, 48), colour: str = "red") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return buffer.getvalue()


def prepared(
    name: str = "shot.png",
    size: tuple[int, int] = (64, 48),
    colour: str = "red",
    notes: tuple[str, ...] = (),
) -> PreparedImage:
    data = png_bytes(size, colour)
    return PreparedImage(
        name=name,
        data=data,
        mime="image/png",
        width=size[0],
        height=size[1],
        sha256=hashlib.sha256(data).hexdigest(),
        original_size=(size[0] * 2, size[1] * 2),
        original_format="PNG",
        original_bytes=len(data) * 3,
        notes=notes,
    )


def sample_conversation() -> Conversation:
    """Two turns: a question with two images and a complete reply with usage; a text question
    and a reply stopped part-way; plus a remote image."""
    conv = Conversation(system_prompt="Answer briefly.", model="grok-4")
    first = conv.add_user(
        [
            TextPart("What differs between these two screenshots?"),
            ImagePart(image=prepared("before.png", colour="red"), detail="high"),
            ImagePart(
                image=prepared("after.png", (80, 60), "blue", ("downscaled from 160×120",)),
                detail="low",
            ),
        ]
    )
    first.created = 1_700_000_000.0
    reply = conv.begin_reply("grok-4")
    reply.append_text("The button moved to the right.")
    reply.status = Status.COMPLETE
    reply.usage = Usage(
        prompt_tokens=1200,
        completion_tokens=9,
        total_tokens=1209,
        image_tokens=1024,
        cached_tokens=0,
    )
    reply.created = 1_700_000_005.0
    second = conv.add_user(
        [
            TextPart("And this one? Über-wide café menu"),
            ImagePart(url="https://example.com/menu.png", detail="auto"),
        ]
    )
    second.created = 1_700_000_100.0
    stopped = conv.begin_reply("grok-4")
    stopped.append_text("It is a menu with")
    stopped.status = Status.STOPPED
    stopped.error = None
    stopped.created = 1_700_000_105.0
    return conv


def shape(conv: Conversation) -> list[dict[str, Any]]:
    """Everything about the messages except their ids, for comparing a copy with its source."""
    out = []
    for message in conv.messages:
        out.append(
            {
                "role": message.role,
                "status": message.status,
                "usage": message.usage,
                "error": message.error,
                "model": message.model,
                "created": message.created,
                "parts": message.parts,
            }
        )
    return out


def text_message(role: str, text: str, status: Status = Status.COMPLETE) -> Message:
    return Message(
        role="assistant" if role == "assistant" else "user", parts=[TextPart(text)], status=status
    )
