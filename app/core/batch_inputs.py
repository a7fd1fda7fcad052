"""The inputs of a batch: the files named on the command line, and the images of the folders
named there, each folder's sorted by name."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from app.core.images import IMAGE_SUFFIXES


@dataclass(frozen=True)
class BatchInputs:
    """The files to ask about, in order (each once), and what the folders held besides."""

    paths: tuple[str, ...]
    skipped: tuple[str, ...]  # folder entries that are not images (files and sub-folders)


def input_key(path: str) -> str:
    """How a path is written in the output and matched on resume: normalised, as given
    (relative paths stay relative)."""
    return os.path.normpath(path)


def _folder_images(folder: Path, suffixes: frozenset[str]) -> tuple[list[str], list[str]]:
    images: list[str] = []
    skipped: list[str] = []
    try:
        entries = sorted(folder.iterdir(), key=lambda p: (p.name.lower(), p.name))
    except OSError as exc:
        return [], [f"{folder} (cannot be read: {exc.strerror or exc})"]
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_file() and entry.suffix.lower() in suffixes:
            images.append(input_key(str(entry)))
        else:
            skipped.append(input_key(str(entry)) + ("/" if entry.is_dir() else ""))
    return images, skipped


def expand_inputs(paths: Sequence[str], suffixes: Iterable[str] = IMAGE_SUFFIXES) -> BatchInputs:
    """Every named file (whatever it holds: a bad one becomes an error row) and the image files
    of every named folder (by suffix; the rest skipped), without repeats, in the order given."""
    wanted = frozenset(s.lower() for s in suffixes)
    out: dict[str, None] = {}
    skipped: list[str] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            images, other = _folder_images(path, wanted)
            out.update(dict.fromkeys(images))
            skipped.extend(other)
        else:
            out[input_key(raw)] = None
    return BatchInputs(tuple(out), tuple(skipped))
