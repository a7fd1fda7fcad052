"""Recorded real xAI Responses streams (tests/fixtures/xai_responses), replayed by a local
server through the real `openai` client, and the demo endpoint's events held against them:
the same event types in the same order, with the same fields in the same order."""

from __future__ import annotations

import json
from typing import Any

import openai
from support.demo import open_stream
from support.replay import ReplayServer, recorded

from app.demo import DemoServer

# grok-4.3's prices in ticks per token (USD cents per 100 million tokens): 1.25 / 0.20 / 2.50 $/M.
GROK_43 = (12_500, 2_000, 25_000)


def events_of(body: bytes) -> list[tuple[str, dict[str, Any]]]:
    """(event line, data) of every event of an SSE body."""
    out = []
    for block in body.decode("utf-8").split("\n\n"):
        if not block.strip():
            continue
        event, data = block.split("\n", 1)
        assert event.startswith("event: "), block
        assert data.startswith("data: "), block
        out.append((event[len("event: ") :], json.loads(data[len("data: ") :])))
    return out


def replayed(server: ReplayServer, name: str, **kwargs: Any) -> list[Any]:
    server.responses = recorded(f"xai_responses/{name}")
    with openai.OpenAI(base_url=server.base_url, api_key="xai-test", max_retries=0) as client:
        if name.endswith(".json"):
            return [client.responses.create(model="grok-4.3", input="hi", **kwargs)]
        return list(client.responses.create(model="grok-4.3", input="hi", stream=True, **kwargs))


def test_output_tokens_include_the_reasoning_and_the_bill_follows(
    replay_server: ReplayServer,
) -> None:
    events = replayed(replay_server, "grok-4.3-reasoning.sse", store=False, prompt_cache_key="c")
    summary = "".join(e.delta for e in events if e.type == "response.reasoning_summary_text.delta")
    assert summary == 'The user said: "Reply with only: OK"\n'
    final = events[-1].response
    assert final.output_text == "OK"
    usage = final.usage
    assert (usage.input_tokens, usage.input_tokens_details.cached_tokens) == (197, 192)
    assert (usage.output_tokens, usage.output_tokens_details.reasoning_tokens) == (123, 122)
    assert usage.total_tokens == usage.input_tokens + usage.output_tokens == 320
    prompt, cached, output = GROK_43
    ticks = (197 - 192) * prompt + 192 * cached + usage.output_tokens * output
    assert usage.model_extra["cost_in_usd_ticks"] == ticks == 3_521_500
    received = replay_server.received[-1]
    assert received.path == "/v1/responses"
    assert (received.body["store"], received.body["prompt_cache_key"]) == (False, "c")


def test_the_whole_response_object_and_its_bill(replay_server: ReplayServer) -> None:
    (reply,) = replayed(replay_server, "grok-4.3-generate.json")
    assert reply.output_text == "hello"
    assert reply.reasoning.effort == "low"
    usage = reply.usage
    prompt, cached, output = GROK_43
    assert usage.output_tokens_details.reasoning_tokens == 110
    assert usage.total_tokens == usage.input_tokens + usage.output_tokens
    assert usage.model_extra["cost_in_usd_ticks"] == (
        (usage.input_tokens - 128) * prompt + 128 * cached + usage.output_tokens * output
    )


def test_encrypted_reasoning_comes_with_the_finished_item(replay_server: ReplayServer) -> None:
    events = replayed(replay_server, "grok-code-fast-1-encrypted-reasoning.sse")
    added, done = (
        e for e in events if e.type.startswith("response.output_item") and e.output_index == 0
    )
    assert added.item.encrypted_content is None
    assert done.item.encrypted_content
    assert events[-1].response.output[0].encrypted_content == done.item.encrypted_content
    usage = events[-1].response.usage
    assert usage.total_tokens == usage.input_tokens + usage.output_tokens


def test_function_call_arguments_add_up(replay_server: ReplayServer) -> None:
    events = replayed(replay_server, "function-call.sse")
    arguments = "".join(
        e.delta for e in events if e.type == "response.function_call_arguments.delta"
    )
    done = next(e for e in events if e.type == "response.function_call_arguments.done")
    assert arguments == done.arguments == '{"location":"sf"}'


def _shape(value: Any) -> Any:
    """Field names (in order) of objects, recursively; lists by their first element."""
    if isinstance(value, dict):
        return [(k, _shape(v)) for k, v in value.items() if k not in {"usage", "error"}]
    if isinstance(value, list):
        return [_shape(value[0])] if value else []
    return None


def test_the_demo_streams_what_xai_streams(demo_server: DemoServer) -> None:
    recording = events_of(recorded("xai_responses/grok-4.3-reasoning.sse"))
    with open_stream(
        f"{demo_server.base_url}/responses",
        {"model": "grok-4.3", "input": "Reply with only: OK", "stream": True},
    ) as response:
        demo = events_of(response.read())
    assert all(event == data["type"] for event, data in demo)

    def runs(events: list[tuple[str, dict[str, Any]]]) -> list[str]:
        out: list[str] = []
        for kind, _ in events:
            if not (out and out[-1] == kind and kind.endswith(".delta")):
                out.append(kind)
        return out

    assert runs(demo) == runs(recording)

    def key(kind: str, data: dict[str, Any]) -> tuple[str, Any]:
        return kind, data.get("item", {}).get("type")

    first_of = {key(kind, data): data for kind, data in reversed(recording)}
    for kind, data in demo:
        assert _shape(data) == _shape(first_of[key(kind, data)]), kind
    usage, recorded_usage = demo[-1][1]["response"]["usage"], recording[-1][1]["response"]["usage"]
    assert _shape(usage) == _shape(recorded_usage)


def test_the_demo_answers_whole_responses_as_xai_does(demo_server: DemoServer) -> None:
    expected = json.loads(recorded("xai_responses/grok-4.3-generate.json"))
    with openai.OpenAI(base_url=demo_server.base_url, api_key="xai-demo-local-key") as client:
        raw = client.responses.with_raw_response.create(
            model="grok-4.3", input="Reply with exactly: hello", reasoning={"effort": "low"}
        )
    body = raw.http_response.json()
    assert _shape(body) == _shape(expected)
    assert body["reasoning"]["effort"] == "low"
    assert _shape(body["usage"]) == _shape(expected["usage"])
