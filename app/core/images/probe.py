"""Header probes: format, pixel size, EXIF orientation, file size and animation, no decoding.

A probe must be fast enough for the GUI thread to call on every dropped file: Pillow reads only
the header, EXIF comes from the header, and for a PNG whose eXIf chunk sits after the pixel data
only the chunk headers are walked (seeking over the data, never inflating it).
"""

from __future__ import annotations

import io
import os
import stat
import struct
from pathlib import Path
from typing import IO

from PIL import ExifTags, Image, ImageFile, UnidentifiedImageError

from ..imagetypes import ImageError, ImageProbe
from .formats import EMPTY_FILE, SNIFF_BYTES, damaged_reason, format_label, unreadable_reason
from .heif import heif_opener_for
from .opener import BOMB_ERRORS, DECODE_ERRORS, open_header, undecodable_reason

IMAGE_SUFFIXES: frozenset[str] = frozenset(
    {".png", ".jpg", ".jpeg", ".webp", ".gif", ".bmp", ".tif", ".tiff", ".heic", ".heif", ".avif"}
)

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_MAX_PNG_CHUNKS = 200_000  # a walk longer than this is not a real PNG: stop looking


def display_name(path: str | os.PathLike[str]) -> str:
    """The file name shown to the user for a path."""
    text = os.fspath(path)
    return Path(text).name or text


def checked_file_size(path: str | os.PathLike[str], name: str) -> int:
    """The size of a regular, non-empty file, or an ImageError saying why it is not one."""
    try:
        info = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        raise ImageError(name, "file not found") from None
    except PermissionError:
        raise ImageError(name, "permission denied") from None
    except OSError as exc:
        raise ImageError(name, f"cannot be read ({exc.strerror or exc})") from None
    if stat.S_ISDIR(info.st_mode):
        raise ImageError(name, "is a folder, not an image")
    if not stat.S_ISREG(info.st_mode):
        raise ImageError(name, "is not a regular file (a device, pipe or socket)")
    if info.st_size == 0:
        raise ImageError(name, EMPTY_FILE)
    return info.st_size


def probe(path: str | os.PathLike[str]) -> ImageProbe:
    """Read only the header of an image file (see the module docstring)."""
    name = display_name(path)
    size = checked_file_size(path, name)
    try:
        with open(path, "rb") as fp:
            return probe_stream(fp, name=name, path=os.fspath(path), file_size=size)
    except FileNotFoundError:
        raise ImageError(name, "file not found") from None
    except PermissionError:
        raise ImageError(name, "permission denied") from None
    except IsADirectoryError:
        raise ImageError(name, "is a folder, not an image") from None
    except OSError as exc:
        raise ImageError(name, f"cannot be read ({exc.strerror or exc})") from None


def probe_bytes(data: bytes, name: str) -> ImageProbe:
    """Probe pasted image data (the probe's path is "")."""
    if not data:
        raise ImageError(name, EMPTY_FILE)
    return probe_stream(io.BytesIO(data), name=name, path="", file_size=len(data))


def probe_stream(fp: IO[bytes], *, name: str, path: str, file_size: int) -> ImageProbe:
    """Probe an open, seekable stream; Pillow's failures become ImageErrors."""
    fp.seek(0)
    head = fp.read(SNIFF_BYTES)
    try:
        im = open_header(fp, name)
    except UnidentifiedImageError:
        readable = heif_opener_for(head)  # the plugin is there: the file is what failed
        reason = damaged_reason(format_label("HEIF")) if readable else None
        raise ImageError(name, reason or unreadable_reason(head, name)) from None
    except BOMB_ERRORS:
        raise ImageError(name, "is too large to open safely") from None
    with im:
        width, height = im.size
        # MPO is how Pillow names a JPEG carrying extra pictures (camera depth maps, 3D
        # pairs): its content is a JPEG, and its first picture is what viewers show.
        fmt = "JPEG" if im.format == "MPO" else (im.format or "unknown")
        animated = fmt != "JPEG" and _is_animated(im)
        orientation = _orientation(im, fp, fmt)
    if width <= 0 or height <= 0:
        raise ImageError(name, undecodable_reason(fmt) or f"has no pixels ({width}×{height})")
    return ImageProbe(
        name=name,
        path=path,
        format=fmt,
        width=width,
        height=height,
        orientation=orientation,
        file_size=file_size,
        animated=animated,
    )


def _is_animated(im: ImageFile.ImageFile) -> bool:
    """More than one frame, known from the header (GIF: frame headers are skipped, not decoded)."""
    try:
        return bool(getattr(im, "is_animated", False))
    except DECODE_ERRORS:
        return False  # frames past the first are damaged: prepare will decode the first


def _orientation(im: ImageFile.ImageFile, fp: IO[bytes], fmt: str) -> int:
    """The EXIF (or XMP) orientation tag, 1 when absent or nonsensical."""
    try:
        # The base-class getexif reads what the header gave; PNG's override would decode
        # the pixels to reach chunks after them, which is what `_png_trailing_exif` avoids.
        value = Image.Image.getexif(im).get(ExifTags.Base.Orientation)
        if value is None and fmt == "PNG" and "exif" not in im.info:
            trailing = _png_trailing_exif(fp)
            if trailing is not None:
                exif = Image.Exif()
                exif.load(trailing)
                value = exif.get(ExifTags.Base.Orientation)
    except DECODE_ERRORS:
        return 1  # unreadable metadata: show the pixels as stored
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def _png_trailing_exif(fp: IO[bytes]) -> bytes | None:
    """The eXIf chunk of a PNG, found by walking chunk headers and seeking over chunk data."""
    fp.seek(0)
    if fp.read(8) != _PNG_SIGNATURE:
        return None
    for _ in range(_MAX_PNG_CHUNKS):
        header = fp.read(8)
        if len(header) < 8:
            return None
        length, kind = struct.unpack(">I4s", header)
        if kind == b"eXIf":
            data = fp.read(length)
            return data if len(data) == length else None
        if kind == b"IEND":
            return None
        fp.seek(length + 4, os.SEEK_CUR)  # chunk data and CRC
    return None
