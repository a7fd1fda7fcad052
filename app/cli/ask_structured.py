"""`ask --preset NAME`, `ask --schema FILE`, and JSON replies printed as JSON."""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

from app.core.ask_shape import AskShape
from app.core.conversation import ToolCall
from app.core.json_reply import parse_reply, pretty, structured_problem
from app.core.presets import Preset, find, merged
from app.llm.events import TextDelta, ToolCallDelta
from app.llm.structured import FormatFallback
from app.llm.tool_calls import ToolCallAssembler


class AskUsageError(Exception):
    """A problem with the command line, in words for the user."""


def user_presets() -> list[dict[str, Any]]:
    from app.store.settings import SettingsStore

    return SettingsStore().load().presets


def preset_list(presets: list[Preset]) -> str:
    width = max(len(p.name) for p in presets)
    return "".join(f"{p.name:<{width}}  {p.title}\n" for p in presets)


def _schema_format(path: str) -> dict[str, Any]:
    try:
        schema = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise AskUsageError(f"cannot read the schema {path}: {exc.strerror or exc}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise AskUsageError(f"the schema {path} is not valid JSON: {exc}") from None
    if not isinstance(schema, dict) or schema.get("type") != "object":
        raise AskUsageError(f'the schema {path} must be a JSON object with "type": "object"')
    name = re.sub(r"[^A-Za-z0-9_-]+", "_", Path(path).stem).strip("_")[:64] or "reply"
    return {"type": "json_schema", "json_schema": {"name": name, "schema": schema, "strict": True}}


def resolve_shape(ns: argparse.Namespace, *, has_images: bool) -> AskShape:
    """The system prompt, question and answer shape the options ask for."""
    preset: Preset | None = None
    if ns.preset:
        presets = merged(user_presets())
        preset = find(presets, ns.preset)
        if preset is None:
            raise AskUsageError(
                f"no preset named “{ns.preset}”; the presets are:\n" + preset_list(presets).rstrip()
            )
    system = ns.system or (preset.system_prompt if preset else "")
    prompt = preset.compose(ns.prompt, has_images=has_images) if preset else ns.prompt.strip()
    if not prompt:
        raise AskUsageError("no question: give PROMPT (or a --preset and at least one --image)")
    if ns.schema:
        return AskShape(system, prompt, _schema_format(ns.schema))
    if preset is not None and preset.expects_json:
        return AskShape(
            system, prompt, preset.response_format(), preset.tools(), preset.tool_choice()
        )
    if ns.json_object:
        if "json" not in (system + prompt).lower():
            prompt += "\n\nAnswer with one JSON object."
        return AskShape(system, prompt, {"type": "json_object"})
    return AskShape(system, prompt)


class ReplyOutput:
    """Where a reply's events go: text streams to stdout as it comes; a JSON reply and function
    calls are gathered and printed whole at the end (`finish`)."""

    def __init__(self, shape: AskShape) -> None:
        self.shape = shape
        self.chunks: list[str] = []
        self.calls = ToolCallAssembler()
        self.open_line = False  # text written without its final newline yet

    def take(self, event: object) -> bool:
        """Handle a text, tool-call or fallback event; False for any other event."""
        if isinstance(event, TextDelta) and self.shape.expects_json:
            self.chunks.append(event.text)
        elif isinstance(event, TextDelta):
            sys.stdout.write(event.text)
            sys.stdout.flush()
            self.open_line = True
        elif isinstance(event, ToolCallDelta):
            self.calls.feed(event)
        elif isinstance(event, FormatFallback):
            sys.stderr.write(f"note: {event.message}\n")
        else:
            return False
        return True

    def end_line(self) -> None:
        if self.open_line:
            sys.stdout.write("\n")
            self.open_line = False

    def finish(self) -> int:
        self.end_line()
        if self.shape.expects_json or self.calls:
            return print_json_reply(self.shape, "".join(self.chunks), self.calls.calls())
        return 0


def print_json_reply(shape: AskShape, text: str, calls: list[ToolCall]) -> int:
    """Write the reply to stdout as pretty JSON; 1 when it is not JSON or breaks the schema."""
    if calls:
        values: list[Any] = []
        for call in calls:
            parsed = parse_reply(call.arguments)
            values.append(parsed.value if parsed.ok else call.arguments)
            sys.stderr.write(f"function call: {call.name}\n")
        out: Any = (
            values[0]
            if len(calls) == 1
            else [
                {"function": call.name, "arguments": value}
                for call, value in zip(calls, values, strict=True)
            ]
        )
    else:
        parsed = parse_reply(text)
        if not parsed.ok:
            sys.stderr.write(
                f"error: the reply is not valid JSON: {parsed.error}. "
                f"The reply as it came:\n{text}\n"
            )
            return 1
        out = parsed.value
    sys.stdout.write(pretty(out) + "\n")
    problem = structured_problem(
        text, [(c.name, c.arguments) for c in calls], shape.response_format, shape.tools
    )
    if problem is not None:
        sys.stderr.write(f"error: {problem}\n")
        return 1
    return 0
