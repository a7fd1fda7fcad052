"""Values the simulated model writes for a JSON schema: deterministic, valid for the schema
subset structured output uses, and plainly simulated ("simulated vendor 1")."""

from __future__ import annotations

import json
import re
from typing import Any

_FENCED_JSON = re.compile(r"```json[ \t]*\n(.*?)\n[ \t]*```", re.DOTALL)
MAX_DEPTH = 8


def _type_of(schema: dict[str, Any]) -> str:
    kind = schema.get("type")
    if isinstance(kind, list):
        kinds = [k for k in kind if isinstance(k, str) and k != "null"]
        return kinds[0] if kinds else "null"
    if isinstance(kind, str):
        return kind
    if "properties" in schema:
        return "object"
    return "array" if "items" in schema else "string"


def _singular(name: str) -> str:
    return name[:-1] if name.endswith("s") and len(name) > 1 else name


def sample(
    schema: Any, *, name: str = "value", index: int = 1, items: int = 2, depth: int = 0
) -> Any:
    """A value that conforms to ``schema``; arrays get ``items`` entries (within their
    minItems/maxItems), strings say what they stand for."""
    if not isinstance(schema, dict) or depth > MAX_DEPTH:
        return None
    enum = schema.get("enum")
    if isinstance(enum, list) and enum:
        return enum[(index - 1) % len(enum)]
    if "const" in schema:
        return schema["const"]
    kind = _type_of(schema)
    if kind == "object":
        properties = schema.get("properties")
        return {
            key: sample(sub, name=key, index=index, items=items, depth=depth + 1)
            for key, sub in (properties.items() if isinstance(properties, dict) else ())
        }
    if kind == "array":
        low = schema.get("minItems", 0)
        high = schema.get("maxItems", items)
        count = max(
            low if isinstance(low, int) else 0, min(items, high if isinstance(high, int) else items)
        )
        return [
            sample(schema.get("items"), name=_singular(name), index=i, items=items, depth=depth + 1)
            for i in range(1, count + 1)
        ]
    if kind == "integer":
        return index
    if kind == "number":
        return round(index * 1.25, 2)
    if kind == "boolean":
        return index % 2 == 1
    if kind == "null":
        return None
    if schema.get("format") == "date" or name == "date":
        return f"2026-01-{index:02d}"
    return f"simulated {name.replace('_', ' ')} {index}"


def schema_in_text(text: str) -> dict[str, Any] | None:
    """A JSON schema written into a prompt in a ```json block (an object schema), if any."""
    for block in _FENCED_JSON.findall(text):
        try:
            value = json.loads(block)
        except json.JSONDecodeError:
            continue
        if isinstance(value, dict) and value.get("type") == "object":
            return value
    return None
