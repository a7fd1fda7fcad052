"""Retired model ids: those retired on 2026-05-15 are silently served by grok-4.3, the older ones
are "Model not found" (XAI_API.md, December 2026)."""

from __future__ import annotations

from typing import Any

import openai
import pytest
from support.demo import open_stream, png_bytes, post_json, raw_request, sse_payloads, user_message

from app.demo import DEMO_API_KEY, DemoServer

AUTH = {"Authorization": f"Bearer {DEMO_API_KEY}"}
REASONING = [
    "grok-4",
    "grok-4-0709",
    "grok-4-fast-reasoning",
    "grok-4-1-fast-reasoning",
    "grok-code-fast-1",
]
NON_REASONING = ["grok-4-fast-non-reasoning", "grok-4-1-fast-non-reasoning", "grok-3"]
GROK_43 = (12500, 2000, 25000)


def _body(model: str, **extra: Any) -> dict[str, Any]:
    return {"model": model, "messages": [user_message("Still there?", png_bytes(30, 30))], **extra}


@pytest.mark.parametrize(
    ("model", "effort", "reasoning_tokens"),
    [(m, "low", 64) for m in REASONING] + [(m, "none", 0) for m in NON_REASONING],
)
def test_ids_retired_in_may_2026_are_served_by_grok_4_3(
    demo_server: DemoServer,
    demo_client: openai.OpenAI,
    model: str,
    effort: str,
    reasoning_tokens: int,
) -> None:
    reply = demo_client.chat.completions.create(**_body(model))
    assert reply.model == "grok-4.3"
    assert reply.usage is not None
    assert reply.usage.completion_tokens_details.reasoning_tokens == reasoning_tokens
    usage = reply.usage
    expected = (
        usage.prompt_tokens * GROK_43[0] + (usage.completion_tokens + reasoning_tokens) * GROK_43[2]
    )
    assert (usage.model_extra or {})["cost_in_usd_ticks"] == expected
    record = demo_server.chat_requests[-1]
    assert (record.model, record.served_model, record.reasoning_effort) == (
        model,
        "grok-4.3",
        effort,
    )


def test_every_chunk_of_a_redirected_stream_names_grok_4_3(demo_server: DemoServer) -> None:
    body = _body("grok-4-fast-non-reasoning", stream=True, stream_options={"include_usage": True})
    with open_stream(demo_server.base_url + "/chat/completions", body) as response:
        chunks = sse_payloads(response.read())[:-1]
    assert {c["model"] for c in chunks} == {"grok-4.3"}
    assert chunks[-1]["usage"]["completion_tokens_details"]["reasoning_tokens"] == 0


def test_a_redirected_request_takes_grok_4_3s_parameters(demo_client: openai.OpenAI) -> None:
    usage = demo_client.chat.completions.create(**_body("grok-4", reasoning_effort="high")).usage
    assert usage is not None
    assert usage.completion_tokens_details.reasoning_tokens == 1024
    with pytest.raises(openai.BadRequestError) as info:
        demo_client.chat.completions.create(**_body("grok-3", reasoning_effort="xhigh"))
    assert "grok-4.3" in info.value.response.json()["error"]
    with pytest.raises(openai.BadRequestError):  # reasoning at low: no stop
        demo_client.chat.completions.create(**_body("grok-4-0709", stop=["x"]))
    demo_client.chat.completions.create(**_body("grok-3", stop=["x"]))  # at none it may


def test_redirected_ids_are_not_listed(demo_server: DemoServer) -> None:
    listed = {
        m["id"] for m in raw_request(demo_server.base_url + "/models", headers=AUTH).json()["data"]
    }
    language = raw_request(demo_server.base_url + "/language-models", headers=AUTH).json()
    names = {m["id"] for m in language["models"]} | {
        a for m in language["models"] for a in m["aliases"]
    }
    for model in [*REASONING, *NON_REASONING, "grok-3-mini", "grok-2-vision-1212"]:
        assert model not in listed
        assert model not in names
        assert (
            raw_request(f"{demo_server.base_url}/language-models/{model}", headers=AUTH).status
            == 404
        )


@pytest.mark.parametrize(
    "model", ["grok-2-vision-1212", "grok-2-vision", "grok-2-vision-latest", "grok-3-mini"]
)
def test_ids_retired_in_february_2026_are_not_found(demo_server: DemoServer, model: str) -> None:
    response = post_json(demo_server.base_url + "/chat/completions", _body(model))
    assert response.status == 400
    assert response.json() == {
        "code": "Client specified an invalid argument",
        "error": f"Model not found: {model}",
    }
    assert demo_server.chat_requests[-1].served_model is None
