"""The difference view of two images: which pixels changed, highlighted (worker thread).

Both images are decoded from the bytes that are sent, brought to RGB and to the same size (the
second scaled to the first's when they differ, which the result says), and compared with
`ImageChops.difference`. The view is the first image faded to grey, with every pixel that
changed by more than `THRESHOLD` (on any channel) painted in `HIGHLIGHT`. The result is a PNG
ready for the tray, the share of pixels that changed and the box around them.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageChops, ImageOps

from app.core.images.opener import open_header
from app.core.imagetypes import ImageError

THRESHOLD = 24  # a change smaller than this on every channel is compression noise
HIGHLIGHT = (255, 0, 200)  # magenta: rare in screenshots, strong on grey
FADE = 0.35  # how much of the first image shows under the highlight (as grey)


@dataclass(frozen=True)
class Difference:
    png: bytes
    size: tuple[int, int]
    changed: int  # pixels that changed
    box: tuple[int, int, int, int] | None  # around the changed pixels; None: no change
    rescaled: bool  # the second image was scaled to the first's size

    @property
    def share(self) -> float:
        return self.changed / (self.size[0] * self.size[1])


def _rgb(data: bytes, name: str) -> Image.Image:
    try:
        with open_header(io.BytesIO(data), name) as im:
            im.load()
            return ImageOps.exif_transpose(im).convert("RGB")
    except OSError as exc:
        raise ImageError(name, f"cannot be decoded ({exc})") from exc


def difference(first: bytes, second: bytes, names: tuple[str, str]) -> Difference:
    """The difference view of `second` against `first` (encoded bytes)."""
    a = _rgb(first, names[0])
    b = _rgb(second, names[1])
    rescaled = a.size != b.size
    if rescaled:
        b = b.resize(a.size, Image.Resampling.LANCZOS)
    delta = ImageChops.difference(a, b)
    # The largest change of the three channels, then changed / unchanged.
    red, green, blue = delta.split()
    largest = ImageChops.lighter(ImageChops.lighter(red, green), blue)
    mask = largest.point(lambda v: 255 if v > THRESHOLD else 0, mode="1")
    grey = ImageOps.grayscale(a).point(lambda v: round(255 - (255 - v) * FADE))
    view = Image.merge("RGB", (grey, grey, grey))
    view.paste(HIGHLIGHT, (0, 0, *a.size), mask)
    changed = mask.convert("L").histogram()[255]
    buffer = io.BytesIO()
    view.save(buffer, "PNG", optimize=False)
    return Difference(buffer.getvalue(), a.size, changed, mask.getbbox(), rescaled)


def difference_name(first: str, second: str) -> str:
    return f"difference of {first} and {second}"
