"""Models, language models, tokenize-text and api-key on the demo endpoint."""

from __future__ import annotations

import openai
import pytest
from support.demo import post_json, raw_request

from app.core.budget import estimate_text_tokens
from app.demo import DEMO_API_KEY, DemoServer
from app.demo.billing import LONG_CONTEXT_PROMPT
from app.demo.models import listed_model

AUTH = {"Authorization": f"Bearer {DEMO_API_KEY}"}
MODEL_IDS = [
    "grok-4.7",
    "grok-4.6",
    "grok-4.5",
    "grok-4.3",
    "grok-4.20-0309-reasoning",
    "grok-4.20-0309-non-reasoning",
    "grok-vision-demo-8k",
    "grok-demo-thinking-mini",
]


def test_models_list(demo_client: openai.OpenAI) -> None:
    models = demo_client.models.list()
    assert [m.id for m in models.data] == MODEL_IDS
    for model in models.data:
        assert model.object == "model"
        assert model.owned_by == "xai"
        assert model.created > 0
    assert demo_client.models.retrieve("grok-4.7").id == "grok-4.7"
    for gone in ("grok-2-vision-1212", "grok-3-mini", "grok-4"):  # retired or only redirected
        with pytest.raises(openai.NotFoundError):
            demo_client.models.retrieve(gone)


def test_models_list_raw_shape(demo_server: DemoServer) -> None:
    body = raw_request(demo_server.base_url + "/models", headers=AUTH).json()
    assert body["object"] == "list"
    assert set(body["data"][0]) == {"id", "created", "object", "owned_by"}


def test_language_models_shape(demo_server: DemoServer) -> None:
    response = raw_request(demo_server.base_url + "/language-models", headers=AUTH)
    assert response.status == 200
    models = {m["id"]: m for m in response.json()["models"]}
    assert list(models) == MODEL_IDS
    keys = {
        "id",
        "fingerprint",
        "created",
        "object",
        "owned_by",
        "version",
        "input_modalities",
        "output_modalities",
        "prompt_text_token_price",
        "cached_prompt_text_token_price",
        "prompt_image_token_price",
        "completion_text_token_price",
        "search_price",
        "aliases",
    }
    for model in models.values():
        assert set(model) == keys
        assert model["output_modalities"] == ["text"]
        assert model["fingerprint"].startswith("fp_")
        assert all(isinstance(model[k], int) for k in keys if k.endswith("_price"))
    for model in models.values():
        assert model["input_modalities"] == ["text", "image"]
        assert model["prompt_image_token_price"] == model["prompt_text_token_price"]

    one = raw_request(demo_server.base_url + "/language-models/grok-4.5-latest", headers=AUTH)
    assert one.json() == models["grok-4.5"]
    gone = raw_request(demo_server.base_url + "/language-models/grok-2-vision", headers=AUTH)
    assert gone.status == 404
    assert "Model not found" in gone.json()["error"]


# id: (input, cached, output) in USD cents per 100M tokens, and the aliases (XAI_API.md).
CATALOGUE = {
    "grok-4.7": ((20000, 5000, 60000), []),
    "grok-4.6": ((20000, 5000, 60000), []),
    "grok-4.5": ((20000, 3000, 60000), ["grok-4.5-latest"]),
    "grok-4.3": ((12500, 2000, 25000), ["grok-4.3-latest"]),
    "grok-4.20-0309-reasoning": (
        (12500, 2000, 25000),
        ["grok-4.20-reasoning", "grok-4.20-reasoning-latest"],
    ),
    "grok-4.20-0309-non-reasoning": (
        (12500, 2000, 25000),
        ["grok-4.20-non-reasoning", "grok-4.20-non-reasoning-latest"],
    ),
    "grok-vision-demo-8k": ((2000, 500, 5000), []),
    "grok-demo-thinking-mini": ((3000, 750, 5000), []),
}


@pytest.mark.parametrize(("model_id", "prices", "aliases"), [(k, *v) for k, v in CATALOGUE.items()])
def test_language_models_give_the_2026_prices_and_aliases(
    demo_server: DemoServer, model_id: str, prices: tuple[int, int, int], aliases: list[str]
) -> None:
    body = raw_request(f"{demo_server.base_url}/language-models/{model_id}", headers=AUTH).json()
    assert (
        body["prompt_text_token_price"],
        body["cached_prompt_text_token_price"],
        body["completion_text_token_price"],
    ) == prices
    assert body["prompt_image_token_price"] == prices[0]
    assert body["aliases"] == aliases


