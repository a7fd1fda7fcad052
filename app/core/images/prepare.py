"""Full decode and fitting: the bytes that will actually be sent for one image.

Runs in a worker thread. The order is: probe the header, refuse what cannot be fixed
(`validate`), decode, and then either send the original bytes untouched (a JPEG or PNG the
endpoint accepts as it is) or turn upright, bring to 8-bit RGB(A)/grey, downscale past the long
edge limit, pick PNG or JPEG, and climb the byte-limit ladder (`encode.fit_bytes`).
"""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from PIL import Image, ImageFile, JpegImagePlugin, UnidentifiedImageError

from ..imagetypes import MIME_BY_FORMAT, ImageError, ImageProbe, PreparedImage
from ..limits import ImageLimits
from .convert import PLAIN_MODES, alpha_in_use, drop_unused_alpha, to_working_mode, upright
from .encode import ColourProfile, Encoding, fit_bytes
from .formats import EMPTY_FILE, damaged_reason, format_label, too_large_reason
from .opener import BOMB_ERRORS, DECODE_ERRORS, open_header
from .probe import checked_file_size, display_name, probe_stream
from .validate import planned_size, validate

_CONVERTED_JPEG_QUALITY = 85  # a lossy source re-encoded once more: no visible loss


def prepare_file(path: str | os.PathLike[str], limits: ImageLimits) -> PreparedImage:
    """Read, decode and fit an image file (call from a worker thread)."""
    name, data = _read(path)
    return _prepare(data, name, os.fspath(path), limits)


def check_file(path: str | os.PathLike[str], limits: ImageLimits) -> ImageProbe:
    """Read and decode an image file without fitting it: its probe, or the ImageError that
    `prepare_file` would raise (a damaged or cut-short file is found only by decoding it).
    Call from a worker thread."""
    name, data = _read(path)
    stream = io.BytesIO(data)
    info = probe_stream(stream, name=name, path=os.fspath(path), file_size=len(data))
    validate(info, limits)
    with _decoded(stream, info, limits):
        return info


def _read(path: str | os.PathLike[str]) -> tuple[str, bytes]:
    name = display_name(path)
    checked_file_size(path, name)
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise ImageError(name, "file not found") from None
    except PermissionError:
        raise ImageError(name, "permission denied") from None
    except IsADirectoryError:
        raise ImageError(name, "is a folder, not an image") from None
    except OSError as exc:
        raise ImageError(name, f"cannot be read ({exc.strerror or exc})") from None
    if not data:
        raise ImageError(name, EMPTY_FILE)
    return name, data


def prepare_bytes(data: bytes, name: str, limits: ImageLimits) -> PreparedImage:
    """Decode and fit pasted image data (call from a worker thread)."""
    if not data:
        raise ImageError(name, EMPTY_FILE)
    return _prepare(data, name, "", limits)


def _prepare(data: bytes, name: str, path: str, limits: ImageLimits) -> PreparedImage:
    stream = io.BytesIO(data)
    info = probe_stream(stream, name=name, path=path, file_size=len(data))
    validate(info, limits)
    with _decoded(stream, info, limits) as im:
        return _fit(im, info, data, limits)


@contextmanager
def _decoded(
    stream: io.BytesIO, info: ImageProbe, limits: ImageLimits
) -> Iterator[ImageFile.ImageFile]:
    """The image with its (first frame's) pixels decoded, or the ImageError saying why not."""
    name = info.name
    damaged = damaged_reason(format_label(info.format))
    try:
        im = open_header(stream, name)
    except UnidentifiedImageError:
        raise ImageError(name, damaged) from None
    except BOMB_ERRORS:
        raise ImageError(
            name, too_large_reason(info.width, info.height, limits.max_pixels)
        ) from None
    with im:
        try:
            im.load()  # the first frame of an animation
        except BOMB_ERRORS:
            raise ImageError(
                name, too_large_reason(info.width, info.height, limits.max_pixels)
            ) from None
        except DECODE_ERRORS:
            raise ImageError(name, damaged) from None
        yield im


def _sendable_as_is(im: Image.Image, info: ImageProbe, data: bytes, limits: ImageLimits) -> bool:
    return (
        info.format in limits.accepted_formats
        and info.format in MIME_BY_FORMAT
        and im.mode in PLAIN_MODES.get(info.format, frozenset())
        and not info.animated
        and info.orientation == 1
        and planned_size(info, limits) == info.oriented_size
        and len(data) <= limits.max_bytes
    )


