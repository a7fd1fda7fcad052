"""Naming image formats for people, and telling what a file is when Pillow cannot read it.

Everything here works on the first few kilobytes of a file (its "head"): magic numbers decide,
never the file name, except to recognise a gzip-compressed SVG (.svgz).
"""

from __future__ import annotations

MIB = 1024 * 1024
SNIFF_BYTES = 4096

# Pillow format names as people know them.
_LABELS = {
    "JPEG": "JPEG",
    "MPO": "JPEG",
    "PNG": "PNG",
    "GIF": "GIF",
    "WEBP": "WebP",
    "BMP": "BMP",
    "DIB": "BMP",
    "TIFF": "TIFF",
    "AVIF": "AVIF",
    "HEIF": "HEIC/HEIF",
    "JPEG2000": "JPEG 2000",
    "ICO": "ICO",
    "PPM": "PPM",
    "TGA": "TGA",
    "PCX": "PCX",
    "PSD": "Photoshop (PSD)",
    "EPS": "EPS",
    "DDS": "DDS",
    "QOI": "QOI",
    "ICNS": "ICNS",
}

_HEIC_BRANDS = frozenset(
    {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs", b"mif1", b"msf1"}
)
_AVIF_BRANDS = frozenset({b"avif", b"avis"})
_BMP_HEADER_SIZES = frozenset({12, 16, 40, 52, 56, 64, 108, 124})

NOT_AN_IMAGE = "not an image: the content is not a format this app can read"
EMPTY_FILE = "empty file (0 bytes)"


def format_label(pillow_format: str) -> str:
    """ "WEBP" → "WebP": the name of a format as shown to people."""
    return _LABELS.get(pillow_format, pillow_format)


def human_bytes(count: int) -> str:
    """A byte count as a size limit is usually written: "20 MiB", "200 KB", "512 KiB"."""
    if count >= MIB:
        return f"{count // MIB} MiB" if count % MIB == 0 else f"{count / MIB:.1f} MiB"
    if count >= 1024 and count % 1024 == 0:
        return f"{count // 1024} KiB"
    if count >= 1000 and count % 1000 == 0:
        return f"{count // 1000} KB"
    if count >= 1024:
        return f"{count / 1024:.0f} KiB"
    return f"{count} bytes"


def damaged_reason(label: str) -> str:
    return f"the file looks like a {label} but is damaged or cut short (truncated)"


def too_large_reason(width: int, height: int, max_pixels: int) -> str:
    return (
        f"{width}×{height} px is too large to open safely "
        f"(over {max_pixels / 1_000_000:g} megapixels)"
    )


def magic_label(head: bytes) -> str | None:
    """The raster format a file's first bytes announce, if any (used to say "damaged")."""
    checks = (
        (head.startswith(b"\x89PNG\r\n\x1a\n"), "PNG"),
        (head.startswith(b"\xff\xd8\xff"), "JPEG"),
        (head.startswith((b"GIF87a", b"GIF89a")), "GIF"),
        (head.startswith(b"RIFF") and head[8:12] == b"WEBP", "WebP"),
        (head.startswith((b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")), "TIFF"),
        (_looks_like_bmp(head), "BMP"),
        (head.startswith((b"\x00\x00\x00\x0cjP  \r\n\x87\n", b"\xff\x4f\xff\x51")), "JPEG 2000"),
    )
    return next((label for matched, label in checks if matched), None)


def _looks_like_bmp(head: bytes) -> bool:
    return (
        head.startswith(b"BM")
        and len(head) >= 18
        and int.from_bytes(head[14:18], "little") in _BMP_HEADER_SIZES
    )


def _ftyp_brands(head: bytes) -> tuple[bytes, frozenset[bytes]]:
    """The major and compatible brands of an ISO-BMFF file (HEIC, AVIF, MP4), or empty."""
    if head[4:8] != b"ftyp" or len(head) < 12:
        return b"", frozenset()
    box_size = min(int.from_bytes(head[:4], "big"), len(head))
    compatible = {head[i : i + 4] for i in range(16, box_size - 3, 4)}
    return head[8:12], frozenset(compatible | {head[8:12]})


def is_heif(head: bytes) -> bool:
    """An ISO-BMFF file whose brands say HEIC/HEIF (a phone photo), not AVIF."""
    major, brands = _ftyp_brands(head)
    return major not in _AVIF_BRANDS and bool(brands & _HEIC_BRANDS)


def is_pdf(head: bytes) -> bool:
    """A PDF file: "%PDF-" within its first kilobyte (where readers look for it)."""
    return b"%PDF-" in head[:1024]


def _looks_like_svg(head: bytes, name: str) -> bool:
    if name.lower().endswith(".svgz") and head.startswith(b"\x1f\x8b"):
        return True
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return text.startswith(b"<") and b"<svg" in text


def unreadable_reason(head: bytes, name: str) -> str:
    """Why Pillow could not identify a file, in words a person can act on."""
    major, brands = _ftyp_brands(head)
    if major in _AVIF_BRANDS:
        return "AVIF is not supported by this installation: export it as JPEG or PNG"
    if brands & _HEIC_BRANDS:
        return "HEIC needs the pi-heif package, which is not installed: export it as JPEG"
    if _looks_like_svg(head, name):
        return "SVG is a vector format: export it as PNG first"
    if is_pdf(head):
        return "a PDF is added page by page: drop or pick the PDF file itself"
    label = magic_label(head)
    if label is not None:
        return damaged_reason(label)
    return NOT_AN_IMAGE
