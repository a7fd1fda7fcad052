"""The demo endpoint's Responses API (`POST /v1/responses`) through the real `openai` client:
the event order, text, reasoning summaries, usage and bill, the prompt cache per
`prompt_cache_key`, refused parameters, structured output, function calls, faults, the 404
switch, and the recorded request bodies."""

from __future__ import annotations

import json
from typing import Any

import openai
import pytest
from support.demo import data_url, png_bytes

from app.demo import DEMO_API_KEY, DemoServer, Fault
from app.demo.billing import cost_in_usd_ticks
from app.demo.models import resolve_model
from app.demo.reasoning import EFFORT_TOKENS
from app.demo.simulated import DISCLAIMER

PLAIN = "grok-4.20-0309-non-reasoning"
REASONING = "grok-4.3"
MESSAGE_EVENTS = [
    "response.output_item.added",
    "response.content_part.added",
    "response.output_text.delta",
    "response.output_text.done",
    "response.content_part.done",
    "response.output_item.done",
]
REASONING_EVENTS = [
    "response.output_item.added",
    "response.reasoning_summary_part.added",
    "response.reasoning_summary_text.delta",
    "response.reasoning_summary_text.done",
    "response.reasoning_summary_part.done",
    "response.output_item.done",
]
WEATHER = {
    "type": "function",
    "name": "weather",
    "description": "The weather in a city",
    "parameters": {
        "type": "object",
        "properties": {"city": {"type": "string"}},
        "required": ["city"],
    },
}


def collapsed(types: list[str]) -> list[str]:
    """Event types with runs of the same delta type collapsed to one."""
    out: list[str] = []
    for kind in types:
        if not (out and out[-1] == kind and kind.endswith(".delta")):
            out.append(kind)
    return out


def stream(client: openai.OpenAI, **kwargs: Any) -> list[Any]:
    return list(client.responses.create(stream=True, **kwargs))


def user(text: str, *images: bytes) -> dict[str, Any]:
    parts: list[dict[str, Any]] = [{"type": "input_text", "text": text}]
    parts += [{"type": "input_image", "image_url": data_url(im), "detail": "high"} for im in images]
    return {"role": "user", "content": parts}


def test_a_plain_reply_streams_in_order_with_its_text_and_usage(
    demo_server: DemoServer, demo_client: openai.OpenAI
) -> None:
    events = stream(demo_client, model=PLAIN, input=[user("What is in the picture?")])
    types = [e.type for e in events]
    assert collapsed(types) == [
        "response.created",
        "response.in_progress",
        *MESSAGE_EVENTS,
        "response.completed",
    ]
    assert types.count("response.output_text.delta") > 3
    assert [e.sequence_number for e in events] == list(range(len(events)))
    assert events[0].response.status == "in_progress"
    assert events[0].response.usage is None
    deltas = [e for e in events if e.type == "response.output_text.delta"]
    assert {(d.item_id, d.output_index, d.content_index) for d in deltas} == {
        (events[2].item.id, 0, 0)
    }
    text = "".join(d.delta for d in deltas)
    done = next(e for e in events if e.type == "response.output_text.done")
    final = events[-1].response
    assert text == done.text == final.output_text
    assert text.startswith(f"*{DISCLAIMER}*")
    assert "> What is in the picture?" in text
    assert final.status == "completed"
    assert final.output[0].status == "completed"
    usage = final.usage
    record = demo_server.responses_requests[-1]
    assert usage.output_tokens == record.completion_tokens
    assert usage.output_tokens_details.reasoning_tokens == 0
    assert usage.input_tokens == record.prompt_tokens
    assert usage.total_tokens == usage.input_tokens + usage.output_tokens


def test_a_reasoning_model_streams_its_summary_first_and_bills_it_as_output(
    demo_server: DemoServer, demo_client: openai.OpenAI
) -> None:
    events = stream(
        demo_client,
        model=REASONING,
        input=[user("Describe it", png_bytes(900, 500))],
        reasoning={"effort": "low"},
        include=["reasoning.encrypted_content"],
        store=False,
    )
    assert collapsed([e.type for e in events]) == [
        "response.created",
        "response.in_progress",
        *REASONING_EVENTS,
        *MESSAGE_EVENTS,
        "response.completed",
    ]
    summary = "".join(e.delta for e in events if e.type == "response.reasoning_summary_text.delta")
    assert summary.startswith('The user asks: "Describe it".')
    assert "900×500 px" in summary
    final = events[-1].response
    reasoning, message = final.output
    assert reasoning.type == "reasoning"
    assert reasoning.summary[0].text == summary
    assert reasoning.encrypted_content  # asked for by `include`
    assert "encrypted_content" not in events[2].item.model_dump(exclude_none=True)
    assert message.type == "message"
    assert next(e.output_index for e in events if e.type == "response.output_text.delta") == 1
    usage = final.usage
    record = demo_server.responses_requests[-1]
    assert usage.output_tokens_details.reasoning_tokens == EFFORT_TOKENS["low"]
    # Responses' output_tokens includes the reasoning (the recordings say so).
    assert usage.output_tokens == record.completion_tokens + EFFORT_TOKENS["low"]
    assert usage.total_tokens == usage.input_tokens + usage.output_tokens
    assert record.image_tokens == 256 * (3 * 2 + 1)  # 900×500: 3 × 2 tiles, +1
    model = resolve_model(REASONING)
    assert model is not None
    prices = model[0].prices
    assert usage.model_extra is not None
    assert (
        usage.model_extra["cost_in_usd_ticks"]
        == record.cost_in_usd_ticks
        == (usage.input_tokens * prices.prompt + usage.output_tokens * prices.completion)
    )


