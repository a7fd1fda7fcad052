"""Fitting to the endpoint's limits: the long edge, the byte limit, and never growing a file."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from support.images import (
    exif_with_orientation,
    is_red,
    marked,
    noise_rgb,
    photo_like,
    save,
)

from app.core.budget import image_tokens
from app.core.images import planned_size, planned_tokens, prepare_file, probe
from app.core.imagetypes import ImageError, PreparedImage
from app.core.limits import XAI_LIMITS

SMALL = replace(XAI_LIMITS, name="small", max_bytes=200_000)


def decoded(prepared: PreparedImage) -> Image.Image:
    with Image.open(io.BytesIO(prepared.data)) as im:
        im.load()
        return im.copy()


def screenshot_like(width: int, height: int) -> Image.Image:
    """Flat panels with lines of dark "text": what PNG screenshots look like."""
    im = Image.new("RGB", (width, height), (246, 246, 250))
    draw = ImageDraw.Draw(im)
    draw.rectangle((0, 0, width, 40), fill=(40, 60, 120))
    for row, y in enumerate(range(60, height - 20, 18)):
        text = f"line {row}: the build failed at step {row * 7 % 13} — see log #{row * 31}"
        draw.text((12 + row % 5, y), text, fill=(20, 20, 20))
    return im


def test_long_edge_past_the_limit_is_downscaled(tmp_path: Path) -> None:
    path = save(photo_like(12_000, 300), tmp_path / "panorama.jpg", "JPEG", quality=90)
    info = probe(path)
    assert planned_size(info, XAI_LIMITS) == (8192, 205)
    assert planned_tokens(info, XAI_LIMITS) == image_tokens(8192, 205)
    prepared = prepare_file(path, XAI_LIMITS)
    assert (prepared.width, prepared.height) == (8192, 205)
    assert prepared.original_size == (12_000, 300)
    assert prepared.notes == ("downscaled from 12000×300",)
    assert prepared.mime == "image/jpeg"
    assert len(prepared.data) < path.stat().st_size  # fewer pixels, same quality


def test_rotated_and_oversized_agree_with_the_plan(tmp_path: Path) -> None:
    upright = marked(9_000, 400)
    stored = upright.transpose(Image.Transpose.ROTATE_90)
    path = save(stored, tmp_path / "tall.jpg", "JPEG", exif=exif_with_orientation(6))
    info = probe(path)
    assert planned_size(info, XAI_LIMITS) == (8192, 364)
    prepared = prepare_file(path, XAI_LIMITS)
    assert (prepared.width, prepared.height) == (8192, 364)
    assert prepared.notes[1] == "downscaled from 9000×400"
    assert is_red(decoded(prepared).getpixel((8, 8)))


def test_portrait_long_edge(tmp_path: Path) -> None:
    path = save(photo_like(200, 9_000), tmp_path / "scroll.png")
    prepared = prepare_file(path, XAI_LIMITS)
    assert (prepared.width, prepared.height) == (182, 8192)
    assert prepared.mime == "image/png"


def test_noisy_png_over_the_byte_limit_fits_afterwards(tmp_path: Path) -> None:
    path = save(noise_rgb(1200, 900), tmp_path / "noise.png")
    assert path.stat().st_size > 10 * SMALL.max_bytes
    prepared = prepare_file(path, SMALL)
    assert len(prepared.data) <= SMALL.max_bytes
    assert prepared.mime == "image/jpeg"
    assert len(prepared.notes) == 1
    note = prepared.notes[0]
    assert note.startswith("re-encoded as JPEG (quality 75) and downscaled to ")
    assert note.endswith(" to fit 200 KB")
    assert f"{prepared.width}×{prepared.height}" in note
    assert prepared.width / prepared.height == pytest.approx(1200 / 900, rel=0.01)
    assert prepared.original_size == (1200, 900)


def test_photo_png_over_the_byte_limit_is_re_encoded_as_jpeg(tmp_path: Path) -> None:
    path = save(photo_like(1200, 900), tmp_path / "photo.png")
    prepared = prepare_file(path, SMALL)
    assert len(prepared.data) <= SMALL.max_bytes
    assert (prepared.width, prepared.height) == (1200, 900)  # quality first, pixels last
    assert prepared.notes in {
        (f"re-encoded as JPEG (quality {q}) to fit 200 KB",) for q in (95, 85, 75)
    }


def test_png_optimize_is_tried_first_for_screenshots(tmp_path: Path) -> None:
    im = screenshot_like(1600, 1000)
    plain, tight = io.BytesIO(), io.BytesIO()
    im.save(plain, "PNG")
    im.save(tight, "PNG", optimize=True)
    assert len(tight.getvalue()) < len(plain.getvalue())
    limits = replace(XAI_LIMITS, max_bytes=(len(plain.getvalue()) + len(tight.getvalue())) // 2)
    path = save(im, tmp_path / "screenshot.png")
    prepared = prepare_file(path, limits)
    assert prepared.mime == "image/png"
    assert prepared.data == tight.getvalue()
    assert prepared.notes[0].startswith("re-encoded as optimized PNG to fit ")
    assert decoded(prepared).tobytes() == im.tobytes()  # lossless


def test_transparent_png_over_the_limit_stays_png(tmp_path: Path) -> None:
    im = noise_rgb(800, 600).convert("RGBA")
    im.putalpha(Image.linear_gradient("L").resize((800, 600)))
    prepared = prepare_file(save(im, tmp_path / "overlay.png"), SMALL)
    assert prepared.mime == "image/png"
    assert len(prepared.data) <= SMALL.max_bytes
    assert decoded(prepared).mode == "RGBA"
    assert prepared.notes[0].startswith("downscaled to ")


def test_noisy_jpeg_over_the_limit(tmp_path: Path) -> None:
    path = save(noise_rgb(1000, 800), tmp_path / "grain.jpg", "JPEG", quality=98)
    prepared = prepare_file(path, SMALL)
    assert len(prepared.data) <= SMALL.max_bytes
    assert prepared.mime == "image/jpeg"
    assert "to fit 200 KB" in prepared.notes[-1]


def test_a_limit_that_cannot_be_met(tmp_path: Path) -> None:
    tiny = replace(XAI_LIMITS, max_bytes=300)
    path = save(noise_rgb(600, 400), tmp_path / "grain.png")
    with pytest.raises(ImageError) as excinfo:
        prepare_file(path, tiny)
    assert excinfo.value.name == "grain.png"
    assert excinfo.value.reason == "cannot be made smaller than 300 bytes and stay legible"


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_original_bytes_are_never_exceeded_when_only_fitting(tmp_path: Path, fmt: str) -> None:
    options = {"compress_level": 1} if fmt == "PNG" else {}
    path = save(photo_like(9_000, 1_200), tmp_path / f"wide.{fmt.lower()}", fmt, **options)
    prepared = prepare_file(path, XAI_LIMITS)
    assert (prepared.width, prepared.height) == (8192, 1092)
    assert len(prepared.data) <= path.stat().st_size


def test_palette_image_is_resampled_smoothly_when_shrunk_to_fit(tmp_path: Path) -> None:
    png_only = replace(SMALL, accepted_formats=frozenset({"PNG"}))
    path = save(noise_rgb(1200, 800).quantize(64), tmp_path / "dither.gif", "GIF")
    prepared = prepare_file(path, png_only)
    assert prepared.mime == "image/png"
    assert len(prepared.data) <= png_only.max_bytes
    assert decoded(prepared).mode == "RGB"  # LANCZOS needs real colours, not indices
    assert prepared.notes[0] == "converted from GIF to PNG"
    assert prepared.notes[1].startswith("downscaled to ")
