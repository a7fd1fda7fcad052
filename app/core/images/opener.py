"""Opening an image with Pillow's plugin registry: header only, no pixel decoded.

`Image.open` refuses or warns about images past a process-wide pixel ceiling
(`Image.MAX_IMAGE_PIXELS`, ~89 MP warning, ~179 MP error) *while reading the header*. The app
needs the true size of such a file to explain it, and applies its own ceiling per endpoint
profile (`ImageLimits.max_pixels`, checked in `validate` before any pixel is decoded). So
`open_header` asks the same registry that `Image.open` uses, without that check and without
touching the global setting (which other threads read).
"""

from __future__ import annotations

import functools
import struct
import zlib
from typing import IO

from PIL import EpsImagePlugin, Image, ImageFile, UnidentifiedImageError

from .formats import format_label
from .heif import heif_opener_for

# What Pillow raises for content it cannot parse or decode (truncated or damaged data, bad
# chunks, a decoder that gives up). Disk errors are OSError too: when they happen while
# decoding, "damaged" is the honest message.
DECODE_ERRORS: tuple[type[Exception], ...] = (
    OSError,
    SyntaxError,
    EOFError,
    ValueError,
    IndexError,
    struct.error,
    zlib.error,
)
# Pillow's own decompression-bomb signals. Some plugins check again while reading frames or
# tiles (GIF frame extents, TIFF tiles); the warning becomes an exception under `-W error`.
BOMB_ERRORS: tuple[type[Exception], ...] = (
    Image.DecompressionBombError,
    Image.DecompressionBombWarning,
)
# A plugin that accepted the first bytes but failed on the rest of the header.
_HEADER_ERRORS: tuple[type[Exception], ...] = (*DECODE_ERRORS, TypeError)


@functools.cache
def _load_plugins() -> None:
    Image.preinit()  # the common formats first, in the order Image.open tries them
    Image.init()


def open_header(fp: IO[bytes], name: str) -> ImageFile.ImageFile:
    """Identify `fp` (seekable, kept open by the caller) and read its header.

    Raises `UnidentifiedImageError` when no plugin accepts the content, and the
    `BOMB_ERRORS` when a plugin itself refuses the size.
    """
    _load_plugins()
    fp.seek(0)
    head = fp.read(64)
    found = _open_with_registry(fp, name, head[:16])
    if found is None and heif_opener_for(head):  # the HEIF plugin, registered on first use
        found = _open_with_registry(fp, name, head[:16])
    if found is None:
        raise UnidentifiedImageError(f"cannot identify image file {name!r}")
    return found


def _open_with_registry(fp: IO[bytes], name: str, prefix: bytes) -> ImageFile.ImageFile | None:
    for fmt in tuple(Image.ID):
        factory, accept = Image.OPEN[fmt]
        try:
            verdict = accept(prefix) if accept is not None else True
        except (struct.error, ValueError, IndexError):  # a file shorter than its check reads
            continue
        if isinstance(verdict, str) or not verdict:
            continue
        fp.seek(0)
        try:
            return factory(fp, name)
        except _HEADER_ERRORS:
            continue
    return None


def undecodable_reason(pillow_format: str) -> str | None:
    """Why Pillow can identify but not decode this format here, or None when it can."""
    _load_plugins()
    label = format_label(pillow_format)
    entry = Image.OPEN.get(pillow_format)
    if entry is None:
        return f"{label} is not a format this app can read: export it as PNG or JPEG"
    factory = entry[0]
    if isinstance(factory, type) and issubclass(factory, ImageFile.StubImageFile):
        return f"{label} files can be recognised but not read by this app: export it as PNG or JPEG"
    if pillow_format == "EPS" and not EpsImagePlugin.has_ghostscript():
        return "EPS needs Ghostscript, which is not installed: export it as PNG first"
    return None
