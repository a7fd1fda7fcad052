"""The bill in every usage object (`cost_in_usd_ticks`), and prompt caching per `x-grok-conv-id`."""

from __future__ import annotations

from typing import Any

import openai
import pytest
from support.demo import open_stream, png_bytes, sse_payloads, user_message

from app.core.budget import TOKENS_PER_MESSAGE, TOKENS_PER_REQUEST, estimate_text_tokens
from app.demo import DEMO_API_KEY, DemoServer
from app.demo.billing import (
    LONG_CONTEXT_PROMPT,
    TICKS_PER_USD,
    Prices,
    UsageCounts,
    cost_in_usd_ticks,
    usage_body,
)
from app.demo.cache import PromptCache

CONV = "x-grok-conv-id"


# -- the pricing function ------------------------------------------------------------------------


def test_the_recorded_grok_3_mini_bill_comes_out_exactly() -> None:
    # XAI_API.md: prompt 12 (11 cached), completion 1, reasoning 290 at 3000/750/5000.
    grok_3_mini = Prices(prompt=3000, cached=750, completion=5000)
    assert (
        cost_in_usd_ticks(
            grok_3_mini,
            prompt_tokens=12,
            cached_tokens=11,
            completion_tokens=1,
            reasoning_tokens=290,
        )
        == 1466250
    )
    body = usage_body(
        UsageCounts(
            text_tokens=12,
            image_tokens=0,
            completion_tokens=1,
            cached_tokens=11,
            reasoning_tokens=290,
        ),
        grok_3_mini,
        grok_3_mini.doubled(),
    )
    assert body["total_tokens"] == 303
    assert body["cost_in_usd_ticks"] == 1466250


def test_a_price_in_cents_per_100m_tokens_is_ticks_per_token() -> None:
    one_million_at_two_dollars = cost_in_usd_ticks(
        Prices(prompt=20000, cached=5000, completion=60000),
        prompt_tokens=1_000_000,
        cached_tokens=0,
        completion_tokens=0,
        reasoning_tokens=0,
    )
    assert one_million_at_two_dollars == 2 * TICKS_PER_USD


@pytest.mark.parametrize(
    ("prompt", "factor"),
    [(LONG_CONTEXT_PROMPT - 1, 1), (LONG_CONTEXT_PROMPT, 2), (LONG_CONTEXT_PROMPT + 1, 2)],
)
def test_from_200k_prompt_tokens_every_token_is_billed_long(prompt: int, factor: int) -> None:
    prices = Prices(prompt=20000, cached=5000, completion=60000)
    counts = UsageCounts(
        text_tokens=prompt - 1000,
        image_tokens=1000,
        completion_tokens=100,
        cached_tokens=50_000,
        reasoning_tokens=1024,
    )
    expected = factor * ((prompt - 50_000) * 20000 + 50_000 * 5000 + 1124 * 60000)
    assert usage_body(counts, prices, prices.doubled())["cost_in_usd_ticks"] == expected


# -- the bill over the wire ----------------------------------------------------------------------


def _ask(
    client: openai.OpenAI, model: str, *messages: Any, conv: str | None = None, **extra: Any
) -> Any:
    headers = {CONV: conv} if conv is not None else None
    reply = client.chat.completions.create(
        model=model, messages=list(messages), extra_headers=headers, **extra
    )
    assert reply.usage is not None
    return reply.usage


def _ticks(usage: Any, prices: tuple[int, int, int]) -> int:
    cached = usage.prompt_tokens_details.cached_tokens
    return (
        (usage.prompt_tokens - cached) * prices[0]
        + cached * prices[1]
        + (usage.completion_tokens + usage.completion_tokens_details.reasoning_tokens) * prices[2]
    )


