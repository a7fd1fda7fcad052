"""Every error status and body of the demo endpoint, in xAI's shape `{"code", "error"}`."""

from __future__ import annotations

import json
import os
import re
from dataclasses import replace
from typing import Any

import openai
import pytest
from support.demo import (
    ImageHost,
    data_url,
    image_bytes,
    image_part,
    jpeg_bytes,
    png_bytes,
    post_json,
    raw_request,
    user_message,
)

from app.demo import DEMO_API_KEY, DemoServer, models

INVALID = "Client specified an invalid argument"
UNSUPPORTED = "Unsupported image format: only JPEG and PNG images are accepted."
DOWNLOADED = "Downloaded response does not contain a valid JPG or PNG image."
MODEL = "grok-4.7"


def _chat(text: str = "Hi", *images: bytes | str, model: str = MODEL) -> dict[str, Any]:
    return {"model": model, "messages": [user_message(text, *images)]}


def _error_of(exc: openai.APIStatusError) -> str:
    """The server's message, as the app must show it."""
    message = exc.response.json()["error"]
    assert isinstance(message, str)
    return message


# -- the key -------------------------------------------------------------------------------------


def test_no_key_is_401(demo_server: DemoServer) -> None:
    response = post_json(demo_server.base_url + "/chat/completions", _chat(), key=None)
    assert response.status == 401
    assert response.json() == {
        "code": "unauthenticated:no-credentials",
        "error": "No credentials presented.",
    }
    assert demo_server.requests[-1].authorization is None
    for header in ("Bearer ", "Basic abc"):  # no bearer key in it: none presented
        empty = raw_request(demo_server.base_url + "/models", headers={"Authorization": header})
        assert empty.status == 401
        assert empty.json()["code"] == "unauthenticated:no-credentials"


def test_wrong_key_is_400_with_the_key_redacted(demo_server: DemoServer) -> None:
    with (
        openai.OpenAI(
            base_url=demo_server.base_url, api_key="xai-wrong-key-1234en", max_retries=0
        ) as client,
        pytest.raises(openai.BadRequestError) as info,
    ):
        client.chat.completions.create(**_chat())
    assert info.value.status_code == 400
    assert info.value.response.json() == {
        "code": INVALID,
        "error": "Incorrect API key provided: xa***en. You can obtain an API key from "
        "https://console.x.ai.",
    }
    assert info.value.body == info.value.response.json()["error"]
    assert "wrong-key" not in repr(demo_server.requests)


def test_every_v1_endpoint_wants_the_key(demo_server: DemoServer) -> None:
    for path in ("/models", "/language-models", "/api-key", "/models/grok-4.7"):
        assert raw_request(demo_server.base_url + path).status == 401, path
    response = post_json(
        demo_server.base_url + "/tokenize-text", {"text": "a", "model": "x"}, key="nope"
    )
    assert response.status == 400
    assert "Incorrect API key" in response.json()["error"]


# -- request shape -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/v1/nothing-here", "/chat/completions", "/"])
def test_unknown_path_is_404_as_api_x_ai_answers_it(demo_server: DemoServer, path: str) -> None:
    root = demo_server.base_url.removesuffix("/v1")
    for response in (
        raw_request(root + path),
        post_json(root + path, _chat()),
    ):  # a base URL without /v1, say
        assert response.status == 404
        assert response.headers.get_content_type() == "application/json"
        error = response.json()["error"]
        assert error["code"] == 404
        assert error["message"].startswith("The requested resource was not found.")
        assert "model" not in response.body.decode().lower()


def test_wrong_method_is_405(demo_server: DemoServer) -> None:
    response = raw_request(
        demo_server.base_url + "/chat/completions",
        headers={"Authorization": f"Bearer {DEMO_API_KEY}"},
    )
    assert response.status == 405
    assert response.headers["Allow"] == "POST"


