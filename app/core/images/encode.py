"""Encoding pixels to PNG or JPEG bytes, and the ladder that brings a file under a byte limit.

The ladder keeps text legible for as long as it can: a tighter PNG first (for content that
compresses, like screenshots), then JPEG at quality 95, 85 and 75 (never lower), and only then
smaller pixels, 0.85× per step.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, replace
from typing import Any

from PIL import Image

from ..imagetypes import ImageError
from .convert import alpha_in_use, for_jpeg, icc_for, to_working_mode
from .formats import human_bytes

JPEG_QUALITIES = (95, 85, 75)
DOWNSCALE_STEP = 0.85
_OPTIMIZE_PNG_WITHIN = 1.5  # zlib's best effort rarely saves more than a third
_MIN_LONG_EDGE = 64
_SAMPLE_FROM_PIXELS = 1_000_000  # below this, compressing is quick whatever the content
_NOISE_RATIO = 0.3


@dataclass(frozen=True)
class Encoding:
    """How to write pixels: PNG (optionally optimized) or JPEG."""

    format: str  # "PNG" or "JPEG"
    quality: int = 95  # JPEG, ignored when qtables are given
    subsampling: int = 2  # JPEG chroma: 0 = 4:4:4 (crisp coloured text), 2 = 4:2:0
    qtables: Any = None  # JPEG: a source's quantization tables, to keep its quality
    optimize: bool = False  # PNG: zlib's best compression
    compress_level: int = 6  # PNG, when not optimizing


@dataclass(frozen=True)
class ColourProfile:
    """The source's ICC profile, attached to the output when the colour space still matches."""

    source_mode: str
    icc: object = None


@dataclass(frozen=True)
class Fitted:
    data: bytes
    size: tuple[int, int]
    encoding: Encoding
    notes: tuple[str, ...] = ()


def encode(im: Image.Image, encoding: Encoding, profile: ColourProfile) -> bytes:
    """The bytes of `im` written as `encoding` says."""
    buffer = io.BytesIO()
    if encoding.format == "JPEG":
        pixels = for_jpeg(im)
        # No `optimize`: libjpeg's Huffman optimisation needs the whole output in a buffer that
        # Pillow sizes from the pixel count, and noisy pixels at high quality overflow it.
        options: dict[str, Any] = {}
        if encoding.qtables is not None:
            options["qtables"] = encoding.qtables
        else:
            options["quality"] = encoding.quality
        if encoding.subsampling >= 0:
            options["subsampling"] = encoding.subsampling
    else:
        pixels = im
        options = (
            {"optimize": True} if encoding.optimize else {"compress_level": encoding.compress_level}
        )
    icc = icc_for(profile.source_mode, pixels.mode, profile.icc)
    if icc is not None:
        options["icc_profile"] = icc
    pixels.save(buffer, encoding.format, **options)
    return buffer.getvalue()


def looks_like_noise(im: Image.Image) -> bool:
    """True when a sample band of rows barely compresses (photographs, grain): zlib's slower
    levels then gain next to nothing and cost several times the time. Screenshots, diagrams
    and text compress to a small fraction and are worth zlib's effort."""
    if im.width * im.height < _SAMPLE_FROM_PIXELS:
        return False
    rows = max(16, im.height // 16)
    top = (im.height - rows) // 2
    band = im.crop((0, top, im.width, top + rows))
    packed = io.BytesIO()
    band.save(packed, "PNG", compress_level=1)
    return len(packed.getvalue()) > _NOISE_RATIO * len(band.tobytes())


def fit_bytes(
    im: Image.Image,
    first: Encoding,
    *,
    name: str,
    max_bytes: int,
    profile: ColourProfile,
    jpeg_allowed: bool,
    png_allowed: bool,
    chroma_full: bool,
) -> Fitted:
    """Encode `im` with `first`, then climb down the ladder until the bytes fit `max_bytes`."""
    noisy = first.format == "PNG" and looks_like_noise(im)
    if noisy:
        first = replace(first, compress_level=1)
    data = encode(im, first, profile)
    if len(data) <= max_bytes:
        return Fitted(data, im.size, first)
    limit = human_bytes(max_bytes)
    current, current_bytes = first, len(data)

    if first.format == "PNG" and not noisy and current_bytes <= _OPTIMIZE_PNG_WITHIN * max_bytes:
        current = replace(first, optimize=True)
        data = encode(im, current, profile)
        if len(data) <= max_bytes:
            return Fitted(data, im.size, current, (f"re-encoded as optimized PNG to fit {limit}",))
        current_bytes = len(data)

    if jpeg_allowed and (not png_allowed or not alpha_in_use(im)):
        below_first = first.format != "JPEG" or first.qtables is not None
        for quality in JPEG_QUALITIES:
            if not below_first and quality >= first.quality:
                continue  # already tried at this quality or better
            current = Encoding("JPEG", quality=quality, subsampling=0 if chroma_full else 2)
            data = encode(im, current, profile)
            if len(data) <= max_bytes:
                note = f"re-encoded as JPEG (quality {quality}) to fit {limit}"
                return Fitted(data, im.size, current, (note,))
            current_bytes = len(data)

    return _downscale_to_fit(
        im, current, current_bytes, name=name, max_bytes=max_bytes, profile=profile
    )


def _downscale_to_fit(
    im: Image.Image,
    encoding: Encoding,
    full_size_bytes: int,
    *,
    name: str,
    max_bytes: int,
    profile: ColourProfile,
) -> Fitted:
    """Smaller pixels, 0.85× per step, starting at the step the byte count predicts."""
    limit = human_bytes(max_bytes)
    im, _ = to_working_mode(im, keep_palette=False)  # palettes only resample by nearest pixel
    width, height = im.size
    # Bytes shrink about with the area (a little faster: resampling smooths), so skip the
    # steps that cannot be enough, stopping one short of the estimate to keep the most pixels.
    estimate = math.log(max_bytes / full_size_bytes) / (2 * math.log(DOWNSCALE_STEP))
    step = max(1, math.floor(estimate) - 1)
    while True:
        factor = DOWNSCALE_STEP**step
        size = (max(1, round(width * factor)), max(1, round(height * factor)))
        if max(size) < _MIN_LONG_EDGE:
            raise ImageError(name, f"cannot be made smaller than {limit} and stay legible")
        data = encode(im.resize(size, Image.Resampling.LANCZOS), encoding, profile)
        if len(data) <= max_bytes:
            how = f"downscaled to {size[0]}×{size[1]} to fit {limit}"
            if encoding.format == "JPEG":
                how = f"re-encoded as JPEG (quality {encoding.quality}) and {how}"
            return Fitted(data, size, encoding, (how,))
        step += 1
