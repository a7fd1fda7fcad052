"""Benchmark: two paints a user waits for, in the real app's window: the end of a long reply,
and the preview of a very large photo.

The app runs in this process as `grok-vision --demo` runs it (`AppSession(demo=True)` on a
qasync loop; offscreen Qt).

- End of a reply: a reply streams into the window's conversation view (`add_message`,
  `append_delta`, painted batch by batch), then `finish_message` gives it its final state, as
  the session does when the reply finishes; the figure is the longest gap of a 5 ms timer on
  the GUI thread from that call until the view has nothing left to render and SETTLE_S more.
  A 100,000-character reply against a 1,000-character one.
- The preview: a photo-like JPEG dropped into the tray (`attachments.add_paths`) and prepared;
  the tray's preview (`preview_flow.open`, what a double-click on its tile asks) until its
  picture is on the canvas and painted once (`repaint`); then RESIZE_STEPS resizes of the
  dialog by 24 px, each with its paint (`resize` + `repaint`), timed one by one. A 60-MP photo
  against a 1-MP one.

Run: `python tests/bench/bench_paint.py` (prints the table; a minute or two).
"""

from __future__ import annotations

import asyncio
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

from tests.bench.common import BenchResult, table  # noqa: E402
from tests.bench.feel import (  # noqa: E402
    SETTLE_S,
    Session,
    app_dirs,
    longest_pause,
    median,
    photos,
    run_app,
    until,
)

REPEAT = 5
LONG_REPLY = 100_000
SHORT_REPLY = 1_000
CHUNK = 400  # characters per delta while the reply streams in (before it is measured)
BIG_PHOTO = (9600, 6250)  # 60 MP
SMALL_PHOTO = (1200, 800)  # 1 MP
RESIZE_STEPS = 12
REPLY_TARGET_MS = 30.0
ARRIVE_TARGET_MS = 50.0
STEP_TARGET_MS = 16.0

STREAM = (
    "The screenshot shows a settings dialog with three tabs; the active one lists network "
    "options and a disabled **Apply** button.\n\n"
    "- The proxy field is empty.\n- The timeout is `30 s`.\n\n"
    "```python\ndef apply(settings: dict[str, str]) -> None:\n    for key, value in "
    "settings.items():\n        store(key, value)\n```\n\n"
    "| field | value |\n|---|---|\n| proxy | none |\n| timeout | 30 s |\n\n"
)


