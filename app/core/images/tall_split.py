"""Splitting a tall page (a whole web page captured at once) into parts of readable height.

Sent whole, a 1080×8000 screenshot is cut into 54 tiles of which six are counted: the model
sees it squeezed. Split, each part is an image of the page's full width and at most a portrait
page's height (`READABLE_ASPECT` × the width), priced by the tile formula like any image. The
parts share a small overlap, so a line of text cut by one edge is whole in the next part; the
cut rows are spread evenly, so every part has the same height. Pure arithmetic: the cutting
itself is a crop per part (`app.core.crop.crop_prepared`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from app.core.budget import TILE_SIZE, image_tokens

TALL_ASPECT = 2.5  # an image this many times taller than wide is a tall page
READABLE_ASPECT = math.sqrt(2)  # a part is at most as tall as a portrait page (A4) is
MIN_PART = 2 * TILE_SIZE  # never parts shorter than two tile rows
OVERLAP = 64  # rows each part shares with the next, at least


@dataclass(frozen=True)
class TallSplit:
    """How a tall page is split: the (top, bottom) rows of each part, in order."""

    width: int
    height: int
    rows: tuple[tuple[int, int], ...]

    @property
    def count(self) -> int:
        return len(self.rows)

    @property
    def part_size(self) -> tuple[int, int]:
        top, bottom = self.rows[0]
        return self.width, bottom - top

    def boxes(self) -> list[tuple[int, int, int, int]]:
        """(left, top, right, bottom) of each part."""
        return [(0, top, self.width, bottom) for top, bottom in self.rows]

    def tokens(self) -> int:
        """The prompt tokens of all the parts."""
        return sum(image_tokens(self.width, bottom - top) for top, bottom in self.rows)

    def whole_tokens(self) -> int:
        """The prompt tokens of the page sent as it is."""
        return image_tokens(self.width, self.height)


def is_tall(width: int, height: int) -> bool:
    return width > 0 and height >= TALL_ASPECT * width and height > MIN_PART


def plan_split(width: int, height: int, max_parts: int) -> TallSplit | None:
    """The split of a `width`×`height` page into at most `max_parts` parts, or None when the
    page is not tall (or cannot be split into two parts or more)."""
    if not is_tall(width, height) or max_parts < 2:
        return None
    readable = max(MIN_PART, math.floor(width * READABLE_ASPECT))
    count = math.ceil((height - OVERLAP) / (readable - OVERLAP))
    count = max(2, min(count, max_parts))
    # Equal parts that overlap by OVERLAP rows at least: count × part − (count − 1) × OVERLAP
    # covers the height.
    part = min(height, math.ceil((height + (count - 1) * OVERLAP) / count))
    step = (height - part) / (count - 1)
    rows = tuple((round(i * step), round(i * step) + part) for i in range(count))
    return TallSplit(width, height, rows)


def part_name(name: str, index: int, count: int) -> str:
    """ "page.png, part 2 of 6" (parts counted from 1)."""
    return f"{name}, part {index + 1} of {count}"