def test_no_summary_without_include_or_without_thinking(demo_client: openai.OpenAI) -> None:
    events = stream(demo_client, model=REASONING, input="hi", reasoning={"effort": "none"})
    assert [i.type for i in events[-1].response.output] == ["message"]
    events = stream(demo_client, model=REASONING, input="hi", reasoning={"effort": "medium"})
    reasoning = events[-1].response.output[0]
    assert reasoning.type == "reasoning"
    assert reasoning.encrypted_content is None


def test_the_same_prompt_cache_key_gets_the_shared_prefix_cached(
    demo_server: DemoServer, demo_client: openai.OpenAI
) -> None:
    history: list[dict[str, Any]] = [
        {"role": "system", "content": "Be brief."},
        user("First look", png_bytes(448, 448)),
    ]
    first = demo_client.responses.create(
        model=PLAIN, input=history, prompt_cache_key="conv-1", store=False
    )
    assert first.usage is not None
    assert first.usage.input_tokens_details.cached_tokens == 0
    history += [
        {"role": "assistant", "content": [{"type": "output_text", "text": first.output_text}]},
        user("And now?"),
    ]
    second = stream(demo_client, model=PLAIN, input=history, prompt_cache_key="conv-1")
    usage = second[-1].response.usage
    cached = usage.input_tokens_details.cached_tokens
    assert 512 < cached < usage.input_tokens  # the system prompt and the first image message
    other = stream(demo_client, model=PLAIN, input=history, prompt_cache_key="conv-2")
    assert other[-1].response.usage.input_tokens_details.cached_tokens == 0
    record = demo_server.responses_requests[1]
    assert (record.conversation_id, record.cached_tokens) == ("conv-1", cached)
    model = resolve_model(PLAIN)
    assert model is not None
    assert usage.model_extra["cost_in_usd_ticks"] == cost_in_usd_ticks(
        model[0].prices,
        prompt_tokens=usage.input_tokens,
        cached_tokens=cached,
        completion_tokens=usage.output_tokens,
        reasoning_tokens=0,
    )


def test_effort_on_a_model_that_refuses_it_is_a_400_in_xais_words(
    demo_client: openai.OpenAI,
) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        demo_client.responses.create(model=PLAIN, input="hi", reasoning={"effort": "high"})
    assert caught.value.response.json() == {
        "code": "Client specified an invalid argument",
        "error": f"Model {PLAIN} does not support parameter reasoningEffort.",
    }
    with pytest.raises(openai.BadRequestError) as caught:
        demo_client.responses.create(model="grok-9", input="hi", stream=True)
    assert caught.value.response.json()["error"] == "Model not found: grok-9"
    with pytest.raises(openai.UnprocessableEntityError):
        demo_client.responses.create(model=PLAIN, input=[{"type": "telepathy"}])


def test_a_json_schema_format_answers_json_that_follows_it(demo_client: openai.OpenAI) -> None:
    schema = {
        "type": "object",
        "properties": {"colour": {"type": "string"}, "count": {"type": "integer"}},
        "required": ["colour", "count"],
        "additionalProperties": False,
    }
    reply = demo_client.responses.create(
        model=PLAIN,
        input=[user("Count the shapes", png_bytes(64, 64))],
        text={
            "format": {"type": "json_schema", "name": "shapes", "schema": schema, "strict": True}
        },
    )
    value = json.loads(reply.output_text)
    assert set(value) == {"colour", "count"}
    assert isinstance(value["colour"], str)
    assert isinstance(value["count"], int)
    assert reply.text is not None
    assert reply.text.format.type == "json_schema"


