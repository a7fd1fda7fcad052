"""The request body streamed in pieces: the same bytes as its JSON, over both dialects, to the
local endpoint through the real openai client; a body over the server's limit said plainly."""

from __future__ import annotations

import asyncio
import json
import tracemalloc
from concurrent.futures import ThreadPoolExecutor

import pytest
from support.images import encoded, noise_rgb

from app.core.conversation import Conversation, ImagePart, TextPart
from app.core.images import DataUriCache, prepare_bytes
from app.core.imagetypes import PreparedImage
from app.core.limits import XAI_LIMITS
from app.core.responses_input import responses_input
from app.demo import DEMO_API_KEY, DemoServer
from app.demo import handler as demo_handler
from app.llm.api_dialect import Api
from app.llm.body import CHUNK_BYTES, ImageSlots
from app.llm.client import make_client
from app.llm.errors import ChatError, ErrorKind
from app.llm.events import Finished
from app.llm.stream import ReplyRequest, RetryPolicy, stream_reply
from app.llm.too_large import RequestTooLarge

MODEL = "grok-4"
DIALECTS = [Api.CHAT, Api.RESPONSES]


def noisy_image(seed: int, size: int = 700) -> PreparedImage:
    """A PNG of noise (about 1.4 MB: it does not compress), distinct for each seed."""
    im = noise_rgb(size + seed, size)
    return prepare_bytes(encoded(im, "PNG"), f"noise-{seed}.png", XAI_LIMITS)


@pytest.fixture(scope="module")
def images() -> list[PreparedImage]:
    return [noisy_image(seed) for seed in range(3)]


def conversation(images: list[PreparedImage]) -> Conversation:
    """Two questions with images (the first image sent again in the second) and a reply."""
    conv = Conversation(system_prompt="Be brief.")
    conv.add_user([TextPart('What is in these? "quoted" é'), *map(ImagePart, images[:2])])
    reply = conv.begin_reply(MODEL)
    reply.parts = [TextPart("Noise, twice.")]
    conv.add_user([ImagePart(images[2]), ImagePart(images[0], detail="low"), TextPart("And?")])
    return conv


def request_in(
    api: Api, conv: Conversation, slots: ImageSlots | None, **kwargs: object
) -> ReplyRequest:
    encode = slots.placeholder if slots is not None else DataUriCache().data_uri
    if api is Api.RESPONSES:
        messages = responses_input(conv, encode, MODEL)
    else:
        messages = conv.to_api_messages(encode)
    return ReplyRequest(MODEL, messages, api=api, images=slots, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("api", DIALECTS)
def test_the_streamed_body_is_the_json_it_stands_for(api: Api, images: list[PreparedImage]) -> None:
    conv = conversation(images)
    whole = request_in(api, conv, None).encoded
    streamed = request_in(api, conv, ImageSlots())
    body = streamed.prepared
    chunks = list(body.chunks())
    assert b"".join(chunks) == whole
    assert body.length == len(whole)
    assert body.image_count == 4  # one image is sent twice
    assert len(chunks) > 4
    assert max(map(len, chunks)) <= CHUNK_BYTES * 3 // 2
    # What is kept between sends is text and the images' own bytes, never a data URI.
    texts = [s for s in body.segments if isinstance(s, bytes)]
    assert sum(map(len, texts)) < 4096
    assert not any(b"base64," in text for text in texts)


def test_a_typed_text_that_looks_like_a_placeholder_is_left_alone(
    images: list[PreparedImage],
) -> None:
    slots = ImageSlots()
    token = slots.placeholder(images[0])
    lookalike = token.replace(token.split("-")[1], "0" * 24)
    conv = Conversation()
    conv.add_user([TextPart(f"{lookalike} @img-1-0@"), ImagePart(images[0])])
    streamed = ReplyRequest(MODEL, conv.to_api_messages(slots.placeholder), images=slots)
    plain = ReplyRequest(MODEL, conv.to_api_messages(DataUriCache().data_uri))
    assert streamed.encoded == plain.encoded
    assert streamed.prepared.image_count == 1


def run_turn(server: DemoServer, request: ReplyRequest) -> tuple[list[object], ChatError | None]:
    events: list[object] = []

    async def main() -> ChatError | None:
        client = make_client(server.base_url, DEMO_API_KEY)
        try:
            async for event in stream_reply(client, request, RetryPolicy(max_retries=0)):
                events.append(event)
        except ChatError as error:
            return error
        finally:
            await client.close()
        return None

    return events, asyncio.run(main())


@pytest.mark.parametrize("api", DIALECTS)
@pytest.mark.parametrize("threaded", [True, False], ids=["worker", "inline"])
def test_the_endpoint_receives_the_body_intact(
    demo_server: DemoServer, images: list[PreparedImage], api: Api, threaded: bool
) -> None:
    conv = conversation(images)
    expected = json.loads(request_in(api, conv, None).encoded)
    with ThreadPoolExecutor(1, thread_name_prefix="encode") as worker:
        request = request_in(api, conv, ImageSlots(), worker=worker if threaded else None)
        events, error = run_turn(demo_server, request)
    assert error is None
    assert isinstance(events[-1], Finished)
    (recorded,) = demo_server.model_requests
    assert recorded.body == expected
    assert recorded.image_count == 4
    assert sorted(recorded.image_bytes) == sorted(len(image.data) for image in [*images, images[0]])


@pytest.mark.parametrize("api", DIALECTS)
@pytest.mark.parametrize("limit_from", ["default", "environment"])
def test_a_body_over_the_servers_limit_is_said_plainly(
    demo_server: DemoServer,
    images: list[PreparedImage],
    api: Api,
    limit_from: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if limit_from == "default":
        monkeypatch.setattr(demo_handler, "MAX_BODY_BYTES", 256 * 1024)
    else:
        monkeypatch.setenv(demo_handler.MAX_BODY_ENV, "0.25")
    request = request_in(api, conversation(images), ImageSlots())
    _, error = run_turn(demo_server, request)
    assert isinstance(error, RequestTooLarge)
    assert error.status == 413
    assert not error.retryable
    size = f"{request.prepared.length / 1e6:.1f} MB"
    assert error.describe() == (
        f"The request is too large for the server (HTTP 413): The request is {size}; the "
        "server takes at most 256 KiB: leave out images or send them at low detail."
    )
    assert [r.status for r in demo_server.model_requests] == [413]


def test_a_413_without_a_stated_limit_still_names_the_size() -> None:
    import httpx2
    import openai

    from app.llm.too_large import too_large

    response = httpx2.Response(
        413,
        json={"error": "Payload Too Large"},
        request=httpx2.Request("POST", "http://127.0.0.1/v1/chat/completions"),
    )
    exc = openai.APIStatusError("Error code: 413", response=response, body=None)
    error = too_large(exc, 300_000_000, all_sent=False)
    assert error is not None
    assert error.kind is ErrorKind.BAD_REQUEST
    assert "The request is 300 MB; the server takes less than that" in error.describe()


def test_sending_holds_a_chunk_or_two_at_a_time(images: list[PreparedImage]) -> None:
    body = request_in(Api.CHAT, conversation(images), ImageSlots()).prepared
    tracemalloc.start()
    try:
        sent = sum(len(chunk) for chunk in body.chunks())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert sent == body.length > 5 * CHUNK_BYTES
    assert peak < 3 * CHUNK_BYTES  # the whole body at once was `length` and more
