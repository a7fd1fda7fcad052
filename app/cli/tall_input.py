"""`--split-tall` for `tokens` and `ask`: a tall page (much taller than wide) priced and sent as
its parts of readable height, "page.png, part 1 of N", as the window's preview splits it."""

from __future__ import annotations

import dataclasses

from app.core.crop import crop_prepared
from app.core.images.tall_split import TallSplit, part_name, plan_split
from app.core.imagetypes import PreparedImage
from app.core.limits import ImageLimits


def split_of(width: int, height: int, limits: ImageLimits) -> TallSplit | None:
    """How a page of this size (as sent) is split, or None when it is not tall."""
    return plan_split(width, height, limits.max_images_per_message)


def split_prepared(prepared: PreparedImage, limits: ImageLimits) -> list[PreparedImage]:
    """The page's parts, in order, each named "…, part i of N" (the page alone if not tall)."""
    split = split_of(prepared.width, prepared.height, limits)
    if split is None:
        return [prepared]
    parts = []
    for index, box in enumerate(split.boxes()):
        made = crop_prepared(prepared, box, limits).prepared
        name = part_name(prepared.name, index, split.count)
        parts.append(dataclasses.replace(made, name=name))
    return parts
