"""Small previews of prepared images, for the tray and the history: JPEG or PNG, whichever is
smaller (PNG when the image has transparency). A photo's PNG thumbnail can outweigh the photo.
A large image gets a screen-sized copy too, for the preview's first paint."""

from __future__ import annotations

import io

from PIL import Image, UnidentifiedImageError

from ..imagetypes import ImageError, PreparedImage, ScreenCopy
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
    return _smallest(small)


def thumbnail_and_screen_copy(
    image: PreparedImage, thumbnail_side: int, screen_side: int
) -> tuple[bytes, ScreenCopy | None]:
    """The tray's thumbnail and, when `image` is larger than a `screen_side` square, a copy of it
    that fits one (None otherwise), from a single decode at a reduced scale (call from a worker
    thread). The copy is JPEG when the image is, PNG (fast, not the smallest) when it is not."""
    if image.width <= screen_side and image.height <= screen_side:
        return thumbnail_bytes(image, thumbnail_side), None
    try:
        with open_header(io.BytesIO(image.data), image.name) as im:
            im.draft(None, (screen_side, screen_side))
            im.load()
            screen = _displayable(im)
    except UnidentifiedImageError:
        raise ImageError(image.name, "the stored image data is not an image") from None
    except BOMB_ERRORS:
        raise ImageError(image.name, "is too large to open safely") from None
    except DECODE_ERRORS:
        label = format_label(image.mime.removeprefix("image/").upper())
        raise ImageError(image.name, damaged_reason(label)) from None
    # Box-reduced then bilinear: no ringing at sharp edges (a screenshot's stay true).
    screen.thumbnail((screen_side, screen_side), Image.Resampling.BILINEAR, reducing_gap=2.0)
    encoded = io.BytesIO()
    if image.mime == "image/jpeg" and "A" not in screen.getbands():
        screen.save(encoded, "JPEG", quality=JPEG_QUALITY)
    else:
        screen.save(encoded, "PNG", compress_level=1)
    copy = ScreenCopy(image.sha256, encoded.getvalue(), screen.width, screen.height)
    small = screen.copy()
    small.thumbnail((thumbnail_side, thumbnail_side), Image.Resampling.LANCZOS)
    return _smallest(small), copy


def _smallest(small: Image.Image) -> bytes:
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
