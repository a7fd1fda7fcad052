"""Marks as data and burned into pixels: what changes, what is covered, what stays."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from app.core.images import prepare_bytes
from app.core.limits import XAI_LIMITS
from app.core.markup import (
    RED,
    ArrowMark,
    MarkupEdit,
    NumberMark,
    RectMark,
    RedactMark,
    RedactStyle,
    TextMark,
    markup_note,
    pixel_block,
)
from app.core.markup_burn import burn, markup_prepared

GREEN = (30, 160, 60)


def striped(size: tuple[int, int] = (400, 300)) -> Image.Image:
    """Vertical stripes of many colours: a region to hide that is anything but uniform."""
    im = Image.new("RGB", size)
    for x in range(size[0]):
        for y in range(size[1]):
            im.putpixel((x, y), ((x * 7) % 256, (y * 5) % 256, ((x + y) * 3) % 256))
    return im


def changed(before: Image.Image, after: Image.Image) -> set[tuple[int, int]]:
    a, b = before.convert("RGB"), after.convert("RGB")
    return {
        (x, y)
        for x in range(a.width)
        for y in range(a.height)
        if a.getpixel((x, y)) != b.getpixel((x, y))
    }


def test_a_rectangle_draws_its_outline_only() -> None:
    im = Image.new("RGB", (200, 100), GREEN)
    out = burn(im, (RectMark((20, 10, 120, 80), width=3),))
    assert out.getpixel((20, 10)) == RED
    assert out.getpixel((22, 50)) == RED  # inside the 3-px left edge
    assert out.getpixel((119, 79)) == RED  # the far corner, right and bottom exclusive
    assert out.getpixel((70, 45)) == GREEN  # the inside is untouched
    assert out.getpixel((120, 80)) == GREEN
    assert all(10 <= y < 80 and 20 <= x < 120 for x, y in changed(im, out))
    assert im.getpixel((20, 10)) == GREEN  # the original is not drawn on


def test_an_arrow_a_number_and_a_text_draw_where_they_are_put() -> None:
    im = Image.new("RGB", (300, 200), GREEN)
    arrow = burn(im, (ArrowMark((20, 100), (200, 100), width=4),))
    assert arrow.getpixel((100, 100)) == RED  # the shaft
    assert arrow.getpixel((195, 100)) == RED  # the head
    assert all(10 < x <= 201 and 60 < y < 140 for x, y in changed(im, arrow))

    number = burn(im, (NumberMark((150, 100), 3, width=3),))
    spots = changed(im, number)
    assert spots
    assert all(abs(x - 150) <= 21 and abs(y - 100) <= 21 for x, y in spots)
    colours = {number.getpixel(p) for p in spots}
    assert RED in colours
    assert (255, 255, 255) in colours

    text = burn(im, (TextMark((10, 10), "Here", width=3),))
    spots = changed(im, text)
    assert len(spots) > 100
    assert all(x >= 8 and y >= 8 for x, y in spots)  # right and below its corner
    assert RED in {text.getpixel(p) for p in spots}


def test_a_black_redaction_leaves_only_black_and_nothing_outside_changes() -> None:
    im = striped()
    box = (50, 40, 210, 120)
    out = burn(im, (RedactMark(box),))
    region = out.crop(box)
    assert region.getcolors() == [(160 * 80, (0, 0, 0))]
    assert changed(im, out) <= {(x, y) for x in range(50, 210) for y in range(40, 120)}


def test_pixelation_leaves_uniform_blocks_too_coarse_to_read() -> None:
    im = striped()
    box = (50, 40, 210, 120)
    block = pixel_block(box)
    assert block == 27  # a third of the 80-px short side
    out = burn(im, (RedactMark(box, RedactStyle.PIXELATE),))
    for bx in range(50, 210, block):
        for by in range(40, 120, block):
            piece = out.crop((bx, by, min(210, bx + block), min(120, by + block)))
            assert len(piece.getcolors() or []) == 1  # one colour per block
    assert changed(im, out) <= {(x, y) for x in range(50, 210) for y in range(40, 120)}
    assert pixel_block((0, 0, 20, 10)) == 16  # never finer than 16 px


def test_the_prepared_image_is_covered_and_keeps_its_size() -> None:
    buffer = io.BytesIO()
    striped((640, 480)).save(buffer, "PNG")
    prepared = prepare_bytes(buffer.getvalue(), "shot.png", XAI_LIMITS)
    marks = (RectMark((10, 10, 100, 100), width=3), RedactMark((300, 200, 500, 300)))
    result = markup_prepared(prepared, marks, XAI_LIMITS)
    sent = result.prepared
    assert (sent.width, sent.height) == (640, 480)
    assert sent.notes[0] == result.note == "marked up (1 mark), 1 region redacted"
    with Image.open(io.BytesIO(sent.data)) as decoded:
        rgb = decoded.convert("RGB")
    assert rgb.crop((300, 200, 500, 300)).getcolors() == [(200 * 100, (0, 0, 0))]
    assert rgb.getpixel((10, 50)) == RED
    assert rgb.getpixel((600, 20)) == striped((640, 480)).getpixel((600, 20))
    with Image.open(io.BytesIO(result.source)) as source:
        assert source.format == "PNG"


def test_the_edit_undoes_and_redoes() -> None:
    edit = MarkupEdit()
    heard: list[int] = []
    edit.subscribe(lambda: heard.append(len(edit.marks)))
    first, second = RectMark((0, 0, 5, 5), 3), RedactMark((1, 1, 4, 4))
    edit.add(first)
    assert edit.next_number() == 1
    edit.add(NumberMark((2, 2), edit.next_number(), 3))
    assert edit.next_number() == 2
    edit.add(second)
    assert edit.marks[-1] == second
    edit.undo()
    edit.undo()
    assert edit.marks == (first,)
    assert edit.can_redo()
    edit.redo()
    assert len(edit.marks) == 2
    edit.clear()
    assert edit.marks == ()
    edit.undo()
    assert len(edit.marks) == 2
    edit.add(second)  # a new mark forgets what could be redone
    assert not edit.can_redo()
    edit.reset()
    assert edit.marks == ()
    assert not edit.can_undo()
    assert heard == [1, 2, 3, 2, 1, 2, 0, 2, 3, 0]


@pytest.mark.parametrize(
    ("marks", "note"),
    [
        ((RectMark((0, 0, 1, 1), 3),), "marked up (1 mark)"),
        ((RedactMark((0, 0, 1, 1)), RedactMark((2, 2, 3, 3))), "2 regions redacted"),
    ],
)
def test_the_note_says_what_was_done(marks: tuple[RectMark | RedactMark, ...], note: str) -> None:
    assert markup_note(marks) == note
