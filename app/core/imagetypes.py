"""The vocabulary of images: what a header probe tells, what is ready to send, what failed."""

from __future__ import annotations

from dataclasses import dataclass, field

# EXIF orientations 5-8 swap width and height once applied.
_TRANSPOSING_ORIENTATIONS = frozenset({5, 6, 7, 8})

MIME_BY_FORMAT = {
    "PNG": "image/png",
    "JPEG": "image/jpeg",
    "GIF": "image/gif",
    "WEBP": "image/webp",
}


class ImageError(ValueError):
    """A file that cannot be sent, with a reason a person can act on."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"{name}: {reason}")
        self.name = name
        self.reason = reason


@dataclass(frozen=True)
class ImageProbe:
    """What the header alone says about an image file (no pixel decoded)."""

    name: str  # file name shown to the user
    path: str  # full path it was read from ("" for pasted data)
    format: str  # Pillow's format name: "PNG", "JPEG", "WEBP", ...
    width: int  # stored pixel size, before EXIF orientation
    height: int
    orientation: int  # EXIF orientation tag, 1 when absent
    file_size: int  # bytes on disk
    animated: bool = False

    @property
    def oriented_size(self) -> tuple[int, int]:
        """Pixel size once EXIF orientation is applied."""
        if self.orientation in _TRANSPOSING_ORIENTATIONS:
            return self.height, self.width
        return self.width, self.height


@dataclass(frozen=True)
class PreparedImage:
    """An image exactly as it will be sent: bytes, format and pixel size after fitting."""

    name: str
    data: bytes
    mime: str  # "image/png" or "image/jpeg"
    width: int
    height: int
    sha256: str  # of `data`, the cache key for encoding
    original_size: tuple[int, int]  # oriented pixel size of the source
    original_format: str
    original_bytes: int
    notes: tuple[str, ...] = field(default_factory=tuple)  # "downscaled from 12000×8000", ...

    @property
    def was_changed(self) -> bool:
        return bool(self.notes)


@dataclass(frozen=True)
class ScreenCopy:
    """A prepared image at screen size, encoded (JPEG for a photo, PNG otherwise): what the
    preview paints first, so that it never waits for the full image's decode."""

    of_sha256: str  # the prepared image it was made from
    data: bytes
    width: int
    height: int
