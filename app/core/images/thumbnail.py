"""Small previews of prepared images, for the tray and the history: JPEG or PNG, whichever is
smaller (PNG when the image has transparency). A photo's PNG thumbnail can outweigh the photo."""

from __future__ import annotations

import io

from PIL import Image, UnidentifiedImageError

from ..imagetypes import ImageError, PreparedImage
from .formats import damaged_reason, format_label
from .opener import BOMB_ERRORS, DECODE_ERRORS, open_header

JPEG_QUALITY = 90  # high enough that text in a screenshot's thumbnail stays clean


def thumbnail_bytes(image: PreparedImage, max_side: int = 160) -> bytes:
    """JPEG or PNG bytes of `image` scaled to fit a `max_side` square (never enlarged).

    Decoding is the costly part: call from a worker thread. A JPEG is decoded at a reduced
    scale straight away (libjpeg's DCT scaling).
    """
    if max_side < 1:
        raise ValueError(f"max_side must be at least 1, got {max_side}")
    try:
        with open_header(io.BytesIO(image.data), image.name) as im:
            im.draft(None, (max_side, max_side))
            im.load()
            small = _displayable(im)
            small.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    except UnidentifiedImageError:
        raise ImageError(image.name, "the stored image data is not an image") from None
    except BOMB_ERRORS:
        raise ImageError(image.name, "is too large to open safely") from None
    except DECODE_ERRORS:
        label = format_label(image.mime.removeprefix("image/").upper())
        raise ImageError(image.name, damaged_reason(label)) from None
    png = io.BytesIO()
    small.save(png, "PNG", optimize=True)
    if "A" in small.getbands():
        return png.getvalue()
    jpeg = io.BytesIO()
    small.save(jpeg, "JPEG", quality=JPEG_QUALITY)
    return min(png.getvalue(), jpeg.getvalue(), key=len)


def _displayable(im: Image.Image) -> Image.Image:
    """A mode that scales smoothly and that PNG stores: L, LA, RGB or RGBA."""
    if im.mode in {"L", "LA", "RGB", "RGBA"}:
        return im.copy()
    if im.mode == "1":
        return im.convert("L")
    if im.mode in {"P", "PA"}:
        return im.convert("RGBA" if im.has_transparency_data else "RGB")
    return im.convert("RGBA" if "A" in im.getbands() else "RGB")
