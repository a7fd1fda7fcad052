"""Benchmark of the image tray wired to the attachment controller: does the GUI thread stall?

Ten 24-MP PNGs are dropped (a real QDropEvent with file URLs) on a tray wired to the
controller and the token meter as the window wires them. A 5 ms QTimer ticks on the GUI thread;
the longest gap between ticks from the drop until every image is prepared is the figure, against
the longest gap of the same timer while idle. Also: when every token cost is known (from the
header probes) against when every image is prepared.

Run: `python tests/bench/bench_tray.py` (prints the table; offscreen Qt; about a minute and
1–2 GB of RAM at peak while the images are generated and prepared).
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
for entry in (ROOT, ROOT / "tests"):
    if str(entry) not in sys.path:
        sys.path.insert(0, str(entry))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import qasync  # noqa: E402
from PIL import ImageChops  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402
from support.gaps import GapMeter  # noqa: E402
from support.images import photo_like  # noqa: E402
from support.qtevents import drag_and_drop, file_mime  # noqa: E402

from app.controllers.attachments import AttachmentController  # noqa: E402
from app.core.conversation import Conversation  # noqa: E402
from app.core.forecast import estimate_next  # noqa: E402
from app.ui.image_tray import ImageTray  # noqa: E402
from app.ui.token_meter import TokenMeter  # noqa: E402
from tests.bench.common import BenchResult, table  # noqa: E402

FILES = 10
SIZE = (6000, 4000)  # 24 MP
TICK_MS = 5
IDLE_S = 1.0
STALL_TARGET_MS = 100.0


def _make_images(folder: Path) -> list[Path]:
    """Ten distinct 24-MP photo-like PNGs (shifted copies of one generated picture)."""
    base = photo_like(*SIZE)
    paths = []
    for index in range(FILES):
        path = folder / f"shot-{index}.png"
        ImageChops.offset(base, index * 397, index * 211).save(path, "PNG", compress_level=1)
        paths.append(path)
    return paths


async def _measure(paths: list[Path]) -> tuple[float, float, float, float]:
    """Idle stall, busy stall (ms); seconds until all costs are known, until all prepared."""
    host = QWidget()
    tray = ImageTray(host)
    meter = TokenMeter(host)
    host.resize(1200, 380)
    tray.setGeometry(0, 0, 1200, 290)
    meter.setGeometry(0, 295, 1200, 80)
    controller = AttachmentController()

    def refresh_meter() -> None:
        estimate = estimate_next(
            Conversation(), "", controller.token_costs(), context_window=32_768, reply_reserve=1024
        )
        meter.set_figures(estimate, context_known=True, next_cost=None, conversation_cost=None)

    tray.pathsDropped.connect(controller.add_paths)
    tray.removeRequested.connect(controller.remove)
    tray.moveRequested.connect(controller.move)
    controller.changed.connect(lambda: tray.set_items(controller.items()))
    controller.changed.connect(refresh_meter)
    host.show()
    await asyncio.sleep(0.2)

    ticker = GapMeter(TICK_MS).start()
    await asyncio.sleep(IDLE_S)
    idle = ticker.stop() * 1000

    ticker.start()
    start = time.perf_counter()
    costs_known = 0.0
    if not drag_and_drop(tray, file_mime(*paths)):
        raise RuntimeError("the tray refused the drop")
    while any(item.pending for item in controller.items()):
        if not costs_known and all(cost is not None for cost in controller.token_costs()):
            costs_known = time.perf_counter() - start
        await asyncio.sleep(0.01)
    prepared = time.perf_counter() - start
    busy = ticker.stop() * 1000
    failed = [item for item in controller.items() if item.failed]
    if failed:
        raise RuntimeError(f"images failed: {[(i.name, i.error) for i in failed]}")
    await controller.aclose()
    host.close()
    host.deleteLater()
    return idle, busy, costs_known or prepared, prepared


def run() -> list[BenchResult]:
    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as folder:
        paths = _make_images(Path(folder))
        megabytes = sum(p.stat().st_size for p in paths) / 1_000_000
        loop = qasync.QEventLoop(app)
        try:
            idle, busy, known, prepared = loop.run_until_complete(_measure(paths))
        finally:
            loop.close()
    note = (
        f"{FILES} PNGs, {SIZE[0]}×{SIZE[1]}, {megabytes:,.0f} MB on disk; "
        f"{TICK_MS} ms timer; 2 worker threads; all prepared in {prepared:.1f} s"
    )
    return [
        BenchResult(
            figure=f"longest GUI-thread stall while {FILES} × 24-MP PNGs are dropped and prepared",
            baseline_label="idle",
            baseline=idle,
            measured_label="drop → all prepared",
            measured=busy,
            unit="ms",
            target=f"longest stall ≤ {STALL_TARGET_MS:.0f} ms",
            met=busy <= STALL_TARGET_MS,
            note=note,
        ),
        BenchResult(
            figure=f"time until the meter knows all {FILES} token costs (header probes)",
            baseline_label="all prepared",
            baseline=prepared * 1000,
            measured_label="all costs known",
            measured=known * 1000,
            unit="ms",
            target="≤ 0.05×",
            met=known <= 0.05 * prepared,
            note=note,
        ),
    ]


if __name__ == "__main__":
    sys.stdout.write(table(run(), digits=3) + "\n")
