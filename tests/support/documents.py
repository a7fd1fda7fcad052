"""Real PDF and HEIC files for the tests: PDFs written by hand (one coloured box a page, an
encrypted one), HEIC photos written by pillow-heif."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

from PIL import Image

LETTER = (612.0, 792.0)
A4 = (595.0, 842.0)
# The box drawn on page n (from 1): its fill colour, as PDF's 0–1 RGB.
COLOURS = ((1, 0, 0), (0, 0.5, 0), (0, 0, 1), (1, 0.5, 0), (0.5, 0, 0.5))


def pdf_bytes(sizes: Sequence[tuple[float, float]], *, encrypted: bool = False) -> bytes:
    """A PDF with one page a size (points), each with a box of its page's colour in its upper
    left quarter. `encrypted`: protected by a user password (not the empty one)."""
    count = len(sizes)
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids ["
        + b" ".join(b"%d 0 R" % (3 + 2 * i) for i in range(count))
        + b"] /Count %d >>" % count,
    ]
    for index, (width, height) in enumerate(sizes):
        r, g, b = COLOURS[index % len(COLOURS)]
        content = b"%g %g %g rg %g %g %g %g re f" % (r, g, b, 0, height / 2, width / 2, height / 2)
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %g %g] /Contents %d 0 R >>"
            % (width, height, 4 + 2 * index)
        )
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content))
    extra = b""
    if encrypted:
        objects.append(
            b"<< /Filter /Standard /V 1 /R 2 /P -4 /O <"
            + b"11" * 32
            + b"> /U <"
            + b"22" * 32
            + b"> >>"
        )
        extra = b" /Encrypt %d 0 R /ID [<%s> <%s>]" % (len(objects), b"ab" * 16, b"ab" * 16)
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.writelines(b"%010d 00000 n \n" % offset for offset in offsets)
    trailer = b"<< /Size %d /Root 1 0 R%s >>" % (len(objects) + 1, extra)
    out.write(b"trailer\n" + trailer + b"\nstartxref\n%d\n%%%%EOF\n" % xref)
    return out.getvalue()


def write_pdf(
    path: Path, pages: int = 3, size: tuple[float, float] = LETTER, *, encrypted: bool = False
) -> Path:
    path.write_bytes(pdf_bytes([size] * pages, encrypted=encrypted))
    return path


def write_heic(path: Path, size: tuple[int, int] = (64, 32), orientation: int = 1) -> Path:
    """A HEIC photo: blue left half, red right half as stored, with this EXIF orientation."""
    import pillow_heif

    width, height = size
    picture = Image.new("RGB", size, (255, 0, 0))
    picture.paste((0, 0, 255), (0, 0, width // 2, height))
    exif = Image.Exif()
    exif[0x0112] = orientation
    buffer = io.BytesIO()
    pillow_heif.from_pillow(picture).save(buffer, format="HEIF", exif=exif.tobytes(), quality=95)
    path.write_bytes(buffer.getvalue())
    return path