@pytest.mark.parametrize(
    ("model", "prices", "reasoning"),
    [
        ("grok-4.7", (20000, 5000, 60000), 1024),
        ("grok-4.5", (20000, 3000, 60000), 1024),
        ("grok-4.3", (12500, 2000, 25000), 256),
        ("grok-4.20-0309-non-reasoning", (12500, 2000, 25000), 0),
        ("grok-demo-thinking-mini", (3000, 750, 5000), 64),
        ("grok-4", (12500, 2000, 25000), 64),  # retired: served and billed as grok-4.3
        ("grok-3", (12500, 2000, 25000), 0),
    ],
)
def test_every_reply_carries_its_bill(
    demo_client: openai.OpenAI, model: str, prices: tuple[int, int, int], reasoning: int
) -> None:
    usage = _ask(demo_client, model, user_message("Bill?", png_bytes(500, 500)))
    assert usage.completion_tokens_details.reasoning_tokens == reasoning
    extra = usage.model_extra or {}
    assert extra["cost_in_usd_ticks"] == _ticks(usage, prices)
    assert extra["num_sources_used"] == 0
    assert usage.prompt_tokens_details.audio_tokens == 0


def test_the_stream_bills_like_the_whole_reply(
    demo_server: DemoServer, demo_client: openai.OpenAI
) -> None:
    body = {"model": "grok-4.7", "messages": [user_message("Stream bill", png_bytes(64, 64))]}
    whole = demo_client.chat.completions.create(**body).usage
    with open_stream(
        demo_server.base_url + "/chat/completions",
        {**body, "stream": True, "stream_options": {"include_usage": True}},
    ) as r:
        usage = sse_payloads(r.read())[-2]["usage"]
    assert whole is not None
    assert usage["cost_in_usd_ticks"] == (whole.model_extra or {})["cost_in_usd_ticks"]
    assert demo_server.chat_requests[-1].cost_in_usd_ticks == usage["cost_in_usd_ticks"]


def test_usage_in_every_chunk_bills_as_it_goes() -> None:
    with DemoServer(usage_in_every_chunk=True) as server:
        body = {
            "model": "grok-4.20-0309-non-reasoning",
            "stream": True,
            "messages": [user_message("Running bill", png_bytes(64, 64))],
        }
        with open_stream(server.base_url + "/chat/completions", body) as response:
            chunks = sse_payloads(response.read())[:-1]
    bills = [c["usage"]["cost_in_usd_ticks"] for c in chunks]
    assert bills == sorted(bills)
    assert bills[-1] - bills[0] == 25000 * (
        chunks[-1]["usage"]["completion_tokens"] - chunks[0]["usage"]["completion_tokens"]
    )


def test_a_long_prompt_is_billed_at_double_for_every_token() -> None:
    with (
        DemoServer(image_tokens_fn=lambda w, h: 100_000 * w) as server,
        openai.OpenAI(base_url=server.base_url, api_key=DEMO_API_KEY, max_retries=0) as client,
    ):
        short = _ask(client, "grok-4.7", user_message("Big", png_bytes(1, 1)))
        long = _ask(client, "grok-4.7", user_message("Big", png_bytes(2, 1)))
    assert short.prompt_tokens < LONG_CONTEXT_PROMPT <= long.prompt_tokens
    assert (short.model_extra or {})["cost_in_usd_ticks"] == _ticks(short, (20000, 5000, 60000))
    assert (long.model_extra or {})["cost_in_usd_ticks"] == _ticks(long, (40000, 10000, 120000))


# -- prompt caching ------------------------------------------------------------------------------

SYSTEM = {"role": "system", "content": "You describe images."}


def _turns(count: int) -> list[Any]:
    """A conversation of `count` user turns, each with an image, answered but the last."""
    messages: list[Any] = [SYSTEM]
    for turn in range(count):
        messages.append(user_message(f"Turn {turn}", png_bytes(100 + turn, 100)))
        if turn < count - 1:
            messages.append({"role": "assistant", "content": f"Answer {turn}."})
    return messages


def _message_tokens(message: Any) -> int:
    texts = (
        [message["content"]]
        if isinstance(message["content"], str)
        else [p["text"] for p in message["content"] if p["type"] == "text"]
    )
    images = (
        0
        if isinstance(message["content"], str)
        else 512 * sum(p["type"] == "image_url" for p in message["content"])
    )
    return TOKENS_PER_MESSAGE + sum(estimate_text_tokens(t) for t in texts) + images


