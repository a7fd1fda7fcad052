"""The difference view: the changed region highlighted, the rest faded; other sizes compared."""

from __future__ import annotations

import io

from PIL import Image

from app.core.images.difference import HIGHLIGHT, difference, difference_name


def png(im: Image.Image) -> bytes:
    buffer = io.BytesIO()
    im.save(buffer, "PNG")
    return buffer.getvalue()


def test_changed_pixels_are_highlighted_and_the_rest_is_not() -> None:
    before = Image.new("RGB", (400, 300), (40, 120, 200))
    after = before.copy()
    after.paste((250, 250, 250), (100, 50, 180, 90))  # a button that changed
    after.putpixel((300, 200), (45, 124, 205))  # compression noise: not a change
    result = difference(png(before), png(after), ("before.png", "after.png"))
    assert result.size == (400, 300)
    assert result.box == (100, 50, 180, 90)
    assert result.changed == 80 * 40
    assert not result.rescaled
    with Image.open(io.BytesIO(result.png)) as view:
        shown = view.convert("RGB")
    assert shown.crop((100, 50, 180, 90)).getcolors() == [(80 * 40, HIGHLIGHT)]
    assert shown.getpixel((300, 200)) != HIGHLIGHT
    assert shown.getpixel((10, 10)) != HIGHLIGHT
    assert HIGHLIGHT not in {c for _n, c in shown.crop((0, 100, 400, 300)).getcolors()}


def test_images_of_other_sizes_are_compared_at_the_first_ones_size() -> None:
    before = Image.new("RGB", (200, 100), (0, 0, 0))
    after = Image.new("RGB", (400, 200), (0, 0, 0))
    after.paste((255, 255, 255), (200, 0, 400, 200))  # the right half changed
    result = difference(png(before), png(after), ("a.png", "b.png"))
    assert result.rescaled
    assert result.size == (200, 100)
    assert result.box is not None
    assert 95 <= result.box[0] <= 101
    assert 0.45 < result.share < 0.55


def test_identical_images_have_no_difference() -> None:
    same = png(Image.new("RGB", (50, 50), (9, 9, 9)))
    result = difference(same, same, ("a.png", "a.png"))
    assert result.changed == 0
    assert result.box is None
    assert difference_name("a.png", "b.png") == "difference of a.png and b.png"
