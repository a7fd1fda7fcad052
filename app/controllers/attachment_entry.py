"""A tray item as the attachment controller keeps it; the jobs that probe and prepare it."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from PySide6.QtGui import QImage

from app.core import images
from app.core.attachment import Attachment, SourceKind
from app.core.images.pdf_pages import PageScale, PdfInfo, prepare_page
from app.core.imagetypes import ImageProbe, PreparedImage
from app.core.limits import ImageLimits


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


def prepare_job(
    view: Attachment,
    data: bytes | None,
    limits: ImageLimits,
    side: int,
    page: tuple[PdfInfo, int, PageScale] | None = None,
) -> tuple[PreparedImage, bytes]:
    if page is not None:
        prepared = prepare_page(*page, limits)
    elif view.kind is SourceKind.FILE:
        prepared = images.prepare_file(view.location, limits)
    else:
        prepared = images.prepare_bytes(data or b"", view.name, limits)
    return prepared, images.thumbnail_bytes(prepared, max_side=side)