def test_malformed_json_is_400(demo_server: DemoServer) -> None:
    response = raw_request(
        demo_server.base_url + "/chat/completions",
        method="POST",
        body=b'{"model": "grok-4.7", "messages": [',
        headers={"Authorization": f"Bearer {DEMO_API_KEY}", "Content-Type": "application/json"},
    )
    assert response.status == 400
    assert response.json()["code"] == INVALID
    assert "Malformed JSON" in response.json()["error"]


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"", "application/json"),
        (b'{"model": "grok-4.7"}', "text/plain"),
        (b'{"model": "grok-4.7"}', None),
    ],
)
def test_empty_body_or_wrong_content_type_is_415(
    demo_server: DemoServer, body: bytes, content_type: str | None
) -> None:
    headers = {"Authorization": f"Bearer {DEMO_API_KEY}"}
    if content_type is not None:
        headers["Content-Type"] = content_type
    response = raw_request(
        demo_server.base_url + "/chat/completions", method="POST", body=body, headers=headers
    )
    assert response.status == 415
    assert set(response.json()) == {"code", "error"}


@pytest.mark.parametrize(
    "body",
    [
        {"model": MODEL, "messages": "hello"},
        {"model": MODEL},
        {"model": 4, "messages": [{"role": "user", "content": "hi"}]},
        {"model": MODEL, "messages": [{"role": "user", "content": "hi"}], "stream": "yes"},
        {"model": MODEL, "messages": [{"role": "user", "content": "hi"}], "max_tokens": "10"},
        {"model": MODEL, "messages": [{"role": "robot", "content": "hi"}]},
        {"model": MODEL, "messages": [{"role": "user", "content": [{"type": "video"}]}]},
        {"model": MODEL, "messages": [{"role": "user", "content": 12}]},
        ["not", "an", "object"],
    ],
)
def test_a_field_of_the_wrong_type_is_422(demo_server: DemoServer, body: Any) -> None:
    response = post_json(demo_server.base_url + "/chat/completions", body)
    assert response.status == 422
    assert set(response.json()) == {"code", "error"}


def test_oversized_request_body_is_refused_with_413(demo_server: DemoServer) -> None:
    response = raw_request(
        demo_server.base_url + "/chat/completions",
        method="POST",
        body=b"{}",
        headers={
            "Authorization": f"Bearer {DEMO_API_KEY}",
            "Content-Type": "application/json",
            "Content-Length": str(10**12),
        },
    )
    assert response.status == 413


# -- models --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "model",
    ["grok-2-vision-1212", "grok-2-vision", "grok-2-vision-latest", "grok-3-mini", "no-such-model"],
)
def test_retired_or_unknown_model_is_400_model_not_found(
    demo_client: openai.OpenAI, model: str
) -> None:
    with pytest.raises(openai.BadRequestError) as info:
        demo_client.chat.completions.create(**_chat(model=model))
    assert info.value.response.json() == {"code": INVALID, "error": f"Model not found: {model}"}
    assert info.value.body == f"Model not found: {model}"


