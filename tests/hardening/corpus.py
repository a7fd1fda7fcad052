"""The corpus of hostile and awkward files, made on demand in a test's folder.

Each `Case` builds one file (or symlink, or unreadable file) with `make(folder)` and says what
the app must do with it: send it as it is, change it to fit and say how, or refuse it with a
reason a person can act on. The same cases are dropped on the window, pasted, and given to the
command line (tests/hardening/test_files_*.py); folders, files deleted after the drop and 200
files at once have tests of their own.

Everything is generated: nothing is downloaded, and the large ones are written cheaply (the
decompression bomb and the 60-MP screenshot are PNGs whose rows are compressed one by one,
never held as a picture in memory).
"""

from __future__ import annotations

import enum
import os
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image
from support.documents import write_heic
from support.images import (
    animated,
    bomb_png,
    encoded,
    ihdr,
    photo_like,
    png_from_chunks,
    rotated_jpeg,
    save,
    sixteen_bit_png,
)


class Outcome(enum.Enum):
    SENT = "sent as it is"
    FITTED = "changed to fit, and the tile says how"
    REFUSED = "refused, with the file's name and the reason"


@dataclass(frozen=True)
class Case:
    id: str
    make: Callable[[Path], Path]
    outcome: Outcome
    words: str = ""  # in the reason (REFUSED) or the notes (FITTED)
    sent_size: tuple[int, int] | None = None  # pixels the server receives (SENT, FITTED)
    paste_bytes: bool = True  # worth pasting as image data (it has content, and the
    # content, not the name, is what is wrong with it)
    slow: bool = False
    skip: str | None = None  # why it cannot run here

    def param(self) -> object:
        marks: list[pytest.MarkDecorator] = []
        if self.slow:
            marks.append(pytest.mark.slow)
        if self.skip:
            marks.append(pytest.mark.skip(reason=self.skip))
        return pytest.param(self, id=self.id, marks=marks)


# -- builders --------------------------------------------------------------------------------

DAMAGED = "damaged or cut short"


def _write(name: str, data: bytes) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(data)
        return path

    return make


