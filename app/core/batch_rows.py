"""The rows of a batch's output file (CSV or JSON Lines), and reading them back to resume.

One input gives one row: its path, `ok` or `error`, the reply and the server's usage and cost.
A JSON reply gives its fields as columns in CSV (the schema's properties, nested values as
compact JSON) and an object in JSON Lines; a reply that is a list of records gives one row per
record, the path repeated and the usage and cost on the first only (so that a column's sum is
the batch's). Text only here: the command writes the file.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from app.core.conversation import Usage
from app.core.json_reply import cell_text

Format = Literal["csv", "jsonl"]
FORMATS: tuple[Format, ...] = ("csv", "jsonl")
USAGE_COLUMNS = (
    "prompt_tokens",
    "image_tokens",
    "cached_tokens",
    "completion_tokens",
    "reasoning_tokens",
    "cost_usd",
    "error",
)
Row = dict[str, Any]


class RowFileError(ValueError):
    """An existing output file this batch cannot continue, in words for the user."""


@dataclass(frozen=True)
class Outcome:
    """What became of one input."""

    path: str
    ok: bool
    reply: str = ""  # the reply's text (a JSON reply as it came)
    value: Any = None  # the reply's JSON, when it is JSON and was read
    parsed: bool = False
    usage: Usage | None = None
    image_tokens: int | None = None  # the server's count, else the tile formula's
    cost_usd: float | None = None
    error: str = ""


def schema_fields(
    response_format: Mapping[str, Any] | None, tools: Sequence[Mapping[str, Any]] | None
) -> tuple[str, ...]:
    """The top-level properties of the schema a reply must follow; () when there is none."""
    schema: Any = None
    if response_format and response_format.get("type") == "json_schema":
        spec = response_format.get("json_schema")
        schema = spec.get("schema") if isinstance(spec, Mapping) else None
    elif tools:
        function = tools[0].get("function")
        schema = function.get("parameters") if isinstance(function, Mapping) else None
    properties = schema.get("properties") if isinstance(schema, Mapping) else None
    return tuple(str(name) for name in properties) if isinstance(properties, Mapping) else ()


def _is_records(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _cost_text(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.10f}".rstrip("0").rstrip(".") or "0"
    return "" if value is None else str(value)


@dataclass(frozen=True)
class Layout:
    """The columns of one batch's file and how its rows are written."""

    fmt: Format
    fields: tuple[str, ...] = ()  # the schema's fields, as CSV columns

    @property
    def columns(self) -> tuple[str, ...]:
        middle = self.fields if self.fmt == "csv" and self.fields else ("reply",)
        return ("path", "status", *middle, *USAGE_COLUMNS)

    def rows(self, outcome: Outcome) -> list[Row]:
        usage = outcome.usage
        first: Row = {
            "prompt_tokens": usage.prompt_tokens if usage else None,
            "image_tokens": outcome.image_tokens,
            "cached_tokens": usage.cached_tokens if usage else None,
            "completion_tokens": usage.completion_tokens if usage else None,
            "reasoning_tokens": usage.reasoning_tokens if usage else None,
            "cost_usd": round(outcome.cost_usd, 10) if outcome.cost_usd is not None else None,
        }
        records: list[Any] = [outcome.value]
        if outcome.parsed and _is_records(outcome.value):
            records = list(outcome.value)
        out: list[Row] = []
        for index, record in enumerate(records):
            row: Row = {"path": outcome.path, "status": "ok" if outcome.ok else "error"}
            row.update(self._reply_cells(outcome, record))
            row.update(first if index == 0 else dict.fromkeys(first))
            row["error"] = outcome.error
            out.append(row)
        return out

    def _reply_cells(self, outcome: Outcome, record: Any) -> Row:
        if not outcome.parsed:
            cells: Row = {"reply": outcome.reply}
        elif self.fmt == "jsonl":
            cells = {"reply": record}
        elif self.fields:
            found = record if isinstance(record, dict) else {}
            cells = {field: cell_text(found.get(field)) for field in self.fields}
        else:
            cells = {"reply": cell_text(record)}
        if self.fmt == "csv" and self.fields and "reply" in cells:
            cells = dict.fromkeys(self.fields, "")  # the raw reply is in the error's words
        return cells

    def header(self) -> str:
        return self._csv_line(self.columns) if self.fmt == "csv" else ""

    def line(self, row: Mapping[str, Any]) -> str:
        """One row as written: a CSV record or one JSON object, with its line end."""
        if self.fmt == "jsonl":
            return json.dumps(dict(row), ensure_ascii=False, separators=(",", ":")) + "\n"
        return self._csv_line([_cost_text(row.get(column)) for column in self.columns])

    @staticmethod
    def _csv_line(cells: Sequence[str]) -> str:
        buffer = io.StringIO()
        csv.writer(buffer).writerow(cells)  # RFC 4180 quoting, CRLF as spreadsheets expect
        return buffer.getvalue()

    def read(self, text: str, name: str) -> list[Row]:
        """The whole rows of an existing file; a row cut short by a crash is left out.
        Raises RowFileError when the file is not one this batch can continue."""
        if not text.endswith("\n"):
            text = text[: text.rfind("\n") + 1]  # the last row, cut short by a crash
        if not text.strip():
            return []
        if self.fmt == "jsonl":
            return self._read_jsonl(text, name)
        reader = csv.reader(io.StringIO(text, newline=""))
        header = tuple(next(reader, ()))
        if header != self.columns:
            raise RowFileError(
                f"{name} has the columns {', '.join(header) or '(none)'}; this batch writes "
                f"{', '.join(self.columns)}. Give another --out, or the options that made it."
            )
        whole = (cells for cells in reader if len(cells) == len(header))
        return [dict(zip(header, cells, strict=True)) for cells in whole]

    @staticmethod
    def _read_jsonl(text: str, name: str) -> list[Row]:
        rows: list[Row] = []
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                row = None
            if not (isinstance(row, dict) and "path" in row and "status" in row):
                raise RowFileError(
                    f"{name}, line {number}, is not a row of a batch; give another --out."
                )
            rows.append(row)
        return rows


def done_rows(rows: Sequence[Row]) -> tuple[set[str], list[Row]]:
    """The paths already done (every row of theirs `ok`) and their rows, kept in order."""
    failed = {str(row.get("path")) for row in rows if row.get("status") != "ok"}
    done = {str(row.get("path")) for row in rows} - failed
    return done, [row for row in rows if str(row.get("path")) in done]


def table_record(row: Row, fields: Sequence[str]) -> dict[str, str]:
    """A row as the window's results table shows it, from either format: path, status, the
    schema's fields as columns (or the reply), cost and error, every cell as text."""
    record = {"path": str(row.get("path", "")), "status": str(row.get("status", ""))}
    reply = row.get("reply")
    if fields:
        source = reply if isinstance(reply, dict) else row
        record.update({name: cell_text(source.get(name)) for name in fields})
    else:
        record["reply"] = cell_text(reply)
    record["cost_usd"] = _cost_text(row.get("cost_usd"))
    record["error"] = str(row.get("error") or "")
    return record


def reply_text(row: Row, fields: Sequence[str]) -> str:
    """A row's reply in words: text as it came, a JSON reply pretty-printed (a CSV row's
    fields gathered back into one object)."""
    reply = row.get("reply") if "reply" in row else {name: row.get(name) for name in fields}
    if isinstance(reply, str):
        return reply
    return json.dumps(reply, ensure_ascii=False, indent=2)
