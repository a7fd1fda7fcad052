"""Cropping an image as sent, its tile grid and the cost line (app.core.crop), on real images."""

from __future__ import annotations

import dataclasses
import io

import pytest
from PIL import Image
from support.images import encoded

from app.core.budget import image_tokens
from app.core.crop import cost_text, crop_note, crop_prepared, normalized_box, tile_grid
from app.core.images import prepare_bytes
from app.core.imagetypes import ImageError, PreparedImage
from app.core.limits import XAI_LIMITS

BLUE = (20, 60, 220)
GREEN = (20, 180, 60)
RED = (220, 30, 30)


def dashboard(fmt: str = "PNG", size: tuple[int, int] = (1920, 1080)) -> PreparedImage:
    """Red, with a 448×448 blue panel at (600, 300) and a green one at (0, 0)-(100, 100)."""
    im = Image.new("RGB", size, RED)
    im.paste(BLUE, (600, 300, 1048, 748))
    im.paste(GREEN, (0, 0, 100, 100))
    return prepare_bytes(encoded(im, fmt), f"dashboard.{fmt.lower()}", XAI_LIMITS)


def pixels(prepared: PreparedImage) -> Image.Image:
    with Image.open(io.BytesIO(prepared.data)) as im:
        im.load()
        assert im.size == (prepared.width, prepared.height)
        return im.copy()


def close_to(pixel: object, colour: tuple[int, int, int], tolerance: int = 12) -> bool:
    assert isinstance(pixel, tuple)
    return all(abs(a - b) <= tolerance for a, b in zip(pixel[:3], colour, strict=True))


# -- the grid and the cost -------------------------------------------------------------------


def test_one_tile() -> None:
    (tile,) = tile_grid(448, 448)
    assert (tile.index, tile.box, tile.counted) == (0, (0, 0, 448, 448), True)
    assert cost_text(448, 448, as_sent=True) == "448×448 px as sent · 1 tile → 512 tokens"


def test_a_full_hd_screenshot_has_15_tiles_of_which_6_count() -> None:
    tiles = tile_grid(1920, 1080)
    assert len(tiles) == 15  # 5 columns × 3 rows
    assert [t.counted for t in tiles] == [True] * 6 + [False] * 9
    assert tiles[4].box == (1792, 0, 1920, 448)  # the last column is 128 px wide
    assert tiles[10].box == (0, 896, 448, 1080)  # the last row is 184 px high
    assert tiles[-1].box == (1792, 896, 1920, 1080)
    # The tiles cover the image exactly, without overlap.
    assert sum(t.width * t.height for t in tiles) == 1920 * 1080
    assert cost_text(1920, 1080, as_sent=True) == (
        "1920×1080 px as sent · 15 tiles, 6 counted → 1,792 tokens"
    )


@pytest.mark.parametrize(
    ("size", "text"),
    [
        ((896, 448), "896×448 px · 2 tiles → 768 tokens"),
        ((449, 449), "449×449 px · 4 tiles → 1,280 tokens"),
        ((1344, 896), "1344×896 px · 6 tiles → 1,792 tokens"),
        ((1345, 896), "1345×896 px · 8 tiles, 6 counted → 1,792 tokens"),
        ((1, 1), "1×1 px · 1 tile → 512 tokens"),
    ],
)
def test_cost_text(size: tuple[int, int], text: str) -> None:
    assert cost_text(*size) == text
    assert f"{image_tokens(*size):,} tokens" in text


def test_tile_grid_refuses_an_empty_image() -> None:
    with pytest.raises(ValueError, match="positive"):
        tile_grid(0, 10)


# -- boxes -----------------------------------------------------------------------------------


def test_boxes_are_ordered_and_clamped() -> None:
    assert normalized_box((500, 400, 100, 50), (1920, 1080)) == (100, 50, 500, 400)
    assert normalized_box((-20, -5, 3000, 2000), (1920, 1080)) == (0, 0, 1920, 1080)
    for empty in ((10, 10, 10, 50), (2000, 0, 2100, 50), (5, 5, 6, 5)):
        with pytest.raises(ValueError, match="leaves no pixel"):
            normalized_box(empty, (1920, 1080))
    assert crop_note((600, 300, 1048, 748), (1920, 1080)) == ("cropped to 448×448 from 1920×1080")


# -- cropping --------------------------------------------------------------------------------


