"""One image in the draft, as the tray shows it: where it came from, its state and its cost.

Plain data shared by the attachment controller (which produces new views as work progresses)
and the image tray (which renders them). Every view is immutable; a change makes a new one.
"""

from __future__ import annotations

import enum
import os
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from app.core.imagetypes import PreparedImage, ScreenCopy


class AttachmentState(enum.Enum):
    READING = "reading"  # header probe and preparation still running
    READY = "ready"  # prepared (or a remote address) and sent as it is
    FITTED = "fitted"  # prepared, but changed to fit: downscaled, converted, re-encoded
    FAILED = "failed"  # cannot be sent; `error` says why


class SourceKind(enum.Enum):
    FILE = "file"  # a path on disk
    DATA = "data"  # bytes pasted from the clipboard or dropped as image data
    URL = "url"  # a public https address the server downloads itself


@dataclass(frozen=True)
class Attachment:
    """A read-only view of one tray item."""

    id: str
    name: str
    kind: SourceKind
    location: str = ""  # the path or https address; "" for pasted data
    state: AttachmentState = AttachmentState.READING
    tokens: int | None = None  # planned prompt tokens; None until known
    size: tuple[int, int] | None = None  # pixel size as it will be sent
    original_size: tuple[int, int] | None = None  # oriented pixel size of the source
    prepared: PreparedImage | None = None
    thumbnail: bytes | None = None  # PNG, a few hundred pixels on the long side
    screen: ScreenCopy | None = None  # `prepared` at screen size, when larger (the preview's)
    notes: tuple[str, ...] = field(default_factory=tuple)  # "downscaled from 12000×8000", ...
    error: str | None = None  # why it failed, in plain words
    low_detail: bool = False  # sent downscaled to one tile, detail "low"

    @property
    def pending(self) -> bool:
        return self.state is AttachmentState.READING

    @property
    def failed(self) -> bool:
        return self.state is AttachmentState.FAILED

    @property
    def sendable(self) -> bool:
        return self.state in (AttachmentState.READY, AttachmentState.FITTED)

    @property
    def status_text(self) -> str:
        """ "Reading…" (or what it waits for), "Ready", "Downscaled from 12000×8000",
        "Failed: <reason>"."""
        if self.state is AttachmentState.FAILED:
            return f"Failed: {self.error or 'unknown reason'}"
        if self.state is AttachmentState.READING:
            return "; ".join(self.notes) if self.notes else "Reading…"
        if self.state is AttachmentState.FITTED and self.notes:
            return "; ".join(_capitalised(note) for note in self.notes)
        return "Ready"


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class FolderListing:
    """The image files of one folder (by suffix, sorted by name) and how many others it holds."""

    images: list[tuple[str, str]]  # (name, path)
    others: int


def list_folder_images(folder: str, suffixes: Collection[str]) -> FolderListing:
    """Image files directly in `folder` (no sub-folders, no hidden files); raises OSError."""
    with os.scandir(folder) as listing:
        files = sorted(
            ((e.name, e.path) for e in listing if e.is_file() and not e.name.startswith(".")),
            key=lambda pair: (pair[0].casefold(), pair[0]),
        )
    images = [f for f in files if os.path.splitext(f[0])[1].lower() in suffixes]
    return FolderListing(images, len(files) - len(images))


def name_list(names: Sequence[str], limit: int = 3) -> str:
    """ "a.png, b.png, c.png and 2 more"."""
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"
