"""What a probe already decides: whether the file is safe to open, and the size it is sent at."""

from __future__ import annotations

from ..budget import image_tokens
from ..imagetypes import ImageError, ImageProbe
from ..limits import ImageLimits
from .formats import too_large_reason
from .opener import undecodable_reason


def validate(probe: ImageProbe, limits: ImageLimits) -> None:
    """Raise ImageError for what fitting cannot fix: a decompression bomb, an undecodable format."""
    if probe.width * probe.height > limits.max_pixels:
        raise ImageError(probe.name, too_large_reason(probe.width, probe.height, limits.max_pixels))
    reason = undecodable_reason(probe.format)
    if reason is not None:
        raise ImageError(probe.name, reason)


def fit_long_edge(width: int, height: int, max_long_edge: int) -> tuple[int, int]:
    """The size after scaling the long edge down to `max_long_edge`, aspect ratio kept."""
    long_edge = max(width, height)
    if long_edge <= max_long_edge:
        return width, height
    scale = max_long_edge / long_edge
    if width >= height:
        return max_long_edge, max(1, round(height * scale))
    return max(1, round(width * scale)), max_long_edge


def planned_size(probe: ImageProbe, limits: ImageLimits) -> tuple[int, int]:
    """Pixel size as it will be sent: EXIF orientation applied, long edge fitted.

    `prepare_*` gives exactly this size unless the byte limit forces a further downscale.
    """
    return fit_long_edge(*probe.oriented_size, limits.max_long_edge)


def planned_tokens(probe: ImageProbe, limits: ImageLimits) -> int:
    """Prompt tokens of the image at its planned size (the tile formula)."""
    return image_tokens(*planned_size(probe, limits))
