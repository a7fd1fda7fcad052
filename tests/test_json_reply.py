"""JSON replies: finding the JSON, the parse error, the schema subset, tables and CSV; and the
endpoint that refuses json_schema, answered by JSON mode with the schema in the system prompt."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from support.demo import png_bytes, user_message

from app.core.json_reply import (
    MAX_ERRORS,
    find_table,
    looks_like_json,
    parse_reply,
    records_table,
    reply_problems,
    schema_instruction,
    structured_problem,
    to_csv,
    validate,
    value_tables,
)
from app.demo import DEMO_API_KEY, DemoServer
from app.llm.client import make_client
from app.llm.errors import ChatError
from app.llm.events import TextDelta
from app.llm.stream import ReplyRequest, RetryPolicy
from app.llm.structured import FormatFallback, refuses_schema, schema_fallback, stream_structured

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "size": {"type": "integer"},
        "kind": {"enum": ["a", "b"]},
        "tags": {"type": "array", "items": {"type": "string"}},
        "price": {"type": ["number", "null"]},
        "rows": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"x": {"type": "number"}},
                "required": ["x"],
                "additionalProperties": False,
            },
        },
    },
    "required": ["name", "size"],
    "additionalProperties": False,
}


# -- finding and parsing --------------------------------------------------------------------


@pytest.mark.parametrize(
    "reply",
    [
        '{"a": 1}',
        '  \n{"a": 1}\n',
        '```json\n{"a": 1}\n```',
        'Here it is:\n\n```json\n{"a": 1}\n```\nAnything else?',
        '```\n{"a": 1}\n```',
    ],
)
def test_json_is_found_bare_or_fenced(reply: str) -> None:
    parsed = parse_reply(reply)
    assert parsed.ok
    assert parsed.value == {"a": 1}


def test_invalid_json_gives_the_parse_error_with_its_place() -> None:
    parsed = parse_reply('{"items": [1, 2,\n  "x" "y"]}')
    assert not parsed.ok
    assert parsed.value is None
    assert parsed.error == "Expecting ',' delimiter (line 2, column 7)"
    assert parse_reply("   ").error == "The reply is empty."


def test_looks_like_json_only_for_a_whole_json_reply() -> None:
    assert looks_like_json('[{"a": 1}]')
    assert looks_like_json('```json\n{"a": 1}\n```')
    assert not looks_like_json("[a link](https://example.com) and text")
    assert not looks_like_json('Some prose\n```json\n{"a": 1}\n```')
    assert not looks_like_json('{"a": ')
    assert not looks_like_json("42")


# -- the schema subset ----------------------------------------------------------------------


def test_a_conforming_value_has_no_errors() -> None:
    value = {
        "name": "n",
        "size": 3,
        "kind": "a",
        "tags": ["x"],
        "price": None,
        "rows": [{"x": 1}, {"x": 2.5}],
    }
    assert validate(value, SCHEMA) == []
    assert validate({"name": "n", "size": 3.0}, SCHEMA) == []  # 3.0 is an integer in JSON


def test_each_rule_reports_where_it_broke() -> None:
    value = {
        "size": True,
        "kind": "c",
        "tags": ["x", 2],
        "price": "9",
        "extra": 1,
        "rows": [{"x": "1"}, {"y": 2}],
    }
    errors = validate(value, SCHEMA)
    assert errors == [
        "$: missing required property “name”",
        "$: unexpected property “extra”",
        "$.size: expected integer, got boolean",
        '$.kind: "c" is not one of "a", "b"',
        "$.tags[1]: expected string, got integer",
        "$.price: expected number or null, got string",
        "$.rows[0].x: expected number, got string",
        "$.rows[1]: missing required property “x”",
        "$.rows[1]: unexpected property “y”",
    ]
    assert validate([1], SCHEMA) == ["$: expected object, got array"]


def test_errors_are_capped() -> None:
    schema = {"type": "array", "items": {"type": "string"}}
    assert len(validate(list(range(100)), schema)) == MAX_ERRORS


def test_reply_problems_in_one_sentence() -> None:
    assert reply_problems('{"name": "n", "size": 1}', SCHEMA) is None
    assert reply_problems("{", None) == (
        "The reply is not valid JSON: Expecting property name "
        "enclosed in double quotes (line 1, column 2)."
    )
    problem = reply_problems('{"a": 1, "b": 2, "c": 3, "d": 4}', SCHEMA)
    assert problem is not None
    assert problem.startswith("The reply does not match the schema: $: missing required")
    assert problem.endswith("(and 3 more).")


def test_structured_problem_checks_calls_against_their_function() -> None:
    tools = [{"type": "function", "function": {"name": "f", "parameters": SCHEMA}}]
    assert structured_problem("", [("f", '{"name": "x", "size": 2}')], None, tools) is None
    assert structured_problem("", [("f", '{"name": "x"}')], None, tools) == (
        "The call to f does not match the schema: $: missing required property “size”."
    )
    assert structured_problem("", [("f", "{oops")], None, tools) is not None
    fmt = {"type": "json_schema", "json_schema": {"name": "s", "schema": SCHEMA}}
    assert structured_problem('{"name": "x", "size": 2}', [], fmt, None) is None
    assert structured_problem("nope", [], {"type": "json_object"}, None) is not None
    assert structured_problem("plain text", [], None, None) is None


# -- tables and CSV -------------------------------------------------------------------------


def test_a_list_of_records_is_a_table_with_every_column() -> None:
    table = find_table([{"a": 1, "b": "x"}, {"b": "y", "c": None}, {"a": [1, 2], "d": {"k": 1}}])
    assert table is not None
    assert table.columns == ("a", "b", "c", "d")
    assert table.rows == (("1", "x", "", ""), ("", "y", "", ""), ("[1, 2]", "", "", '{"k": 1}'))


def test_the_longest_list_of_records_in_an_object_is_its_table() -> None:
    value = {"vendor": "V", "notes": [{"n": 1}], "line_items": [{"d": "a"}, {"d": "b"}], "total": 3}
    table = find_table(value)
    assert table is not None
    assert (table.title, table.columns, len(table.rows)) == ("line_items", ("d",), 2)
    assert find_table({"a": 1}) is None
    assert find_table([1, 2]) is None
    assert find_table([]) is None


def test_value_tables_for_a_function_call() -> None:
    tables = value_tables({"vendor": "V", "line_items": [{"d": "a"}], "total": 3})
    assert [t.title for t in tables] == ["", "line_items"]
    assert tables[0].rows == (("vendor", "V"), ("line_items", "1 rows, below"), ("total", "3"))
    assert value_tables("text") == []


def test_csv_export_quotes_what_needs_quoting_and_reads_back() -> None:
    records = [
        {"description": 'Widget, "large"', "qty": 2, "note": "line one\nline two"},
        {"description": "Bolt", "qty": 10.5, "note": None},
    ]
    text = to_csv(records_table(records))
    assert text.splitlines()[0] == "description,qty,note"
    assert '"Widget, ""large"""' in text
    back = list(csv.reader(io.StringIO(text, newline="")))
    assert back == [
        ["description", "qty", "note"],
        ['Widget, "large"', "2", "line one\nline two"],
        ["Bolt", "10.5", ""],
    ]


