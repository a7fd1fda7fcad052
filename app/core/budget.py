"""The token budget: the image tile formula, a text estimate, and the cost of a request.

Image tokens follow xAI's tile formula on the pixels actually sent: the image is cut into
448×448 tiles of 256 tokens each, at most 6 tiles count, and one extra tile is always added.

Text is estimated, never known before the server answers, so figures built from it are shown
with "≈". The estimate counts word pieces and punctuation marks (`_PIECE`), charging long words
one token per four characters, and takes the larger of that and one token per four characters
overall. It runs a little high on English prose, which is the safe side for a budget.
"""

from __future__ import annotations

import math
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass

TILE_SIZE = 448
TOKENS_PER_TILE = 256
MAX_TILES = 6
MIN_IMAGE_TOKENS = TOKENS_PER_TILE * 2
MAX_IMAGE_TOKENS = TOKENS_PER_TILE * (MAX_TILES + 1)

# Chat framing: each message costs a few tokens for its role and separators, and the reply is
# primed with a few more (the tokenize endpoint's docs warn a chat request costs a little more).
TOKENS_PER_MESSAGE = 4
TOKENS_PER_REQUEST = 3

_PIECE = re.compile(r"\w+|[^\w\s]", re.UNICODE)


def image_tiles(width: int, height: int) -> int:
    """Tiles of 448×448 px that cover an image of this size."""
    if width <= 0 or height <= 0:
        raise ValueError(f"image size must be positive, got {width}×{height}")
    return math.ceil(width / TILE_SIZE) * math.ceil(height / TILE_SIZE)


def image_tokens(width: int, height: int) -> int:
    """Prompt tokens of one image: 256 × (min(6, tiles) + 1)."""
    return TOKENS_PER_TILE * (min(MAX_TILES, image_tiles(width, height)) + 1)


def estimate_text_tokens(text: str) -> int:
    """An estimate (≈) of the tokens in a piece of text; see the module docstring.

    The meter estimates the whole conversation again on every change, many times a turn on
    the GUI thread, so estimates are remembered by text: counting the pieces of a 1 MB reply
    takes a tenth of a second, and of 200 turns' worth of replies about as long.
    """
    if not text:
        return 0
    if len(text) < _REMEMBER_FROM:
        return _estimate(text)
    return _REMEMBERED.get(text)


def _estimate(text: str) -> int:
    pieces = sum(max(1, math.ceil(len(m) / 4)) for m in _PIECE.findall(text))
    return max(pieces, math.ceil(len(text) / 4))


class _Remembered:
    """Estimates by text, the least recently used forgotten past `max_chars` of text (the
    texts are mostly the conversation's own strings, so keeping them costs little)."""

    def __init__(self, max_chars: int) -> None:
        self.max_chars = max_chars
        self._estimates: OrderedDict[str, int] = OrderedDict()
        self._chars = 0
        self._lock = threading.Lock()  # the demo endpoint estimates in its own threads

    def get(self, text: str) -> int:
        with self._lock:
            known = self._estimates.get(text)
            if known is not None:
                self._estimates.move_to_end(text)
                return known
        tokens = _estimate(text)
        with self._lock:
            if text not in self._estimates and len(text) <= self.max_chars:
                self._estimates[text] = tokens
                self._chars += len(text)
                while self._chars > self.max_chars:
                    dropped, _ = self._estimates.popitem(last=False)
                    self._chars -= len(dropped)
        return tokens


_REMEMBER_FROM = 32  # characters; shorter texts are counted afresh each time
_REMEMBERED = _Remembered(8_000_000)


@dataclass(frozen=True)
class BudgetEstimate:
    """What the next request will use, split so the meter can explain itself."""

    context_window: int
    reply_reserve: int  # max_tokens kept free for the answer
    history_tokens: int  # everything already in the conversation, system prompt included
    history_exact: bool  # True when history_tokens comes from the server's usage
    history_image_tokens: int  # of which images (by formula or as the server taught)
    draft_text_tokens: int
    draft_image_tokens: int
    unknown_images: int = 0  # images whose cost cannot be known yet (remote URLs)

    @property
    def prompt_tokens(self) -> int:
        return self.history_tokens + self.draft_text_tokens + self.draft_image_tokens

    @property
    def needed(self) -> int:
        """Tokens of the window this request needs, reply room included."""
        return self.prompt_tokens + self.reply_reserve

    @property
    def fits(self) -> bool:
        return self.needed <= self.context_window

    @property
    def over_by(self) -> int:
        return max(0, self.needed - self.context_window)

    @property
    def fraction(self) -> float:
        return self.needed / self.context_window if self.context_window else 1.0
