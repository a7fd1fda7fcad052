"""Task presets: the built-in ones, templates, user presets in the settings, and every preset
kind asked of the local endpoint through the real client (and through `ask --preset`)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support.demo import png_bytes, split_png

from app.core.conversation import Conversation, ImagePart, TextPart
from app.core.images import DataUriCache, prepare_bytes
from app.core.json_reply import parse_reply, validate
from app.core.limits import XAI_LIMITS
from app.core.presets import (
    BUILTIN_PRESETS,
    PLACEHOLDER,
    Preset,
    builtin,
    find,
    merged,
    preset_from_dict,
    problems,
    read_user_presets,
    slug,
)
from app.demo import DEMO_API_KEY, DemoServer
from app.llm.client import make_client
from app.llm.events import Finished, TextDelta, ToolCallDelta
from app.llm.stream import ReplyRequest, RetryPolicy
from app.llm.structured import stream_structured
from app.llm.tool_calls import ToolCallAssembler
from app.store.settings import SettingsStore


def get(name: str) -> Preset:
    preset = builtin(name)
    assert preset is not None
    return preset


# -- the built-in presets ----------------------------------------------------------------


def test_the_shipped_presets_cover_the_tasks() -> None:
    kinds = {p.name: p.response for p in BUILTIN_PRESETS}
    assert kinds == {
        "ui-critique": "text",
        "chart-reading": "text",
        "ocr": "text",
        "invoice-json": "json_schema",
        "invoice-function": "tool",
        "alt-text": "json_schema",
        "spot-differences": "text",
        "moderation": "json_object",
    }
    for preset in BUILTIN_PRESETS:
        assert problems(preset) == [], preset.name
        assert preset.builtin
        assert preset.system_prompt
        assert preset.default_question
    critique = get("ui-critique").system_prompt.lower()
    assert all(word in critique for word in ("spacing", "contrast", "hierarchy"))
    assert "json" in get("moderation").system_prompt.lower()  # JSON mode wants the word
    differences = get("spot-differences")
    assert differences.min_images == 2
    assert "Image 1" in differences.system_prompt


def _objects(schema: Any) -> Iterator[dict[str, Any]]:
    if isinstance(schema, dict):
        if schema.get("type") == "object":
            yield schema
        for value in schema.values():
            yield from _objects(value)
    elif isinstance(schema, list):
        for value in schema:
            yield from _objects(value)


@pytest.mark.parametrize("name", ["invoice-json", "invoice-function", "alt-text"])
def test_schemas_are_in_the_strict_form(name: str) -> None:
    objects = list(_objects(get(name).schema))
    assert objects
    for schema in objects:
        assert schema["additionalProperties"] is False
        assert schema["required"] == list(schema["properties"])


def test_formats_tools_and_tool_choice() -> None:
    assert get("ocr").response_format() is None
    assert get("ocr").tools() is None
    assert get("moderation").response_format() == {"type": "json_object"}
    fmt = get("invoice-json").response_format()
    assert fmt is not None
    assert fmt["type"] == "json_schema"
    assert fmt["json_schema"]["name"] == "invoice_line_items"
    assert fmt["json_schema"]["strict"] is True
    assert fmt["json_schema"]["schema"]["properties"]["line_items"]["type"] == "array"
    function = get("invoice-function")
    assert function.response_format() is None
    tools = function.tools()
    assert tools is not None
    assert tools[0]["function"]["name"] == "record_line_items"
    assert tools[0]["function"]["parameters"] == function.schema
    assert function.tool_choice() == {"type": "function", "function": {"name": "record_line_items"}}


def test_compose_with_a_template_and_a_default_question() -> None:
    preset = Preset(
        "p",
        "P",
        template=f"Focus on the header. {PLACEHOLDER} Be brief.",
        default_question="What is wrong?",
    )
    assert preset.compose("Is it aligned?", has_images=True) == (
        "Focus on the header. Is it aligned? Be brief."
    )
    assert preset.compose("  ", has_images=True) == "Focus on the header. What is wrong? Be brief."
    assert preset.compose("", has_images=False) == ""
    plain = Preset("q", "Q", default_question="Describe.")
    assert plain.compose("", has_images=True) == "Describe."
    assert plain.compose("Mine", has_images=False) == "Mine"
    prefix = Preset("r", "R", template="Context first.")
    assert prefix.compose("Question?", has_images=False) == "Context first.\n\nQuestion?"


# -- user presets --------------------------------------------------------------------------


def test_a_preset_survives_a_round_trip_and_bad_ones_are_refused() -> None:
    for preset in BUILTIN_PRESETS:
        back = preset_from_dict(json.loads(json.dumps(preset.to_dict())))
        assert back is not None
        assert back.to_dict() == preset.to_dict()
        assert not back.builtin  # whatever the file says, only the app ships built-ins
    good = get("invoice-json").to_dict()
    for change in (
        {"name": "Has Spaces"},
        {"title": " "},
        {"response": "xml"},
        {"schema": "not an object"},
        {"schema": {"type": "array"}},
        {"schema_name": "bad name!"},
        {"min_images": "2"},
        {"min_images": 99},
        {"system_prompt": 5},
        {"system_prompt": "x" * 100_001},
    ):
        assert preset_from_dict({**good, **change}) is None, change
    assert preset_from_dict([good]) is None
    assert read_user_presets("nope") is None
    assert read_user_presets([good, {"name": "x"}, 3]) == [good]


def test_user_versions_replace_built_ins_and_own_presets_follow() -> None:
    edited = {**get("ocr").to_dict(), "system_prompt": "Transcribe. Example: …"}
    own = Preset("receipts", "My receipts", system_prompt="Mine").to_dict()
    presets = merged([own, edited, {"broken": True}])
    assert [p.name for p in presets] == [p.name for p in BUILTIN_PRESETS] + ["receipts"]
    ocr = find(presets, "ocr")
    assert ocr is not None
    assert ocr.system_prompt == "Transcribe. Example: …"
    assert ocr.builtin  # the user's version of a built-in (which can be restored)
    assert ocr != builtin("ocr")
    receipts = find(presets, "receipts")
    assert receipts is not None
    assert not receipts.builtin
    assert find(presets, "MY RECEIPTS") == find(presets, "receipts")
    assert find(presets, "nothing") is None
    assert slug("My receipts (2026)!") == "my-receipts-2026"
    assert slug("!!!") == "preset"


def test_presets_are_kept_with_the_settings(tmp_path: Path) -> None:
    store = SettingsStore(tmp_path)
    settings = store.load()
    assert settings.presets == []
    few_shot = (
        "Extract line items.\n\nExample input: a receipt with 2 coffees at 3.50\n"
        'Example output: {"line_items": [{"description": "coffee", "quantity": 2}]}'
    )
    settings.presets = [
        Preset(
            "coffee", "Coffee receipts", system_prompt=few_shot, response="json_object"
        ).to_dict()
    ]
    store.save(settings)
    assert store.load().presets == settings.presets
    data = json.loads(store.path.read_text())
    data["presets"].append({"name": "BAD NAME", "title": "x"})
    store.path.write_text(json.dumps(data))
    loaded = store.load()
    assert [p["name"] for p in loaded.presets] == ["coffee"]
    data["presets"] = "not a list"
    store.path.write_text(json.dumps(data))
    assert store.load().presets == []
    assert store.notice is not None
    assert "presets" in store.notice


# -- every kind of preset against the endpoint ------------------------------------------


def ask_with(
    server: DemoServer, preset: Preset, images: list[bytes], question: str = ""
) -> tuple[str, ToolCallAssembler, str]:
    """One turn as the app makes it with this preset: text, assembled calls, finish reason."""
    conversation = Conversation(system_prompt=preset.system_prompt)
    parts: list[Any] = [
        ImagePart(prepare_bytes(data, f"shot{n}.png", XAI_LIMITS))
        for n, data in enumerate(images, start=1)
    ]
    parts.append(TextPart(preset.compose(question, has_images=bool(images))))
    conversation.add_user(parts)
    request = ReplyRequest(
        "grok-4",
        conversation.to_api_messages(DataUriCache().data_uri),
        response_format=preset.response_format(),
        tools=preset.tools(),
        tool_choice=preset.tool_choice(),
    )

    async def main() -> tuple[str, ToolCallAssembler, str]:
        client = make_client(server.base_url, DEMO_API_KEY)
        text, calls, finish = "", ToolCallAssembler(), ""
        try:
            async for event in stream_structured(client, request, RetryPolicy(max_retries=0)):
                if isinstance(event, TextDelta):
                    text += event.text
                elif isinstance(event, ToolCallDelta):
                    calls.feed(event)
                elif isinstance(event, Finished):
                    finish = event.reason
        finally:
            await client.close()
        return text, calls, finish

    return asyncio.run(main())


@pytest.mark.parametrize("name", ["ui-critique", "chart-reading", "ocr", "spot-differences"])
def test_text_presets(demo_server: DemoServer, name: str) -> None:
    images = [png_bytes(300, 200), split_png(300, 200, (0, 0, 0), (255, 255, 255))]
    text, calls, finish = ask_with(demo_server, get(name), images)
    assert finish == "stop"
    assert not calls
    assert "Simulated reply" in text
    assert get(name).default_question in text  # the default question was asked
    # Each image reached the server under its label.
    assert "- Image 1: shot1.png, 300×200 px" in text
    assert "- Image 2: shot2.png, 300×200 px" in text
    assert demo_server.chat_requests[-1].roles == ["system", "user"]
    assert demo_server.chat_requests[-1].response_format is None


@pytest.mark.parametrize("name", ["invoice-json", "alt-text"])
def test_schema_presets_answer_json_that_matches(demo_server: DemoServer, name: str) -> None:
    preset = get(name)
    text, calls, finish = ask_with(demo_server, preset, [png_bytes(200, 300)])
    assert finish == "stop"
    assert not calls
    parsed = parse_reply(text)
    assert parsed.ok
    assert preset.schema is not None
    assert validate(parsed.value, preset.schema) == []
    assert demo_server.chat_requests[-1].response_format == preset.response_format()


def test_json_object_preset(demo_server: DemoServer) -> None:
    text, _, _ = ask_with(demo_server, get("moderation"), [png_bytes(64, 64)], "Check it")
    assert isinstance(parse_reply(text).value, dict)
    assert demo_server.chat_requests[-1].response_format == {"type": "json_object"}


def test_function_preset(demo_server: DemoServer) -> None:
    preset = get("invoice-function")
    text, calls, finish = ask_with(demo_server, preset, [png_bytes(64, 64)])
    assert (text, finish) == ("", "tool_calls")
    [call] = calls.calls()
    assert call.name == "record_line_items"
    assert preset.schema is not None
    assert validate(json.loads(call.arguments), preset.schema) == []
    assert calls.deltas > 50


# -- ask --preset ----------------------------------------------------------------------------


def run_ask(*args: str, config: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GROK_VISION_CONFIG_DIR": str(config)}
    return subprocess.run(
        [sys.executable, "-m", "app", "ask", *args],
        text=True,
        capture_output=True,
        timeout=60,
        env=env,
        check=False,
    )


def test_ask_preset_prints_json_and_user_presets_are_found(tmp_path: Path) -> None:
    image = tmp_path / "receipt.png"
    image.write_bytes(png_bytes(120, 200))
    store = SettingsStore(tmp_path)
    settings = store.load()
    settings.presets = [
        Preset(
            "short", "Short answer", system_prompt="Be short.", default_question="Describe briefly."
        ).to_dict()
    ]
    store.save(settings)
    with DemoServer() as server:
        call = run_ask(
            "--base-url",
            server.base_url,
            "--preset",
            "invoice-function",
            "--image",
            str(image),
            config=tmp_path,
        )
        fenced = run_ask(
            "--base-url",
            server.base_url,
            "--preset",
            "invoice-json",
            "--image",
            str(image),
            config=tmp_path,
        )
        text = run_ask(
            "--base-url",
            server.base_url,
            "--preset",
            "short",
            "--image",
            str(image),
            config=tmp_path,
        )
        listing = run_ask("--preset", "list", config=tmp_path)
        unknown = run_ask("--base-url", server.base_url, "--preset", "nope", "x", config=tmp_path)
        empty = run_ask("--base-url", server.base_url, "--preset", "ocr", config=tmp_path)
    preset = get("invoice-function")
    assert preset.schema is not None
    assert call.returncode == 0, call.stderr
    assert validate(json.loads(call.stdout), preset.schema) == []
    assert "function call: record_line_items" in call.stderr
    assert fenced.returncode == 0, fenced.stderr
    assert json.loads(fenced.stdout)["line_items"]
    assert text.returncode == 0, text.stderr
    assert "Image 1: receipt.png," in text.stdout
    assert "> Describe briefly." in text.stdout
    assert "short" in listing.stdout
    assert "invoice-json" in listing.stdout
    assert unknown.returncode == 2
    assert "no preset named “nope”" in unknown.stderr
    assert empty.returncode == 2
    assert "no question" in empty.stderr
