"""PDF pages as images: page sizes without rendering, and rendering a page to send (PDFium).

pypdfium2 is imported on the first PDF met, never at start-up. PDFium is not thread-safe, so
every call into it holds one lock (the attachment controller has two worker threads).

The resolution rule: a page is rendered so that its longer side is a whole number of 448 px
tiles, whatever its size in points (an A4 page, a US Letter page and a poster alike):

- standard, 1344 px (3 tiles): about 115 dpi on A4 or Letter, 10-point text about 16 px tall,
  which the model reads; the tile formula counts at most 6 tiles, so this is already the
  highest price a page can have (1792 tokens).
- sharper, 1792 px (4 tiles): about 150 dpi, for small print and dense tables. The same
  tokens (the formula's ceiling), a larger upload.
- cheaper, 896 px (2 tiles): about 75 dpi, 4 tiles for a portrait page (1280 tokens); fine
  for slides and large type, small print blurs.
"""

from __future__ import annotations

import enum
import io
import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from PIL import Image

from ..budget import image_tokens
from ..imagetypes import ImageError, ImageProbe, PreparedImage
from ..limits import ImageLimits
from .formats import MIB, human_bytes, is_pdf
from .prepare import prepare_bytes
from .probe import checked_file_size, display_name

if TYPE_CHECKING:
    import pypdfium2

PDF_SUFFIXES: frozenset[str] = frozenset({".pdf"})
MAX_PDF_BYTES = 512 * MIB  # past this a PDF is refused before PDFium reads it
MAX_PDF_PAGES = 10_000
_POINTS_PER_INCH = 72
_lock = threading.Lock()


class PageScale(enum.Enum):
    """How sharp a page is rendered: the pixels on its longer side (see the module docstring)."""

    CHEAPER = 896
    STANDARD = 1344
    SHARPER = 1792

    @property
    def label(self) -> str:
        return self.name.capitalize()


@dataclass(frozen=True)
class PdfInfo:
    """What a PDF holds, read without rendering: its pages' sizes in points (rotation applied)."""

    name: str
    path: str
    file_size: int
    page_sizes: tuple[tuple[float, float], ...]

    @property
    def page_count(self) -> int:
        return len(self.page_sizes)


def page_name(pdf_name: str, page: int) -> str:
    """ "invoice.pdf, page 2" (pages counted from 1)."""
    return f"{pdf_name}, page {page}"


def looks_like_pdf(path: str | os.PathLike[str]) -> bool:
    """True when the file's first kilobyte announces a PDF (False when it cannot be read)."""
    try:
        with open(path, "rb") as fp:
            return is_pdf(fp.read(1024))
    except OSError:
        return False


def page_pixels(size_points: tuple[float, float], scale: PageScale) -> tuple[int, int]:
    """The pixel size a page is rendered at: its longer side becomes `scale.value`."""
    width, height = size_points
    long_side = max(width, height)
    if long_side <= 0:
        return 1, 1
    factor = scale.value / long_side
    return max(1, round(width * factor)), max(1, round(height * factor))


def page_dpi(size_points: tuple[float, float], scale: PageScale) -> int:
    return round(scale.value / max(size_points) * _POINTS_PER_INCH) if max(size_points) else 0


SCALE_REASONS = {
    PageScale.STANDARD: "small print stays legible",
    PageScale.SHARPER: "sharper small print, same tokens, bigger upload",
    PageScale.CHEAPER: "fewer tiles, small print may blur",
}


def scale_note(size_points: tuple[float, float], scale: PageScale) -> str:
    """What the tray says about a page's resolution (short: it fits a tile)."""
    return f"PDF page at {scale.value} px (≈{page_dpi(size_points, scale)} dpi)"


def page_probe(info: PdfInfo, page: int, scale: PageScale) -> ImageProbe:
    """A page as the rest of the app sees an image file: named, sized, priced by its probe."""
    width, height = page_pixels(info.page_sizes[page - 1], scale)
    return ImageProbe(
        name=page_name(info.name, page),
        path=info.path,
        format="PNG",
        width=width,
        height=height,
        orientation=1,
        file_size=info.file_size,
    )


def page_tokens(info: PdfInfo, page: int, scale: PageScale) -> int:
    return image_tokens(*page_pixels(info.page_sizes[page - 1], scale))


def _pdfium() -> Any:
    import pypdfium2

    return pypdfium2