def test_schema_instruction_carries_the_schema() -> None:
    text = schema_instruction(SCHEMA)
    block = text.split("```json\n", 1)[1].rsplit("\n```", 1)[0]
    assert json.loads(block) == SCHEMA


# -- the fallback where json_schema is refused (real endpoint, real client) -----------------


def test_a_refused_schema_is_retried_once_in_json_mode_and_said_so() -> None:
    fmt = {
        "type": "json_schema",
        "json_schema": {"name": "thing", "schema": SCHEMA, "strict": True},
    }
    request = ReplyRequest(
        "grok-4",
        [{"role": "system", "content": "Be brief."}, user_message("Describe", png_bytes(20, 20))],
        response_format=fmt,
    )

    async def run(server: DemoServer) -> tuple[list[Any], str]:
        client = make_client(server.base_url, DEMO_API_KEY)
        events: list[Any] = []
        try:
            async for event in stream_structured(client, request, RetryPolicy(max_retries=0)):
                events.append(event)
        finally:
            await client.close()
        return events, "".join(e.text for e in events if isinstance(e, TextDelta))

    with DemoServer() as server:
        events, text = asyncio.run(run(server))
        assert not any(isinstance(e, FormatFallback) for e in events)
        assert validate(json.loads(text), SCHEMA) == []
        assert len(server.chat_requests) == 1

        server.accepts_json_schema = False
        events, text = asyncio.run(run(server))
        notes = [e for e in events if isinstance(e, FormatFallback)]
        assert len(notes) == 1
        assert "json_schema is not supported" in notes[0].message
        assert "schema in the system prompt" in notes[0].message
        assert validate(json.loads(text), SCHEMA) == []
        refused, retried = server.chat_requests[-2:]
        assert refused.status == 400
        assert refused.response_format == fmt
        assert retried.response_format == {"type": "json_object"}
        assert retried.roles == ["system", "user"]


