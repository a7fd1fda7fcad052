"""What a request to continue a reply sends."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from app.core.conversation import Conversation, Message, Status, TextPart, Usage

# What Continue asks after the reply so far (sent as the assistant's message): a user turn, which
# every OpenAI-compatible endpoint and both of xAI's APIs take; xAI documents no prefill of a
# trailing assistant message.
CONTINUE_PROMPT = (
    "Continue your previous reply exactly where it stopped, without repeating anything you "
    "already wrote and without an introduction."
)


def continuation(conversation: Conversation) -> list[Message] | None:
    """The history of a request to go on with the last reply: the reply so far as the
    assistant's message, then a short instruction from the user (`CONTINUE_PROMPT`). None when
    the last reply cannot be continued (see `Message.continuable`)."""
    messages = conversation.messages
    if not messages or not messages[-1].continuable:
        return None
    reply = messages[-1]
    so_far = dataclasses.replace(
        reply, status=Status.COMPLETE, error=None, cut=False, parts=[TextPart(reply.text)]
    )
    ask = Message(role="user", parts=[TextPart(CONTINUE_PROMPT)], parent=reply.id)
    return [*messages[:-1], so_far, ask]


def requests_usage(reply: Message) -> list[Usage]:
    """What the server reported for each request that wrote `reply`, oldest first (more than
    one when it was continued; a request stopped before its usage arrived is not there)."""
    return [*reply.earlier_usage, *([reply.usage] if reply.usage is not None else [])]


def reply_usage(reply: Message) -> Usage | None:
    """The usage of the whole reply: its requests' counts added up (the server's bill only when
    every request had one); None when no request reported any."""
    usages = requests_usage(reply)
    return summed(usages) if usages else None


def summed(usages: Sequence[Usage]) -> Usage:
    def total(name: str) -> int | None:
        values = [getattr(u, name) for u in usages]
        return None if all(v is None for v in values) else sum(v or 0 for v in values)

    ticks = [u.cost_ticks for u in usages]
    return Usage(
        prompt_tokens=sum(u.prompt_tokens for u in usages),
        completion_tokens=sum(u.completion_tokens for u in usages),
        total_tokens=sum(u.total_tokens for u in usages),
        image_tokens=total("image_tokens"),
        text_tokens=total("text_tokens"),
        cached_tokens=total("cached_tokens"),
        reasoning_tokens=total("reasoning_tokens"),
        cost_ticks=None if None in ticks else sum(t or 0 for t in ticks),
    )
