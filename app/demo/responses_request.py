"""A Responses API request (`POST /v1/responses`) checked and read as the chat request it
amounts to, so that both dialects share one check of the model, effort, sampling, images,
window and prompt cache (chat_request.py).

The Responses fields are checked here with their own names (`input[2]`, `text.format`, ...);
`instructions` becomes a leading system message, output items become assistant messages, and
`function_call` / `function_call_output` items the tool calls and answers of Chat Completions.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .chat_request import ChatRequest, ImageTokensFn, PartialInfo, parse_chat_request
from .errors import invalid_argument, invalid_field
from .messages import DETAILS

ROLES = frozenset({"user", "assistant", "system", "developer"})
TEXT_PARTS = frozenset({"input_text", "output_text"})
FORMATS = frozenset({"text", "json_object", "json_schema"})
ENCRYPTED_REASONING = "reasoning.encrypted_content"


@dataclass(frozen=True)
class ResponsesRequest:
    """A valid Responses request: the chat request it amounts to, and what the response
    object echoes back."""

    chat: ChatRequest
    store: bool
    prompt_cache_key: str | None
    instructions: str | None
    encrypted_reasoning: bool  # `include` asks for reasoning.encrypted_content
    text_format: dict[str, Any]
    tools: list[dict[str, Any]]
    tool_choice: Any
    temperature: float | None
    max_output_tokens: int | None
    reasoning: dict[str, Any]  # as sent: {"effort": ..., "summary": ...}


def _typed(body: dict[str, Any], name: str, kind: type | tuple[type, ...], what: str) -> Any:
    value = body.get(name)
    if value is None:
        return None
    if (isinstance(value, bool) and kind is int) or not isinstance(value, kind):
        raise invalid_field(f"Invalid field '{name}': expected {what}.")
    return value


def _part(part: Any, where: str) -> dict[str, Any]:
    kind = part.get("type") if isinstance(part, dict) else None
    if kind in TEXT_PARTS:
        if not isinstance(part.get("text"), str):
            raise invalid_field(f"Invalid {where}: 'text' must be a string.")
        return {"type": "text", "text": part["text"]}
    if kind == "input_image":
        url = part.get("image_url")
        if not isinstance(url, str):
            # Unconfirmed wording: xAI also takes a `file_id`; the demo keeps no files.
            raise invalid_field(f"Invalid {where}: 'image_url' must be a data: or https:// URL.")
        detail = part.get("detail") or "auto"
        if detail not in DETAILS:
            raise invalid_field(f"Invalid {where}: 'detail' must be one of auto, low, high.")
        return {"type": "image_url", "image_url": {"url": url, "detail": detail}}
    raise invalid_field(f"Invalid {where}: unknown content part type {kind!r}.")


def _message(item: dict[str, Any], where: str) -> dict[str, Any]:
    role = item.get("role")
    if role not in ROLES:
        raise invalid_field(f"Invalid {where}: 'role' must be one of {', '.join(sorted(ROLES))}.")
    content = item.get("content")
    if isinstance(content, str):
        return {"role": role, "content": content}
    if not isinstance(content, list):
        raise invalid_field(f"Invalid {where}: 'content' must be a string or a list of parts.")
    parts = [_part(part, f"{where}.content[{n}]") for n, part in enumerate(content)]
    return {"role": role, "content": parts}


def _strings(item: dict[str, Any], names: tuple[str, ...], where: str) -> None:
    for name in names:
        if not isinstance(item.get(name), str):
            raise invalid_field(f"Invalid {where}: '{name}' must be a string.")


def _messages(items: list[Any]) -> list[dict[str, Any]]:
    """The input items as chat messages."""
    messages: list[dict[str, Any]] = []
    for index, item in enumerate(items):
        where = f"input[{index}]"
        if not isinstance(item, dict):
            raise invalid_field(f"Invalid {where}: an input item must be an object.")
        kind = item.get("type", "message")
        if kind == "message":
            messages.append(_message(item, where))
        elif kind == "function_call":
            _strings(item, ("call_id", "name", "arguments"), where)
            call = {
                "id": item["call_id"],
                "type": "function",
                "function": {"name": item["name"], "arguments": item["arguments"]},
            }
            last = messages[-1] if messages else None
            if last is not None and last["role"] == "assistant":  # the same turn's call
                last.setdefault("tool_calls", []).append(call)
            else:
                messages.append({"role": "assistant", "content": None, "tool_calls": [call]})
        elif kind == "function_call_output":
            _strings(item, ("call_id",), where)
            output = item.get("output")
            text = output if isinstance(output, str) else json.dumps(output, ensure_ascii=False)
            messages.append({"role": "tool", "tool_call_id": item["call_id"], "content": text})
        elif kind == "reasoning":
            # Reasoning sent back (its summary, its encrypted content) is not part of the
            # prompt the demo counts; the record keeps it.
            if not isinstance(item.get("summary", []), list):
                raise invalid_field(f"Invalid {where}: 'summary' must be a list.")
        else:
            raise invalid_field(f"Invalid {where}: unknown input item type {kind!r}.")
    return messages


def _tools(body: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The tools as sent (flat) and as chat tools (nested under `function`)."""
    tools: list[Any] = _typed(body, "tools", list, "a list") or []
    nested: list[dict[str, Any]] = []
    for index, tool in enumerate(tools):
        kind = tool.get("type") if isinstance(tool, dict) else None
        if kind != "function":
            # Unconfirmed wording: xAI runs server-side tools (web_search, x_search...) too.
            raise invalid_argument(
                f"Invalid field 'tools[{index}]': the demo endpoint runs no server-side tool "
                f"{kind!r}; only function tools are answered."
            )
        if not isinstance(tool.get("name"), str):
            raise invalid_field(f"Invalid field 'tools[{index}]': 'name' must be a string.")
        function = {k: tool[k] for k in ("name", "description", "parameters") if k in tool}
        nested.append({"type": "function", "function": function})
    return tools, nested


