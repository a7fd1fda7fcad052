"""Real test images, generated with Pillow (or written chunk by chunk) into a test's tmp_path."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

from PIL import Image

RED = (220, 30, 30)
WHITE = (255, 255, 255)
MARK = 40  # side of the coloured square that marks the top-left corner of an upright image


def noise_rgb(width: int, height: int, sigma: float = 60.0) -> Image.Image:
    """Colour noise (incompressible-ish: makes files big, like photos of texture)."""
    bands = [Image.effect_noise((width, height), sigma) for _ in range(3)]
    return Image.merge("RGB", bands)


def photo_like(width: int, height: int, sigma: float = 18.0) -> Image.Image:
    """A smooth colour gradient with grain: compresses like a photograph."""
    red = Image.linear_gradient("L").resize((width, height))
    green = Image.radial_gradient("L").resize((width, height))
    blue = Image.linear_gradient("L").rotate(90).resize((width, height))
    smooth = Image.merge("RGB", (red, green, blue))
    grain = Image.merge("RGB", [Image.effect_noise((width, height), sigma)] * 3)
    return Image.blend(smooth, grain, 0.25)


def marked(width: int, height: int) -> Image.Image:
    """White, with a red square in the top-left corner (to check which way is up)."""
    im = Image.new("RGB", (width, height), WHITE)
    im.paste(RED, (0, 0, MARK, MARK))
    return im


def is_red(pixel: object) -> bool:
    assert isinstance(pixel, tuple)
    red, green, blue = pixel[:3]
    return red > 170 and green < 90 and blue < 90


def save(im: Image.Image, path: Path, fmt: str | None = None, **options: object) -> Path:
    im.save(path, fmt, **options)
    return path


def encoded(im: Image.Image, fmt: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    im.save(buffer, fmt, **options)
    return buffer.getvalue()


def exif_with_orientation(orientation: int) -> Image.Exif:
    exif = Image.Exif()
    exif[0x0112] = orientation
    return exif


def rotated_jpeg(path: Path, upright_size: tuple[int, int], orientation: int) -> Path:
    """A JPEG stored sideways with the EXIF tag that turns it upright (orientation 6 or 8).

    Upright, it is `marked(*upright_size)`: red square at the top left.
    """
    upright = marked(*upright_size)
    # 6: the viewer turns the stored pixels 90° clockwise, so they are stored turned 90° ccw.
    method = {6: Image.Transpose.ROTATE_90, 8: Image.Transpose.ROTATE_270}[orientation]
    stored = upright.transpose(method)
    return save(stored, path, "JPEG", quality=92, exif=exif_with_orientation(orientation))


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data))
        + kind
        + data
        + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def png_from_chunks(*chunks: tuple[bytes, bytes]) -> bytes:
    return b"\x89PNG\r\n\x1a\n" + b"".join(_chunk(kind, data) for kind, data in chunks)


def ihdr(width: int, height: int, bit_depth: int = 8, colour_type: int = 2) -> tuple[bytes, bytes]:
    return b"IHDR", struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)


def bomb_png(path: Path, width: int = 30_000, height: int = 30_000) -> Path:
    """A real 1-bit PNG of `width`×`height` black pixels: a few hundred KB on disk.

    The compressed stream is built row by row, never as a whole picture in memory.
    """
    row = b"\x00" + bytes((width + 7) // 8)  # filter byte + packed bits
    packer = zlib.compressobj(9)
    parts = [packer.compress(row * 1000) for _ in range(height // 1000)]
    parts.append(packer.compress(row * (height % 1000)))
    parts.append(packer.flush())
    data = png_from_chunks(
        ihdr(width, height, bit_depth=1, colour_type=0), (b"IDAT", b"".join(parts)), (b"IEND", b"")
    )
    path.write_bytes(data)
    return path


def header_only_png(path: Path, width: int = 640, height: int = 480) -> Path:
    """A PNG cut right after its header and the start of its pixel data."""
    full = encoded(noise_rgb(width, height), "PNG")
    idat = full.index(b"IDAT")
    path.write_bytes(full[: idat + 4 + 100])
    return path


def png_with_trailing_exif(path: Path, upright_size: tuple[int, int], orientation: int) -> Path:
    """A PNG whose eXIf chunk comes after the pixel data (legal, and what probes must find)."""
    upright = marked(*upright_size)
    method = {6: Image.Transpose.ROTATE_90, 8: Image.Transpose.ROTATE_270}[orientation]
    plain = encoded(upright.transpose(method), "PNG")
    iend = plain.rindex(b"IEND") - 4
    exif = exif_with_orientation(orientation).tobytes()
    path.write_bytes(plain[:iend] + _chunk(b"eXIf", exif) + plain[iend:])
    return path


def sixteen_bit_png(path: Path, width: int = 300, height: int = 200) -> Path:
    """A 16-bit greyscale PNG (Pillow mode I;16): a left-to-right ramp from 0 to 65535."""
    values = [round(x * 65535 / (width - 1)) for x in range(width)] * height
    im = Image.frombytes("I;16", (width, height), struct.pack(f"<{len(values)}H", *values))
    return save(im, path, "PNG")


def animated(
    path: Path,
    fmt: str,
    colours: tuple[tuple[int, int, int], ...],
    size: tuple[int, int] = (120, 80),
) -> Path:
    """An animation (GIF, APNG as fmt="PNG", WebP) whose frames are flat colours."""
    frames = [Image.new("RGB", size, colour) for colour in colours]
    frames[0].save(path, fmt, save_all=True, append_images=frames[1:], duration=100, loop=0)
    return path