def test_an_append_only_conversation_hits_the_cache(
    demo_server: DemoServer, demo_client: openai.OpenAI
) -> None:
    first = _ask(demo_client, "grok-4.7", *_turns(1), conv="conv-1")
    assert first.prompt_tokens_details.cached_tokens == 0
    second = _ask(demo_client, "grok-4.7", *_turns(2), conv="conv-1")
    # the whole earlier prompt, its messages exactly as they were, is cached
    assert second.prompt_tokens_details.cached_tokens == first.prompt_tokens - TOKENS_PER_REQUEST
    third = _ask(demo_client, "grok-4.7", *_turns(3), conv="conv-1")
    assert third.prompt_tokens_details.cached_tokens == second.prompt_tokens - TOKENS_PER_REQUEST
    assert (third.model_extra or {})["cost_in_usd_ticks"] == _ticks(third, (20000, 5000, 60000))
    assert demo_server.chat_requests[-1].cached_tokens == third.prompt_tokens_details.cached_tokens


def test_the_same_prompt_again_is_all_cached_but_the_request_framing(
    demo_client: openai.OpenAI,
) -> None:
    first = _ask(demo_client, "grok-4.3", *_turns(2), conv="again")
    again = _ask(demo_client, "grok-4.3", *_turns(2), conv="again")
    assert again.prompt_tokens_details.cached_tokens == first.prompt_tokens - TOKENS_PER_REQUEST


@pytest.mark.parametrize("conv", [None, "other"])
def test_no_header_or_another_conversation_is_not_cached(
    demo_client: openai.OpenAI, conv: str | None
) -> None:
    _ask(demo_client, "grok-4.7", *_turns(1), conv="mine")
    usage = _ask(demo_client, "grok-4.7", *_turns(2), conv=conv)
    assert usage.prompt_tokens_details.cached_tokens == 0


def test_a_changed_system_prompt_breaks_the_whole_prefix(demo_client: openai.OpenAI) -> None:
    _ask(demo_client, "grok-4.7", *_turns(2), conv="edit")
    changed = [{"role": "system", "content": "You are terse."}, *_turns(3)[1:]]
    usage = _ask(demo_client, "grok-4.7", *changed, conv="edit")
    assert usage.prompt_tokens_details.cached_tokens == 0


def test_an_edited_earlier_message_keeps_only_the_prefix_before_it(
    demo_client: openai.OpenAI,
) -> None:
    _ask(demo_client, "grok-4.7", *_turns(2), conv="edit")
    edited = _turns(3)
    edited[2] = {"role": "assistant", "content": "A different answer."}
    usage = _ask(demo_client, "grok-4.7", *edited, conv="edit")
    assert usage.prompt_tokens_details.cached_tokens == (
        _message_tokens(edited[0]) + _message_tokens(edited[1])
    )


def test_a_failed_request_does_not_touch_the_cache(demo_client: openai.OpenAI) -> None:
    _ask(demo_client, "grok-4.7", *_turns(1), conv="fail")
    with pytest.raises(openai.BadRequestError):
        _ask(demo_client, "grok-4.7", *_turns(2), conv="fail", temperature=9)
    usage = _ask(demo_client, "grok-4.7", *_turns(2), conv="fail")
    assert usage.prompt_tokens_details.cached_tokens > 0


def test_the_cache_remembers_a_bounded_number_of_conversations() -> None:
    cache = PromptCache(capacity=2)
    assert cache.exchange("a", ["m1"], [10]) == 0
    assert cache.exchange("b", ["m1"], [10]) == 0
    assert cache.exchange("a", ["m1", "m2"], [10, 5]) == 10  # "a" is now the most recent
    assert cache.exchange("c", ["m1"], [10]) == 0  # "b" is forgotten
    assert len(cache) == 2
    assert cache.exchange("b", ["m1"], [10]) == 0
    assert cache.exchange("a", ["m1", "m2", "m3"], [10, 5, 7]) == 0  # forgotten in turn
    assert cache.exchange(None, ["m1"], [10]) == 0
    with pytest.raises(ValueError, match="capacity"):
        PromptCache(capacity=0)
