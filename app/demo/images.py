"""Images as the endpoint receives them: data URLs, local downloads, decoding and colours."""

from __future__ import annotations

import base64
import binascii
import io
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

from app.core.limits import MIB

from .errors import (
    DOWNLOAD_NOT_IMAGE_MESSAGE,
    UNSUPPORTED_IMAGE_MESSAGE,
    DemoError,
    invalid_argument,
)

MAX_IMAGE_BYTES = 20 * MIB  # xAI's newer pages
MAX_IMAGE_PIXELS = 180_000_000  # refuse decompression bombs instead of decoding them
FETCH_TIMEOUT = 5.0  # seconds, for http://127.0.0.1 image URLs
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost"})
_ACCEPTED_FORMATS = frozenset({"JPEG", "PNG"})
_COLOUR_SAMPLE = 64  # dominant colours are computed on a copy this small
_COLOURS = 4


@dataclass(frozen=True)
class DominantColour:
    hex: str  # "#rrggbb"
    percent: float  # share of the sampled pixels


@dataclass(frozen=True)
class ReceivedImage:
    """One image of a request, after decoding."""

    width: int
    height: int
    format: str  # "PNG" or "JPEG"
    nbytes: int  # encoded size as received
    detail: str  # "auto", "low" or "high"
    colours: tuple[DominantColour, ...] = ()


def too_large(nbytes: int) -> DemoError:
    # Unconfirmed wording; the 20 MiB limit is from xAI's newer pages.
    return invalid_argument(
        f"Image too large: {nbytes / MIB:.1f} MiB is over the limit of "
        f"{MAX_IMAGE_BYTES // MIB} MiB per image."
    )


def image_bytes_from_url(url: str) -> tuple[bytes, bool]:
    """The encoded bytes an `image_url.url` names, and whether they were downloaded.

    Data URLs are decoded; http://127.0.0.1 URLs are fetched (bounded); any other address is
    answered as the real server answers an address that gives no image, since the demo never
    uses the network.
    """
    if url.startswith("data:"):
        return _bytes_from_data_url(url), False
    parts = urllib.parse.urlsplit(url)
    if parts.scheme == "http" and parts.hostname in LOCAL_HOSTS:
        return _fetch_local(url), True
    if parts.scheme in {"http", "https"}:
        raise DemoError(
            412,
            f"{DOWNLOAD_NOT_IMAGE_MESSAGE} (The local demo endpoint does not "
            "download images from the network.)",
        )
    # Unconfirmed wording.
    raise invalid_argument(
        "Invalid image URL: expected a data:image/...;base64 URL or an https:// address."
    )


def _bytes_from_data_url(url: str) -> bytes:
    header, sep, payload = url.partition(",")
    if not sep or not header.endswith(";base64"):
        # Unconfirmed wording.
        raise invalid_argument(
            "Invalid image data URL: expected data:image/jpeg;base64,... "
            "or data:image/png;base64,..."
        )
    if len(payload) * 3 // 4 > MAX_IMAGE_BYTES + 3:
        raise too_large(len(payload) * 3 // 4)
    try:
        data = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError) as exc:
        # Unconfirmed wording.
        raise invalid_argument(
            "Invalid image data URL: the base64 payload cannot be decoded."
        ) from exc
    if len(data) > MAX_IMAGE_BYTES:
        raise too_large(len(data))
    return data


def _fetch_local(url: str) -> bytes:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        # Only http://127.0.0.1 and http://localhost reach here (checked by the caller).
        with opener.open(url, timeout=FETCH_TIMEOUT) as response:
            data: bytes = response.read(MAX_IMAGE_BYTES + 1)
    except urllib.error.HTTPError as exc:
        # Unconfirmed wording.
        raise DemoError(
            412, f"Failed to download the image: the server answered HTTP {exc.code}."
        ) from exc
    except (urllib.error.URLError, OSError) as exc:
        # Unconfirmed wording.
        raise DemoError(412, f"Failed to download the image: {exc}.") from exc
    if len(data) > MAX_IMAGE_BYTES:
        raise too_large(len(data))
    return data


def decode_image(
    data: bytes, *, detail: str, downloaded: bool, with_colours: bool
) -> ReceivedImage:
    """Decode fully (so truncated files are caught) and check that it is a JPEG or a PNG."""
    status = 412 if downloaded else 400
    message = DOWNLOAD_NOT_IMAGE_MESSAGE if downloaded else UNSUPPORTED_IMAGE_MESSAGE
    try:
        with Image.open(io.BytesIO(data), formats=sorted(_ACCEPTED_FORMATS)) as probe:
            fmt = str(probe.format)
            if probe.width * probe.height > MAX_IMAGE_PIXELS:
                # Unconfirmed wording.
                raise invalid_argument(
                    f"Image too large: {probe.width}×{probe.height} px is "
                    "more pixels than the endpoint decodes."
                )
            probe.verify()
        with Image.open(io.BytesIO(data), formats=[fmt]) as image:
            image.load()
            width, height = image.size
            colours = dominant_colours(image) if with_colours else ()
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
    ) as exc:
        raise DemoError(status, message) from exc
    return ReceivedImage(
        width=width, height=height, format=fmt, nbytes=len(data), detail=detail, colours=colours
    )


def dominant_colours(image: Image.Image, limit: int = 3) -> tuple[DominantColour, ...]:
    """The few colours that cover most of a small downscaled copy, most frequent first."""
    sample = image.convert("RGB")
    sample.thumbnail((_COLOUR_SAMPLE, _COLOUR_SAMPLE), Image.Resampling.BOX)
    quantized = sample.quantize(colors=_COLOURS, method=Image.Quantize.MEDIANCUT)
    palette = quantized.getpalette() or []
    counts = quantized.getcolors() or []
    total = sum(count for count, _ in counts) or 1
    result: list[DominantColour] = []
    for count, index in sorted(counts, key=lambda c: (-c[0], c[1])):
        assert isinstance(index, int)
        r, g, b = palette[index * 3 : index * 3 + 3]
        result.append(DominantColour(f"#{r:02x}{g:02x}{b:02x}", round(100 * count / total, 1)))
    return tuple(result[:limit])
