"""The messages of a chat request, parsed and checked: roles, content parts, images named by
the labels clients send with them, and the tool calls and their answers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .errors import invalid_argument, invalid_field

ROLES = frozenset({"system", "developer", "user", "assistant", "tool"})
DETAILS = frozenset({"auto", "low", "high"})


@dataclass(frozen=True)
class ImagePart:
    url: str
    detail: str


# "Image 2: before.png", as clients label each image: not part of the question quoted back.
_LABEL = re.compile(r"Image \d+(: [^\n]*)?")


@dataclass(frozen=True)
class MessageShape:
    """One message as parsed, before any image is decoded."""

    role: str
    texts: tuple[str, ...]
    images: tuple[ImagePart, ...]
    tool_call_ids: tuple[str, ...] = ()  # an assistant message's calls
    tool_call_id: str | None = None  # the call a tool message answers
    labels: tuple[str, ...] = ()  # per image, the text part naming it ("Image 1: a.png")


def _parse_part(part: Any, where: str) -> str | ImagePart:
    if not isinstance(part, dict):
        raise invalid_field(f"Invalid {where}: a content part must be an object.")
    kind = part.get("type")
    if kind == "text":
        text = part.get("text")
        if not isinstance(text, str):
            raise invalid_field(f"Invalid {where}: 'text' must be a string.")
        return text
    if kind == "image_url":
        image_url = part.get("image_url")
        if isinstance(image_url, str):  # a shorthand some clients send
            image_url = {"url": image_url}
        if not isinstance(image_url, dict) or not isinstance(image_url.get("url"), str):
            raise invalid_field(f"Invalid {where}: 'image_url.url' must be a string.")
        detail = image_url.get("detail") or "auto"
        if detail not in DETAILS:
            raise invalid_field(
                f"Invalid {where}: 'image_url.detail' must be one of auto, low, high."
            )
        return ImagePart(url=image_url["url"], detail=str(detail))
    raise invalid_field(f"Invalid {where}: unknown content part type {kind!r}.")


def parse_message(message: Any, index: int) -> MessageShape:
    where = f"messages[{index}]"
    if not isinstance(message, dict):
        raise invalid_field(f"Invalid {where}: a message must be an object.")
    role = message.get("role")
    if role not in ROLES:
        raise invalid_field(f"Invalid {where}: 'role' must be one of {', '.join(sorted(ROLES))}.")
    content = message.get("content")
    texts: list[str] = []
    labels: list[str] = []
    images: list[ImagePart] = []
    if isinstance(content, str):
        texts.append(content)
    elif isinstance(content, list):
        parts = [_parse_part(part, where) for part in content]
        for position, parsed in enumerate(parts):
            before = parts[position - 1] if position else None
            if isinstance(parsed, ImagePart):
                images.append(parsed)
                labelled = isinstance(before, str) and _LABEL.fullmatch(before)
                labels.append(before if labelled and isinstance(before, str) else "")
            elif (
                position + 1 < len(parts)
                and isinstance(parts[position + 1], ImagePart)
                and _LABEL.fullmatch(parsed)
            ):
                continue  # names the image after it: not part of the question
            else:
                texts.append(parsed)
    elif content is not None or role != "assistant":
        raise invalid_field(f"Invalid {where}: 'content' must be a string or a list of parts.")
    if images and role != "user":
        # Unconfirmed wording.
        raise invalid_argument(f"Invalid {where}: images are accepted in user messages only.")
    call_ids = _parse_tool_calls(message, where) if role == "assistant" else ()
    call_id = message.get("tool_call_id")
    if role == "tool" and not isinstance(call_id, str):
        raise invalid_field(f"Invalid {where}: a 'tool' message needs a 'tool_call_id' string.")
    return MessageShape(
        role=str(role),
        texts=tuple(texts),
        images=tuple(images),
        tool_call_ids=call_ids,
        tool_call_id=call_id if role == "tool" else None,
        labels=tuple(labels),
    )


def _parse_tool_calls(message: dict[str, Any], where: str) -> tuple[str, ...]:
    calls = message.get("tool_calls")
    if calls is None:
        return ()
    if not isinstance(calls, list):
        raise invalid_field(f"Invalid {where}: 'tool_calls' must be a list.")
    ids: list[str] = []
    for call in calls:
        function = call.get("function") if isinstance(call, dict) else None
        if not (
            isinstance(call, dict)
            and isinstance(call.get("id"), str)
            and isinstance(function, dict)
            and isinstance(function.get("name"), str)
            and isinstance(function.get("arguments"), str)
        ):
            raise invalid_field(
                f"Invalid {where}: each tool call needs an 'id' and a "
                "'function' with a 'name' and 'arguments' as a string."
            )
        ids.append(call["id"])
    return tuple(ids)


def check_tool_history(shapes: list[MessageShape]) -> None:
    """Each tool call is answered by a 'tool' message right after it, and each 'tool' message
    answers a call of the assistant message before it. (Unconfirmed wording.)"""
    open_ids: list[str] = []
    opened_at = -1
    for index, shape in enumerate([*shapes, MessageShape("end", (), ())]):
        if shape.role == "tool":
            if shape.tool_call_id not in open_ids:
                raise invalid_argument(
                    f"Invalid messages[{index}]: a 'tool' message must answer a tool call of "
                    f"the assistant message before it; no open call has the id "
                    f"'{shape.tool_call_id}'."
                )
            open_ids.remove(str(shape.tool_call_id))
            continue
        if open_ids:
            raise invalid_argument(
                f"Invalid messages[{opened_at}]: an assistant message with 'tool_calls' must be "
                f"followed by a 'tool' message for each call; missing: {', '.join(open_ids)}."
            )
        open_ids, opened_at = list(shape.tool_call_ids), index
