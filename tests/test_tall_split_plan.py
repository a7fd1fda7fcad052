"""The plan of a tall page's split: how many parts, where the cuts are, what each costs."""

from __future__ import annotations

import pytest

from app.core.budget import image_tokens
from app.core.images.tall_split import OVERLAP, part_name, plan_split


def test_a_whole_web_page_is_split_into_equal_overlapping_parts() -> None:
    split = plan_split(1080, 8000, max_parts=10)
    assert split is not None
    assert split.count == 6
    width, height = split.part_size
    assert width == 1080
    assert height <= 1080 * 1.415  # no taller than a portrait page
    assert split.rows[0][0] == 0
    assert split.rows[-1][1] == 8000  # the whole page, to its last row
    for (top, bottom), (next_top, _) in zip(split.rows, split.rows[1:], strict=False):
        assert bottom - top == height
        assert bottom - next_top >= OVERLAP  # each cut line is whole in one part or the next
    assert split.tokens() == 6 * image_tokens(1080, height)
    assert split.whole_tokens() == image_tokens(1080, 8000) == 1792
    assert split.boxes()[1] == (0, split.rows[1][0], 1080, split.rows[1][1])


@pytest.mark.parametrize("size", [(1920, 1080), (1080, 2000), (300, 600), (0, 5000)])
def test_pages_that_are_not_tall_are_not_split(size: tuple[int, int]) -> None:
    assert plan_split(*size, max_parts=10) is None


def test_the_parts_fit_the_images_a_message_takes() -> None:
    split = plan_split(400, 20000, max_parts=4)
    assert split is not None
    assert split.count == 4
    assert split.rows[-1][1] == 20000
    assert plan_split(400, 20000, max_parts=1) is None


def test_parts_are_labelled_in_order() -> None:
    assert part_name("page.png", 0, 6) == "page.png, part 1 of 6"
