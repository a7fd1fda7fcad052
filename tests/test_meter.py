from dataclasses import replace

from test_conversation import prepared

from app.core.billing import bill, conversation_bill, forecast, usage_ticks
from app.core.budget import TOKENS_PER_MESSAGE, TOKENS_PER_REQUEST, estimate_text_tokens
from app.core.catalog import Prices, Pricing
from app.core.conversation import Conversation, ImagePart, Status, TextPart, Usage
from app.core.forecast import estimate_next
from app.core.meter import meter_figures, short_usd

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


def test_the_reading_splits_the_request_into_segments() -> None:
    conv = Conversation()
    conv.add_user([ImagePart(prepared(width=448, height=448)), TextPart("What is this?")])
    est = estimate_next(conv, "And this?", [1792], context_window=32768, reply_reserve=1024)
    figures = meter_figures(est, context_known=True)
    assert [s.kind for s in figures.segments] == ["history", "images", "draft", "reply"]
    assert figures.segment("images").tokens == 512 + 1792
    assert figures.segment("draft").tokens == est.draft_text_tokens
    assert figures.segment("reply").tokens == 1024
    assert sum(s.tokens for s in figures.segments) == est.needed == figures.needed
    assert figures.used == est.prompt_tokens  # the headline: the request, the room apart
    assert figures.estimated
    assert not figures.segment("reply").estimated


def test_an_empty_conversation_uses_only_its_framing() -> None:
    est = estimate_next(Conversation(), "", [], context_window=32768, reply_reserve=2048)
    figures = meter_figures(est, context_known=True)
    assert figures.used == TOKENS_PER_REQUEST
    assert figures.reserved == 2048
    assert figures.segment("images").tokens == figures.segment("draft").tokens == 0


def test_levels_at_75_90_and_100_percent_and_an_assumed_window() -> None:
    def level(needed: int, known: bool = True) -> str:
        est = estimate_next(Conversation(), "", [], context_window=1000, reply_reserve=0)
        est = replace(est, reply_reserve=needed - est.prompt_tokens)
        return meter_figures(est, context_known=known).level

    assert [level(n) for n in (749, 750, 899, 900, 1000, 1001)] == [
        "ok",
        "warn",
        "warn",
        "high",
        "high",
        "over",
    ]
    assert level(1001, known=False) == "high"  # the server decides past an assumed window


def test_short_dollars() -> None:
    assert [short_usd(x) for x in (0, 0.012, 0.00225, 0.0307, 0.41, 1.2, 12.3456)] == [
        "$0.00",
        "$0.012",
        "$0.0022",
        "$0.031",
        "$0.41",
        "$1.20",
        "$12.35",
    ]
    assert short_usd(0.00012) == "$0.00012"
    assert short_usd(0.0000038) == "< $0.0001"  # an empty chat's next turn
