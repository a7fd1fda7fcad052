"""A conversation as the Responses API's `input` items: the same history, turn by turn, that
`Conversation.to_api_messages` gives Chat Completions, in the other dialect's shape."""

from __future__ import annotations

from typing import Any

from app.core.conversation import (
    Conversation,
    ImageEncoder,
    ImagePart,
    Message,
    TextPart,
    image_label,
)


def responses_input(
    conversation: Conversation, encode: ImageEncoder, model: str = ""
) -> list[dict[str, Any]]:
    """The whole history as `input` items. The system prompt is a leading system item (so that
    a JSON-schema fallback amends it the same way in both dialects); a reply's sealed reasoning
    goes back before it when `model` wrote it (another model cannot read it), its function
    calls after it, each followed by the result shown."""
    items: list[dict[str, Any]] = []
    if conversation.system_prompt.strip():
        items.append({"role": "system", "content": conversation.system_prompt})
    for message in conversation.sent_messages():
        if message.role == "assistant":
            items.extend(_reply_items(message, keep_reasoning=message.model == model))
        elif all(isinstance(p, TextPart) for p in message.parts):
            items.append({"role": "user", "content": message.text})
        else:
            items.append({"role": "user", "content": _user_content(message, encode)})
    return items


def _user_content(message: Message, encode: ImageEncoder) -> list[dict[str, Any]]:
    content: list[dict[str, Any]] = []
    number = 0
    for part in message.parts:
        if isinstance(part, TextPart):
            content.append({"type": "input_text", "text": part.text})
            continue
        number += 1
        content.append({"type": "input_text", "text": image_label(part.number or number, part)})
        content.append(_image_item(part, encode))
    return content


def _image_item(part: ImagePart, encode: ImageEncoder) -> dict[str, Any]:
    url = encode(part.image) if part.image is not None else part.url or ""
    return {"type": "input_image", "image_url": url, "detail": part.detail}


def _reply_items(message: Message, *, keep_reasoning: bool) -> list[dict[str, Any]]:
    sealed = message.sealed_reasoning if keep_reasoning else []
    items: list[dict[str, Any]] = [
        {"type": "reasoning", "id": r.id, "summary": [], "encrypted_content": r.encrypted}
        for r in sealed
    ]
    if message.text:
        items.append({"role": "assistant", "content": message.text})
    for call in message.sent_tool_calls:
        items.append(
            {
                "type": "function_call",
                "call_id": call.id,
                "name": call.name,
                "arguments": call.arguments,
            }
        )
        items.append({"type": "function_call_output", "call_id": call.id, "output": call.result})
    return items
