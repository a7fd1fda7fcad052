"""A chat completion request checked the way the endpoint checks it, with its prompt tokens.

Order of checks: the shape of the body (422), the model (400 "Model not found"), the reasoning
and sampling parameters the model refuses (400), images sent to a text-only model (400), each
image (400, or 412 when downloaded), then the prompt against the window (400).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.core.budget import TOKENS_PER_MESSAGE, TOKENS_PER_REQUEST, estimate_text_tokens

from .cache import message_key
from .errors import (
    invalid_argument,
    invalid_field,
    model_not_found,
    prompt_too_long,
)
from .images import ReceivedImage, decode_image, image_bytes_from_url
from .messages import MessageShape, check_tool_history, parse_message
from .models import DemoModel, resolve_model
from .reasoning import check_sampling, request_effort

ImageTokensFn = Callable[[int, int], int]

RESPONSE_FORMATS = frozenset({"text", "json_object", "json_schema"})
TOOL_CHOICES = frozenset({"none", "auto", "required"})
# How a user asks the simulated model to go on with its last reply.
CONTINUE_WORDS = ("continue", "go on", "keep going")


@dataclass(frozen=True)
class ChatRequest:
    """A valid chat request and what the endpoint counted in it."""

    model: DemoModel  # the model that answers (after any redirect)
    stream: bool
    include_usage: bool
    max_tokens: int | None
    response_format: dict[str, Any] | None
    roles: tuple[str, ...]
    user_turns: int
    images: tuple[ReceivedImage, ...]  # every image of the request, in order
    last_user_images: tuple[ReceivedImage, ...]
    last_user_labels: tuple[str, ...]  # per image of the last message; "" if none
    last_user_text: str
    text_tokens: int
    image_tokens: int
    tools: tuple[dict[str, Any], ...] = ()
    tool_choice: str | dict[str, Any] | None = None
    system_text: str = ""
    last_role: str = ""
    effort: str | None = None  # None: the model does not reason
    message_keys: tuple[str, ...] = ()  # per message, a digest (the prompt cache's key)
    message_tokens: tuple[int, ...] = ()  # per message, its prompt tokens
    # A request to go on with the reply before its last message ("Continue…"): that reply's
    # text, and the request as it stood when that reply was written.
    continued_text: str = ""
    continues: ChatRequest | None = None

    @property
    def prompt_tokens(self) -> int:
        return self.text_tokens + self.image_tokens

    @property
    def json_mode(self) -> bool:
        fmt = (self.response_format or {}).get("type", "text")
        return fmt in {"json_object", "json_schema"}


@dataclass
class PartialInfo:
    """What is known of a request so far, for the record even when it fails part-way."""

    model: str | None = None
    stream: bool = False
    max_tokens: int | None = None
    response_format: dict[str, Any] | None = None
    image_count: int = 0
    images: tuple[ReceivedImage, ...] = ()
    roles: tuple[str, ...] = ()


def _field(body: dict[str, Any], name: str, kind: type | tuple[type, ...], what: str) -> Any:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) and kind is int:
        raise invalid_field(f"Invalid field '{name}': expected {what}, got a boolean.")
    if not isinstance(value, kind):
        raise invalid_field(f"Invalid field '{name}': expected {what}, got {type(value).__name__}.")
    return value


def _parse_tools(
    body: dict[str, Any],
) -> tuple[tuple[dict[str, Any], ...], str | dict[str, Any] | None]:
    tools = _field(body, "tools", list, "a list")
    for tool in tools or []:
        function = tool.get("function") if isinstance(tool, dict) else None
        if not (
            isinstance(tool, dict)
            and tool.get("type") == "function"
            and isinstance(function, dict)
            and isinstance(function.get("name"), str)
        ):
            raise invalid_field(
                "Invalid field 'tools': each tool must be "
                '{"type": "function", "function": {"name": ...}}.'
            )
    choice = body.get("tool_choice")
    names = {tool["function"]["name"] for tool in tools or []}
    if choice is None or (isinstance(choice, str) and choice in TOOL_CHOICES):
        return tuple(tools or ()), choice
    named = choice.get("function", {}).get("name") if isinstance(choice, dict) else None
    if not isinstance(named, str):
        raise invalid_field(
            "Invalid field 'tool_choice': expected none, auto, required or "
            '{"type": "function", "function": {"name": ...}}.'
        )
    if named not in names:
        raise invalid_argument(f"Invalid field 'tool_choice': no tool is named '{named}'.")
    return tuple(tools or ()), choice


def _parse_max_tokens(body: dict[str, Any]) -> int | None:
    value: int | None = _field(body, "max_completion_tokens", int, "an integer")
    if value is None:
        value = _field(body, "max_tokens", int, "an integer")
    if value is not None and value < 1:
        raise invalid_argument(f"Invalid max_tokens: {value}; it must be at least 1.")
    return value


def _parse_response_format(body: dict[str, Any]) -> dict[str, Any] | None:
    fmt: dict[str, Any] | None = _field(body, "response_format", dict, "an object")
    if fmt is not None and fmt.get("type") not in RESPONSE_FORMATS:
        raise invalid_field(
            "Invalid field 'response_format': 'type' must be one of "
            f"{', '.join(sorted(RESPONSE_FORMATS))}."
        )
    if fmt is not None and fmt.get("type") == "json_schema":
        spec = fmt.get("json_schema")
        if not (
            isinstance(spec, dict)
            and isinstance(spec.get("name"), str)
            and isinstance(spec.get("schema"), dict)
        ):
            raise invalid_field(
                "Invalid field 'response_format.json_schema': expected an "
                "object with a 'name' and a 'schema' object."
            )
    return fmt


def parse_chat_request(
    body: Any,
    image_tokens_fn: ImageTokensFn,
    info: PartialInfo | None = None,
    *,
    accepts_json_schema: bool = True,
) -> ChatRequest:
    """Check a decoded JSON body; raise DemoError as the endpoint would answer it.

    `info` is filled in as fields become known, so that a failed request is still recorded.
    """
    info = info if info is not None else PartialInfo()
    if not isinstance(body, dict):
        raise invalid_field("Invalid request body: expected a JSON object.")
    model_name = _field(body, "model", str, "a string")
    info.model = model_name
    info.stream = bool(_field(body, "stream", bool, "a boolean"))
    messages = body.get("messages")
    if not isinstance(messages, list):
        raise invalid_field("Invalid field 'messages': expected a list of messages.")
    if model_name is None:
        raise invalid_field("Missing field 'model'.")
    stream_options = _field(body, "stream_options", dict, "an object") or {}
    include_usage = stream_options.get("include_usage", False)
    if not isinstance(include_usage, bool):
        raise invalid_field("Invalid field 'stream_options.include_usage': expected a boolean.")
    info.max_tokens = _parse_max_tokens(body)
    info.response_format = _parse_response_format(body)
    if not accepts_json_schema and (info.response_format or {}).get("type") == "json_schema":
        # Unconfirmed wording: what an endpoint without structured output says.
        raise invalid_argument(
            "Invalid field 'response_format': json_schema is not supported "
            'here; use {"type": "json_object"}.'
        )
    tools, tool_choice = _parse_tools(body)
    if not messages:
        # Unconfirmed wording.
        raise invalid_argument("Invalid field 'messages': at least one message is required.")
    shapes = [parse_message(m, i) for i, m in enumerate(messages)]
    info.roles = tuple(s.role for s in shapes)
    info.image_count = sum(len(s.images) for s in shapes)
    check_tool_history(shapes)

    found = resolve_model(model_name)
    if found is None:
        raise model_not_found(model_name)
    model, imposed_effort = found
    effort = request_effort(body, model, imposed_effort)
    check_sampling(body, model, effort)
    if info.image_count and not model.takes_images:
        # Unconfirmed wording.
        raise invalid_argument(
            f"The model {model.id} does not support image input; choose a "
            'model whose input_modalities include "image".'
        )

    last_user = max((i for i, s in enumerate(shapes) if s.role == "user"), default=-1)
    per_message = [
        _received_images(shape, with_colours=index == last_user, info=info)
        for index, shape in enumerate(shapes)
    ]
    images = [image for received in per_message for image in received]
    message_texts = [_text_tokens(shape) for shape in shapes]
    message_images = [
        sum(image_tokens_fn(im.width, im.height) for im in received) for received in per_message
    ]
    text_tokens = TOKENS_PER_REQUEST + sum(message_texts)
    image_tokens = sum(message_images)
    if text_tokens + image_tokens > model.context_window:
        raise prompt_too_long(model.context_window, text_tokens + image_tokens)
    continues, continued_text = None, ""
    if len(shapes) >= 3 and shapes[-2].role == "assistant" and shapes[-1].role == "user":
        asked = " ".join(shapes[-1].texts).strip().lower()
        if asked.startswith(CONTINUE_WORDS):
            continued_text = "".join(shapes[-2].texts)
            continues = parse_chat_request(
                {**body, "messages": messages[:-2]},
                image_tokens_fn,
                accepts_json_schema=accepts_json_schema,
            )
    return ChatRequest(
        model=model,
        stream=info.stream,
        include_usage=include_usage,
        max_tokens=info.max_tokens,
        response_format=info.response_format,
        roles=info.roles,
        user_turns=sum(1 for s in shapes if s.role == "user"),
        images=tuple(images),
        last_user_images=per_message[last_user] if last_user >= 0 else (),
        last_user_labels=shapes[last_user].labels if last_user >= 0 else (),
        last_user_text="\n".join(shapes[last_user].texts) if last_user >= 0 else "",
        text_tokens=text_tokens,
        image_tokens=image_tokens,
        tools=tools,
        tool_choice=tool_choice,
        last_role=shapes[-1].role,
        system_text="\n".join(
            t for s in shapes if s.role in ("system", "developer") for t in s.texts
        ),
        effort=effort,
        message_keys=tuple(message_key(m) for m in messages),
        message_tokens=tuple(t + i for t, i in zip(message_texts, message_images, strict=True)),
        continued_text=continued_text,
        continues=continues,
    )


def _text_tokens(shape: MessageShape) -> int:
    """A message's text and framing tokens (image labels count, as they are sent)."""
    return TOKENS_PER_MESSAGE + sum(estimate_text_tokens(t) for t in (*shape.texts, *shape.labels))


def _received_images(
    shape: MessageShape, *, with_colours: bool, info: PartialInfo
) -> tuple[ReceivedImage, ...]:
    """A message's images, fetched and decoded in order (each one recorded as it comes)."""
    received: list[ReceivedImage] = []
    for part in shape.images:
        data, downloaded = image_bytes_from_url(part.url)
        received.append(
            decode_image(data, detail=part.detail, downloaded=downloaded, with_colours=with_colours)
        )
        info.images = (*info.images, received[-1])
    return tuple(received)
