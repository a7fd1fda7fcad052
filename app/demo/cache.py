"""Prompt caching as xAI's Chat Completions offers it: per `x-grok-conv-id`, the prefix of whole
messages a request shares with the conversation's previous request is billed as cached."""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

CONV_ID_HEADER = "x-grok-conv-id"
MAX_CONVERSATIONS = 256  # conversations remembered, least recently used forgotten first


def message_key(message: Any) -> str:
    """A digest of one message exactly as sent (images included), independent of key order."""
    text = json.dumps(message, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class CachedPrompt:
    """A request's messages as the cache remembers them: a digest and the tokens of each."""

    keys: tuple[str, ...]
    tokens: tuple[int, ...]


class PromptCache:
    """The last prompt of each recent conversation; thread-safe, bounded (LRU)."""

    def __init__(self, capacity: int = MAX_CONVERSATIONS) -> None:
        if capacity < 1:
            raise ValueError(f"capacity must be at least 1, got {capacity}")
        self._capacity = capacity
        self._lock = threading.Lock()
        self._prompts: OrderedDict[str, CachedPrompt] = OrderedDict()

    def exchange(self, conv_id: str | None, keys: Sequence[str], tokens: Sequence[int]) -> int:
        """Remember this prompt for `conv_id`; return the tokens of the whole messages it shares,
        from the first, with the prompt remembered before (0 without a conversation id)."""
        if not conv_id:
            return 0
        prompt = CachedPrompt(tuple(keys), tuple(tokens))
        with self._lock:
            before = self._prompts.pop(conv_id, None)
            self._prompts[conv_id] = prompt
            while len(self._prompts) > self._capacity:
                self._prompts.popitem(last=False)
        if before is None:
            return 0
        cached = 0
        for old, new, count in zip(before.keys, prompt.keys, prompt.tokens, strict=False):
            if old != new:
                break
            cached += count
        return cached

    def __len__(self) -> int:
        with self._lock:
            return len(self._prompts)

    def clear(self) -> None:
        with self._lock:
            self._prompts.clear()
