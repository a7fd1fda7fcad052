"""Titles from a conversation's content: the cheap model chosen, the request written, the
answer cleaned, the heuristic, numbering against other titles, and the store never writing
over a title the user gave. The local endpoint answers a title request with a title."""

from __future__ import annotations

from pathlib import Path

import openai

from app.core.catalog import ModelInfo, Prices
from app.core.conversation import Conversation, TextPart
from app.core.titles import (
    TITLE_MAX_TOKENS,
    clean_title,
    default_title,
    distinct_title,
    heuristic_title,
    title_model,
    title_request,
)
from app.store.history import HistoryStore


def info(model_id: str, prices: Prices | None = None) -> ModelInfo:
    return ModelInfo(model_id, takes_images=True, prices=prices)


def test_the_cheapest_model_that_does_not_reason() -> None:
    listed = [info("grok-4.7"), info("grok-4.20-0309-reasoning"), info("grok-4.3")]
    assert title_model(listed) is None  # every catalogued one thinks
    listed.append(info("grok-4.20-0309-non-reasoning"))
    assert title_model(listed) == "grok-4.20-0309-non-reasoning"
    cheap = Prices(1_000, 1_000, 2_000, 100)
    listed += [info("tiny-vision", cheap), info("tiny-thinking", Prices(1, 1, 1, 1))]
    assert title_model(listed) == "tiny-vision"
    assert title_model([info("unknown-no-prices")]) is None


def test_the_request_reads_question_names_and_the_start_of_the_reply() -> None:
    system, user = title_request("What is  this?", "x" * 5_000, ["a.png", "b.png"])
    assert system["role"] == "system"
    assert "title" in system["content"]
    assert user["content"].startswith("Question: What is this?\nImages: a.png, b.png\n")
    assert len(user["content"]) < 1_400


def test_answers_cleaned() -> None:
    assert clean_title('Title: "Quarterly chart review."\nmore') == "Quarterly chart review"
    assert clean_title("  **Login form**  ") == "Login form"
    assert clean_title("   ") is None
    assert len(clean_title("word " * 40) or "") == 60


def test_heuristic_keeps_meaning_and_what_sets_it_apart() -> None:
    assert heuristic_title("What is in this chart?", "") == "Chart"
    assert heuristic_title("Compare these", "", ["before.png"]) == "Compare — before.png"
    assert heuristic_title("Describe it", "- Image 1: 800×600 px, 4 tiles") == (
        "Describe — 800×600 image"
    )
    assert heuristic_title("", "", ["x.png"]) == "x.png"
    assert default_title("a " * 50).endswith("…")


def test_numbered_when_another_has_it() -> None:
    assert distinct_title("Chart", ["Other"]) == "Chart"
    assert distinct_title("Chart", ["chart", "Chart (2)"]) == "Chart (3)"


def test_the_store_never_writes_over_a_users_title(tmp_path: Path) -> None:
    with HistoryStore(tmp_path) as store:
        convs = []
        for _ in range(3):
            conv = Conversation()
            conv.add_user([TextPart("Describe the screen")])
            store.save_conversation_meta(conv)
            convs.append(conv)
        default = default_title("Describe the screen")
        assert store.auto_title(convs[0].id, "Screen", default) == "Screen"
        assert store.auto_title(convs[1].id, "Screen", default) == "Screen (2)"
        store.rename(convs[2].id, "Mine")
        assert store.auto_title(convs[2].id, "Screen", default) is None
        assert store.conversation_row(convs[2].id).title == "Mine"
        assert store.auto_title(convs[0].id, "Again", default) is None  # titled once


def test_the_local_endpoint_answers_a_title_request(demo_client: openai.OpenAI) -> None:
    messages = title_request("What does this chart show?", "- Image 1: 640×480 px, …", [])
    completion = demo_client.chat.completions.create(
        model="grok-4.20-0309-non-reasoning",
        messages=messages,  # type: ignore[arg-type]
        max_tokens=TITLE_MAX_TOKENS,
    )
    assert completion.choices[0].message.content == "Chart Show (640×480)"
    assert completion.choices[0].finish_reason == "stop"
    assert completion.usage is not None
    assert completion.usage.completion_tokens < TITLE_MAX_TOKENS


def test_a_message_is_not_a_title_request(demo_client: openai.OpenAI) -> None:
    completion = demo_client.chat.completions.create(
        model="grok-4.3",
        messages=[{"role": "user", "content": "A title for my conversation with Bob?"}],
    )
    assert "Simulated reply" in (completion.choices[0].message.content or "")
