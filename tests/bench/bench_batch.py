"""Benchmark: the window's batch, 200 small images at 8 requests in flight.

The app runs as `grok-vision --demo` runs it (`AppSession(demo=True)` on a qasync loop,
offscreen Qt, empty config and data directories); its demo endpoint is `grok-vision
demo-server` in a process of its own. The batch is set up in File → Batch… (the folder, a
question, a CSV file, 8 at once) and started with its Start button; measured from the click
until the controller has finished and SETTLE_S more:
- the longest gap of a 5 ms timer on the GUI thread (target ≤ 100 ms), against the same timer
  with the app idle;
- the wall time, against the same 200 requests (Responses API, streamed, each image as a data
  URI and the same question) sent to the same endpoint by a bare asyncio script: openai's
  AsyncOpenAI, an asyncio.Semaphore(8), nothing else (target ≤ 1.5×).

Run: `python tests/bench/bench_batch.py` (prints the table; about a minute).
"""

from __future__ import annotations

import asyncio
import base64
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
for entry in (ROOT, ROOT / "tests"):
    if str(entry) not in sys.path:
        sys.path.insert(0, str(entry))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from tests.bench.bench_soak import _DemoProcess  # noqa: E402
from tests.bench.common import BenchResult, table  # noqa: E402
from tests.bench.feel import SETTLE_S, TICK_MS, app_dirs, idle_pause, run_app, until  # noqa: E402

IMAGES = int(os.environ.get("BATCH_IMAGES", "200"))
CONCURRENCY = 8
QUESTION = "What colour is this image?"
PACE = 0.005  # seconds between the demo's streamed chunks
PAUSE_TARGET_MS = 100.0
THROUGHPUT_TARGET = 1.5


class _SharedDemo:
    """The demo process, lent to the session: the session's `stop` at its close is ignored
    (the bare script uses the same endpoint after it)."""

    def __init__(self, demo: _DemoProcess) -> None:
        self.base_url, self.pace = demo.base_url, demo.pace

    def stop(self) -> None:
        pass


def _images(folder: Path) -> list[Path]:
    from PIL import Image

    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(IMAGES):
        path = folder / f"shot-{index:03d}.png"
        colour = (index * 37 % 256, index * 91 % 256, index * 53 % 256)
        Image.new("RGB", (96 + index % 50, 64 + index % 40), colour).save(path)
        paths.append(path)
    return paths


async def _window(folder: Path, out: Path, demo: _DemoProcess) -> dict[str, Any]:
    from PySide6.QtWidgets import QPushButton
    from support.gaps import GapMeter

    from tests.bench.feel import Session

    async with Session(demo_server=_SharedDemo(demo)) as app:
        idle = await idle_pause(2.0)
        flow = app.batch_flow
        flow.open()
        dialog = flow.dialog
        assert dialog is not None
        dialog.add_paths([str(folder)])
        dialog.question.setText(QUESTION)
        dialog.concurrency.setValue(CONCURRENCY)
        dialog.set_out(str(out))
        start = dialog.findChild(QPushButton, "batchStart")
        assert start is not None
        await until(start.isEnabled)
        await asyncio.sleep(0.3)
        meter = GapMeter(TICK_MS).start()
        await asyncio.sleep(0.05)
        meter.reset()
        began = time.perf_counter()
        start.click()
        controller = flow.controller
        await until(lambda: controller.running)
        await until(lambda: not controller.running)
        seconds = time.perf_counter() - began
        await asyncio.sleep(SETTLE_S)
        pause = meter.stop() * 1000
        return {
            "idle": idle,
            "pause": pause,
            "seconds": seconds,
            "done": controller.done,
            "failed": controller.failed,
            "model": app.chat.model,
        }


async def _bare(paths: list[Path], base_url: str, model: str) -> float:
    """The same requests from a bare asyncio script: the seconds for all of them."""
    import openai

    from app.demo import DEMO_API_KEY

    client = openai.AsyncOpenAI(base_url=base_url, api_key=DEMO_API_KEY, max_retries=0)
    limit = asyncio.Semaphore(CONCURRENCY)

    async def one(path: Path) -> None:
        async with limit:
            uri = (
                "data:image/png;base64,"
                + base64.b64encode(await asyncio.to_thread(path.read_bytes)).decode()
            )
            content = [
                {"type": "input_image", "image_url": uri, "detail": "high"},
                {"type": "input_text", "text": QUESTION},
            ]
            stream = await client.responses.create(
                model=model,
                input=[{"role": "user", "content": content}],  # type: ignore[list-item]
                stream=True,
                store=False,
            )
            async for _event in stream:
                pass

    began = time.perf_counter()
    try:
        await asyncio.gather(*(one(path) for path in paths))
    finally:
        await client.close()
    return time.perf_counter() - began


def run() -> list[BenchResult]:
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as scratch:
        root = Path(scratch)
        paths = _images(root / "shots")
        demo = _DemoProcess(PACE)
        try:
            with app_dirs(root):
                window = run_app(lambda: _window(root / "shots", root / "rows.csv", demo))
            bare = asyncio.run(_bare(paths, demo.base_url, str(window["model"])))
        finally:
            demo.stop()
    note = (
        f"{IMAGES} PNGs of about 120×85 px, one request each, {CONCURRENCY} in flight, demo "
        f"endpoint in its own process (pace {PACE} s a chunk); offscreen; "
        f"{window['done']} done, {window['failed']} failed"
    )
    ratio = window["seconds"] / bare if bare else float("inf")
    return [
        BenchResult(
            figure="longest GUI pause while the window's batch runs",
            baseline_label="5 ms timer, app idle 2 s",
            baseline=window["idle"],
            measured_label=f"Start until all {IMAGES} are done",
            measured=window["pause"],
            unit="ms",
            target=f"longest pause ≤ {PAUSE_TARGET_MS:.0f} ms",
            met=window["pause"] <= PAUSE_TARGET_MS,
            note=note,
        ),
        BenchResult(
            figure="the window's batch: time for all requests vs a bare asyncio script",
            baseline_label="AsyncOpenAI + Semaphore(8), same requests",
            baseline=bare * 1000,
            measured_label="File → Batch…, Start until done",
            measured=window["seconds"] * 1000,
            unit="ms",
            target=f"≤ {THROUGHPUT_TARGET}×",
            met=ratio <= THROUGHPUT_TARGET,
            note=note,
        ),
    ]


if __name__ == "__main__":
    sys.stdout.write(table(run()) + "\n")
