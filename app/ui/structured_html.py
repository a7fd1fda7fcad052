"""The HTML of a reply that is JSON or calls a function: pretty-printed JSON (with its table when
it holds a list of records), each call's function name and arguments as tables, and a reply that
should have been JSON shown as text with the parse error."""

from __future__ import annotations

from html import escape

from app.core.conversation import Message, ToolCall
from app.core.json_reply import (
    Table,
    looks_like_json,
    parse_reply,
    pretty,
    value_tables,
)
from app.core.markdown import CODE_TABLE, TABLE_OPEN, CodeSink, render_markdown

MAX_TABLE_ROWS = 200  # rows shown in the conversation; the JSON view and exports hold them all


def table_html(table: Table) -> str:
    caption = f'<p class="meta">{escape(table.title)}</p>\n' if table.title else ""
    head = "".join(f"<th>{escape(column)}</th>" for column in table.columns)
    rows = "".join(
        ('<tr class="z">' if number % 2 else "<tr>")
        + "".join(f"<td>{escape(cell)}</td>" for cell in row)
        + "</tr>"
        for number, row in enumerate(table.rows[:MAX_TABLE_ROWS])
    )
    more = (
        f'<p class="meta">{len(table.rows) - MAX_TABLE_ROWS:,} more rows in the JSON view</p>\n'
        if len(table.rows) > MAX_TABLE_ROWS
        else ""
    )
    return f"{caption}{TABLE_OPEN}<tr>{head}</tr>{rows}</table>\n{more}"


def json_html(text: str, code_sink: CodeSink | None, *, dark: bool) -> str:
    """A JSON reply pretty-printed with its tables, or the text and why it is not JSON."""
    parsed = parse_reply(text)
    if not parsed.ok:
        return (
            f'<p class="state">Not valid JSON: {escape(parsed.error or "")}</p>\n'
            f"{CODE_TABLE}<tr><td><pre>{escape(text)}</pre></td></tr></table>\n"
        )
    # Only lists of records become tables here; the pretty JSON shows everything else.
    records = isinstance(parsed.value, list)
    tables = [table for table in value_tables(parsed.value) if table.title or records]
    code = render_markdown(f"```json\n{pretty(parsed.value)}\n```", code_sink, dark=dark)
    return "".join(table_html(table) for table in tables) + code


def tool_call_html(call: ToolCall, code_sink: CodeSink | None, *, dark: bool) -> str:
    head = f'<p class="state">Function call: {escape(call.name or "(unnamed)")}</p>\n'
    parsed = parse_reply(call.arguments)
    if not parsed.ok:
        return (
            head + f'<p class="note">The arguments are not valid JSON: '
            f"{escape(parsed.error or '')}</p>\n"
            f"{CODE_TABLE}<tr><td><pre>{escape(call.arguments)}</pre></td></tr></table>\n"
        )
    tables = value_tables(parsed.value)
    if not tables:
        return head + render_markdown(f"```json\n{pretty(parsed.value)}\n```", code_sink, dark=dark)
    return head + "".join(table_html(table) for table in tables)


def structured_body_html(
    message: Message, text: str, code_sink: CodeSink | None, *, dark: bool
) -> str | None:
    """The body of a reply that calls functions or is JSON; None for an ordinary reply."""
    is_json = bool(text.strip()) and (message.expects_json or looks_like_json(text))
    if not message.tool_calls and not is_json:
        return None
    out = [tool_call_html(call, code_sink, dark=dark) for call in message.tool_calls]
    if is_json:
        out.append(json_html(text, code_sink, dark=dark))
    elif text.strip():
        out.insert(0, render_markdown(text, code_sink, dark=dark))
    return "".join(out)
