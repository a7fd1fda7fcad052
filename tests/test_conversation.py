import hashlib

import pytest

from app.core.conversation import Conversation, ImagePart, Status, TextPart, Usage
from app.core.imagetypes import PreparedImage


def prepared(name: str = "chart.png", width: int = 900, height: int = 500) -> PreparedImage:
    data = name.encode() * 10
    return PreparedImage(
        name=name,
        data=data,
        mime="image/png",
        width=width,
        height=height,
        sha256=hashlib.sha256(data).hexdigest(),
        original_size=(width, height),
        original_format="PNG",
        original_bytes=len(data),
    )


def fake_encoder(image: PreparedImage) -> str:
    return f"data:{image.mime};base64,<{image.name}>"


def test_parts_keep_the_users_order_and_detail() -> None:
    conv = Conversation(system_prompt="Be brief.")
    conv.add_user(
        [
            TextPart("Compare"),
            ImagePart(prepared("a.png")),
            TextPart("with"),
            ImagePart(prepared("b.png"), detail="low"),
        ]
    )
    messages = conv.to_api_messages(fake_encoder)
    assert messages[0] == {"role": "system", "content": "Be brief."}
    content = messages[1]["content"]
    # Each image is preceded by its label, so "Image 2" means the same to user and model.
    assert [p.get("text", p["type"]) for p in content] == [
        "Compare",
        "Image 1: a.png",
        "image_url",
        "with",
        "Image 2: b.png",
        "image_url",
    ]
    assert content[2]["image_url"] == {"url": "data:image/png;base64,<a.png>", "detail": "high"}
    assert content[5]["image_url"]["detail"] == "low"


def test_whole_history_is_resent_and_failed_replies_are_not() -> None:
    conv = Conversation()
    conv.add_user([ImagePart(prepared()), TextPart("What is this?")])
    reply = conv.begin_reply("grok-4")
    reply.append_text("A chart")
    reply.append_text(" of sales.")
    reply.status = Status.COMPLETE
    conv.add_user([TextPart("And the trend?")])
    failed = conv.begin_reply()
    failed.status = Status.FAILED
    failed.error = "boom"
    messages = conv.to_api_messages(fake_encoder)
    assert [m["role"] for m in messages] == ["user", "assistant", "user"]
    assert messages[1]["content"] == "A chart of sales."
    assert messages[2]["content"] == "And the trend?"
    conv.discard_failed_reply()
    assert conv.messages[-1].role == "user"


def test_stopped_partial_reply_is_kept_in_history() -> None:
    conv = Conversation()
    conv.add_user([TextPart("Describe")])
    reply = conv.begin_reply()
    reply.append_text("Partial")
    reply.status = Status.STOPPED
    assert conv.to_api_messages(fake_encoder)[-1] == {"role": "assistant", "content": "Partial"}


def test_url_images_and_validation() -> None:
    part = ImagePart(url="https://example.com/x.png")
    assert part.tokens is None
    assert ImagePart(prepared(width=448, height=448)).tokens == 512
    with pytest.raises(ValueError, match="either"):
        ImagePart()
    with pytest.raises(ValueError, match="text or an image"):
        Conversation().add_user([])


def test_title_from_first_question() -> None:
    conv = Conversation()
    conv.add_user(
        [
            TextPart(
                "  What   does the\nQ3 revenue chart say about churn in the enterprise "
                "segment compared with last year?"
            )
        ]
    )
    assert conv.title.startswith("What does the Q3 revenue chart")
    assert len(conv.title) <= 60


def test_usage_from_both_shapes() -> None:
    raw = {
        "prompt_tokens": 1900,
        "completion_tokens": 20,
        "total_tokens": 1950,
        "prompt_tokens_details": {
            "text_tokens": 108,
            "image_tokens": 1792,
            "cached_tokens": 0,
            "audio_tokens": 0,
        },
        "completion_tokens_details": {"reasoning_tokens": 30},
    }
    usage = Usage.from_api(raw)
    assert usage.image_tokens == 1792
    assert usage.reasoning_tokens == 30
    assert usage.total_tokens == 1950
    bare = Usage.from_api({"prompt_tokens": 10, "completion_tokens": 2})
    assert bare.total_tokens == 12
    assert bare.image_tokens is None
