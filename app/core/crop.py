"""Cropping an image as it will be sent, and explaining what its tiles cost.

Everything here works in *sent-pixel coordinates*: the pixels of a `PreparedImage` (after EXIF
rotation and fitting), which are the pixels the tile formula prices. A crop box is
`(left, top, right, bottom)`, right and bottom exclusive, as Pillow has it.

`crop_prepared` decodes and encodes: call it from a worker thread. The rest is arithmetic.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable
from dataclasses import dataclass, replace

from PIL import Image, UnidentifiedImageError

from app.core.budget import MAX_TILES, TILE_SIZE, image_tiles, image_tokens
from app.core.images import prepare_bytes
from app.core.images.convert import to_working_mode
from app.core.images.opener import BOMB_ERRORS, DECODE_ERRORS, open_header
from app.core.imagetypes import ImageError, PreparedImage
from app.core.limits import ImageLimits

Box = tuple[int, int, int, int]  # left, top, right, bottom (exclusive), in sent pixels


@dataclass(frozen=True)
class Tile:
    """One 448×448 tile of an image (the last column and row may be narrower)."""

    index: int  # row by row, from 0
    left: int
    top: int
    width: int
    height: int
    counted: bool  # one of the first MAX_TILES: the formula charges for it

    @property
    def box(self) -> Box:
        return self.left, self.top, self.left + self.width, self.top + self.height


@dataclass(frozen=True)
class CropResult:
    """A crop ready for the tray."""

    source: bytes  # the cropped pixels as lossless PNG (to prepare again later)
    prepared: PreparedImage  # what will be sent; its notes start with `note`
    note: str  # "cropped to 448×448 from 1920×1080"


def tile_grid(width: int, height: int) -> list[Tile]:
    """The tiles that cover a `width`×`height` image, row by row."""
    if width <= 0 or height <= 0:
        raise ValueError(f"image size must be positive, got {width}×{height}")
    tiles: list[Tile] = []
    for row in range(math.ceil(height / TILE_SIZE)):
        for column in range(math.ceil(width / TILE_SIZE)):
            left, top = column * TILE_SIZE, row * TILE_SIZE
            tiles.append(
                Tile(
                    len(tiles),
                    left,
                    top,
                    min(TILE_SIZE, width - left),
                    min(TILE_SIZE, height - top),
                    len(tiles) < MAX_TILES,
                )
            )
    return tiles


def cost_text(width: int, height: int, *, as_sent: bool = False) -> str:
    """ "1920×1080 px as sent · 15 tiles, 6 counted → 1,792 tokens";
    "448×448 px · 1 tile → 512 tokens"."""
    tiles = image_tiles(width, height)
    counted = f", {MAX_TILES} counted" if tiles > MAX_TILES else ""
    noun = "tile" if tiles == 1 else "tiles"
    return (
        f"{width}×{height} px{' as sent' if as_sent else ''} · {tiles} {noun}{counted} → "
        f"{image_tokens(width, height):,} tokens"
    )


def normalized_box(box: Box, size: tuple[int, int]) -> Box:
    """`box` with its corners in order and clamped to the image; ValueError if it is empty."""
    width, height = size
    x0, y0, x1, y1 = box
    left, right = sorted((max(0, min(width, x0)), max(0, min(width, x1))))
    top, bottom = sorted((max(0, min(height, y0)), max(0, min(height, y1))))
    if right <= left or bottom <= top:
        raise ValueError(f"the crop {box} leaves no pixel of a {width}×{height} image")
    return left, top, right, bottom


def crop_note(box: Box, size: tuple[int, int]) -> str:
    left, top, right, bottom = box
    return f"cropped to {right - left}×{bottom - top} from {size[0]}×{size[1]}"


def crop_prepared(image: PreparedImage, box: Box, limits: ImageLimits) -> CropResult:
    """Cut `box` (sent pixels) out of `image` and prepare it to be sent (worker thread).

    The crop is encoded as PNG, so no pixel changes beyond those already sent, then goes
    through the same preparation as any pasted image (which converts it when the endpoint
    refuses PNG, and fits the byte limit).
    """
    size = (image.width, image.height)
    box = normalized_box(box, size)
    return reprepare(
        image,
        lambda im: to_working_mode(im.crop(box), keep_palette=True)[0],
        crop_note(box, size),
        limits,
    )


def reprepare(
    image: PreparedImage,
    change: Callable[[Image.Image], Image.Image],
    note: str,
    limits: ImageLimits,
) -> CropResult:
    """`image` (as sent) decoded, changed by `change`, encoded as PNG (no pixel changes beyond
    the change) and prepared again as any pasted image, `note` first (worker thread)."""
    size = (image.width, image.height)
    try:
        with open_header(io.BytesIO(image.data), image.name) as im:
            im.load()
            decoded = im.size
            changed = change(im)
    except UnidentifiedImageError:
        raise ImageError(image.name, "the prepared image data is not an image") from None
    except BOMB_ERRORS:
        raise ImageError(image.name, "is too large to open safely") from None
    except DECODE_ERRORS:
        raise ImageError(image.name, "the prepared image data is damaged") from None
    if decoded != size:
        raise ImageError(
            image.name,
            f"the image data is {decoded[0]}×{decoded[1]} px, not {size[0]}×{size[1]} as prepared",
        )
    buffer = io.BytesIO()
    changed.save(buffer, "PNG")
    source = buffer.getvalue()
    prepared = prepare_bytes(source, image.name, limits)
    prepared = replace(prepared, notes=(note, *prepared.notes))
    return CropResult(source, prepared, note)
