"""Preparing images: untouched originals, EXIF rotation, mode and format conversions, damage."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from PIL import Image, features
from support.images import (
    RED,
    animated,
    encoded,
    is_red,
    marked,
    photo_like,
    png_with_trailing_exif,
    rotated_jpeg,
    save,
    sixteen_bit_png,
)

from app.core.images import planned_size, prepare_bytes, prepare_file, probe
from app.core.imagetypes import ImageError, PreparedImage
from app.core.limits import XAI_LIMITS, ImageLimits

DAMAGED_PNG = "the file looks like a PNG but is damaged or cut short (truncated)"
DAMAGED_JPEG = "the file looks like a JPEG but is damaged or cut short (truncated)"


def decoded(prepared: PreparedImage) -> Image.Image:
    with Image.open(io.BytesIO(prepared.data)) as im:
        im.load()
        assert Image.MIME[im.format or ""] == prepared.mime
        assert im.size == (prepared.width, prepared.height)
        return im.copy()


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_an_image_that_fits_is_sent_untouched(tmp_path: Path, fmt: str) -> None:
    path = save(photo_like(800, 600), tmp_path / f"fine.{fmt.lower()}", fmt)
    original = path.read_bytes()
    prepared = prepare_file(path, XAI_LIMITS)
    assert prepared.data == original
    assert prepared.sha256 == hashlib.sha256(original).hexdigest()
    assert prepared.mime == f"image/{fmt.lower()}"
    assert (prepared.width, prepared.height, prepared.original_size) == (800, 600, (800, 600))
    assert (prepared.original_format, prepared.original_bytes) == (fmt, len(original))
    assert prepared.notes == ()
    assert not prepared.was_changed


def test_prepare_bytes_matches_prepare_file(tmp_path: Path) -> None:
    data = encoded(photo_like(320, 200), "PNG")
    prepared = prepare_bytes(data, "pasted image", XAI_LIMITS)
    assert (prepared.name, prepared.data, prepared.mime) == ("pasted image", data, "image/png")


@pytest.mark.parametrize("orientation", [6, 8])
def test_exif_rotation_is_applied_and_planned(tmp_path: Path, orientation: int) -> None:
    path = rotated_jpeg(tmp_path / "phone.jpg", (360, 240), orientation)
    info = probe(path)
    prepared = prepare_file(path, XAI_LIMITS)
    assert (prepared.width, prepared.height) == planned_size(info, XAI_LIMITS) == (360, 240)
    assert prepared.original_size == (360, 240)
    assert prepared.mime == "image/jpeg"
    assert any(f"EXIF orientation {orientation}" in note for note in prepared.notes)
    upright = decoded(prepared)
    assert is_red(upright.getpixel((10, 10)))  # the marked corner is top-left
    assert not is_red(upright.getpixel((349, 10)))
    assert not is_red(upright.getpixel((10, 229)))
    assert upright.getexif().get(0x0112) is None  # the tag is gone with the turn


def test_exif_rotation_of_a_png_with_late_exif(tmp_path: Path) -> None:
    path = png_with_trailing_exif(tmp_path / "late.png", (300, 200), 8)
    prepared = prepare_file(path, XAI_LIMITS)
    assert (prepared.width, prepared.height, prepared.mime) == (300, 200, "image/png")
    assert decoded(prepared).getpixel((5, 5)) == RED


def test_cmyk_jpeg_becomes_rgb(tmp_path: Path) -> None:
    path = save(Image.new("CMYK", (200, 100), (0, 255, 255, 0)), tmp_path / "print.jpg", "JPEG")
    prepared = prepare_file(path, XAI_LIMITS)
    assert "converted from CMYK to RGB" in prepared.notes
    im = decoded(prepared)
    assert (im.mode, prepared.mime) == ("RGB", "image/jpeg")
    assert is_red(im.getpixel((100, 50)))


def test_16_bit_png_is_scaled_to_8_bits_not_clipped(tmp_path: Path) -> None:
    path = sixteen_bit_png(tmp_path / "scan.png", 300, 200)
    with Image.open(path) as source:
        assert source.mode == "I;16"
    prepared = prepare_file(path, XAI_LIMITS)
    assert prepared.notes == ("converted from 16-bit to 8-bit grey",)
    im = decoded(prepared)
    assert (im.mode, prepared.mime) == ("L", "image/png")
    assert im.getpixel((0, 0)) == 0
    assert im.getpixel((299, 0)) == 255
    middle = im.getpixel((150, 100))
    assert isinstance(middle, int)
    assert 120 <= middle <= 135  # clipping would give 255


@pytest.mark.parametrize(
    ("fmt", "suffix", "note"),
    [
        ("GIF", "gif", "animated GIF: only the first frame is sent"),
        ("PNG", "png", "animated PNG (APNG): only the first frame is sent"),
        ("WEBP", "webp", "animated WebP: only the first frame is sent"),
    ],
)
def test_animations_send_their_first_frame(
    tmp_path: Path, fmt: str, suffix: str, note: str
) -> None:
    path = animated(tmp_path / f"moving.{suffix}", fmt, ((230, 20, 20), (20, 20, 230)))
    prepared = prepare_file(path, XAI_LIMITS)
    assert prepared.notes[0] == note
    assert prepared.mime in {"image/png", "image/jpeg"}
    assert is_red(decoded(prepared).convert("RGB").getpixel((60, 40)))


@pytest.mark.parametrize(
    ("fmt", "suffix", "options", "label", "mime"),
    [
        ("WEBP", "webp", {"lossless": True}, "WebP", "image/png"),
        ("WEBP", "webp", {"quality": 80}, "WebP", "image/jpeg"),  # lossy stays lossy
        ("BMP", "bmp", {}, "BMP", "image/png"),
        ("TIFF", "tif", {}, "TIFF", "image/png"),
        ("TIFF", "tiff", {"compression": "tiff_lzw"}, "TIFF", "image/png"),
        ("GIF", "gif", {}, "GIF", "image/png"),
    ],
)
def test_formats_the_server_refuses_are_converted(
    tmp_path: Path, fmt: str, suffix: str, options: dict[str, object], label: str, mime: str
) -> None:
    source = marked(240, 160)
    path = save(source, tmp_path / f"picture.{suffix}", fmt, **options)
    prepared = prepare_file(path, XAI_LIMITS)
    target = mime.removeprefix("image/").upper()
    assert prepared.notes == (f"converted from {label} to {target}",)
    assert prepared.mime == mime
    assert (prepared.width, prepared.height) == (240, 160)
    assert prepared.original_format == fmt
    im = decoded(prepared).convert("RGB")
    assert is_red(im.getpixel((5, 5)))
    assert im.getpixel((200, 100)) == pytest.approx((255, 255, 255), abs=6)


def test_gif_palette_is_kept_when_converting_to_png(tmp_path: Path) -> None:
    path = save(marked(400, 300).quantize(8), tmp_path / "diagram.gif", "GIF")
    prepared = prepare_file(path, XAI_LIMITS)
    assert decoded(prepared).mode == "P"  # compact, lossless


def test_transparency_is_kept(tmp_path: Path) -> None:
    im = Image.new("RGBA", (200, 100), (0, 0, 255, 0))
    im.paste((255, 0, 0, 255), (0, 0, 50, 50))
    path = save(im, tmp_path / "sticker.webp", "WEBP", lossless=True)
    prepared = prepare_file(path, XAI_LIMITS)
    result = decoded(prepared)
    assert (prepared.mime, result.mode) == ("image/png", "RGBA")
    transparent = result.getpixel((150, 80))
    assert isinstance(transparent, tuple)
    assert transparent[3] == 0
    assert result.getpixel((10, 10)) == (255, 0, 0, 255)


def test_opaque_alpha_is_dropped(tmp_path: Path) -> None:
    path = save(photo_like(200, 100).convert("RGBA"), tmp_path / "opaque.tif", "TIFF")
    prepared = prepare_file(path, XAI_LIMITS)
    assert decoded(prepared).mode == "RGB"


def test_a_png_only_endpoint_gets_png(tmp_path: Path) -> None:
    png_only = ImageLimits(name="png", label="PNG only", accepted_formats=frozenset({"PNG"}))
    path = save(photo_like(300, 200), tmp_path / "photo.jpg", "JPEG")
    prepared = prepare_file(path, png_only)
    assert (prepared.mime, prepared.notes) == ("image/png", ("converted from JPEG to PNG",))


def test_a_jpeg_only_endpoint_gets_transparency_flattened_on_white(tmp_path: Path) -> None:
    jpeg_only = ImageLimits(name="jpeg", label="JPEG only", accepted_formats=frozenset({"JPEG"}))
    im = Image.new("RGBA", (100, 100), (0, 0, 0, 0))
    im.paste((255, 0, 0, 255), (0, 0, 40, 40))
    prepared = prepare_file(save(im, tmp_path / "logo.png"), jpeg_only)
    assert prepared.mime == "image/jpeg"
    result = decoded(prepared)
    assert is_red(result.getpixel((10, 10)))
    assert result.getpixel((80, 80)) == pytest.approx((255, 255, 255), abs=4)


@pytest.mark.parametrize(("fmt", "expected"), [("PNG", DAMAGED_PNG), ("JPEG", DAMAGED_JPEG)])
def test_truncated_files_fail_with_a_clear_message(tmp_path: Path, fmt: str, expected: str) -> None:
    whole = encoded(photo_like(400, 300), fmt)
    path = tmp_path / f"cut.{fmt.lower()}"
    path.write_bytes(whole[: len(whole) // 2])
    assert probe(path).format == fmt  # the header is intact
    with pytest.raises(ImageError) as excinfo:
        prepare_file(path, XAI_LIMITS)
    assert excinfo.value.name == path.name
    assert excinfo.value.reason == expected


def test_damaged_png_checksum(tmp_path: Path) -> None:
    data = bytearray(encoded(photo_like(200, 200), "PNG"))
    idat = data.index(b"IDAT")
    data[idat + 40] ^= 0xFF  # corrupt the compressed pixels
    with pytest.raises(ImageError) as excinfo:
        prepare_bytes(bytes(data), "corrupt.png", XAI_LIMITS)
    assert excinfo.value.reason == DAMAGED_PNG


@pytest.mark.parametrize(
    ("setup", "reason"),
    [
        ("missing", "file not found"),
        ("folder", "is a folder, not an image"),
        ("empty", "empty file (0 bytes)"),
        ("text", "not an image: the content is not a format this app can read"),
    ],
)
def test_prepare_refuses_what_probe_refuses(tmp_path: Path, setup: str, reason: str) -> None:
    path = tmp_path / "thing.png"
    if setup == "folder":
        path.mkdir()
    elif setup == "empty":
        path.write_bytes(b"")
    elif setup == "text":
        path.write_text("not a picture")
    with pytest.raises(ImageError) as excinfo:
        prepare_file(path, XAI_LIMITS)
    assert (excinfo.value.name, excinfo.value.reason) == ("thing.png", reason)


@pytest.mark.skipif(not features.check("avif"), reason="this Pillow has no AVIF support")
def test_avif_is_converted_to_jpeg(tmp_path: Path) -> None:
    path = save(marked(240, 160), tmp_path / "phone.avif", "AVIF", quality=80)
    prepared = prepare_file(path, XAI_LIMITS)
    assert (prepared.mime, prepared.notes) == ("image/jpeg", ("converted from AVIF to JPEG",))
    assert is_red(decoded(prepared).getpixel((5, 5)))


def test_an_endpoint_that_takes_gif_gets_a_still_gif_untouched(tmp_path: Path) -> None:
    with_gif = ImageLimits(
        name="gif", label="GIF too", accepted_formats=frozenset({"JPEG", "PNG", "GIF"})
    )
    path = save(marked(120, 80).quantize(16), tmp_path / "diagram.gif", "GIF")
    prepared = prepare_file(path, with_gif)
    assert (prepared.mime, prepared.data, prepared.notes) == ("image/gif", path.read_bytes(), ())
