"""Fitting a conversation into the window: the plan, the copy it makes, low-detail images."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from app.core.budget import MIN_IMAGE_TOKENS, TILE_SIZE, image_tokens
from app.core.conversation import Conversation, ImagePart, Status, TextPart, Usage
from app.core.fitting import (
    FitPlan,
    apply_plan,
    droppable_turns,
    dropped_message_ids,
    image_keys,
    low_detail_key,
)
from app.core.forecast import estimate_next, request_estimate
from app.core.images import prepare_bytes
from app.core.images.low_detail import low_detail_size, make_low_detail, standin
from app.core.imagetypes import PreparedImage
from app.core.limits import XAI_LIMITS


def png(width: int, height: int, mode: str = "RGB") -> PreparedImage:
    buffer = io.BytesIO()
    Image.new(mode, (width, height), "teal").save(buffer, "PNG")
    return prepare_bytes(buffer.getvalue(), f"shot-{width}x{height}.png", XAI_LIMITS)


def jpeg(width: int, height: int) -> PreparedImage:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "orange").save(buffer, "JPEG")
    return prepare_bytes(buffer.getvalue(), "photo.jpg", XAI_LIMITS)


def answered(conversation: Conversation, parts: list[TextPart | ImagePart], reply: str) -> None:
    conversation.add_user(list(parts))
    message = conversation.begin_reply("grok-4")
    message.parts = [TextPart(reply)]
    message.status = Status.COMPLETE


@pytest.fixture
def conversation() -> Conversation:
    convo = Conversation(system_prompt="Be brief.")
    answered(convo, [ImagePart(image=png(1600, 1200)), TextPart("What is this?")], "A chart.")
    answered(
        convo,
        [ImagePart(image=png(900, 500)), ImagePart(image=png(300, 300)), TextPart("And these?")],
        "Two more charts.",
    )
    return convo


def test_an_empty_plan_sends_the_conversation_as_it_is(conversation: Conversation) -> None:
    assert FitPlan().empty
    assert apply_plan(conversation, FitPlan(), {}) is conversation


def test_a_left_out_image_becomes_a_note_and_the_original_is_untouched(
    conversation: Conversation,
) -> None:
    second = conversation.messages[2]
    plan = FitPlan().with_image((second.id, 0), dropped=True)
    sent = apply_plan(conversation, plan, {})
    assert [len(m.images) for m in sent.messages] == [1, 0, 1, 0]
    assert "left out" in sent.messages[2].text
    assert "shot-900x500.png" in sent.messages[2].text
    assert sent.messages[2].id == second.id
    assert len(second.images) == 2  # the conversation the user sees keeps the image
    # The API messages carry the remaining image with its label and the note in its place.
    api = sent.to_api_messages(lambda image: "data:x")
    kinds = [part["type"] for part in api[3]["content"]]
    assert kinds.count("image_url") == 1
    # The image that stays keeps the number the user knows it by.
    texts = [part["text"] for part in api[3]["content"] if part["type"] == "text"]
    assert texts[0] == "[Image 1 (“shot-900x500.png”) left out of this request to save tokens]"
    assert texts[1] == "Image 2: shot-300x300.png"


def test_a_low_detail_image_is_replaced_by_its_one_tile_version(conversation: Conversation) -> None:
    first = conversation.messages[0]
    original = first.images[0].image
    assert original is not None
    low = make_low_detail(original)
    assert (low.width, low.height) == (TILE_SIZE, 336)
    assert image_tokens(low.width, low.height) == MIN_IMAGE_TOKENS
    plan = FitPlan().with_image((first.id, 0), low=True)
    sent = apply_plan(conversation, plan, {low_detail_key(original): low})
    part = sent.messages[0].images[0]
    assert part.image is low
    assert part.detail == "low"
    assert part.tokens == MIN_IMAGE_TOKENS
    api = sent.to_api_messages(lambda image: f"data:{image.sha256}")
    image_part = next(p for p in api[1]["content"] if p["type"] == "image_url")
    assert image_part["image_url"] == {"url": f"data:{low.sha256}", "detail": "low"}
    # Not made yet: the image is sent as it is rather than not at all.
    assert apply_plan(conversation, plan, {}).messages[0].images[0].image is original


def test_dropping_the_oldest_turns_keeps_a_question_still_waiting(
    conversation: Conversation,
) -> None:
    assert droppable_turns(conversation) == 2
    conversation.add_user([TextPart("Third question")])
    assert droppable_turns(conversation) == 2  # the last question waits for its answer
    plan = FitPlan().with_dropped_turns(5)
    sent = apply_plan(conversation, plan, {})
    assert [m.text for m in sent.messages] == ["Third question"]
    assert len(dropped_message_ids(conversation, plan)) == 4
    one = apply_plan(conversation, FitPlan(dropped_turns=1), {})
    assert [m.role for m in one.messages] == ["user", "assistant", "user"]


def test_a_plan_forgets_what_no_longer_exists(conversation: Conversation) -> None:
    keys = list(image_keys(conversation))
    assert len(keys) == 3
    plan = FitPlan(frozenset({keys[0], ("gone", 0)}), frozenset({("gone", 1)}), 9)
    assert plan.pruned(conversation) == FitPlan(frozenset({keys[0]}), frozenset(), 2)
    assert plan.pruned(Conversation()).empty


def test_low_detail_sizes_keep_the_aspect_and_fit_one_tile() -> None:
    assert low_detail_size(1600, 1200) == (448, 336)
    assert low_detail_size(100, 4000) == (11, 448)
    assert low_detail_size(300, 200) == (300, 200)
    for size in [(449, 449), (8192, 1), (1, 8192), (4000, 3000)]:
        width, height = low_detail_size(*size)
        assert image_tokens(width, height) == MIN_IMAGE_TOKENS
    with pytest.raises(ValueError, match="positive"):
        low_detail_size(0, 10)


def test_low_detail_keeps_png_transparency_and_makes_jpeg_from_jpeg() -> None:
    clear = png(2000, 1000, "RGBA")
    low = make_low_detail(clear)
    assert low.mime == "image/png"
    assert (low.width, low.height) == (448, 224)
    with Image.open(io.BytesIO(low.data)) as decoded:
        assert decoded.mode == "RGBA"
    assert "low detail" in low.notes[-1]
    photo = make_low_detail(jpeg(1000, 1000))
    assert photo.mime == "image/jpeg"
    assert (photo.width, photo.height) == (448, 448)
    small = png(200, 100)
    assert make_low_detail(small) is small  # already one tile
    assert standin(clear).data == b""
    assert (standin(clear).width, standin(clear).height) == (448, 224)


def test_the_estimate_follows_the_plan(conversation: Conversation) -> None:
    full = estimate_next(conversation, "", [], context_window=32_768, reply_reserve=2048)
    first = conversation.messages[0]
    original = first.images[0].image
    assert original is not None
    plan = FitPlan().with_image((first.id, 0), low=True)
    low = estimate_next(
        apply_plan(conversation, plan, {low_detail_key(original): standin(original)}),
        "",
        [],
        context_window=32_768,
        reply_reserve=2048,
    )
    assert full.history_image_tokens - low.history_image_tokens == (
        image_tokens(1600, 1200) - MIN_IMAGE_TOKENS
    )
    dropped = estimate_next(
        apply_plan(conversation, FitPlan(dropped_turns=2), {}),
        "",
        [],
        context_window=32_768,
        reply_reserve=2048,
    )
    assert dropped.history_image_tokens == 0


def test_the_server_count_corrects_the_estimate_even_after_the_plan_changes(
    conversation: Conversation,
) -> None:
    messages = conversation.messages
    sent_prefix = request_estimate(conversation.system_prompt, messages[:3])
    formula = sent_prefix.formula_images
    # The server counted text exactly 7 more than estimated, and images twice the formula.
    text = sent_prefix.text + 7
    messages[3].usage = Usage(
        prompt_tokens=text + 2 * formula,
        completion_tokens=5,
        total_tokens=text + 2 * formula + 5,
        image_tokens=2 * formula,
    )
    record = {messages[3].id: sent_prefix}
    exact = estimate_next(
        conversation, "", [], context_window=100_000, reply_reserve=0, sent=record
    )
    assert exact.history_exact
    assert exact.history_tokens == text + 2 * formula + 5 + 4
    # Leaving the first image out takes off twice its formula cost, as the server counts.
    plan = FitPlan().with_image((messages[0].id, 0), dropped=True)
    fewer = estimate_next(
        apply_plan(conversation, plan, {}),
        "",
        [],
        context_window=100_000,
        reply_reserve=0,
        sent=record,
    )
    assert not fewer.history_exact
    saved = exact.history_tokens - fewer.history_tokens
    note = request_estimate("", [apply_plan(conversation, plan, {}).messages[0]]).text - (
        request_estimate("", [messages[0]]).text
    )
    assert saved == 2 * image_tokens(1600, 1200) - note