def test_crop_a_png_dashboard_to_one_tile() -> None:
    image = dashboard()
    assert (image.width, image.height, image_tokens(1920, 1080)) == (1920, 1080, 1792)

    result = crop_prepared(image, (600, 300, 1048, 748), XAI_LIMITS)

    crop = result.prepared
    assert (crop.width, crop.height) == (448, 448)
    assert image_tokens(crop.width, crop.height) == 512
    assert crop.mime == "image/png"
    assert crop.name == "dashboard.png"
    assert result.note == "cropped to 448×448 from 1920×1080"
    assert crop.notes == ("cropped to 448×448 from 1920×1080",)
    assert crop.was_changed
    assert result.source.startswith(b"\x89PNG")
    im = pixels(crop)
    assert im.getpixel((0, 0)) == BLUE
    assert im.getpixel((447, 447)) == BLUE
    assert im.getcolors() == [(448 * 448, BLUE)]  # nothing of the red around it


def test_crop_keeps_the_exact_region_at_the_corner() -> None:
    crop = crop_prepared(dashboard(), (50, 50, 150, 120), XAI_LIMITS).prepared
    im = pixels(crop)
    assert im.size == (100, 70)
    assert im.getpixel((0, 0)) == GREEN
    assert im.getpixel((49, 49)) == GREEN
    assert im.getpixel((50, 50)) == RED  # (100, 100) of the source: past the green square


def test_crop_of_a_jpeg_is_sent_losslessly_as_png() -> None:
    image = dashboard("JPEG")
    assert image.mime == "image/jpeg"
    crop = crop_prepared(image, (1048, 748, 600, 300), XAI_LIMITS).prepared  # corners swapped
    assert (crop.width, crop.height, crop.mime) == (448, 448, "image/png")
    im = pixels(crop)
    assert close_to(im.getpixel((224, 224)), BLUE)
    # The crop holds the very pixels the JPEG decodes to: nothing was re-compressed.
    with Image.open(io.BytesIO(image.data)) as source:
        assert im.getpixel((10, 10)) == source.convert("RGB").getpixel((610, 310))


def test_crop_for_an_endpoint_that_takes_only_jpeg() -> None:
    jpeg_only = dataclasses.replace(
        XAI_LIMITS, name="jpeg-only", label="JPEG only", accepted_formats=frozenset({"JPEG"})
    )
    crop = crop_prepared(dashboard(), (600, 300, 1048, 748), jpeg_only).prepared
    assert crop.mime == "image/jpeg"
    assert crop.notes == ("cropped to 448×448 from 1920×1080", "converted from PNG to JPEG")
    assert close_to(pixels(crop).getpixel((224, 224)), BLUE)


def test_crop_keeps_transparency_and_palettes() -> None:
    im = Image.new("RGBA", (600, 400), (0, 0, 0, 0))
    im.paste((255, 0, 0, 255), (100, 100, 200, 200))
    rgba = prepare_bytes(encoded(im, "PNG"), "overlay.png", XAI_LIMITS)
    crop = pixels(crop_prepared(rgba, (50, 50, 250, 250), XAI_LIMITS).prepared)
    assert crop.mode == "RGBA"
    assert crop.getpixel((0, 0)) == (0, 0, 0, 0)
    assert crop.getpixel((100, 100)) == (255, 0, 0, 255)

    palette = prepare_bytes(encoded(im.convert("RGB").quantize(4), "PNG"), "icons.png", XAI_LIMITS)
    crop = pixels(crop_prepared(palette, (100, 100, 200, 200), XAI_LIMITS).prepared)
    assert crop.mode == "P"
    assert crop.convert("RGB").getpixel((50, 50)) == (255, 0, 0)


def test_crop_refuses_an_empty_box_and_damaged_data() -> None:
    image = dashboard()
    with pytest.raises(ValueError, match="leaves no pixel"):
        crop_prepared(image, (10, 10, 10, 10), XAI_LIMITS)
    damaged = dataclasses.replace(image, data=image.data[:200])
    with pytest.raises(ImageError, match="damaged"):
        crop_prepared(damaged, (0, 0, 10, 10), XAI_LIMITS)
    not_an_image = dataclasses.replace(image, data=b"hello, not an image at all")
    with pytest.raises(ImageError, match="not an image"):
        crop_prepared(not_an_image, (0, 0, 10, 10), XAI_LIMITS)
    wrong_size = dataclasses.replace(image, width=100, height=100)
    with pytest.raises(ImageError, match="1920×1080 px, not 100×100"):
        crop_prepared(wrong_size, (0, 0, 10, 10), XAI_LIMITS)
