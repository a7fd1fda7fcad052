"""A message's extras and usage as stored: JSON in the row's ``extras`` and ``usage`` columns.

The extras are what a message carries besides its parts: tool calls, whether JSON was asked for,
its reasoning (shown and sealed), the effort asked for, whether it was cut, and a continued
reply's earlier requests. Reading is forgiving: what is unreadable is left out, with a warning.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from typing import Any

from app.core.conversation import Message, SealedReasoning, ToolCall, Usage

log = logging.getLogger(__name__)

_USAGE_FIELDS = frozenset(f.name for f in dataclasses.fields(Usage))


def usage_json(usage: Usage | None) -> str | None:
    return None if usage is None else json.dumps(dataclasses.asdict(usage), sort_keys=True)


def extras_json(message: Message) -> str | None:
    """What else a message carries: its tool calls, whether JSON was asked for, its reasoning."""
    extras: dict[str, Any] = {}
    if message.tool_calls:
        extras["tool_calls"] = [dataclasses.asdict(call) for call in message.tool_calls]
    if message.expects_json:
        extras["expects_json"] = True
    if message.reasoning:
        extras["reasoning"] = message.reasoning
    if message.thought_for is not None:
        extras["thought_for"] = round(message.thought_for, 1)
    if message.effort:
        extras["effort"] = message.effort
    if message.cut:
        extras["cut"] = True
    if message.sealed_reasoning:
        extras["sealed_reasoning"] = [dataclasses.asdict(r) for r in message.sealed_reasoning]
    if message.earlier_usage:  # a continued reply's earlier requests
        extras["earlier_usage"] = [dataclasses.asdict(u) for u in message.earlier_usage]
    return json.dumps(extras, sort_keys=True) if extras else None


def _json_object(text: str | None, what: str) -> dict[str, Any] | None:
    """A stored JSON object, or None (with a warning when the text is unreadable)."""
    if not text:
        return None
    try:
        raw = json.loads(text)
    except json.JSONDecodeError:
        log.warning("ignoring unreadable %s %r", what, text[:80])
        return None
    return raw if isinstance(raw, dict) else None


def apply_extras(message: Message, text: str | None) -> Message:
    raw = _json_object(text, "message extras")
    if raw is None:
        return message
    calls = raw.get("tool_calls")
    if isinstance(calls, list):
        message.tool_calls = [
            ToolCall(
                **{k: str(v) for k, v in call.items() if k in ("id", "name", "arguments", "result")}
            )
            for call in calls
            if isinstance(call, dict) and {"id", "name", "arguments"} <= call.keys()
        ]
    message.expects_json = bool(raw.get("expects_json"))
    message.cut = raw.get("cut") is True
    reasoning, thought_for = raw.get("reasoning"), raw.get("thought_for")
    message.reasoning = reasoning if isinstance(reasoning, str) else ""
    message.thought_for = float(thought_for) if isinstance(thought_for, int | float) else None
    effort = raw.get("effort")
    message.effort = effort if isinstance(effort, str) and effort else None
    sealed = raw.get("sealed_reasoning")
    message.sealed_reasoning = [
        SealedReasoning(str(item["id"]), str(item["encrypted"]))
        for item in (sealed if isinstance(sealed, list) else [])
        if isinstance(item, dict) and {"id", "encrypted"} <= item.keys()
    ]
    message.earlier_usage = usage_list(raw.get("earlier_usage"))
    return message


def usage_list(raw: object) -> list[Usage]:
    """The usage records in a stored list (what is not one is left out)."""
    items = raw if isinstance(raw, list) else []
    return [u for item in items if (u := usage_from_dict(item)) is not None]


def usage_from_json(text: str | None) -> Usage | None:
    return usage_from_dict(_json_object(text, "usage record"))


def usage_from_dict(raw: object) -> Usage | None:
    if not isinstance(raw, dict):
        return None
    values: dict[str, Any] = {
        k: v for k, v in raw.items() if k in _USAGE_FIELDS and (v is None or isinstance(v, int))
    }
    try:
        return Usage(**values)
    except TypeError:
        return None
