"""Models, language models, tokenize-text and api-key on the demo endpoint."""

from __future__ import annotations

import openai
import pytest
from support.demo import post_json, raw_request

from app.core.budget import estimate_text_tokens
from app.demo import DEMO_API_KEY, DemoServer

AUTH = {"Authorization": f"Bearer {DEMO_API_KEY}"}
MODEL_IDS = ["grok-4", "grok-4-fast-non-reasoning", "grok-vision-demo-8k", "grok-3-mini"]


def test_models_list(demo_client: openai.OpenAI) -> None:
    models = demo_client.models.list()
    assert [m.id for m in models.data] == MODEL_IDS
    for model in models.data:
        assert model.object == "model"
        assert model.owned_by == "xai"
        assert model.created > 0
    assert demo_client.models.retrieve("grok-4").id == "grok-4"
    with pytest.raises(openai.NotFoundError):
        demo_client.models.retrieve("grok-2-vision-1212")


def test_models_list_raw_shape(demo_server: DemoServer) -> None:
    body = raw_request(demo_server.base_url + "/models", headers=AUTH).json()
    assert body["object"] == "list"
    assert set(body["data"][0]) == {"id", "created", "object", "owned_by"}


def test_language_models_shape(demo_server: DemoServer) -> None:
    response = raw_request(demo_server.base_url + "/language-models", headers=AUTH)
    assert response.status == 200
    models = {m["id"]: m for m in response.json()["models"]}
    assert list(models) == MODEL_IDS
    keys = {"id", "fingerprint", "created", "object", "owned_by", "version", "input_modalities",
            "output_modalities", "prompt_text_token_price", "cached_prompt_text_token_price",
            "prompt_image_token_price", "completion_text_token_price", "search_price", "aliases"}
    for model in models.values():
        assert set(model) == keys
        assert model["output_modalities"] == ["text"]
        assert model["fingerprint"].startswith("fp_")
        assert all(isinstance(model[k], int) for k in keys if k.endswith("_price"))
    grok4 = models["grok-4"]
    assert grok4["input_modalities"] == ["text", "image"]
    assert (grok4["prompt_text_token_price"], grok4["prompt_image_token_price"],
            grok4["completion_text_token_price"], grok4["cached_prompt_text_token_price"]) \
        == (30000, 30000, 150000, 7500)
    assert "grok-4-latest" in grok4["aliases"]
    assert models["grok-3-mini"]["input_modalities"] == ["text"]
    assert models["grok-vision-demo-8k"]["input_modalities"] == ["text", "image"]

    one = raw_request(demo_server.base_url + "/language-models/grok-3-mini", headers=AUTH)
    assert one.json() == models["grok-3-mini"]
    gone = raw_request(demo_server.base_url + "/language-models/grok-2-vision", headers=AUTH)
    assert gone.status == 404
    assert "Model not found" in gone.json()["error"]


def test_tokenize_text(demo_server: DemoServer) -> None:
    text = "Hello, wonderful world! Ça va?"
    response = post_json(demo_server.base_url + "/tokenize-text",
                         {"text": text, "model": "grok-4"})
    assert response.status == 200
    tokens = response.json()["token_ids"]
    assert "".join(t["string_token"] for t in tokens) == text
    assert b"".join(bytes(t["token_bytes"]) for t in tokens) == text.encode("utf-8")
    assert all(isinstance(t["token_id"], int) and t["token_id"] >= 0 for t in tokens)
    assert tokens[0]["string_token"] == "Hell"
    assert [t["string_token"] for t in tokens[1:3]] == ["o", ","]
    assert abs(len(tokens) - estimate_text_tokens(text)) <= 2

    again = post_json(demo_server.base_url + "/tokenize-text",
                      {"text": "Hello", "model": "grok-4"}).json()["token_ids"]
    assert again[0]["token_id"] == tokens[0]["token_id"]  # stable ids


def test_tokenize_text_errors(demo_server: DemoServer) -> None:
    url = demo_server.base_url + "/tokenize-text"
    assert post_json(url, {"text": 3, "model": "grok-4"}).status == 422
    assert post_json(url, {"text": "a"}).status == 422
    missing = post_json(url, {"text": "a", "model": "grok-2-vision-1212"})
    assert missing.status == 404
    assert "Model not found" in missing.json()["error"]
    assert post_json(url, {"text": "", "model": "grok-4"}).json() == {"token_ids": []}


def test_api_key(demo_server: DemoServer) -> None:
    response = raw_request(demo_server.base_url + "/api-key", headers=AUTH)
    assert response.status == 200
    body = response.json()
    assert set(body) == {"redacted_api_key", "user_id", "name", "create_time", "modify_time",
                         "modified_by", "team_id", "acls", "api_key_id", "team_blocked",
                         "api_key_blocked", "api_key_disabled"}
    assert body["redacted_api_key"] == "xai-...-key"
    assert DEMO_API_KEY not in response.body.decode()
    assert body["api_key_blocked"] is False
    assert body["team_blocked"] is False
    wrong = raw_request(demo_server.base_url + "/api-key",
                        headers={"Authorization": "Bearer xai-other"})
    assert wrong.status == 400
