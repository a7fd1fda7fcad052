"""Burning marks into an image's pixels (Pillow), and preparing the result to be sent.

`burn` draws the marks in order on a copy; a redacted region's pixels are replaced (solid black,
or blocks of average colour at least `MIN_BLOCK` wide), so nothing of what was under it is left
in what is sent. `markup_prepared` decodes and encodes: call it from a worker thread.
"""

from __future__ import annotations

import math

from PIL import Image, ImageDraw, ImageFont

from app.core.crop import CropResult, reprepare
from app.core.images.convert import to_working_mode
from app.core.imagetypes import PreparedImage
from app.core.limits import ImageLimits
from app.core.markup import (
    ArrowMark,
    Box,
    Mark,
    Marks,
    NumberMark,
    RectMark,
    RedactMark,
    RedactStyle,
    TextMark,
    arrow_head,
    font_size,
    marker_radius,
    markup_note,
    pixel_block,
)

_WHITE = (255, 255, 255)


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _clamped(box: Box, size: tuple[int, int]) -> Box | None:
    left, top, right, bottom = box
    left, right = max(0, left), min(size[0], right)
    top, bottom = max(0, top), min(size[1], bottom)
    return (left, top, right, bottom) if right > left and bottom > top else None


def _redact(im: Image.Image, mark: RedactMark) -> None:
    box = _clamped(mark.box, im.size)
    if box is None:
        return
    left, top, right, bottom = box
    if mark.style is RedactStyle.BLACK:
        im.paste((0, 0, 0, 255) if im.mode == "RGBA" else (0, 0, 0), box)
        return
    block = pixel_block(mark.box)
    region = im.crop(box)
    small = region.resize(
        (math.ceil((right - left) / block), math.ceil((bottom - top) / block)),
        Image.Resampling.BOX,
    )
    blocks = small.resize((small.width * block, small.height * block), Image.Resampling.NEAREST)
    im.paste(blocks.crop((0, 0, right - left, bottom - top)), (left, top))


def _draw(draw: ImageDraw.ImageDraw, mark: Mark) -> None:
    if isinstance(mark, RectMark):
        x0, y0, x1, y1 = mark.box
        draw.rectangle((x0, y0, x1 - 1, y1 - 1), outline=mark.colour, width=mark.width)
    elif isinstance(mark, ArrowMark):
        tip, left, right = arrow_head(mark.start, mark.end, mark.width)
        middle = ((left[0] + right[0]) // 2, (left[1] + right[1]) // 2)
        # The shaft stops inside the head, so its end does not poke out past the tip.
        draw.line(
            [mark.start, middle],
            fill=mark.colour,
            width=mark.width,
        )
        draw.polygon([tip, left, right], fill=mark.colour)
    elif isinstance(mark, NumberMark):
        radius = marker_radius(mark.width)
        x, y = mark.centre
        draw.ellipse(
            (x - radius, y - radius, x + radius, y + radius),
            fill=mark.colour,
            outline=_WHITE,
            width=max(1, mark.width // 2),
        )
        draw.text(
            (x, y), str(mark.number), fill=_WHITE, font=_font(round(radius * 1.2)), anchor="mm"
        )
    elif isinstance(mark, TextMark):
        draw.text(
            mark.origin,
            mark.text,
            fill=mark.colour,
            font=_font(font_size(mark.width)),
            anchor="lt",
            stroke_width=max(1, mark.width // 2),
            stroke_fill=_WHITE,
        )


def burn(im: Image.Image, marks: Marks) -> Image.Image:
    """A copy of `im` (RGB or RGBA) with the marks drawn in order."""
    mode = "RGBA" if "A" in im.mode or im.info.get("transparency") is not None else "RGB"
    out = im.convert(mode)
    draw = ImageDraw.Draw(out)
    for mark in marks:
        if isinstance(mark, RedactMark):
            _redact(out, mark)
        else:
            _draw(draw, mark)
    return out


def markup_prepared(image: PreparedImage, marks: Marks, limits: ImageLimits) -> CropResult:
    """`image` (as sent) with the marks burned in, prepared to be sent again (worker thread).

    The result is encoded as PNG (no pixel changes but the marks), then prepared as any pasted
    image: the same size, so the same tokens.
    """
    return reprepare(
        image,
        lambda im: burn(to_working_mode(im, keep_palette=False)[0], marks),
        markup_note(marks),
        limits,
    )
