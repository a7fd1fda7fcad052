"""Benchmark: how long after the window shows the sidebar lists the saved conversations, 5,000
of them against 50, each start a fresh process.

The data directory is filled beforehand through the app's `HistoryStore` (short two-message
conversations). Each start runs the app as `grok-vision --demo` runs it (`AppSession(demo=True)`
on a qasync loop; offscreen Qt) in a fresh process with an empty config directory, so that all
it does after the window shows (opening the history, importing the network stack on a worker,
connecting) competes as it does for a user. The figure is the time from the window being
visible to the sidebar holding every conversation, its list painted once (`repaint`). REPEAT
starts of each, alternating; medians.

Run: `python tests/bench/bench_sidebar_fill.py` (prints the table; about a minute).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
for entry in (ROOT, ROOT / "tests"):
    if str(entry) not in sys.path:
        sys.path.insert(0, str(entry))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from tests.bench.common import BenchResult, table  # noqa: E402

MANY = 5_000
FEW = 50
REPEAT = 5
TARGET_MS = 150.0
CHILD_TIMEOUT_S = 300.0


def _fill(data: Path, count: int) -> None:
    from app.core.conversation import Conversation, Message, TextPart
    from app.store.history import HistoryStore

    now = time.time()
    with HistoryStore(data) as store:
        for number in range(count):
            conv = Conversation(title=f"Conversation {number} about a screenshot")
            conv.messages = [
                Message(role="user", parts=[TextPart(f"question {number}")]),
                Message(role="assistant", parts=[TextPart(f"answer {number}")]),
            ]
            when = now - number * 600
            store.save_conversation(conv, created=when, updated=when, pinned=number % 700 == 0)


async def _child(count: int) -> float:
    from app.gui.session import AppSession
    from tests.bench.feel import until

    app = AppSession(demo=True)
    run = asyncio.get_running_loop().create_task(app.run([]))
    try:
        await until(app.window.isVisible)
        shown = time.perf_counter()
        sidebar = app.history_flow.sidebar
        await until(lambda: sidebar.model.rowCount() >= count)
        sidebar.list_view.viewport().repaint()
        return (time.perf_counter() - shown) * 1000
    finally:
        await until(lambda: app.endpoint.has_key)
        app.request_close()
        await run


def _child_main(count: int) -> int:
    from tests.bench.feel import run_app

    ms = run_app(lambda: _child(count))
    sys.stdout.write(json.dumps({"ms": ms}) + "\n")
    return 0


def _start(data: Path, count: int) -> float:
    with tempfile.TemporaryDirectory(prefix="bench-sidebar-config-") as config:
        env = dict(os.environ)
        env.pop("XAI_API_KEY", None)
        env.update(
            GROK_VISION_CONFIG_DIR=config,
            GROK_VISION_DATA_DIR=str(data),
            PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
        )
        proc = subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "--child", str(count)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=CHILD_TIMEOUT_S,
            check=False,
        )
    if proc.returncode != 0:
        raise RuntimeError(f"the app child failed (exit {proc.returncode}): {proc.stderr[-1500:]}")
    return float(json.loads(proc.stdout.strip().splitlines()[-1])["ms"])


def run() -> list[BenchResult]:
    with tempfile.TemporaryDirectory(prefix="bench-sidebar-") as tmp:
        few, many = Path(tmp, "few"), Path(tmp, "many")
        _fill(few, FEW)
        _fill(many, MANY)
        _start(few, FEW), _start(many, MANY)  # warm-up: page cache
        few_ms, many_ms = [], []
        for round_ in range(REPEAT):
            pair = [(few, FEW, few_ms), (many, MANY, many_ms)]
            for data, count, into in pair if round_ % 2 == 0 else reversed(pair):
                into.append(_start(data, count))
    base, measured = statistics.median(few_ms), statistics.median(many_ms)
    return [
        BenchResult(
            figure="sidebar filled after the window shows",
            baseline_label=f"{FEW} conversations",
            baseline=base,
            measured_label=f"{MANY:,} conversations",
            measured=measured,
            unit="ms",
            target=f"≤ {TARGET_MS:g} ms",
            met=measured <= TARGET_MS,
            note=f"window visible until every conversation is listed and the list painted; "
            f"fresh process each, offscreen; median of {REPEAT} alternating starts; worst: "
            f"{max(many_ms):.0f} ms",
        )
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        return _child_main(args.child)
    sys.stdout.write(table(run(), digits=0) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
