"""A model's JSON reply: found (bare or in a fenced block), parsed, checked against a schema,
pretty-printed, and turned into a table (columns and rows) when it holds a list of records.

The schema check covers the subset of JSON Schema that structured output uses and the presets
need: ``type`` (one name or a list), ``properties``, ``required``, ``additionalProperties: false``,
``items`` and ``enum``. Anything else in a schema is accepted without being checked.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

_FENCE = re.compile(r"```[ \t]*(?:json|JSON|json5)?[ \t]*\n(.*?)\n?[ \t]*```", re.DOTALL)
MAX_ERRORS = 20


@dataclass(frozen=True)
class ParsedReply:
    """The outcome of reading a reply as JSON: a value, or the parse error in plain words."""

    text: str  # the JSON source that was parsed (or the whole reply)
    value: Any = None
    error: str | None = None  # "Expecting ',' delimiter (line 3, column 5)"

    @property
    def ok(self) -> bool:
        return self.error is None


def json_source(reply: str) -> str:
    """The JSON text of a reply: the first fenced block if there is one, else the reply."""
    stripped = reply.strip()
    match = _FENCE.search(stripped)
    if match is not None and not stripped.startswith(("{", "[")):
        return match.group(1).strip()
    return stripped


def parse_reply(reply: str) -> ParsedReply:
    """Parse a reply that should be JSON, bare or in a ```json fenced block."""
    source = json_source(reply)
    if not source:
        return ParsedReply(source, error="The reply is empty.")
    try:
        value = json.loads(source)
    except json.JSONDecodeError as exc:
        return ParsedReply(source, error=f"{exc.msg} (line {exc.lineno}, column {exc.colno})")
    return ParsedReply(source, value=value)


def looks_like_json(reply: str) -> bool:
    """Whether a reply is, as a whole, one JSON object or array (bare or fenced)."""
    stripped = reply.strip()
    fenced = _FENCE.fullmatch(stripped)
    if not (stripped.startswith(("{", "[")) or fenced):
        return False
    parsed = parse_reply(stripped)
    return parsed.ok and isinstance(parsed.value, dict | list)


def pretty(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


# -- the schema subset ---------------------------------------------------------------------

_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "number": (int, float),
    "integer": (int,),
    "boolean": (bool,),
    "null": (type(None),),
}


def _has_type(value: Any, name: str) -> bool:
    kinds = _TYPES.get(name)
    if kinds is None:
        return True  # an unknown type name is not ours to judge
    if isinstance(value, bool) and name in ("number", "integer"):
        return False
    if name == "integer" and isinstance(value, float):
        return value.is_integer()
    return isinstance(value, kinds)


def validate(value: Any, schema: Mapping[str, Any]) -> list[str]:
    """Where ``value`` breaks ``schema``, as "$.items[2].price: expected number, got string";
    empty when it conforms. At most MAX_ERRORS are listed."""
    errors: list[str] = []
    _check(value, schema, "$", errors)
    return errors[:MAX_ERRORS]


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    for name in ("object", "array", "string", "integer", "number"):
        if _has_type(value, name):
            return name
    return type(value).__name__


def _check(value: Any, schema: Mapping[str, Any], path: str, errors: list[str]) -> None:
    if len(errors) >= MAX_ERRORS or not isinstance(schema, Mapping):
        return
    expected = schema.get("type")
    names = (
        [expected]
        if isinstance(expected, str)
        else ([n for n in expected if isinstance(n, str)] if isinstance(expected, list) else [])
    )
    if names and not any(_has_type(value, name) for name in names):
        errors.append(f"{path}: expected {' or '.join(names)}, got {_kind(value)}")
        return
    enum = schema.get("enum")
    if isinstance(enum, list) and value not in enum:
        choices = ", ".join(json.dumps(item, ensure_ascii=False) for item in enum)
        errors.append(f"{path}: {json.dumps(value, ensure_ascii=False)} is not one of {choices}")
    if isinstance(value, dict):
        _check_object(value, schema, path, errors)
    elif isinstance(value, list):
        items = schema.get("items")
        if isinstance(items, Mapping):
            for index, item in enumerate(value):
                _check(item, items, f"{path}[{index}]", errors)


def _check_object(
    value: dict[str, Any], schema: Mapping[str, Any], path: str, errors: list[str]
) -> None:
    properties = schema.get("properties")
    properties = properties if isinstance(properties, Mapping) else {}
    required = schema.get("required")
    for name in required if isinstance(required, list) else []:
        if isinstance(name, str) and name not in value:
            errors.append(f"{path}: missing required property “{name}”")
    if schema.get("additionalProperties") is False:
        errors.extend(
            f"{path}: unexpected property “{name}”" for name in value if name not in properties
        )
    for name, sub in properties.items():
        if name in value and isinstance(sub, Mapping):
            _check(value[name], sub, f"{path}.{name}", errors)


# -- tables --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    """A list of records as columns and rows; `title` names where it was found ("line_items")."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def _is_records(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def cell_text(value: Any) -> str:
    """A cell as text: strings as they are, null as empty, anything else as compact JSON."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def records_table(records: Sequence[Mapping[str, Any]], title: str = "") -> Table:
    columns: list[str] = []
    for record in records:
        columns.extend(key for key in record if key not in columns)
    rows = tuple(tuple(cell_text(record.get(column)) for column in columns) for record in records)
    return Table(title, tuple(columns), rows)


def find_table(value: Any) -> Table | None:
    """The list of records in ``value``: the value itself, or the longest list of records among
    an object's properties (``{"line_items": [...], "total": 12}``). None when there is none."""
    if _is_records(value):
        return records_table(value)
    if isinstance(value, dict):
        found = [(name, item) for name, item in value.items() if _is_records(item)]
        if found:
            name, records = max(found, key=lambda pair: len(pair[1]))
            return records_table(records, name)
    return None


def fields_table(value: Mapping[str, Any]) -> Table:
    """An object as two columns, field and value (a function call's arguments, say)."""
    return Table(
        "", ("field", "value"), tuple((str(name), cell_text(item)) for name, item in value.items())
    )


def value_tables(value: Any) -> list[Table]:
    """Every table worth showing for a value: a list of records as one table; an object as its
    fields (a list of records among them counted, not spelt out) then each list of records."""
    if _is_records(value):
        return [records_table(value)]
    if not isinstance(value, dict):
        return []
    scalars = {
        name: (f"{len(item)} rows, below" if _is_records(item) else item)
        for name, item in value.items()
    }
    tables = [fields_table(scalars)] if scalars else []
    tables.extend(records_table(item, name) for name, item in value.items() if _is_records(item))
    return tables


def reply_problems(
    text: str, schema: Mapping[str, Any] | None, subject: str = "The reply"
) -> str | None:
    """One sentence on what is wrong with a reply that should be JSON (and match ``schema``
    when given), or None when it is fine."""
    parsed = parse_reply(text)
    if not parsed.ok:
        return f"{subject} is not valid JSON: {parsed.error}."
    if schema is None:
        return None
    errors = validate(parsed.value, schema)
    if not errors:
        return None
    more = f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""
    return f"{subject} does not match the schema: " + "; ".join(errors[:3]) + more + "."


def structured_problem(
    text: str,
    calls: Sequence[tuple[str, str]],
    response_format: Mapping[str, Any] | None,
    tools: Sequence[Mapping[str, Any]] | None,
) -> str | None:
    """What is wrong with a finished reply that was asked for as JSON or as a function call:
    ``calls`` are (function name, arguments); None when all is well or nothing was asked."""
    if calls:
        schemas = {
            str(tool["function"].get("name")): tool["function"].get("parameters")
            for tool in tools or ()
            if isinstance(tool.get("function"), Mapping)
        }
        for name, arguments in calls:
            schema = schemas.get(name)
            problem = reply_problems(
                arguments, schema if isinstance(schema, Mapping) else None, f"The call to {name}"
            )
            if problem is not None:
                return problem
        return None
    kind = (response_format or {}).get("type")
    if kind not in ("json_object", "json_schema"):
        return None
    spec = (response_format or {}).get("json_schema")
    schema = spec.get("schema") if isinstance(spec, Mapping) else None
    return reply_problems(text, schema if isinstance(schema, Mapping) else None)


def to_csv(table: Table) -> str:
    """The table as CSV (RFC 4180 quoting, CRLF line ends as spreadsheets expect)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(table.columns)
    writer.writerows(table.rows)
    return buffer.getvalue()


def schema_instruction(schema: Mapping[str, Any]) -> str:
    """The text that asks for schema-shaped JSON when the endpoint cannot enforce the schema."""
    return (
        "Answer with one JSON object only, no prose and no code fence, that conforms to "
        "this JSON schema:\n```json\n" + json.dumps(schema, indent=2, ensure_ascii=False) + "\n```"
    )
