"""Pixel conversions before encoding: turn upright, bring odd modes to 8 bits, drop unused alpha."""

from __future__ import annotations

from PIL import Image

from .formats import format_label

_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_ORIENTATION_WORDS = {
    2: "mirrored",
    3: "rotated 180°",
    4: "flipped",
    5: "rotated and mirrored",
    6: "rotated 90° clockwise",
    7: "rotated and mirrored",
    8: "rotated 90° counter-clockwise",
}

# Modes sent as stored by each format when nothing else needs changing.
PLAIN_MODES: dict[str, frozenset[str]] = {
    "JPEG": frozenset({"L", "RGB"}),
    "PNG": frozenset({"1", "L", "LA", "P", "RGB", "RGBA"}),
    "GIF": frozenset({"L", "P"}),
    "WEBP": frozenset({"RGB", "RGBA"}),
}
_WIDE_GREY = frozenset({"I;16", "I;16L", "I;16B", "I;16N", "I", "F"})
_RGB_FAMILY = frozenset({"RGB", "RGBA", "RGBX", "RGBa", "P", "PA"})
_GREY_FAMILY = frozenset({"1", "L", "LA", "La"})


def upright(im: Image.Image, orientation: int) -> tuple[Image.Image, str | None]:
    """Apply an EXIF orientation to the pixels; the note says what was done."""
    method = _TRANSPOSE.get(orientation)
    if method is None:
        return im, None
    words = _ORIENTATION_WORDS[orientation]
    return im.transpose(method), f"turned upright: {words} (EXIF orientation {orientation})"


def to_working_mode(im: Image.Image, *, keep_palette: bool) -> tuple[Image.Image, str | None]:
    """Bring any mode to L, LA, RGB or RGBA (or keep 1/P, which PNG stores compactly).

    CMYK and other colour spaces become RGB; 16-bit and 32-bit greys are scaled (not clipped)
    to 8 bits.
    """
    mode = im.mode
    if mode in {"L", "LA", "RGB", "RGBA"} or (keep_palette and mode in {"1", "P"}):
        return im, None
    if mode == "1":
        return im.convert("L"), None
    if mode in {"P", "PA"}:
        return im.convert("RGBA" if im.has_transparency_data else "RGB"), None
    if mode in {"La", "RGBa"}:
        return im.convert("RGBA" if mode == "RGBa" else "LA"), None
    if mode in _WIDE_GREY:
        bits = "32-bit" if mode in {"I", "F"} and _extrema(im)[1] > 65535 else "16-bit"
        return _grey_to_8bit(im), f"converted from {bits} to 8-bit grey"
    converted = im.convert("RGB")
    return converted, (None if mode == "RGBX" else f"converted from {format_label(mode)} to RGB")


def _extrema(im: Image.Image) -> tuple[float, float]:
    low, high = im.getextrema()
    assert isinstance(low, int | float)
    assert isinstance(high, int | float)
    return low, high


def _grey_to_8bit(im: Image.Image) -> Image.Image:
    """16-bit data divided by 256; other ranges stretched linearly to 0–255."""
    wide = im.convert("F") if im.mode == "F" else im.convert("I")
    low, high = _extrema(wide)
    if im.mode.startswith("I;16") or (low >= 0 and 255 < high <= 65535):
        return wide.point(lambda v: v / 256).convert("L")
    if low >= 0 and high <= 255:
        return wide.convert("L")
    span = (high - low) or 1
    return wide.point(lambda v: (v - low) * 255 / span).convert("L")


def alpha_in_use(im: Image.Image) -> bool:
    """True when some pixel is not fully opaque."""
    if im.mode in {"LA", "RGBA"}:
        low, _ = im.getchannel("A").getextrema()
        assert isinstance(low, int | float)
        return low < 255
    return im.mode == "P" and im.has_transparency_data


def drop_unused_alpha(im: Image.Image) -> Image.Image:
    """RGBA → RGB and LA → L when every pixel is opaque (smaller files, JPEG possible)."""
    if im.mode in {"LA", "RGBA"} and not alpha_in_use(im):
        return im.convert("L" if im.mode == "LA" else "RGB")
    return im


def for_jpeg(im: Image.Image) -> Image.Image:
    """L or RGB for the JPEG encoder; any transparency is flattened onto white."""
    if im.mode in {"L", "RGB"}:
        return im
    if im.mode == "1":
        return im.convert("L")
    rgba = im.convert("RGBA") if im.mode != "LA" else im
    if rgba.mode == "LA":
        background = Image.new("L", rgba.size, 255)
        background.paste(rgba.getchannel("L"), mask=rgba.getchannel("A"))
        return background
    background = Image.new("RGB", rgba.size, (255, 255, 255))
    background.paste(rgba, mask=rgba.getchannel("A"))
    return background


def icc_for(source_mode: str, output_mode: str, icc: object) -> bytes | None:
    """The source's ICC profile when it still describes the output's colour space."""
    if not isinstance(icc, bytes) or not icc:
        return None
    same_family = (source_mode in _RGB_FAMILY and output_mode in _RGB_FAMILY) or (
        source_mode in _GREY_FAMILY and output_mode in _GREY_FAMILY
    )
    return icc if same_family else None
