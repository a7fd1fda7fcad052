"""The simulated model's reply: honest, deterministic, and shaped by the request."""

from __future__ import annotations

import json
import re
from typing import Any

import openai
from support.demo import (
    image_part,
    png_bytes,
    split_png,
    user_message,
)

from app.core.budget import estimate_text_tokens
from app.demo import DemoServer


def _ask(client: openai.OpenAI, *messages: Any, **extra: Any) -> str:
    reply = client.chat.completions.create(model="grok-4.7", messages=list(messages), **extra)
    content = reply.choices[0].message.content
    assert isinstance(content, str)
    return content


def test_reply_says_it_is_simulated_and_describes_the_images(demo_client: openai.OpenAI) -> None:
    text = _ask(
        demo_client,
        user_message(
            "What colour is it?",
            png_bytes(449, 448),
            split_png(200, 100, (0, 0, 255), (255, 255, 0)),
        ),
    )
    first_line = text.splitlines()[0]
    assert "Simulated reply from the local demo endpoint" in first_line
    assert "no real model saw your images" in first_line
    assert "Image 1: 449×448 px, 2 tiles → 768 tokens, dominant colours #ff0000 (100 %)" in text
    assert (
        "Image 2: 200×100 px, 1 tile → 512 tokens, dominant colours #0000ff (75 %), "
        "#ffff00 (25 %)" in text
    )
    assert "> What colour is it?" in text
    assert "```" not in text
    assert 200 < len(text) < 1000


def test_image_labels_are_not_quoted_as_the_question(demo_client: openai.OpenAI) -> None:
    # The app sends "Image 1: name.png" before each image; the question is the other text.
    message = {
        "role": "user",
        "content": [
            {"type": "text", "text": "Image 1: before.png"},
            image_part(png_bytes(10, 10)),
            {"type": "text", "text": "Image 2: after.png"},
            image_part(png_bytes(20, 20)),
            {"type": "text", "text": "What changed?"},
        ],
    }
    text = _ask(demo_client, message)
    assert "> What changed?" in text
    assert "Image 1: before" not in text.split("> ", 1)[1]  # not quoted as the question
    # Each image is described under the name the client gave it.
    assert "- Image 1: before.png, 10×10 px" in text
    assert "- Image 2: after.png, 20×20 px" in text


def test_reply_counts_the_history_and_describes_only_the_last_message(
    demo_client: openai.OpenAI,
) -> None:
    text = _ask(
        demo_client,
        user_message("One", png_bytes(10, 10), png_bytes(20, 20)),
        {"role": "assistant", "content": "Seen."},
        user_message("Two", png_bytes(30, 30, (0, 255, 0))),
    )
    assert "3 images in 2 user turns (3 messages)" in text
    assert "Image 1: 30×30 px" in text
    assert "Image 2" not in text
    assert "> Two" in text


def test_reply_without_images(demo_client: openai.OpenAI) -> None:
    text = _ask(demo_client, {"role": "user", "content": "Just text"})
    assert "No image in your message" in text
    assert "0 images in 1 user turn" in text


def test_code_question_gets_a_fenced_block(demo_client: openai.OpenAI) -> None:
    text = _ask(demo_client, user_message("Write code to count tiles", png_bytes(900, 10)))
    assert "```python" in text
    assert "sizes = [(900, 10)]" in text
    assert text.rstrip().endswith("```")


def test_json_mode_returns_parseable_json(demo_client: openai.OpenAI) -> None:
    text = _ask(
        demo_client,
        user_message("Describe", png_bytes(448, 449)),
        response_format={"type": "json_object"},
    )
    body = json.loads(text)
    assert body["simulated"] is True
    assert body["images"] == [
        {
            "index": 1,
            "width": 448,
            "height": 449,
            "tiles": 2,
            "tokens": 768,
            "dominant_colours": [{"hex": "#ff0000", "percent": 100.0}],
        }
    ]
    assert body["history"] == {"images": 1, "user_turns": 1, "messages": 1}
    assert body["question"] == "Describe"


