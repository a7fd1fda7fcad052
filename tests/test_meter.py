from test_conversation import prepared

from app.core.billing import bill, conversation_bill, forecast, usage_ticks
from app.core.budget import TOKENS_PER_MESSAGE, TOKENS_PER_REQUEST, estimate_text_tokens
from app.core.catalog import Prices, Pricing
from app.core.conversation import Conversation, ImagePart, Status, TextPart, Usage
from app.core.forecast import estimate_next

PRICES = Prices(
    prompt_text=20_000, prompt_image=20_000, completion_text=60_000, cached_prompt_text=5_000
)


def test_empty_conversation_with_a_draft() -> None:
    est = estimate_next(
        Conversation(), "What is this?", [1792, 512], context_window=32768, reply_reserve=1024
    )
    assert est.draft_image_tokens == 2304
    assert est.draft_text_tokens == estimate_text_tokens("What is this?") + TOKENS_PER_MESSAGE
    assert est.history_tokens == TOKENS_PER_REQUEST
    assert not est.history_exact
    assert est.needed == est.prompt_tokens + 1024


def test_unknown_url_images_are_priced_at_the_maximum() -> None:
    est = estimate_next(Conversation(), "", [None], context_window=32768, reply_reserve=0)
    assert est.draft_image_tokens == 1792
    assert est.unknown_images == 1


def test_history_becomes_exact_after_usage() -> None:
    conv = Conversation()
    conv.add_user([ImagePart(prepared(width=448, height=448)), TextPart("What is this?")])
    before = estimate_next(conv, "", [], context_window=32768, reply_reserve=0)
    assert before.history_image_tokens == 512
    reply = conv.begin_reply()
    reply.append_text("A small chart.")
    reply.status = Status.COMPLETE
    reply.usage = Usage(prompt_tokens=600, completion_tokens=5, total_tokens=605, image_tokens=512)
    after = estimate_next(conv, "", [], context_window=32768, reply_reserve=0)
    assert after.history_exact
    # The server's prompt figure plus the reply as it will be re-sent.
    assert after.history_tokens == 600 + 5 + TOKENS_PER_MESSAGE
    # A new question on top keeps the corrected history and adds its own estimate.
    conv.add_user([TextPart("And the trend?")])
    later = estimate_next(conv, "", [], context_window=32768, reply_reserve=0)
    assert not later.history_exact
    assert later.history_tokens == after.history_tokens + TOKENS_PER_MESSAGE + (
        estimate_text_tokens("And the trend?")
    )


def test_costs() -> None:
    usage = Usage(prompt_tokens=2000, completion_tokens=100, total_tokens=2100, image_tokens=1792)
    assert usage_ticks(usage, PRICES) == 2000 * 20_000 + 100 * 60_000
    conv = Conversation()
    conv.add_user([TextPart("hi")])
    reply = conv.begin_reply()
    reply.usage = usage
    total = conversation_bill(conv, "m", lambda _model: Pricing(PRICES))
    assert total is not None
    assert total == bill(usage, Pricing(PRICES))
    est = estimate_next(conv, "more", [512], context_window=32768, reply_reserve=1000)
    turn = forecast(est, Pricing(PRICES))
    assert turn.input_usd > 0
    assert turn.reply_usd == PRICES.usd(text_in=0, image_in=0, out=1000)
