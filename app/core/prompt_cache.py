"""What the server's prompt cache will likely serve of the next request, and what breaks it.

xAI bills a request's prefix that it has cached at a quarter of the input price or less, when the
requests of one conversation carry the same conversation id and the history is only appended
to. An edit of an earlier message, a changed system prompt, an image left out or sent at low
detail, or dropped turns change the prefix: from that message on, everything is billed in full.

The forecast trusts the cache only once the server has shown that it caches this conversation
(a reply reported `cached_tokens`), and then expects the previous request's prompt to be cached
when the next request starts with all of its messages unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from app.core.conversation import Message

MessageKey = tuple[object, ...]


def message_key(message: Message) -> MessageKey:
    """What of a message reaches the server: its role, text, images (by content and detail),
    and function calls."""
    images = tuple(
        (part.image.sha256 if part.image is not None else part.url, part.detail, part.number)
        for part in message.images
    )
    calls = tuple((call.id, call.name, call.arguments) for call in message.sent_tool_calls)
    return (message.role, message.text, images, calls)


def request_keys(system_prompt: str, messages: Sequence[Message]) -> tuple[MessageKey, ...]:
    """The keys of a request's messages in order, the system prompt first."""
    head: tuple[MessageKey, ...] = (("system", system_prompt.strip()),)
    return head + tuple(message_key(m) for m in messages)


def shared_prefix(previous: Sequence[MessageKey], current: Sequence[MessageKey]) -> int:
    """How many leading messages the two requests have in common."""
    count = 0
    for old, new in zip(previous, current, strict=False):
        if old != new:
            break
        count += 1
    return count


@dataclass(frozen=True)
class CacheOutlook:
    """The cached part of the next request's prompt, as far as it can be foreseen."""

    cached_tokens: int  # expected to be billed at the cached price
    broken: str | None = None  # what breaks the prefix the server has cached, in words
    lost_tokens: int = 0  # tokens that were cached and will be billed in full


NO_CACHE = CacheOutlook(0)


@dataclass(frozen=True)
class SentRequest:
    """What was sent for one reply: its message keys, and the prompt tokens the server counted
    (None until the reply's usage arrives)."""

    keys: tuple[MessageKey, ...]
    prompt_tokens: int | None = None


def outlook(
    previous: SentRequest | None,
    server_caches: bool,
    next_keys: Sequence[MessageKey],
    estimate_prefix: Callable[[int], int],
) -> CacheOutlook:
    """The outlook for a request with `next_keys` after `previous`. `estimate_prefix(n)` is
    the estimated prompt of the system prompt and the first n messages (used when the prefix
    breaks part way)."""
    if previous is None or previous.prompt_tokens is None or not server_caches:
        return NO_CACHE
    shared = shared_prefix(previous.keys, next_keys)
    if shared == len(previous.keys):
        return CacheOutlook(previous.prompt_tokens)
    kept = min(estimate_prefix(shared - 1), previous.prompt_tokens) if shared else 0
    if shared == 0:
        what = "the system prompt changed"
    else:
        what = (
            f"message {shared} of the conversation changed (an edit, an image left out or "
            "sent at low detail, or dropped turns)"
        )
    return CacheOutlook(kept, what, previous.prompt_tokens - kept)
