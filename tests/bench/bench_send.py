"""Benchmark: Send with 50 × 24-MP photos over 10 turns: the longest GUI pause at any turn, and
resident memory after them and at its peak, in the real app.

The app runs in a fresh process of its own as `grok-vision --demo` runs it (`AppSession(demo=
True)` on a qasync loop; offscreen Qt; empty config and data directories), its demo endpoint
in another process (`grok-vision demo-server`, as a real endpoint would be: its memory and its
decoding of every image are not the app's). Each turn drops 5 new photo-like 6000×4000 JPEGs
(quality 90, made with Pillow) into the tray (`attachments.add_paths`), waits until they are
prepared, types a question and presses Send; the pause is the longest gap of a 5 ms timer on
the GUI thread from the click until the streamed reply has finished and SETTLE_S more. Every
request carries the whole history, so turn 10 sends all 50 photos.

Memory: VmRSS once the window is idle (before the first drop), VmRSS after the 10th reply, and
VmHWM (the peak) then; the target is idle + 2 × the bytes of the files sent.
`SEND_TURNS` and `SEND_PER_TURN` in the environment set smaller numbers for a quick look.

Run: `python tests/bench/bench_send.py` (prints the table; several minutes; ~400 MB of files).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import subprocess
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
from tests.bench.feel import MIB, SETTLE_S, photos  # noqa: E402

TURNS = int(os.environ.get("SEND_TURNS", "10"))
PER_TURN = int(os.environ.get("SEND_PER_TURN", "5"))
SIZE = (6000, 4000)  # 24 MP
PACE = 0.005
PAUSE_TARGET_MS = 100.0
CHILD_TIMEOUT_S = 1800.0


def _status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


async def _child(paths: list[str]) -> dict[str, Any]:
    from app.core.conversation import Status
    from tests.bench.bench_soak import _DemoProcess
    from tests.bench.feel import Session, idle_pause, longest_pause, until

    async with Session(demo_server=_DemoProcess(PACE)) as app:
        gc.collect()
        await asyncio.sleep(SETTLE_S)
        idle_rss = _status_kib("VmRSS")
        idle_ms = await idle_pause()
        finished: set[str] = set()
        app.chat.replyFinished.connect(lambda message: finished.add(message.id))
        att, window = app.attachments, app.window
        pauses = []
        for turn in range(TURNS):
            att.add_paths(paths[turn * PER_TURN : (turn + 1) * PER_TURN])
            await until(lambda: att.items() and att.blocking_reason() is None)
            window.composer.setPlainText(f"Turn {turn + 1}: what changed in these photos?")
            await until(window.send_button.isEnabled)
            before = len(app.chat.conversation.messages)

            def done(before: int = before) -> bool:
                messages = app.chat.conversation.messages
                return len(messages) > before and messages[-1].id in finished

            pauses.append(await longest_pause(window.send_button.click, done))
            reply = app.chat.conversation.messages[-1]
            if reply.status is not Status.COMPLETE:
                raise RuntimeError(f"turn {turn + 1}: {reply.status.value}: {reply.error}")
        gc.collect()
        await asyncio.sleep(SETTLE_S)
        return {
            "idle_rss": idle_rss,
            "idle_ms": idle_ms,
            "pauses": pauses,
            "rss": _status_kib("VmRSS"),
            "hwm": _status_kib("VmHWM"),
        }


def _child_main(paths: list[str]) -> int:
    from tests.bench.feel import run_app

    figures = run_app(lambda: _child(paths))
    sys.stdout.write("SEND-JSON " + json.dumps(figures) + "\n")
    return 0


def run() -> list[BenchResult]:
    with tempfile.TemporaryDirectory(prefix="bench-send-") as tmp:
        paths = photos(Path(tmp, "images"), TURNS * PER_TURN, SIZE)
        files_mib = sum(p.stat().st_size for p in paths) / MIB
        env = dict(os.environ)
        env.pop("XAI_API_KEY", None)
        for name in ("config", "data"):
            Path(tmp, name).mkdir()
        env.update(
            GROK_VISION_CONFIG_DIR=str(Path(tmp, "config")),
            GROK_VISION_DATA_DIR=str(Path(tmp, "data")),
            PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
            # The demo's 256 MiB limit is under the 330 MB that turn 10 sends: raised here,
            # so that the benchmark measures sending, not the refusal.
            GROK_VISION_DEMO_MAX_BODY_MIB="1024",
        )
        started = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "--child", *map(str, paths)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=CHILD_TIMEOUT_S,
            check=False,
        )
        took = time.perf_counter() - started
    lines = [x for x in proc.stdout.splitlines() if x.startswith("SEND-JSON ")]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"the app child failed (exit {proc.returncode}): {proc.stderr[-1500:]}")
    f = json.loads(lines[-1].removeprefix("SEND-JSON "))
    pauses: list[float] = f["pauses"]
    worst = max(pauses)
    worst_turn = pauses.index(worst) + 1
    idle_mib, rss_mib, hwm_mib = f["idle_rss"] / 1024, f["rss"] / 1024, f["hwm"] / 1024
    allowed = idle_mib + 2 * files_mib
    count = TURNS * PER_TURN
    note = (
        f"{count} photo-like {SIZE[0]}×{SIZE[1]} JPEGs, {PER_TURN} a turn over {TURNS} turns, "
        f"{files_mib:.0f} MB of files; demo endpoint in its own process; offscreen; "
        f"{took:.0f} s in all"
    )
    per_turn = ", ".join(f"{p:.0f}" for p in pauses)
    return [
        BenchResult(
            figure=f"longest GUI pause at Send with {count} × 24-MP photos over {TURNS} turns",
            baseline_label="5 ms timer, app idle 2 s",
            baseline=f["idle_ms"],
            measured_label=f"worst turn (turn {worst_turn})",
            measured=worst,
            unit="ms",
            target=f"≤ {PAUSE_TARGET_MS:g} ms at any turn",
            met=worst <= PAUSE_TARGET_MS,
            note=f"{note}; Send click until the reply has finished and {SETTLE_S:g} s more; "
            f"each turn (ms): {per_turn}",
        ),
        BenchResult(
            figure=f"resident memory after Send with {count} × 24-MP photos",
            baseline_label="app idle (VmRSS)",
            baseline=idle_mib,
            measured_label=f"VmRSS after turn {TURNS}",
            measured=rss_mib,
            unit="MB",
            target=f"≤ {allowed / idle_mib:.1f}× (idle + 2 × the files sent)",
            met=rss_mib <= allowed,
            note=note,
        ),
        BenchResult(
            figure=f"peak resident memory during Send with {count} × 24-MP photos",
            baseline_label="app idle (VmRSS)",
            baseline=idle_mib,
            measured_label="VmHWM at the end",
            measured=hwm_mib,
            unit="MB",
            target=f"≤ {allowed / idle_mib:.1f}× (idle + 2 × the files sent)",
            met=hwm_mib <= allowed,
            note=note,
        ),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", nargs="*", metavar="IMAGE", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        return _child_main(args.child)
    sys.stdout.write(table(run(), digits=0) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
