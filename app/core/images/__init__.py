"""Image probing, validation, fitting and encoding (Pillow; no Qt, no network, no disk writes).

- `probe` / `probe_bytes`: the header only (fast enough for the GUI thread).
- `validate`, `planned_size`, `planned_tokens`: what the probe already decides.
- `prepare_file` / `prepare_bytes`: full decode and fitting (worker thread).
- `check_file`: full decode without fitting, to refuse a damaged file (worker thread).
- `thumbnail_bytes`, `DataUriCache`: what the tray and the request need from a prepared image.
"""

from __future__ import annotations

from .datauri import DataUriCache
from .prepare import check_file, prepare_bytes, prepare_file
from .probe import IMAGE_SUFFIXES, probe, probe_bytes
from .thumbnail import thumbnail_and_screen_copy, thumbnail_bytes
from .validate import planned_size, planned_tokens, validate

__all__ = [
    "IMAGE_SUFFIXES",
    "DataUriCache",
    "check_file",
    "planned_size",
    "planned_tokens",
    "prepare_bytes",
    "prepare_file",
    "probe",
    "probe_bytes",
    "thumbnail_and_screen_copy",
    "thumbnail_bytes",
    "validate",
]