def _reply_text(length: int) -> str:
    return (STREAM * (length // len(STREAM) + 1))[:length]


async def _reply_end(app: Any, length: int) -> float:
    from app.core.conversation import Message, Status, TextPart

    view = app.window.view
    view.clear()
    text = _reply_text(length)
    reply = Message(role="assistant", parts=[], status=Status.STREAMING, model="grok-4")
    view.add_message(reply)
    for start in range(0, len(text), CHUNK):
        view.append_delta(reply.id, text[start : start + CHUNK])
        if start % (CHUNK * 10) == 0:
            await asyncio.sleep(0)
    view.flush()
    await asyncio.sleep(0.3)
    reply.parts = [TextPart(text)]
    reply.status = Status.COMPLETE
    return await longest_pause(lambda: view.finish_message(reply), lambda: not view.rendering)


async def _preview(app: Any, path: Path) -> tuple[float, list[float]]:
    """(ms from open to the picture painted, ms of each resize step with its paint)."""
    from PySide6.QtWidgets import QApplication

    att = app.attachments
    att.add_paths([str(path)])
    await until(lambda: att.items() and not any(i.pending for i in att.items()))
    item = att.items()[0]
    if item.failed:
        raise RuntimeError(f"{path.name}: {item.error}")
    await asyncio.sleep(SETTLE_S)
    flow = app.preview_flow
    started = time.perf_counter()
    flow.open(item.id)
    dialog = flow.dialog
    await until(dialog.canvas.has_image)
    dialog.canvas.repaint()
    arrived = (time.perf_counter() - started) * 1000
    await asyncio.sleep(SETTLE_S)
    steps = []
    width, height = dialog.width(), dialog.height()
    for step in range(1, RESIZE_STEPS + 1):
        grow = 24 * (step if step <= RESIZE_STEPS // 2 else RESIZE_STEPS - step)
        begun = time.perf_counter()
        dialog.resize(width + grow, height + grow)
        dialog.canvas.repaint()
        steps.append((time.perf_counter() - begun) * 1000)
        QApplication.processEvents()
    dialog.close()
    att.remove(item.id)
    await until(lambda: not att.items() and flow.dialog is None)
    await asyncio.sleep(SETTLE_S)
    return arrived, steps


async def _measure(big: Path, small: Path) -> dict[str, list[float]]:
    f: dict[str, list[float]] = {
        k: [] for k in ("reply_long", "reply_short", "arrive_big", "arrive_small")
    }
    f["steps_big"], f["steps_small"] = [], []
    async with Session() as app:
        await _reply_end(app, SHORT_REPLY)  # warm-up: lexers, fonts
        for _ in range(REPEAT):
            f["reply_short"].append(await _reply_end(app, SHORT_REPLY))
            f["reply_long"].append(await _reply_end(app, LONG_REPLY))
        app.window.view.clear()
        await _preview(app, small)  # warm-up
        for _ in range(REPEAT):
            for name, path in (("small", small), ("big", big)):
                arrived, steps = await _preview(app, path)
                f[f"arrive_{name}"].append(arrived)
                f[f"steps_{name}"].extend(steps)
    return f


def run() -> list[BenchResult]:
    with tempfile.TemporaryDirectory(prefix="bench-paint-") as tmp, app_dirs(Path(tmp)):
        big = photos(Path(tmp, "images"), 1, BIG_PHOTO)[0]
        small = photos(Path(tmp, "images"), 1, SMALL_PHOTO)[0]
        f = run_app(lambda: _measure(big, small))
    long_, short = median(f["reply_long"]), median(f["reply_short"])
    arrive_big, arrive_small = median(f["arrive_big"]), median(f["arrive_small"])
    step_big, step_small = median(f["steps_big"]), median(f["steps_small"])
    rounds = f"median of {REPEAT} interleaved rounds; offscreen"
    photo = f"photo-like JPEG {BIG_PHOTO[0]}×{BIG_PHOTO[1]}, prepared as dropped"
    return [
        BenchResult(
            figure="longest GUI pause when a reply finishes (end-of-reply render)",
            baseline_label=f"{SHORT_REPLY:,}-character reply",
            baseline=short,
            measured_label=f"{LONG_REPLY:,}-character reply",
            measured=long_,
            unit="ms",
            target=f"≤ {REPLY_TARGET_MS:g} ms",
            met=long_ <= REPLY_TARGET_MS,
            note=f"finish_message until nothing renders and {SETTLE_S:g} s more; 5 ms timer; "
            f"{rounds}; worst: {max(f['reply_long']):.0f} ms",
        ),
        BenchResult(
            figure="preview of a 60-MP photo: open until the picture is painted",
            baseline_label="1-MP photo",
            baseline=arrive_small,
            measured_label="60-MP photo",
            measured=arrive_big,
            unit="ms",
            target=f"≤ {ARRIVE_TARGET_MS:g} ms",
            met=arrive_big <= ARRIVE_TARGET_MS,
            note=f"{photo}; {rounds}",
        ),
        BenchResult(
            figure="preview of a 60-MP photo: one resize step with its paint",
            baseline_label="1-MP photo",
            baseline=step_small,
            measured_label="60-MP photo",
            measured=step_big,
            unit="ms",
            target=f"≤ {STEP_TARGET_MS:g} ms",
            met=step_big <= STEP_TARGET_MS,
            note=f"{photo}; median of {RESIZE_STEPS} steps × {REPEAT} rounds; worst: "
            f"{max(f['steps_big']):.0f} ms; offscreen",
        ),
    ]


if __name__ == "__main__":
    sys.stdout.write(table(run(), digits=1) + "\n")
