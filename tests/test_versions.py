"""The versions of a conversation's turns (core.versions through Conversation) and what Continue
sends (core.continuation): pure Python."""

from __future__ import annotations

from app.core.billing import conversation_bill, reply_bill, request_bill
from app.core.catalog import pricing_for
from app.core.continuation import CONTINUE_PROMPT, continuation, reply_usage
from app.core.conversation import Conversation, Message, Status, TextPart, Usage
from app.store.message_extras import apply_extras, extras_json


def reply(conv: Conversation, text: str, status: Status = Status.COMPLETE) -> Message:
    message = conv.begin_reply("grok-4.3")
    message.parts, message.status = [TextPart(text)], status
    return message


def test_a_regenerated_reply_is_a_sibling_and_the_branch_follows_the_choice() -> None:
    conv = Conversation()
    conv.add_user([TextPart("q1")])
    first = reply(conv, "a")
    conv.add_user([TextPart("q2")])
    reply(conv, "b")
    hidden = conv.branch_before(first.id)
    assert [m.text for m in hidden] == ["a", "q2", "b"]
    second = reply(conv, "a, again")
    assert [m.text for m in conv.messages] == ["q1", "a, again"]
    assert conv.version(second.id) == (2, 2)
    assert second.parent == conv.messages[0].id
    target = conv.sibling(second.id, 1)
    assert target is first
    assert conv.show_version(first.id)
    assert [m.text for m in conv.messages] == ["q1", "a", "q2", "b"]  # its later turns too
    assert not conv.show_version(first.id)  # shown already
    assert len(conv.all_messages()) == 5
    assert conv.shown_ids() == {m.id for m in conv.messages}


def test_an_edited_first_question_is_a_second_root() -> None:
    conv = Conversation()
    old = conv.add_user([TextPart("first")])
    reply(conv, "answer")
    conv.branch_before(old.id)
    new = conv.add_user([TextPart("first, edited")])
    assert new.parent is None
    assert conv.version(new.id) == (2, 2)
    assert conv.show_version(conv.messages[0].id) is False
    assert conv.show_version(old.id)
    assert [m.text for m in conv.messages] == ["first", "answer"]


def test_a_search_hit_deep_in_another_branch_is_brought_forward() -> None:
    conv = Conversation()
    question = conv.add_user([TextPart("q")])
    reply(conv, "a")
    conv.add_user([TextPart("deep")])
    deep = reply(conv, "deep answer")
    conv.branch_before(question.id)
    conv.add_user([TextPart("other")])
    assert conv.show_version(deep.id)
    assert [m.text for m in conv.messages] == ["q", "a", "deep", "deep answer"]


def test_a_failed_reply_retried_leaves_no_version() -> None:
    conv = Conversation()
    conv.add_user([TextPart("q")])
    reply(conv, "", Status.FAILED)
    conv.discard_failed_reply()
    fresh = reply(conv, "ok")
    assert conv.version(fresh.id) == (1, 1)


def test_messages_appended_to_the_list_join_the_tree() -> None:
    conv = Conversation(messages=[Message(role="user", parts=[TextPart("q")])])
    conv.messages.append(Message(role="assistant", parts=[TextPart("a")]))
    conv.link()
    assert conv.messages[1].parent == conv.messages[0].id


def test_continue_sends_the_reply_so_far_and_an_instruction() -> None:
    conv = Conversation()
    conv.add_user([TextPart("q")])
    partial = reply(conv, "half of it", Status.STOPPED)
    history = continuation(conv)
    assert history is not None
    api = Conversation(messages=history).to_api_messages(lambda image: "")
    assert api[-2:] == [
        {"role": "assistant", "content": "half of it"},
        {"role": "user", "content": CONTINUE_PROMPT},
    ]
    assert partial.status is Status.STOPPED  # the reply itself is untouched
    partial.status = Status.COMPLETE
    assert continuation(conv) is None  # a complete reply is not continued…
    partial.cut = True
    assert continuation(conv) is not None  # …unless it was cut at the token limit
    partial.parts = []
    assert continuation(conv) is None  # nothing to go on from


def test_the_conversations_cost_counts_every_version() -> None:
    conv = Conversation()
    conv.add_user([TextPart("q")])
    first = reply(conv, "a")
    first.usage = Usage(prompt_tokens=1000, completion_tokens=100, total_tokens=1100)
    conv.branch_before(first.id)
    second = reply(conv, "b")
    second.usage = Usage(prompt_tokens=1000, completion_tokens=100, total_tokens=1100)
    one = conversation_bill(
        Conversation(messages=[conv.messages[0], second]), "grok-4.3", pricing_for
    )
    both = conversation_bill(conv, "grok-4.3", pricing_for)
    assert one is not None
    assert both is not None
    assert both.usd == 2 * one.usd


def test_a_continued_reply_carries_the_sum_of_its_requests() -> None:
    conv = Conversation()
    conv.add_user([TextPart("q")])
    answer = reply(conv, "a")
    first = Usage(10, 5, 15, cached_tokens=4, reasoning_tokens=7, cost_ticks=1000)
    last = Usage(20, 8, 28, reasoning_tokens=3, cost_ticks=2000)
    answer.earlier_usage, answer.usage = [first], last
    total = reply_usage(answer)
    assert total == Usage(30, 13, 43, cached_tokens=4, reasoning_tokens=10, cost_ticks=3000)
    charged = reply_bill(answer, "grok-4.3", pricing_for)
    assert charged is not None
    assert (charged.ticks, charged.exact) == (3000, True)
    only_last = request_bill(answer, "grok-4.3", pricing_for)  # what the ledger records
    assert only_last is not None
    assert only_last.ticks == 2000
    # Without the server's bill for one request the sum is the formula's, and not exact.
    answer.earlier_usage = [Usage(10, 5, 15)]
    assert reply_usage(answer) == Usage(30, 13, 43, reasoning_tokens=3)
    charged = reply_bill(answer, "grok-4.3", pricing_for)
    assert charged is not None
    assert not charged.exact
    assert charged.ticks > 2000
    # The history keeps the earlier requests with the reply (its extras).
    answer.earlier_usage = [first]
    restored = apply_extras(Message(role="assistant", parts=[]), extras_json(answer))
    assert restored.earlier_usage == [first]