def test_a_function_call_streams_then_its_output_gets_an_answer(
    demo_server: DemoServer, demo_client: openai.OpenAI
) -> None:
    events = stream(
        demo_client, model=PLAIN, input="Weather in Paris?", tools=[WEATHER], tool_choice="auto"
    )
    assert collapsed([e.type for e in events]) == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.function_call_arguments.delta",
        "response.function_call_arguments.done",
        "response.output_item.done",
        "response.completed",
    ]
    added = events[2].item
    arguments = "".join(
        e.delta for e in events if e.type == "response.function_call_arguments.delta"
    )
    call = events[-1].response.output[0]
    assert call.type == "function_call"
    assert (call.call_id, call.name, call.id) == (added.call_id, "weather", added.id)
    assert call.arguments == arguments
    assert isinstance(json.loads(arguments)["city"], str)
    answer = demo_client.responses.create(
        model=PLAIN,
        input=[
            {"role": "user", "content": "Weather in Paris?"},
            {
                "type": "function_call",
                "call_id": call.call_id,
                "name": "weather",
                "arguments": arguments,
            },
            {"type": "function_call_output", "call_id": call.call_id, "output": "sunny, 21 °C"},
        ],
        tools=[WEATHER],
    )
    assert [item.type for item in answer.output] == ["message"]
    assert demo_server.responses_requests[-1].roles == ["user", "assistant", "tool"]


def test_a_reply_cut_by_max_output_tokens_ends_incomplete(demo_client: openai.OpenAI) -> None:
    events = stream(demo_client, model=PLAIN, input="Tell me everything", max_output_tokens=5)
    final = events[-1]
    assert final.type == "response.incomplete"
    assert final.response.status == "incomplete"
    assert final.response.incomplete_details.reason == "max_output_tokens"
    assert final.response.usage.output_tokens <= 5
    whole = demo_client.responses.create(model=PLAIN, input="Tell me", max_output_tokens=5)
    assert whole.status == "incomplete"


def test_without_the_responses_api_the_path_is_unknown() -> None:
    with DemoServer(responses=False) as server:
        client = openai.OpenAI(base_url=server.base_url, api_key=DEMO_API_KEY, max_retries=0)
        with pytest.raises(openai.NotFoundError):
            client.responses.create(model=PLAIN, input="hi")
        chat = client.chat.completions.create(
            model=PLAIN, messages=[{"role": "user", "content": "hi"}]
        )
        assert chat.choices[0].message.content
        server.responses = True
        assert client.responses.create(model=PLAIN, input="hi").status == "completed"
        assert [r.status for r in server.requests] == [404, 200, 200]
        client.close()


def test_a_failure_mid_stream_is_a_failed_response_or_an_error_event(
    demo_server: DemoServer, demo_client: openai.OpenAI
) -> None:
    demo_server.inject(Fault.FAILED_MID_STREAM, after_chunks=2)
    events = stream(demo_client, model=PLAIN, input="hi")
    assert [e.type for e in events].count("response.output_text.delta") == 2
    failed = events[-1]
    assert failed.type == "response.failed"
    assert failed.response.status == "failed"
    assert failed.response.error.code == "server_error"
    assert failed.response.error.message
    demo_server.inject(Fault.ERROR_EVENT, after_chunks=1)
    events = stream(demo_client, model=PLAIN, input="hi")
    assert events[-1].type == "error"
    assert events[-1].message
    assert "response.completed" not in [e.type for e in events]
    demo_server.inject(Fault.RATE_LIMIT)
    with pytest.raises(openai.RateLimitError) as caught:
        stream(demo_client, model=PLAIN, input="hi")
    assert caught.value.response.headers["retry-after"] == "1"
    demo_server.inject(Fault.DROP_MID_STREAM, after_chunks=1)
    with pytest.raises(openai.APIConnectionError):
        stream(demo_client, model=PLAIN, input="hi")
    assert demo_server.responses_requests[-1].fault is Fault.DROP_MID_STREAM


def test_the_request_bodies_are_recorded(
    demo_server: DemoServer, demo_client: openai.OpenAI
) -> None:
    demo_client.responses.create(
        model=REASONING,
        instructions="Answer in French.",
        input=[user("Quoi?", png_bytes(20, 20))],
        store=False,
        prompt_cache_key="conv-42",
        reasoning={"effort": "high"},
        stream=True,
    ).close()
    record = demo_server.responses_requests[-1]
    assert (record.method, record.path, record.status) == ("POST", "/v1/responses", 200)
    assert record.body["store"] is False
    assert record.body["prompt_cache_key"] == "conv-42"
    assert record.body["instructions"] == "Answer in French."
    assert record.body["input"][0]["content"][1]["type"] == "input_image"
    assert (record.model, record.stream, record.reasoning_effort) == (REASONING, True, "high")
    assert record.roles == ["system", "user"]
    assert record.image_sizes == [(20, 20)]
    assert record.authorization == "Bearer xa***ey"
    assert demo_server.chat_requests == []


def test_the_command_takes_no_responses(monkeypatch: pytest.MonkeyPatch) -> None:
    from app.demo import __main__ as command

    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(command, "run_demo_server", lambda **kw: calls.append(kw) or 0)
    assert command.main(["--port", "8123", "--no-responses"]) == 0
    assert command.main([]) == 0
    assert [(c["port"], c["responses"]) for c in calls] == [(8123, False), (8000, True)]