def _tool_choice(choice: Any) -> Any:
    if choice is None or isinstance(choice, str):
        return choice
    if isinstance(choice, dict) and choice.get("type") == "function":
        return {"type": "function", "function": {"name": choice.get("name")}}
    raise invalid_field(
        "Invalid field 'tool_choice': expected none, auto, required or "
        '{"type": "function", "name": ...}.'
    )


def _text_format(body: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """`text.format` as sent (default text) and as a chat `response_format`."""
    text = _typed(body, "text", dict, "an object") or {}
    fmt = text.get("format") or {"type": "text"}
    if not isinstance(fmt, dict) or fmt.get("type") not in FORMATS:
        raise invalid_field(
            f"Invalid field 'text.format': 'type' must be one of {', '.join(sorted(FORMATS))}."
        )
    if fmt["type"] == "text":  # no answer shape asked for, as on Chat Completions
        return fmt, None
    if fmt["type"] != "json_schema":
        return fmt, {"type": fmt["type"]}
    if not (isinstance(fmt.get("name"), str) and isinstance(fmt.get("schema"), dict)):
        raise invalid_field(
            "Invalid field 'text.format': a json_schema format needs a 'name' and a "
            "'schema' object."
        )
    spec = {k: fmt[k] for k in ("name", "schema", "strict", "description") if k in fmt}
    return fmt, {"type": "json_schema", "json_schema": spec}


def parse_responses_request(
    body: Any,
    image_tokens_fn: ImageTokensFn,
    info: PartialInfo | None = None,
    *,
    accepts_json_schema: bool = True,
) -> ResponsesRequest:
    """Check a decoded JSON body; raise DemoError as the endpoint would answer it."""
    info = info if info is not None else PartialInfo()
    if not isinstance(body, dict):
        raise invalid_field("Invalid request body: expected a JSON object.")
    info.model = _typed(body, "model", str, "a string")
    info.stream = bool(_typed(body, "stream", bool, "a boolean"))
    raw_input = body.get("input")
    if isinstance(raw_input, str):
        raw_input = [{"role": "user", "content": raw_input}]
    if not isinstance(raw_input, list):
        raise invalid_field("Invalid field 'input': expected a string or a list of items.")
    if info.model is None:
        raise invalid_field("Missing field 'model'.")
    instructions = _typed(body, "instructions", str, "a string")
    store = _typed(body, "store", bool, "a boolean")
    cache_key = _typed(body, "prompt_cache_key", str, "a string")
    include = _typed(body, "include", list, "a list of strings") or []
    max_output = _typed(body, "max_output_tokens", int, "an integer")
    if max_output is not None and max_output < 1:
        raise invalid_argument(f"Invalid max_output_tokens: {max_output}; it must be at least 1.")
    reasoning = _typed(body, "reasoning", dict, "an object") or {}
    if body.get("previous_response_id") is not None:
        # Unconfirmed wording: the demo stores no responses.
        raise invalid_argument(
            "Invalid field 'previous_response_id': the demo endpoint keeps no responses; "
            "send the whole conversation in 'input'."
        )
    text_format, response_format = _text_format(body)
    tools, chat_tools = _tools(body)
    messages = _messages(raw_input)
    if instructions:
        messages.insert(0, {"role": "system", "content": instructions})
    if not messages:
        # Unconfirmed wording.
        raise invalid_argument("Invalid field 'input': at least one message is required.")
    chat_body: dict[str, Any] = {
        "model": info.model,
        "messages": messages,
        "stream": info.stream,
        "stream_options": {"include_usage": True},
        "max_tokens": max_output,
        "response_format": response_format,
        "tools": chat_tools or None,
        "tool_choice": _tool_choice(body.get("tool_choice")),
        "reasoning_effort": reasoning.get("effort"),
    }
    for name in ("temperature", "stop", "presence_penalty", "frequency_penalty"):
        chat_body[name] = body.get(name)
    chat = parse_chat_request(
        chat_body, image_tokens_fn, info, accepts_json_schema=accepts_json_schema
    )
    return ResponsesRequest(
        chat=chat,
        store=True if store is None else store,
        prompt_cache_key=cache_key,
        instructions=instructions,
        encrypted_reasoning=ENCRYPTED_REASONING in include,
        text_format=text_format,
        tools=tools,
        tool_choice=body.get("tool_choice", "auto"),
        temperature=body.get("temperature"),
        max_output_tokens=max_output,
        reasoning=reasoning,
    )
