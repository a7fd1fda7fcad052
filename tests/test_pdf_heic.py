"""PDF pages and HEIC photos in the engine: real files made here, read through the real
libraries (PDFium, libheif)."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image
from support.documents import A4, LETTER, write_heic, write_pdf

from app.core.budget import image_tokens
from app.core.images import prepare_file, probe
from app.core.images.pdf_pages import (
    PageScale,
    page_pixels,
    page_probe,
    page_thumbnail,
    page_tokens,
    parse_pages,
    prepare_page,
    read_pdf,
)
from app.core.imagetypes import ImageError
from app.core.limits import XAI_LIMITS


def test_page_sizes_are_read_without_rendering(tmp_path: Path) -> None:
    info = read_pdf(write_pdf(tmp_path / "invoice.pdf", pages=3, size=A4))
    assert info.name == "invoice.pdf"
    assert info.page_sizes == (A4, A4, A4)
    assert page_probe(info, 2, PageScale.STANDARD).name == "invoice.pdf, page 2"


@pytest.mark.parametrize(
    ("scale", "size", "tokens"),
    [
        (PageScale.CHEAPER, (692, 896), 1280),
        (PageScale.STANDARD, (1039, 1344), 1792),
        (PageScale.SHARPER, (1385, 1792), 1792),
    ],
)
def test_a_letter_page_is_rendered_at_the_size_it_was_priced(
    tmp_path: Path, scale: PageScale, size: tuple[int, int], tokens: int
) -> None:
    info = read_pdf(write_pdf(tmp_path / "letter.pdf", pages=1, size=LETTER))
    assert page_pixels(LETTER, scale) == size
    assert page_tokens(info, 1, scale) == tokens == image_tokens(*size)
    prepared = prepare_page(info, 1, scale, XAI_LIMITS)
    assert (prepared.width, prepared.height) == size
    assert prepared.name == "letter.pdf, page 1"
    assert f"{scale.value} px" in prepared.notes[0]
    picture = Image.open(io.BytesIO(prepared.data))
    assert picture.size == size
    # the page's box (red on page 1) in its upper left quarter, white elsewhere
    assert picture.convert("RGB").getpixel((size[0] // 4, size[1] // 4)) == (255, 0, 0)
    assert picture.convert("RGB").getpixel((3 * size[0] // 4, 3 * size[1] // 4)) == (255,) * 3


def test_thumbnails_are_small_pngs(tmp_path: Path) -> None:
    path = write_pdf(tmp_path / "deck.pdf", pages=2)
    thumb = Image.open(io.BytesIO(page_thumbnail(str(path), 2, 96)))
    assert thumb.format == "PNG"
    assert max(thumb.size) == 96


def test_an_encrypted_pdf_is_named_and_explained(tmp_path: Path) -> None:
    with pytest.raises(ImageError) as excinfo:
        read_pdf(write_pdf(tmp_path / "secret.pdf", encrypted=True))
    assert excinfo.value.name == "secret.pdf"
    assert "protected by a password" in excinfo.value.reason


def test_a_broken_pdf_is_named_and_explained(tmp_path: Path) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(write_pdf(tmp_path / "whole.pdf").read_bytes()[:60])
    with pytest.raises(ImageError) as excinfo:
        read_pdf(path)
    assert "damaged or cut short" in excinfo.value.reason


def test_a_huge_pdf_is_refused_before_pdfium_reads_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.core.images import pdf_pages

    monkeypatch.setattr(pdf_pages, "MAX_PDF_BYTES", 100)
    with pytest.raises(ImageError) as excinfo:
        read_pdf(write_pdf(tmp_path / "huge.pdf"))
    assert "over the 100 bytes this app opens" in excinfo.value.reason


def test_page_lists() -> None:
    assert parse_pages("1-3,7", 9) == [1, 2, 3, 7]
    assert parse_pages("3, 1", 3) == [3, 1]
    with pytest.raises(ValueError, match="past the end"):
        parse_pages("2-5", 4)
    with pytest.raises(ValueError, match="not a page"):
        parse_pages("one", 4)


def test_a_heic_photo_is_turned_upright_and_sent_as_jpeg(tmp_path: Path) -> None:
    path = write_heic(tmp_path / "IMG_0001.HEIC", (64, 32), orientation=6)
    info = probe(path)
    assert info.format == "HEIF"
    assert info.oriented_size == (32, 64)
    prepared = prepare_file(path, XAI_LIMITS)
    assert prepared.mime == "image/jpeg"
    assert (prepared.width, prepared.height) == (32, 64)
    assert "converted from HEIC/HEIF to JPEG" in prepared.notes
    sent = Image.open(io.BytesIO(prepared.data)).convert("RGB")
    top, bottom = sent.getpixel((16, 8)), sent.getpixel((16, 56))
    assert isinstance(top, tuple)
    assert isinstance(bottom, tuple)
    assert top[2] > 200  # the left (blue) half is on top once upright
    assert top[0] < 60
    assert bottom[0] > 200
    assert bottom[2] < 60


def test_an_avif_photo_is_sent_as_jpeg(tmp_path: Path) -> None:
    from PIL import features

    if not features.check("avif"):
        pytest.skip("this Pillow has no AVIF support")
    path = tmp_path / "photo.avif"
    Image.new("RGB", (40, 20), (0, 200, 0)).save(path, "AVIF")
    prepared = prepare_file(path, XAI_LIMITS)
    assert prepared.mime == "image/jpeg"
    assert (prepared.width, prepared.height) == (40, 20)


def test_start_up_does_not_load_the_pdf_and_heic_libraries() -> None:
    code = (
        "import sys, app.gui.session, app.core.images, app.cli;"
        "print([m for m in ('pypdfium2', 'pi_heif', 'pillow_heif') if m in sys.modules])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
