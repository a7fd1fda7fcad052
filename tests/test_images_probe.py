"""Header probes and validation: real files in tmp_path, nothing decoded that need not be."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PIL import EpsImagePlugin, Image
from support.images import (
    animated,
    bomb_png,
    encoded,
    header_only_png,
    noise_rgb,
    photo_like,
    png_with_trailing_exif,
    rotated_jpeg,
    save,
)

from app.core.budget import image_tokens
from app.core.images import (
    IMAGE_SUFFIXES,
    planned_size,
    planned_tokens,
    prepare_file,
    probe,
    probe_bytes,
    validate,
)
from app.core.imagetypes import ImageError, ImageProbe
from app.core.limits import XAI_LIMITS, ImageLimits


def reason_of(excinfo: pytest.ExceptionInfo[ImageError]) -> str:
    return excinfo.value.reason


def test_probe_reads_format_size_and_file_size(tmp_path: Path) -> None:
    path = save(photo_like(640, 360), tmp_path / "shot.png")
    info = probe(path)
    assert (info.name, info.path, info.format) == ("shot.png", str(path), "PNG")
    assert (info.width, info.height, info.orientation) == (640, 360, 1)
    assert info.file_size == path.stat().st_size
    assert info.animated is False


def test_probe_bytes_has_no_path(tmp_path: Path) -> None:
    info = probe_bytes(encoded(photo_like(300, 200), "JPEG"), "pasted image")
    assert (info.name, info.path, info.format, info.width, info.height) == (
        "pasted image",
        "",
        "JPEG",
        300,
        200,
    )


def test_content_decides_not_the_suffix(tmp_path: Path) -> None:
    path = save(photo_like(200, 100), tmp_path / "really-a-png.jpg", "PNG")
    assert probe(path).format == "PNG"
    prepared = prepare_file(path, XAI_LIMITS)
    assert prepared.mime == "image/png"
    assert prepared.data == path.read_bytes()


@pytest.mark.parametrize("content", [b"", b"hi\n", b"BM", b"\x89P"])
def test_a_file_of_a_few_bytes_is_not_an_image(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "notes.png"
    path.write_bytes(content)
    with pytest.raises(ImageError) as refused:
        probe(path)
    assert "unpack" not in str(refused.value)
    with pytest.raises(ImageError) as refused_again:
        prepare_file(path, XAI_LIMITS)
    assert "unpack" not in str(refused_again.value)


@pytest.mark.parametrize("orientation", [6, 8])
def test_exif_orientation_read_from_header(tmp_path: Path, orientation: int) -> None:
    path = rotated_jpeg(tmp_path / "phone.jpg", (300, 200), orientation)
    info = probe(path)
    assert (info.width, info.height) == (200, 300)  # as stored
    assert info.orientation == orientation
    assert info.oriented_size == (300, 200)
    assert planned_size(info, XAI_LIMITS) == (300, 200)


def test_png_exif_after_pixel_data_is_found_without_decoding(tmp_path: Path) -> None:
    path = png_with_trailing_exif(tmp_path / "late-exif.png", (300, 200), 6)
    info = probe(path)
    assert info.orientation == 6
    assert planned_size(info, XAI_LIMITS) == (300, 200)


@pytest.mark.parametrize(("fmt", "suffix"), [("GIF", "gif"), ("PNG", "png"), ("WEBP", "webp")])
def test_animation_is_known_from_the_header(tmp_path: Path, fmt: str, suffix: str) -> None:
    moving = animated(tmp_path / f"moving.{suffix}", fmt, ((255, 0, 0), (0, 0, 255)))
    still = save(Image.new("RGB", (50, 40), (0, 128, 0)), tmp_path / f"still.{suffix}", fmt)
    assert probe(moving).animated is True
    assert probe(still).animated is False


def test_mpo_is_a_jpeg_with_extra_pictures(tmp_path: Path) -> None:
    first, second = photo_like(320, 240), noise_rgb(320, 240)
    path = tmp_path / "camera.jpg"
    first.save(path, "MPO", save_all=True, append_images=[second])
    info = probe(path)
    assert (info.format, info.animated) == ("JPEG", False)
    prepared = prepare_file(path, XAI_LIMITS)
    assert (prepared.mime, prepared.data) == ("image/jpeg", path.read_bytes())


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ImageError) as excinfo:
        probe(tmp_path / "gone.png")
    assert excinfo.value.name == "gone.png"
    assert reason_of(excinfo) == "file not found"
    assert str(excinfo.value) == "gone.png: file not found"


def test_folder(tmp_path: Path) -> None:
    folder = tmp_path / "holiday.png"
    folder.mkdir()
    with pytest.raises(ImageError) as excinfo:
        probe(folder)
    assert reason_of(excinfo) == "is a folder, not an image"


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.png"
    path.write_bytes(b"")
    with pytest.raises(ImageError) as excinfo:
        probe(path)
    assert reason_of(excinfo) == "empty file (0 bytes)"
    with pytest.raises(ImageError, match=r"^clip: empty file \(0 bytes\)$"):
        probe_bytes(b"", "clip")


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="file permissions do not bind root"
)
def test_permission_denied(tmp_path: Path) -> None:
    path = save(photo_like(50, 50), tmp_path / "secret.png")
    path.chmod(0)
    try:
        with pytest.raises(ImageError) as excinfo:
            probe(path)
    finally:
        path.chmod(0o600)
    assert reason_of(excinfo) == "permission denied"


def test_text_file_named_png(tmp_path: Path) -> None:
    path = tmp_path / "notes.png"
    path.write_text("shopping: milk, eggs, a screenshot of the bug\n" * 20)
    with pytest.raises(ImageError) as excinfo:
        probe(path)
    assert excinfo.value.name == "notes.png"
    assert reason_of(excinfo) == "not an image: the content is not a format this app can read"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10"/>',
            "SVG is a vector format: export it as PNG first",
        ),
        (
            b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(64),
            "the file looks like a HEIC/HEIF but is damaged or cut short (truncated)",
        ),
        (
            b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + bytes(64),
            "a PDF is added page by page: drop or pick the PDF file itself",
        ),
    ],
)
def test_formats_the_app_cannot_read_are_named(
    tmp_path: Path, content: bytes, expected: str
) -> None:
    path = tmp_path / "drawing.bin"
    path.write_bytes(content)
    with pytest.raises(ImageError) as excinfo:
        probe(path)
    assert reason_of(excinfo) == expected


def test_png_cut_inside_its_header(tmp_path: Path) -> None:
    path = tmp_path / "cut.png"
    path.write_bytes(encoded(photo_like(100, 100), "PNG")[:30])
    with pytest.raises(ImageError) as excinfo:
        probe(path)
    assert reason_of(excinfo) == (
        "the file looks like a PNG but is damaged or cut short (truncated)"
    )


def test_probe_never_decodes_pixels(tmp_path: Path) -> None:
    """A file cut right after its header probes fine; only preparing it finds the damage."""
    path = header_only_png(tmp_path / "cut-after-header.png", 640, 480)
    info = probe(path)
    assert (info.format, info.width, info.height) == ("PNG", 640, 480)
    validate(info, XAI_LIMITS)
    with pytest.raises(ImageError) as excinfo:
        prepare_file(path, XAI_LIMITS)
    assert reason_of(excinfo) == (
        "the file looks like a PNG but is damaged or cut short (truncated)"
    )


def test_decompression_bomb_is_probed_then_refused(tmp_path: Path) -> None:
    path = bomb_png(tmp_path / "bomb.png")  # 900 megapixels, ~110 KB on disk
    assert path.stat().st_size < 1_000_000
    info = probe(path)  # no pixel decoded: this returns at once
    assert (info.width, info.height) == (30_000, 30_000)
    expected = "30000×30000 px is too large to open safely (over 180 megapixels)"
    with pytest.raises(ImageError) as excinfo:
        validate(info, XAI_LIMITS)
    assert reason_of(excinfo) == expected
    with pytest.raises(ImageError) as excinfo:
        prepare_file(path, XAI_LIMITS)
    assert reason_of(excinfo) == expected


def test_size_past_pillows_own_ceiling_but_within_the_profile(tmp_path: Path) -> None:
    """90 MP passes Pillow's 89 MP warning line: allowed by the profile, so no warning is raised
    (pytest turns warnings into errors) and the file is sent untouched."""
    path = bomb_png(tmp_path / "big-blank.png", 9_500, 9_500)
    assert (Image.MAX_IMAGE_PIXELS or 0) < 9_500 * 9_500
    roomy = ImageLimits(name="roomy", label="roomy", max_long_edge=10_000)
    prepared = prepare_file(path, roomy)
    assert prepared.data == path.read_bytes()


def test_profile_pixel_ceiling_is_the_limit(tmp_path: Path) -> None:
    path = save(photo_like(2000, 1000), tmp_path / "two-mp.png")
    tight = ImageLimits(name="tight", label="tight", max_pixels=1_000_000)
    with pytest.raises(
        ImageError,
        match=r"2000×1000 px is too large to open safely "
        r"\(over 1 megapixels\)",
    ):
        validate(probe(path), tight)


@pytest.mark.parametrize(
    ("size", "tokens"),
    [
        ((448, 448), 512),
        ((449, 448), 768),
        ((448, 449), 768),
        ((896, 896), 1280),
        ((897, 896), 1792),
        ((897, 897), 1792),
        ((1, 1), 512),
    ],
)
def test_planned_tokens_follow_the_tile_formula(
    tmp_path: Path, size: tuple[int, int], tokens: int
) -> None:
    path = save(photo_like(*size), tmp_path / "tile.png")
    info = probe(path)
    assert planned_size(info, XAI_LIMITS) == size
    assert planned_tokens(info, XAI_LIMITS) == tokens == image_tokens(*size)
    prepared = prepare_file(path, XAI_LIMITS)
    assert (prepared.width, prepared.height) == size


def test_image_suffixes() -> None:
    assert {
        *(".png", ".jpg", ".jpeg", ".webp", ".gif", ".bmp", ".tif", ".tiff"),
        *(".heic", ".heif", ".avif"),
    } == IMAGE_SUFFIXES
    assert all(suffix == suffix.lower() and suffix.startswith(".") for suffix in IMAGE_SUFFIXES)


@pytest.mark.parametrize(
    ("content", "label"),
    [
        (b"BUFR" + bytes(200), "BUFR"),
        (b"GRIB\x00\x00\x00\x01" + bytes(200), "GRIB"),
    ],
)
def test_formats_pillow_identifies_but_cannot_decode(content: bytes, label: str) -> None:
    with pytest.raises(ImageError) as excinfo:
        probe_bytes(content, "weather.dat")
    assert excinfo.value.reason == (
        f"{label} files can be recognised but not read by this app: export it as PNG or JPEG"
    )


@pytest.mark.skipif(EpsImagePlugin.has_ghostscript(), reason="Ghostscript can decode EPS here")
def test_eps_without_ghostscript_is_refused_before_decoding() -> None:
    info = probe_bytes(b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 100 50\n%%EOF\n", "logo.eps")
    assert (info.format, info.width, info.height) == ("EPS", 100, 50)
    with pytest.raises(ImageError) as excinfo:
        validate(info, XAI_LIMITS)
    assert excinfo.value.reason == (
        "EPS needs Ghostscript, which is not installed: export it as PNG first"
    )


def test_validate_refuses_an_unknown_format_name() -> None:
    info = ImageProbe(
        name="odd", path="", format="NOPE", width=10, height=10, orientation=1, file_size=10
    )
    with pytest.raises(ImageError, match="NOPE is not a format this app can read"):
        validate(info, XAI_LIMITS)
