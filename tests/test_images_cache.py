"""Thumbnails and data URIs of prepared images."""

from __future__ import annotations

import base64
import io
from concurrent.futures import ThreadPoolExecutor

import pytest
from PIL import Image
from support.images import encoded, is_red, marked, photo_like

from app.core.images import (
    DataUriCache,
    prepare_bytes,
    thumbnail_and_screen_copy,
    thumbnail_bytes,
)
from app.core.imagetypes import ImageError, PreparedImage
from app.core.limits import XAI_LIMITS


def prepared(im: Image.Image, fmt: str = "PNG", name: str = "picture") -> PreparedImage:
    return prepare_bytes(encoded(im, fmt), name, XAI_LIMITS)


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_SIGNATURE = b"\xff\xd8\xff"


def opened(thumb: bytes) -> Image.Image:
    assert thumb.startswith((PNG_SIGNATURE, JPEG_SIGNATURE))
    with Image.open(io.BytesIO(thumb)) as im:
        im.load()
        return im.copy()


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_thumbnail_fits_the_square_and_keeps_the_aspect(fmt: str) -> None:
    thumb = opened(thumbnail_bytes(prepared(marked(1600, 900), fmt)))
    assert thumb.size == (160, 90)
    assert is_red(thumb.getpixel((1, 1)))


def test_thumbnail_size_is_configurable_and_never_enlarges() -> None:
    image = prepared(photo_like(300, 600))
    assert opened(thumbnail_bytes(image, max_side=64)).size == (32, 64)
    assert opened(thumbnail_bytes(prepared(photo_like(40, 30)))).size == (40, 30)
    with pytest.raises(ValueError, match="max_side"):
        thumbnail_bytes(image, max_side=0)


def test_thumbnail_of_palette_and_transparent_images() -> None:
    sticker = Image.new("RGBA", (400, 400), (0, 0, 0, 0))
    sticker.paste((255, 0, 0, 255), (0, 0, 200, 200))
    encoded = thumbnail_bytes(prepared(sticker))
    assert encoded.startswith(PNG_SIGNATURE)
    thumb = opened(encoded)
    assert thumb.mode == "RGBA"
    assert thumb.getpixel((150, 150)) == (0, 0, 0, 0)
    palette = opened(thumbnail_bytes(prepared(marked(800, 400).quantize(4))))
    assert palette.size == (160, 80)


def test_a_photo_gets_a_jpeg_thumbnail_a_flat_screenshot_a_png() -> None:
    # Whichever is smaller: a photo's PNG thumbnail can outweigh the photo itself.
    photo = thumbnail_bytes(prepared(photo_like(1280, 800), "JPEG"), max_side=256)
    assert photo.startswith(JPEG_SIGNATURE)
    screenshot = Image.new("RGB", (1280, 800), (250, 250, 250))
    screenshot.paste((30, 90, 200), (0, 0, 1280, 60))
    flat = thumbnail_bytes(prepared(screenshot), max_side=256)
    assert flat.startswith(PNG_SIGNATURE)
    assert opened(flat).size == opened(photo).size == (256, 160)


def test_thumbnail_of_damaged_data_names_the_image() -> None:
    good = prepared(photo_like(200, 200))
    broken = PreparedImage(
        name="history #3",
        data=good.data[:200],
        mime="image/png",
        width=200,
        height=200,
        sha256="0" * 64,
        original_size=(200, 200),
        original_format="PNG",
        original_bytes=200,
    )
    with pytest.raises(ImageError) as excinfo:
        thumbnail_bytes(broken)
    assert excinfo.value.name == "history #3"
    assert "damaged" in excinfo.value.reason


def test_data_uri_round_trips_and_is_cached() -> None:
    cache = DataUriCache()
    image = prepared(photo_like(120, 80))
    uri = cache.data_uri(image)
    assert uri.startswith("data:image/png;base64,")
    assert base64.b64decode(uri.split(",", 1)[1]) == image.data
    assert (cache.hits, cache.misses) == (0, 1)
    assert cache.data_uri(image) is uri
    assert (cache.hits, cache.misses) == (1, 1)
    jpeg = prepared(photo_like(120, 80), "JPEG")
    assert cache.data_uri(jpeg).startswith("data:image/jpeg;base64,")
    assert (cache.hits, cache.misses, len(cache)) == (1, 2, 2)


def test_same_content_from_another_turn_hits_the_cache() -> None:
    cache = DataUriCache()
    data = encoded(photo_like(64, 64), "PNG")
    cache.data_uri(prepare_bytes(data, "turn 1", XAI_LIMITS))
    cache.data_uri(prepare_bytes(data, "turn 20", XAI_LIMITS))
    assert (cache.hits, cache.misses) == (1, 1)


def test_least_recently_used_is_dropped_past_the_budget() -> None:
    images = [prepared(photo_like(100 + i, 100)) for i in range(3)]
    sizes = [len(DataUriCache().data_uri(image)) for image in images]
    cache = DataUriCache(max_bytes=sizes[0] + sizes[1] + sizes[2] // 2)
    cache.data_uri(images[0])
    cache.data_uri(images[1])
    cache.data_uri(images[0])  # 0 is now the most recent
    cache.data_uri(images[2])  # evicts 1
    assert cache.cached_bytes <= cache.max_bytes
    cache.data_uri(images[0])
    assert cache.hits == 2
    cache.data_uri(images[1])
    assert cache.misses == 4


def test_an_image_larger_than_the_budget_is_returned_but_not_kept() -> None:
    cache = DataUriCache(max_bytes=100)
    image = prepared(photo_like(50, 50))
    assert cache.data_uri(image) == cache.data_uri(image)
    assert (cache.hits, cache.misses, len(cache), cache.cached_bytes) == (0, 2, 0, 0)


def test_cache_is_shared_safely_between_threads() -> None:
    cache = DataUriCache()
    images = [prepared(photo_like(40 + i, 40)) for i in range(4)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        uris = list(pool.map(cache.data_uri, images * 25))
    assert cache.hits + cache.misses == 100
    assert len(cache) == 4
    assert all(uris[i] == uris[i % 4] for i in range(100))


@pytest.mark.parametrize(("fmt", "signature"), [("PNG", PNG_SIGNATURE), ("JPEG", JPEG_SIGNATURE)])
def test_a_large_image_gets_a_screen_copy_of_its_own_kind(fmt: str, signature: bytes) -> None:
    image = prepared(marked(1600, 900), fmt)
    thumb, copy = thumbnail_and_screen_copy(image, 160, 800)
    assert copy is not None
    assert copy.of_sha256 == image.sha256
    assert copy.data.startswith(signature)  # a screenshot's copy stays lossless
    assert opened(copy.data).size == (copy.width, copy.height) == (800, 450)
    assert opened(thumb).size == (160, 90)
    assert is_red(opened(copy.data).getpixel((10, 10)))


def test_an_image_within_the_screen_gets_only_its_thumbnail() -> None:
    thumb, copy = thumbnail_and_screen_copy(prepared(marked(800, 450)), 160, 800)
    assert copy is None
    assert opened(thumb).size == (160, 90)