def test_json_mode_streamed_is_parseable(demo_client: openai.OpenAI) -> None:
    with demo_client.chat.completions.create(
        model="grok-4.7",
        messages=[user_message("J", png_bytes(5, 5))],
        stream=True,
        response_format={"type": "json_object"},
    ) as stream:
        text = "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
    assert json.loads(text)["images"][0]["width"] == 5


def test_max_tokens_cuts_the_reply_with_finish_reason_length(
    demo_server: DemoServer, demo_client: openai.OpenAI
) -> None:
    messages = [user_message("Short please", png_bytes(40, 40))]
    reply = demo_client.chat.completions.create(model="grok-4.7", messages=messages, max_tokens=10)
    content = reply.choices[0].message.content or ""
    assert reply.choices[0].finish_reason == "length"
    assert reply.usage is not None
    assert reply.usage.completion_tokens == estimate_text_tokens(content) <= 10
    assert reply.usage.completion_tokens >= 9
    full = _ask(demo_client, *messages)
    assert full.startswith(content)
    assert len(full) > len(content)

    with demo_client.chat.completions.create(
        model="grok-4.7",
        messages=messages,
        max_completion_tokens=10,
        stream=True,
        stream_options={"include_usage": True},
    ) as stream:
        chunks = list(stream)
    finishes = [c.choices[0].finish_reason for c in chunks if c.choices]
    assert finishes[-1] == "length"
    streamed = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert streamed == content
    assert chunks[-1].usage is not None
    assert chunks[-1].usage.completion_tokens <= 10
    assert demo_server.chat_requests[-1].finish_reason == "length"


def test_asked_to_continue_it_writes_the_rest_of_its_reply(demo_client: openai.OpenAI) -> None:
    messages: list[Any] = [user_message("Describe it", png_bytes(40, 40))]
    full = _ask(demo_client, *messages)
    cut = _ask(demo_client, *messages, max_tokens=12)
    assert full.startswith(cut)
    go_on = {"role": "user", "content": "Continue your previous reply exactly where it stopped."}
    rest = _ask(demo_client, *messages, {"role": "assistant", "content": cut}, go_on)
    assert cut + rest == full
    # Cut again, and continued again: still the one reply.
    part = _ask(demo_client, *messages, {"role": "assistant", "content": cut}, go_on, max_tokens=8)
    last = _ask(demo_client, *messages, {"role": "assistant", "content": cut + part}, go_on)
    assert cut + part + last == full
    # Any other reply before the request is not one it can continue: it answers as ever.
    other = _ask(demo_client, *messages, {"role": "assistant", "content": "Elsewhere."}, go_on)
    assert other.startswith("*Simulated reply")


def test_generous_max_tokens_finishes_with_stop(demo_client: openai.OpenAI) -> None:
    reply = demo_client.chat.completions.create(
        model="grok-4.7", messages=[{"role": "user", "content": "hi"}], max_tokens=4000
    )
    assert reply.choices[0].finish_reason == "stop"


TOOLS: list[Any] = [
    {
        "type": "function",
        "function": {
            "name": "record_colour",
            "parameters": {"type": "object", "properties": {"colour": {"type": "string"}}},
        },
    }
]


def test_every_tool_call_gets_its_own_id(demo_client: openai.OpenAI) -> None:
    messages = [user_message("Which colour?", png_bytes(8, 8))]
    ids = []
    for _ in range(2):
        reply = demo_client.chat.completions.create(
            model="grok-4.7", messages=messages, tools=TOOLS
        )
        calls = reply.choices[0].message.tool_calls or []
        assert reply.choices[0].finish_reason == "tool_calls"
        ids.append(calls[0].id)
    with demo_client.chat.completions.create(
        model="grok-4.7", messages=messages, tools=TOOLS, stream=True
    ) as stream:
        ids.extend(
            c.choices[0].delta.tool_calls[0].id
            for c in stream
            if c.choices and c.choices[0].delta.tool_calls and c.choices[0].delta.tool_calls[0].id
        )
    assert len(ids) == 3
    assert len(set(ids)) == 3
    assert all(re.fullmatch(r"call_[0-9a-f]{24}", i) for i in ids)
