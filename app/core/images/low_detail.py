"""Low detail: an image downscaled client-side to fit one 448×448 tile, so it costs exactly
512 tokens by the tile formula (one tile and the extra one) and is sent with detail "low".

`make_low_detail` decodes and re-encodes: call it from a worker thread.
"""

from __future__ import annotations

import hashlib
import io
import math
from dataclasses import replace

from PIL import Image

from ..budget import TILE_SIZE
from ..imagetypes import ImageError, PreparedImage
from .opener import DECODE_ERRORS

_JPEG_QUALITY = 90


def low_detail_size(width: int, height: int) -> tuple[int, int]:
    """The size that fits one 448×448 tile, aspect ratio kept (never larger than the source)."""
    if width <= 0 or height <= 0:
        raise ValueError(f"image size must be positive, got {width}×{height}")
    scale = min(1.0, TILE_SIZE / width, TILE_SIZE / height)
    return (
        max(1, min(TILE_SIZE, math.floor(width * scale + 0.5))),
        max(1, min(TILE_SIZE, math.floor(height * scale + 0.5))),
    )


def standin(image: PreparedImage) -> PreparedImage:
    """A placeholder with the low-detail size and no pixels: for estimates only, never sent."""
    width, height = low_detail_size(image.width, image.height)
    return replace(image, data=b"", width=width, height=height, sha256="")


def make_low_detail(image: PreparedImage) -> PreparedImage:
    """The image downscaled to fit one tile (PNG stays PNG, anything else becomes JPEG)."""
    target = low_detail_size(image.width, image.height)
    if target == (image.width, image.height):
        return image
    try:
        with Image.open(io.BytesIO(image.data)) as source:
            source.load()
            pixels = (
                source if source.mode in {"RGB", "RGBA", "L", "LA"} else (source.convert("RGBA"))
            )
            small = pixels.resize(target, Image.Resampling.LANCZOS, reducing_gap=3.0)
    except DECODE_ERRORS as exc:
        raise ImageError(image.name, f"could not be made smaller ({exc})") from None
    buffer = io.BytesIO()
    if image.mime == "image/png":
        small.save(buffer, "PNG")
        mime = "image/png"
    else:
        if small.mode not in {"RGB", "L"}:
            small = small.convert("RGB")
        small.save(buffer, "JPEG", quality=_JPEG_QUALITY)
        mime = "image/jpeg"
    data = buffer.getvalue()
    note = f"low detail: downscaled to {target[0]}×{target[1]} (one tile)"
    return replace(
        image,
        data=data,
        mime=mime,
        width=target[0],
        height=target[1],
        sha256=hashlib.sha256(data).hexdigest(),
        notes=(*image.notes, note),
    )