def test_fallback_request_and_what_counts_as_a_refusal() -> None:
    fmt = {"type": "json_schema", "json_schema": {"name": "s", "schema": SCHEMA}}
    request = ReplyRequest("m", [{"role": "user", "content": "hi"}], response_format=fmt)
    fallback = schema_fallback(request)
    assert fallback.response_format == {"type": "json_object"}
    assert fallback.messages[0]["role"] == "system"
    assert '"additionalProperties": false' in fallback.messages[0]["content"]
    assert request.messages == [{"role": "user", "content": "hi"}]  # the original is unchanged
    from app.llm.errors import ErrorKind

    refusal = ChatError(ErrorKind.BAD_REQUEST, "response_format json_schema unsupported", 400)
    assert refuses_schema(request, refusal)
    assert not refuses_schema(request, ChatError(ErrorKind.BAD_REQUEST, "bad max_tokens", 400))
    assert not refuses_schema(request, ChatError(ErrorKind.SERVER_ERROR, "response_format", 500))
    assert not refuses_schema(ReplyRequest("m", []), refusal)


# -- the CLI ---------------------------------------------------------------------------------


def run_ask(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GROK_VISION_CONFIG_DIR": str(cwd)}
    return subprocess.run(
        [sys.executable, "-m", "app", "ask", *args],
        text=True,
        capture_output=True,
        timeout=60,
        env=env,
        check=False,
    )


def test_ask_schema_file_prints_pretty_valid_json(tmp_path: Path) -> None:
    schema_file = tmp_path / "thing.json"
    schema_file.write_text(json.dumps(SCHEMA))
    with DemoServer() as server:
        result = run_ask(
            "--base-url", server.base_url, "--schema", str(schema_file), "Describe it", cwd=tmp_path
        )
        record = server.model_requests[-1]
    assert result.returncode == 0, result.stderr
    value = json.loads(result.stdout)
    assert validate(value, SCHEMA) == []
    assert result.stdout.startswith("{\n  ")  # pretty-printed
    assert record.response_format is not None
    assert record.response_format["json_schema"]["name"] == "thing"


def test_ask_invalid_json_reply_and_bad_schema_file(tmp_path: Path) -> None:
    with DemoServer() as server:
        cut = run_ask(
            "--base-url",
            server.base_url,
            "--json-object",
            "--max-tokens",
            "15",
            "Describe",
            cwd=tmp_path,
        )
        (tmp_path / "bad.json").write_text("{nope")
        bad = run_ask(
            "--base-url", server.base_url, "--schema", str(tmp_path / "bad.json"), "x", cwd=tmp_path
        )
    assert cut.returncode == 1
    assert cut.stdout == ""
    assert "the reply is not valid JSON: Unterminated string" in cut.stderr
    assert bad.returncode == 2
    assert "bad.json is not valid JSON" in bad.stderr