def test_text_only_model_refuses_images(
    demo_client: openai.OpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every model of the 2026 table takes images; a text-only one is made up for this test.
    text_only = replace(models.DEMO_MODELS[-2], id="grok-demo-text", takes_images=False)
    monkeypatch.setitem(models._BY_NAME, "grok-demo-text", text_only)
    with pytest.raises(openai.BadRequestError) as info:
        demo_client.chat.completions.create(
            **_chat("Look", png_bytes(8, 8), model="grok-demo-text")
        )
    assert "grok-demo-text" in _error_of(info.value)
    assert "image" in _error_of(info.value)
    reply = demo_client.chat.completions.create(**_chat("Text only", model="grok-demo-text"))
    assert reply.model == "grok-demo-text"


def test_prompt_longer_than_the_window_is_400_with_the_real_wording(
    demo_client: openai.OpenAI,
) -> None:
    images = [png_bytes(1400, 1400, (i * 40, 0, 0)) for i in range(5)]  # 5 × 1792 tokens
    with pytest.raises(openai.BadRequestError) as info:
        demo_client.chat.completions.create(
            **_chat("Too many", *images, model="grok-vision-demo-8k")
        )
    match = re.fullmatch(
        r"This model's maximum prompt length is 8192 but the request contains "
        r"(\d+) tokens\.",
        _error_of(info.value),
    )
    assert match is not None
    assert int(match.group(1)) > 8960
    # the same request fits a large window
    demo_client.chat.completions.create(**_chat("Fits", *images, model="grok-4.7"))


# -- images --------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["GIF", "WEBP", "BMP"])
def test_image_formats_other_than_jpeg_and_png_are_refused(
    demo_client: openai.OpenAI, fmt: str
) -> None:
    # Declared as PNG: the endpoint judges by content, not by the data URL's type.
    with pytest.raises(openai.BadRequestError) as info:
        demo_client.chat.completions.create(**_chat("?", image_bytes(16, 16, fmt)))
    assert info.value.response.json() == {"code": INVALID, "error": UNSUPPORTED}


def test_jpeg_is_accepted(demo_server: DemoServer, demo_client: openai.OpenAI) -> None:
    part = image_part(jpeg_bytes(300, 200), mime="image/jpeg")
    messages: list[Any] = [{"role": "user", "content": [part]}]
    demo_client.chat.completions.create(model=MODEL, messages=messages)
    assert demo_server.chat_requests[-1].image_sizes == [(300, 200)]


def test_truncated_png_is_refused(demo_client: openai.OpenAI) -> None:
    broken = png_bytes(200, 200)[:-40]
    with pytest.raises(openai.BadRequestError) as info:
        demo_client.chat.completions.create(**_chat("?", broken))
    assert _error_of(info.value) == UNSUPPORTED


def test_bad_base64_and_bad_data_url_are_400(demo_client: openai.OpenAI) -> None:
    for url in ("data:image/png;base64,@@@not-base64@@@", "data:image/png,rawbytes"):
        with pytest.raises(openai.BadRequestError) as info:
            demo_client.chat.completions.create(**_chat("?", url))
        assert "data URL" in _error_of(info.value)


def test_image_over_20_mib_is_refused(demo_client: openai.OpenAI) -> None:
    oversized = png_bytes(4, 4) + os.urandom(20 * 1024 * 1024 + 10)
    with pytest.raises(openai.BadRequestError) as info:
        demo_client.chat.completions.create(**_chat("big", oversized))
    assert "Image too large" in _error_of(info.value)
    assert "20 MiB" in _error_of(info.value)


def test_remote_url_is_412_since_the_demo_has_no_network(demo_client: openai.OpenAI) -> None:
    with pytest.raises(openai.APIStatusError) as info:
        demo_client.chat.completions.create(**_chat("?", "https://example.com/cat.png"))
    assert info.value.status_code == 412
    assert _error_of(info.value).startswith(DOWNLOADED)


def test_local_image_url_is_downloaded(
    demo_server: DemoServer, demo_client: openai.OpenAI, image_host: ImageHost
) -> None:
    url = image_host.url("shot.png", png_bytes(449, 448))
    reply = demo_client.chat.completions.create(**_chat("Local?", url))
    assert reply.usage is not None
    assert reply.usage.prompt_tokens_details is not None
    assert reply.usage.prompt_tokens_details.image_tokens == 768
    assert demo_server.chat_requests[-1].image_sizes == [(449, 448)]


def test_local_url_that_is_not_an_image_is_412(
    demo_client: openai.OpenAI, image_host: ImageHost
) -> None:
    url = image_host.url("page.html", b"<html>not an image</html>", "text/html")
    with pytest.raises(openai.APIStatusError) as info:
        demo_client.chat.completions.create(**_chat("?", url))
    assert info.value.status_code == 412
    assert _error_of(info.value) == DOWNLOADED
    missing = image_host.url("gone.png", b"")
    image_host.files.clear()
    with pytest.raises(openai.APIStatusError) as info:
        demo_client.chat.completions.create(**_chat("?", missing))
    assert info.value.status_code == 412
    assert "404" in _error_of(info.value)


def test_images_only_in_user_messages(demo_client: openai.OpenAI) -> None:
    messages: list[Any] = [
        {"role": "system", "content": [image_part(png_bytes(4, 4))]},
        {"role": "user", "content": "hi"},
    ]
    with pytest.raises(openai.BadRequestError):
        demo_client.chat.completions.create(model=MODEL, messages=messages)


def test_error_bodies_are_json_with_content_length(demo_server: DemoServer) -> None:
    response = post_json(demo_server.base_url + "/chat/completions", _chat(model="gone"))
    assert response.headers.get_content_type() == "application/json"
    assert int(response.headers["Content-Length"]) == len(response.body)
    assert json.loads(response.body)["code"] == INVALID
    assert data_url(b"x").startswith("data:image/png;base64,")