def _fit(
    im: ImageFile.ImageFile, info: ImageProbe, data: bytes, limits: ImageLimits
) -> PreparedImage:
    if _sendable_as_is(im, info, data, limits):
        return _prepared(info, data, info.format, info.oriented_size, ())
    notes: list[str] = []
    if info.animated:
        notes.append(_first_frame_note(info.format))
    work, turned = upright(im, info.orientation)
    target = planned_size(info, limits)
    resize = target != info.oriented_size
    work, converted = to_working_mode(work, keep_palette=not resize)
    notes += [note for note in (turned, converted) if note]
    work = drop_unused_alpha(work)
    if resize:
        work = work.resize(target, Image.Resampling.LANCZOS)
        notes.append("downscaled from {}×{}".format(*info.oriented_size))

    first, chroma_full = _first_encoding(im, info, data, work, limits)
    fitted = fit_bytes(
        work,
        first,
        name=info.name,
        max_bytes=limits.max_bytes,
        profile=ColourProfile(im.mode, im.info.get("icc_profile")),
        jpeg_allowed="JPEG" in limits.accepted_formats,
        png_allowed="PNG" in limits.accepted_formats,
        chroma_full=chroma_full,
    )
    if first.format != info.format:  # a conversion the endpoint demands, not the byte limit
        notes.append(f"converted from {format_label(info.format)} to {fitted.encoding.format}")
    notes += fitted.notes
    return _prepared(info, fitted.data, fitted.encoding.format, fitted.size, tuple(notes))


def _prepared(
    info: ImageProbe, data: bytes, fmt: str, size: tuple[int, int], notes: tuple[str, ...]
) -> PreparedImage:
    return PreparedImage(
        name=info.name,
        data=data,
        mime=MIME_BY_FORMAT[fmt],
        width=size[0],
        height=size[1],
        sha256=hashlib.sha256(data).hexdigest(),
        original_size=info.oriented_size,
        original_format=info.format,
        original_bytes=info.file_size,
        notes=notes,
    )


def _first_frame_note(fmt: str) -> str:
    if fmt == "TIFF":
        return "multi-page TIFF: only the first page is sent"
    kind = {"PNG": "PNG (APNG)"}.get(fmt, format_label(fmt))
    return f"animated {kind}: only the first frame is sent"


def _first_encoding(
    source: ImageFile.ImageFile,
    info: ImageProbe,
    data: bytes,
    work: Image.Image,
    limits: ImageLimits,
) -> tuple[Encoding, bool]:
    """The encoding to try first, and whether JPEG fallbacks should keep full chroma (text)."""
    jpeg_ok = "JPEG" in limits.accepted_formats
    png_ok = "PNG" in limits.accepted_formats
    if info.format == "JPEG" and jpeg_ok:
        # Re-use the source's quantization: same quality, about the same bytes per pixel.
        qtables = getattr(source, "quantization", None) if source.mode in {"L", "RGB"} else None
        if qtables:
            return Encoding(
                "JPEG", qtables=qtables, subsampling=JpegImagePlugin.get_sampling(source)
            ), False
        return Encoding("JPEG", quality=95), False
    if info.format == "PNG" and png_ok:
        return Encoding("PNG"), True
    lossy = _lossy_source(source, info.format, data)
    if jpeg_ok and (not png_ok or (lossy and not alpha_in_use(work))):
        if lossy:
            return Encoding("JPEG", quality=_CONVERTED_JPEG_QUALITY), False
        return Encoding("JPEG", quality=95, subsampling=0), True
    if png_ok:
        return Encoding("PNG"), True
    raise ImageError(info.name, "the endpoint's image profile accepts neither PNG nor JPEG")


def _lossy_source(source: ImageFile.ImageFile, fmt: str, data: bytes) -> bool:
    """Pixels that already went through lossy compression (PNG would only inflate them)."""
    if fmt in {"JPEG", "AVIF", "HEIF"}:
        return True
    if fmt == "TIFF":
        return source.info.get("compression") in {"jpeg", "tiff_jpeg", "webp"}
    return fmt == "WEBP" and _webp_is_lossy(data)


def _webp_is_lossy(data: bytes) -> bool:
    """True when the first image data chunk of a WebP file is VP8 (lossy), not VP8L."""
    offset, end = 12, len(data)
    while offset + 8 <= end:
        kind = data[offset : offset + 4]
        size = int.from_bytes(data[offset + 4 : offset + 8], "little")
        if kind in {b"VP8 ", b"VP8L"}:
            return kind == b"VP8 "
        if kind == b"ANMF":  # an animation frame: 16 bytes of frame header, then chunks
            offset += 8 + 16
            continue
        offset += 8 + size + (size & 1)
    return False
