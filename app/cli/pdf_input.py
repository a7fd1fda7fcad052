"""The images named on a command line, with each PDF expanded into its pages."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app.core.images.pdf_pages import PageScale, PdfInfo, looks_like_pdf, parse_pages, read_pdf
from app.core.imagetypes import ImageError


@dataclass(frozen=True)
class PdfPage:
    info: PdfInfo
    page: int  # from 1


def expand(paths: Sequence[str], pages: str | None) -> list[str | PdfPage]:
    """Each path as it is, or a PDF's pages (all, or those `pages` names: "1-3,7").

    Raises ImageError for a PDF that cannot be opened or a `pages` it does not have.
    """
    sources: list[str | PdfPage] = []
    for path in paths:
        if not looks_like_pdf(path):
            sources.append(path)
            continue
        info = read_pdf(path)
        try:
            chosen = parse_pages(pages, info.page_count) if pages else range(1, info.page_count + 1)
        except ValueError as exc:
            raise ImageError(info.name, f"--pages {pages}: {exc}") from None
        sources.extend(PdfPage(info, page) for page in chosen)
    return sources


def scale_of(name: str) -> PageScale:
    return PageScale[name.upper()]
