"""Token figures the endpoint reports: max_tokens cuts and tokenize-text.

Counts use the same estimate as the app's budget (`app.core.budget.estimate_text_tokens`), so
that what the meter predicts and what the demo reports agree on text, and any difference the
app sees comes from images (which a test can make differ with `image_tokens_fn`).
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from app.core.budget import estimate_text_tokens

VOCABULARY_SIZE = 131_072
# A word piece is at most four word characters, with the whitespace before it; punctuation marks
# stand alone; trailing whitespace is a piece of its own. The pieces concatenate to the text.
_TOKEN = re.compile(r"\s*(?:\w{1,4}|[^\w\s])|\s+", re.UNICODE)


def cut_to_tokens(text: str, max_tokens: int | None) -> tuple[str, bool]:
    """The longest prefix of `text` within `max_tokens` (by the estimate), and whether it was cut.

    The estimate never decreases as a prefix grows, so a binary search finds the cut.
    """
    if max_tokens is None or estimate_text_tokens(text) <= max_tokens:
        return text, False
    low, high = 0, len(text)  # estimate(text[:low]) <= max_tokens < estimate(text[:high])
    while high - low > 1:
        middle = (low + high) // 2
        if estimate_text_tokens(text[:middle]) <= max_tokens:
            low = middle
        else:
            high = middle
    return text[:low], True


def token_id(piece: str) -> int:
    """A stable id for a piece: the same piece always gets the same id, across runs."""
    digest = hashlib.blake2b(piece.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") % VOCABULARY_SIZE


def tokenize(text: str) -> list[dict[str, Any]]:
    """`/v1/tokenize-text`'s `token_ids`: word pieces and punctuation with ids and bytes."""
    return [
        {
            "token_id": token_id(piece),
            "string_token": piece,
            "token_bytes": list(piece.encode("utf-8")),
        }
        for piece in _TOKEN.findall(text)
    ]