@contextmanager
def _document(path: str, name: str) -> Iterator[pypdfium2.PdfDocument]:
    """The open document under the PDFium lock, or the ImageError saying why it cannot be."""
    size = checked_file_size(path, name)
    if size > MAX_PDF_BYTES:
        raise ImageError(
            name,
            f"this PDF is {human_bytes(size)}, over the {human_bytes(MAX_PDF_BYTES)} this app"
            " opens: split it, or export the pages you need as PNG",
        )
    pdfium = _pdfium()
    with _lock:
        try:
            document = pdfium.PdfDocument(path)
        except pdfium.PdfiumError as exc:
            raise ImageError(name, _open_error(exc)) from None
        except OSError as exc:
            raise ImageError(name, f"cannot be read ({exc.strerror or exc})") from None
        try:
            yield document
        finally:
            document.close()


def _open_error(exc: Exception) -> str:
    code = getattr(exc, "err_code", None)
    if code == 4:  # FPDF_ERR_PASSWORD
        return (
            "this PDF is protected by a password: open it in a PDF reader, print or export it"
            " without the password, and add that file"
        )
    if code == 5:  # FPDF_ERR_SECURITY
        return "this PDF uses a kind of encryption PDFium cannot open: export it as PNG"
    return "the file looks like a PDF but is damaged or cut short: re-export it and try again"


def read_pdf(path: str | os.PathLike[str]) -> PdfInfo:
    """Open a PDF and read its page sizes (no page rendered). Call from a worker thread."""
    text = os.fspath(path)
    name = display_name(text)
    with _document(text, name) as document:
        count = len(document)
        if count == 0:
            raise ImageError(name, "this PDF has no pages")
        if count > MAX_PDF_PAGES:
            raise ImageError(
                name, f"this PDF has {count} pages, over the {MAX_PDF_PAGES} this app opens"
            )
        sizes = tuple(_size(document, i) for i in range(count))
    return PdfInfo(name=name, path=text, file_size=os.path.getsize(text), page_sizes=sizes)


def _size(document: pypdfium2.PdfDocument, index: int) -> tuple[float, float]:
    width, height = document.get_page_size(index)
    return float(width), float(height)


def render_page(path: str, page: int, size: tuple[int, int], name: str = "") -> Image.Image:
    """Page `page` (from 1) as an RGB picture of exactly `size` pixels, on white."""
    name = name or display_name(path)
    with _document(path, name) as document:
        if not 1 <= page <= len(document):
            raise ImageError(name, f"has no page {page} (it has {len(document)})")
        pdf_page = document[page - 1]
        try:
            width, height = pdf_page.get_size()
            factor = max(size) / max(width, height, 1)
            bitmap = pdf_page.render(scale=factor, may_draw_forms=True)
            picture: Image.Image = bitmap.to_pil().convert("RGB")
        except _pdfium().PdfiumError:
            raise ImageError(name, f"page {page} is damaged and cannot be drawn") from None
        finally:
            pdf_page.close()
    if picture.size != size:  # PDFium rounds up by a pixel now and then
        picture = picture.resize(size, Image.Resampling.LANCZOS)
    return picture


def prepare_page(info: PdfInfo, page: int, scale: PageScale, limits: ImageLimits) -> PreparedImage:
    """Render a page and prepare it as any other image (PNG, fitted to the limits)."""
    probe = page_probe(info, page, scale)
    picture = render_page(info.path, page, (probe.width, probe.height), probe.name)
    buffer = io.BytesIO()
    picture.save(buffer, "PNG", optimize=False, compress_level=6)
    prepared = prepare_bytes(buffer.getvalue(), probe.name, limits)
    return replace(
        prepared,
        original_format="PDF",
        original_bytes=info.file_size,
        notes=(scale_note(info.page_sizes[page - 1], scale), *prepared.notes),
    )


def page_thumbnail(path: str, page: int, side: int) -> bytes:
    """A small PNG of a page, `side` px on its long side (the page picker's tiles)."""
    with _document(path, display_name(path)) as document:
        width, height = document.get_page_size(page - 1)
    long_side = max(width, height, 1)
    size = (max(1, round(width * side / long_side)), max(1, round(height * side / long_side)))
    buffer = io.BytesIO()
    render_page(path, page, size).save(buffer, "PNG")
    return buffer.getvalue()


_RANGE = re.compile(r"^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$")


def parse_pages(spec: str, count: int) -> list[int]:
    """ "1-3,7" → [1, 2, 3, 7] (in the order given); ValueError with a plain reason."""
    pages: list[int] = []
    for part in spec.split(","):
        match = _RANGE.match(part)
        if match is None:
            raise ValueError(f"'{part.strip()}' is not a page or a range like 1-3")
        first = int(match.group(1))
        last = int(match.group(2) or first)
        if first < 1 or last < first:
            raise ValueError(f"'{part.strip()}' is not a page range (pages count from 1)")
        if last > count:
            raise ValueError(f"page {last} is past the end: the PDF has {count} pages")
        pages.extend(p for p in range(first, last + 1) if p not in pages)
    return pages
