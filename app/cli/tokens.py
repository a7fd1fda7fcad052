"""`grok-vision tokens`: what each image costs, as it would be sent."""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from app.cli.pdf_input import PdfPage, expand, scale_of
from app.cli.tall_input import split_of
from app.core.budget import image_tiles, image_tokens
from app.core.images import check_file, planned_size, prepare_file, probe, validate
from app.core.images.pdf_pages import PageScale, page_name, page_probe
from app.core.images.tall_split import part_name
from app.core.imagetypes import ImageError
from app.core.limits import ImageLimits


@dataclass(frozen=True)
class PricedImage:
    path: str
    width: int
    height: int
    tiles: int
    tokens: int
    page: int | None = None  # the page of a PDF, from 1
    part: int | None = None  # the part of a tall page split (`--split-tall`), from 1
    parts: int | None = None  # and how many parts it has

    @property
    def label(self) -> str:
        name = Path(self.path).name
        name = name if self.page is None else page_name(name, self.page)
        return name if self.part is None else part_name(name, self.part - 1, self.parts or 0)

    def as_json(self) -> dict[str, object]:
        return {key: value for key, value in self.__dict__.items() if value is not None}


def split_priced(priced: PricedImage, limits: ImageLimits) -> list[PricedImage]:
    """A tall page as the parts `--split-tall` sends (itself when it is not tall)."""
    split = split_of(priced.width, priced.height, limits)
    if split is None:
        return [priced]
    width, height = split.part_size
    return [
        dataclasses.replace(
            priced,
            height=height,
            tiles=image_tiles(width, height),
            tokens=image_tokens(width, height),
            part=index + 1,
            parts=split.count,
        )
        for index in range(split.count)
    ]


def price_image(path: str, limits: ImageLimits) -> PricedImage:
    """The size as it would be sent and its tokens; raises ImageError.

    The header gives the size exactly unless the file must be re-encoded (too many bytes or a
    format the server refuses), which may shrink it: then the image is fitted for real.
    Either way the pixels are decoded, so that a damaged or cut-short file is refused here as
    the window and `ask` refuse it, not priced.
    """
    info = probe(path)
    validate(info, limits)
    if info.file_size > limits.max_bytes or info.format not in limits.accepted_formats:
        prepared = prepare_file(path, limits)
        width, height = prepared.width, prepared.height
    else:
        width, height = planned_size(check_file(path, limits), limits)
    return PricedImage(path, width, height, image_tiles(width, height), image_tokens(width, height))


def price_page(source: PdfPage, limits: ImageLimits, scale: PageScale) -> PricedImage:
    """A PDF page at the size it is rendered at (no page is rendered to know it)."""
    info = page_probe(source.info, source.page, scale)
    validate(info, limits)
    width, height = planned_size(info, limits)
    return PricedImage(
        source.info.path,
        width,
        height,
        image_tiles(width, height),
        image_tokens(width, height),
        page=source.page,
    )


def run_tokens(
    paths: Sequence[str],
    *,
    as_json: bool,
    limits: ImageLimits,
    pages: str | None = None,
    pdf_scale: str = "standard",
    split_tall: bool = False,
) -> int:
    priced: list[PricedImage] = []
    errors: list[dict[str, str]] = []
    scale = scale_of(pdf_scale)
    for path in paths:
        try:
            for source in expand([path], pages):
                if isinstance(source, PdfPage):
                    priced.append(price_page(source, limits, scale))
                elif split_tall:
                    priced.extend(split_priced(price_image(source, limits), limits))
                else:
                    priced.append(price_image(source, limits))
        except ImageError as exc:
            errors.append({"path": path, "message": str(exc)})
    total = sum(p.tokens for p in priced)
    if as_json:
        json.dump(
            {"images": [p.as_json() for p in priced], "total_tokens": total, "errors": errors},
            sys.stdout,
            ensure_ascii=False,
        )
        sys.stdout.write("\n")
    else:
        _write_table(priced, errors, total)
    return 2 if errors else 0


def _write_table(
    priced: Sequence[PricedImage], errors: Sequence[dict[str, str]], total: int
) -> None:
    out = sys.stdout
    if priced:
        width = max(len(p.label) for p in priced)
        width = max(width, len("image"))
        out.write(f"{'image':<{width}}  {'size as sent':>13}  {'tiles':>5}  {'tokens':>6}\n")
        for p in priced:
            size = f"{p.width}×{p.height}"
            out.write(f"{p.label:<{width}}  {size:>13}  {p.tiles:>5}  {p.tokens:>6}\n")
        out.write(f"{'total':<{width}}  {'':>13}  {'':>5}  {total:>6}\n")
    for error in errors:
        sys.stderr.write(f"error: {error['message']}\n")
