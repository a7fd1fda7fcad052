"""Benchmarks of core.images: header probes against full decodes, bytes sent against originals.

Run: `python tests/bench/bench_images.py` (prints the table). Generates its images into a
temporary directory once per run (about 1 GB of RAM at peak, 1–2 minutes).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
for entry in (ROOT, ROOT / "tests"):
    if str(entry) not in sys.path:
        sys.path.insert(0, str(entry))

from PIL import Image, ImageChops, ImageDraw  # noqa: E402
from support.images import photo_like  # noqa: E402

from app.core.images import prepare_file, probe  # noqa: E402
from app.core.limits import XAI_LIMITS  # noqa: E402
from tests.bench.common import BenchResult, best_of, table  # noqa: E402

PROBE_FILES = 10
PROBE_SIZE = (6000, 4000)  # 24 MP
MB = 1_000_000


def _probe_set(folder: Path) -> list[Path]:
    """Ten distinct 24-MP photo-like PNGs (shifted copies of one generated picture)."""
    base = photo_like(*PROBE_SIZE)
    paths = []
    for index in range(PROBE_FILES):
        shifted = ImageChops.offset(base, index * 397, index * 211)
        path = folder / f"probe-{index}.png"
        shifted.save(path, "PNG", compress_level=1)  # fast to write; decoding costs the same
        paths.append(path)
    return paths


def _full_decode(paths: list[Path]) -> None:
    for path in paths:
        with Image.open(path) as im:
            im.load()


def _probe_all(paths: list[Path]) -> None:
    for path in paths:
        probe(path)


def bench_probe(folder: Path) -> BenchResult:
    paths = _probe_set(folder)
    _probe_all(paths)  # warm the plugin registry
    decode_ms = best_of(lambda: _full_decode(paths), repeat=3)
    probe_ms = best_of(lambda: _probe_all(paths), repeat=7)
    ratio = probe_ms / decode_ms
    size_mb = sum(path.stat().st_size for path in paths) / MB
    return BenchResult(
        figure=f"header probe vs full decode, {PROBE_FILES} × 24-MP PNG",
        baseline_label="Image.open().load()",
        baseline=decode_ms,
        measured_label="core.images.probe",
        measured=probe_ms,
        unit="ms",
        target="≤ 0.05×",
        met=ratio <= 0.05,
        note=f"{size_mb:.0f} MB of PNG; median of runs",
    )


def _screenshot(width: int, height: int) -> Image.Image:
    """An 8K desktop: flat panels, lines of text, and a large photo in a viewer window."""
    im = Image.new("RGB", (width, height), (236, 238, 242))
    draw = ImageDraw.Draw(im)
    draw.rectangle((0, 0, width, 56), fill=(32, 36, 48))
    for row, y in enumerate(range(90, height - 30, 22)):
        draw.text(
            (24, y), f"{row:04d}  INFO  worker-{row % 7} finished job {row * 37}", fill=(30, 30, 30)
        )
    photo = photo_like(width - 2000, height - 600)
    im.paste(photo, (1900, 300))
    return im


def _oversized_set(folder: Path) -> list[tuple[str, Path]]:
    jpeg = folder / "photo-12000x8000.jpg"
    photo_like(12_000, 8_000).save(jpeg, "JPEG", quality=92)
    png = folder / "screenshot-8k.png"
    _screenshot(7680, 4320).save(png, "PNG", compress_level=1)
    webp = folder / "photo-12000x7000.webp"
    photo_like(12_000, 7_000).save(webp, "WEBP", quality=80, method=0)
    return [
        ("12000×8000 photo-like JPEG", jpeg),
        ("7680×4320 PNG screenshot", png),
        ("12000×7000 lossy WebP photo", webp),
    ]


def bench_bytes_sent(folder: Path) -> list[BenchResult]:
    results = []
    for label, path in _oversized_set(folder):
        original = path.stat().st_size
        start = time.perf_counter()
        prepared = prepare_file(path, XAI_LIMITS)
        seconds = time.perf_counter() - start
        converted = prepared.original_format not in XAI_LIMITS.accepted_formats
        ratio = len(prepared.data) / original
        fits = len(prepared.data) <= XAI_LIMITS.max_bytes
        notes = "; ".join(prepared.notes) or "untouched"
        results.append(
            BenchResult(
                figure=f"bytes sent vs original, {label}",
                baseline_label="original file",
                baseline=original / MB,
                measured_label=f"prepared {prepared.mime} {prepared.width}×{prepared.height}",
                measured=len(prepared.data) / MB,
                unit="MB",
                target="≤ 1.0× (never more than the original unless converted)",
                met=fits and (ratio <= 1.0 or converted),
                note=f"{notes}; prepared in {seconds:.1f} s",
            )
        )
    return results


def run() -> list[BenchResult]:
    with tempfile.TemporaryDirectory(prefix="bench-images-") as tmp:
        folder = Path(tmp)
        results = [bench_probe(folder)]
        results += bench_bytes_sent(folder)
    return results


if __name__ == "__main__":
    sys.stdout.write(table(run(), digits=2) + "\n")