@pytest.mark.parametrize(
    ("model_id", "window", "long_context"),
    [
        ("grok-4.7", 500_000, True),
        ("grok-4.6", 500_000, True),
        ("grok-4.5", 500_000, True),
        ("grok-4.3", 1_000_000, True),
        ("grok-4.20-0309-reasoning", 1_000_000, True),
        ("grok-4.20-0309-non-reasoning", 1_000_000, True),
        ("grok-vision-demo-8k", 8192, False),
        ("grok-demo-thinking-mini", 131_072, False),
    ],
)
def test_the_table_has_each_models_window_and_long_context_rates(
    model_id: str, window: int, long_context: bool
) -> None:
    model = listed_model(model_id)
    assert model is not None
    assert model.context_window == window
    # from 200k prompt tokens every token costs double (the table's second column)
    assert model.long_prices == model.prices.doubled()
    assert (window >= LONG_CONTEXT_PROMPT) is long_context


@pytest.mark.parametrize(
    ("model_id", "efforts", "default"),
    [
        ("grok-4.7", ("low", "medium", "high", "xhigh"), "high"),
        ("grok-4.6", ("low", "medium", "high", "xhigh"), "high"),
        ("grok-4.5", ("low", "medium", "high", "xhigh"), "high"),
        ("grok-4.3", ("none", "low", "medium", "high"), "medium"),
        ("grok-4.20-0309-reasoning", (), "medium"),  # reasons, but refuses the parameter
        ("grok-4.20-0309-non-reasoning", (), None),
        ("grok-vision-demo-8k", (), None),
        ("grok-demo-thinking-mini", ("low", "high"), "low"),
    ],
)
def test_the_table_has_each_models_reasoning_efforts(
    model_id: str, efforts: tuple[str, ...], default: str | None
) -> None:
    model = listed_model(model_id)
    assert model is not None
    assert (model.efforts, model.effort) == (efforts, default)
    assert model.streams_reasoning is (model_id == "grok-demo-thinking-mini")


def test_tokenize_text(demo_server: DemoServer) -> None:
    text = "Hello, wonderful world! Ça va?"
    response = post_json(
        demo_server.base_url + "/tokenize-text", {"text": text, "model": "grok-4.7"}
    )
    assert response.status == 200
    tokens = response.json()["token_ids"]
    assert "".join(t["string_token"] for t in tokens) == text
    assert b"".join(bytes(t["token_bytes"]) for t in tokens) == text.encode("utf-8")
    assert all(isinstance(t["token_id"], int) and t["token_id"] >= 0 for t in tokens)
    assert tokens[0]["string_token"] == "Hell"
    assert [t["string_token"] for t in tokens[1:3]] == ["o", ","]
    assert abs(len(tokens) - estimate_text_tokens(text)) <= 2

    again = post_json(
        demo_server.base_url + "/tokenize-text", {"text": "Hello", "model": "grok-4.7"}
    ).json()["token_ids"]
    assert again[0]["token_id"] == tokens[0]["token_id"]  # stable ids


def test_tokenize_text_errors(demo_server: DemoServer) -> None:
    url = demo_server.base_url + "/tokenize-text"
    assert post_json(url, {"text": 3, "model": "grok-4.7"}).status == 422
    assert post_json(url, {"text": "a"}).status == 422
    missing = post_json(url, {"text": "a", "model": "grok-2-vision-1212"})
    assert missing.status == 400
    assert missing.json()["error"] == "Model not found: grok-2-vision-1212"
    assert post_json(url, {"text": "", "model": "grok-4.7"}).json() == {"token_ids": []}


def test_api_key(demo_server: DemoServer) -> None:
    response = raw_request(demo_server.base_url + "/api-key", headers=AUTH)
    assert response.status == 200
    body = response.json()
    assert set(body) == {
        "redacted_api_key",
        "user_id",
        "name",
        "create_time",
        "modify_time",
        "modified_by",
        "team_id",
        "acls",
        "api_key_id",
        "team_blocked",
        "api_key_blocked",
        "api_key_disabled",
    }
    assert body["redacted_api_key"] == "xai-...-key"
    assert DEMO_API_KEY not in response.body.decode()
    assert body["api_key_blocked"] is False
    assert body["team_blocked"] is False
    wrong = raw_request(
        demo_server.base_url + "/api-key", headers={"Authorization": "Bearer xai-other"}
    )
    assert wrong.status == 400
