"""A tray item as the attachment controller keeps it; the jobs that probe and prepare it."""

from __future__ import annotations

import asyncio
import math
from dataclasses import dataclass

from PySide6.QtGui import QGuiApplication, QImage

from app.core import images
from app.core.attachment import Attachment, SourceKind
from app.core.images.pdf_pages import PageScale, PdfInfo, prepare_page
from app.core.imagetypes import ImageProbe, PreparedImage, ScreenCopy
from app.core.limits import ImageLimits

FALLBACK_SCREEN_SIDE = 2560  # no screen known (it should not happen)


@dataclass
class AttachmentEntry:
    view: Attachment
    data: bytes | None = None  # pasted bytes (kept to re-prepare when limits change)
    picture: QImage | None = None  # a pasted picture until `data` is made from it
    probe: ImageProbe | None = None
    task: asyncio.Task[None] | None = None
    lead_notes: tuple[str, ...] = ()  # what was done before preparing `data` ("cropped to …")
    low: PreparedImage | None = None  # the low-detail version of view.prepared, once made
    low_of: str = ""  # the sha256 of the prepared image `low` was made from
    low_task: asyncio.Task[None] | None = None
    pdf: PdfInfo | None = None  # the PDF this item is (page 0: waiting for pages) or is a page of
    page: int = 0  # from 1, for a PDF page
    scale: PageScale = PageScale.STANDARD


def probe_job(view: Attachment, data: bytes | None) -> ImageProbe:
    if view.kind is SourceKind.FILE:
        return images.probe(view.location)
    return images.probe_bytes(data or b"", view.name)


def screen_side() -> int:
    """The longest side, in device pixels, of the largest screen's available area (on the GUI
    thread): a prepared image larger than that gets a copy that size for the preview."""
    sides = [
        math.ceil(max(s.availableGeometry().width(), s.availableGeometry().height()) * ratio)
        for s in QGuiApplication.screens()
        for ratio in (s.devicePixelRatio(),)
    ]
    return max(sides, default=FALLBACK_SCREEN_SIDE)


def prepare_job(
    view: Attachment,
    data: bytes | None,
    limits: ImageLimits,
    side: int,
    page: tuple[PdfInfo, int, PageScale] | None = None,
    *,
    screen: int = 0,
) -> tuple[PreparedImage, bytes, ScreenCopy | None]:
    if page is not None:
        prepared = prepare_page(*page, limits)
    elif view.kind is SourceKind.FILE:
        prepared = images.prepare_file(view.location, limits)
    else:
        prepared = images.prepare_bytes(data or b"", view.name, limits)
    if screen < 1:
        return prepared, images.thumbnail_bytes(prepared, max_side=side), None
    return prepared, *images.thumbnail_and_screen_copy(prepared, side, screen)
