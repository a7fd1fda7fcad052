"""What a request to continue a reply sends."""

from __future__ import annotations

import dataclasses

from app.core.conversation import Conversation, Message, Status, TextPart

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