def _cut(name: str, fmt: str) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        whole = encoded(photo_like(400, 300), fmt)
        path = folder / name
        path.write_bytes(whole[: len(whole) // 2])
        return path

    return make


def _image(name: str, fmt: str, size: tuple[int, int] = (320, 200)) -> Callable[[Path], Path]:
    return lambda folder: save(photo_like(*size), folder / name, fmt)


def _bomb(folder: Path) -> Path:
    return bomb_png(folder / "bomb.png")  # 30,000 × 30,000 px in a few hundred KB


def screenshot_png(path: Path, width: int = 10_000, height: int = 6_000) -> Path:
    """A desktop-sized RGB screenshot (a title bar, lines of "text" on white), row by row."""
    white = b"\x00" + b"\xff" * (width * 3)
    bar = b"\x00" + bytes((40, 44, 52)) * width
    text = b"\x00" + (bytes((30, 30, 30)) * 2 + b"\xff" * 18) * (width // 8)
    text += b"\xff" * (len(white) - len(text))
    packer = zlib.compressobj(6)
    parts = []
    for y in range(height):
        row = bar if y < 60 else (text if (y // 14) % 3 == 0 else white)
        parts.append(packer.compress(row))
    parts.append(packer.flush())
    path.write_bytes(
        png_from_chunks(ihdr(width, height), (b"IDAT", b"".join(parts)), (b"IEND", b""))
    )
    return path


def _screenshot(folder: Path) -> Path:
    return screenshot_png(folder / "screenshot-60mp.png")


def _animation(name: str, fmt: str) -> Callable[[Path], Path]:
    return lambda folder: animated(folder / name, fmt, ((230, 20, 20), (20, 20, 230)))


def _cmyk(folder: Path) -> Path:
    return save(Image.new("CMYK", (200, 100), (0, 255, 255, 0)), folder / "print.jpg", "JPEG")


def _sixteen_bit(folder: Path) -> Path:
    return sixteen_bit_png(folder / "scan-16bit.png", 300, 200)


def _rotated(folder: Path) -> Path:
    # Stored sideways (500 × 300) with EXIF orientation 6: upright it is 300 × 500.
    return rotated_jpeg(folder / "phone-photo.jpg", (300, 500), 6)


SVG = (
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="120" '
    b'height="80"><rect width="120" height="80" fill="red"/></svg>\n'
)
# An ISO-BMFF header as a phone writes it (ftyp box, brand heic), then meaningless bytes.
HEIC = (
    b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic"
    + b"\x00\x00\x00\x08free"
    + bytes(range(256)) * 8
)


def _symlink_loop(folder: Path) -> Path:
    first, second = folder / "loop-a.png", folder / "loop-b.png"
    first.symlink_to(second.name)
    second.symlink_to(first.name)
    return first


def _unreadable(folder: Path) -> Path:
    path = save(photo_like(100, 80), folder / "locked.png", "PNG")
    path.chmod(0)
    return path


ROOT_SKIP = (
    "file permissions do not bind root (euid 0): an unreadable file cannot be made"
    if hasattr(os, "geteuid") and os.geteuid() == 0
    else None
)

CASES: tuple[Case, ...] = (
    Case("zero_bytes", _write("empty.png", b""), Outcome.REFUSED, "empty file (0 bytes)"),
    Case(
        "truncated_png",
        _cut("cut-short.png", "PNG"),
        Outcome.REFUSED,
        "looks like a PNG but is " + DAMAGED,
    ),
    Case(
        "truncated_jpeg",
        _cut("cut-short.jpg", "JPEG"),
        Outcome.REFUSED,
        "looks like a JPEG but is " + DAMAGED,
    ),
    Case(
        "text_named_png",
        _write("notes.png", b"Meeting notes, not a picture.\n" * 20),
        Outcome.REFUSED,
        "not an image",
    ),
    Case("png_named_jpg", _image("really-a-png.jpg", "PNG"), Outcome.SENT, sent_size=(320, 200)),
    Case(
        "decompression_bomb", _bomb, Outcome.REFUSED, "30000×30000 px is too large to open safely"
    ),
    Case(
        "screenshot_60mp",
        _screenshot,
        Outcome.FITTED,
        "downscaled from 10000×6000",
        sent_size=(8192, 4915),
        slow=True,
    ),
    Case(
        "animated_gif",
        _animation("moving.gif", "GIF"),
        Outcome.FITTED,
        "animated GIF: only the first frame is sent",
        sent_size=(120, 80),
    ),
    Case(
        "apng",
        _animation("moving.png", "PNG"),
        Outcome.FITTED,
        "animated PNG (APNG): only the first frame is sent",
        sent_size=(120, 80),
    ),
    Case("cmyk_jpeg", _cmyk, Outcome.FITTED, "converted from CMYK to RGB", sent_size=(200, 100)),
    Case(
        "png_16_bit",
        _sixteen_bit,
        Outcome.FITTED,
        "converted from 16-bit to 8-bit grey",
        sent_size=(300, 200),
    ),
    Case("exif_rotated", _rotated, Outcome.FITTED, "turned upright", sent_size=(300, 500)),
    Case("svg", _write("diagram.svg", SVG), Outcome.REFUSED, "SVG is a vector format"),
    Case(
        "heic",
        _write("IMG_0001.HEIC", HEIC),
        Outcome.REFUSED,
        "looks like a HEIC/HEIF but is damaged",
    ),
    Case(
        "heic_photo",
        lambda folder: write_heic(folder / "IMG_0002.HEIC", (64, 32), orientation=6),
        Outcome.FITTED,
        "converted from HEIC/HEIF to JPEG",
        sent_size=(32, 64),
    ),
    Case(
        "symlink_loop",
        _symlink_loop,
        Outcome.REFUSED,
        "cannot be read (Too many levels of symbolic links)",
        paste_bytes=False,
    ),
    Case(
        "unreadable",
        _unreadable,
        Outcome.REFUSED,
        "permission denied",
        paste_bytes=False,
        skip=ROOT_SKIP,
    ),
    Case(
        "name_with_spaces",
        _image("Screen Shot 2026-01-05 at 10.42.07.png", "PNG"),
        Outcome.SENT,
        sent_size=(320, 200),
        paste_bytes=False,
    ),
    Case(
        "name_with_newline",
        _image("first line\nsecond line.png", "PNG"),
        Outcome.SENT,
        sent_size=(320, 200),
        paste_bytes=False,
    ),
    Case(
        "name_non_latin",
        _image("снимок экрана — 截图 ✓.jpg", "JPEG"),
        Outcome.SENT,
        sent_size=(320, 200),
        paste_bytes=False,
    ),
    Case(
        "bad_file_non_latin_name",
        _write("ошибка\n写真 ✗.png", b"\x00garbage" * 50),
        Outcome.REFUSED,
        "not an image",
        paste_bytes=False,
    ),
)

BY_ID = {case.id: case for case in CASES}


def params(*, as_bytes: bool = False, but: tuple[str, ...] = ()) -> list[object]:
    """The cases as pytest params (`as_bytes`: only those worth pasting as image data)."""
    return [
        case.param() for case in CASES if (case.paste_bytes or not as_bytes) and case.id not in but
    ]


def good_png(folder: Path, name: str = "good.png", size: tuple[int, int] = (448, 448)) -> Path:
    """An ordinary screenshot-sized PNG: what must survive next to every bad file."""
    return save(Image.new("RGB", size, (30, 120, 220)), folder / name, "PNG")


def many_pngs(folder: Path, count: int) -> list[Path]:
    """`count` small, distinct PNG files."""
    folder.mkdir(parents=True, exist_ok=True)
    return [
        save(
            Image.new("RGB", (64, 48), (n % 256, (n * 7) % 256, 90)),
            folder / f"shot {n:03d}.png",
            "PNG",
        )
        for n in range(count)
    ]
