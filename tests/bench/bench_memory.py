"""Benchmark: resident memory of the app with 50 large images in its tray, against a bare
PySide6 window (`tests/bench/bare_window.py`) measured in the same run.

Fifty distinct 12-MP JPEG photos (4000×3000, quality 90) are generated once. Each figure is
VmRSS from /proc in a fresh process with empty config and data directories:

- the bare window, once it reports being shown (and half a second more to settle);
- the app in demo mode (`AppSession(demo=True)` on a qasync loop, as `grok-vision --demo`
  runs it), with an empty tray, and with the 50 files added through
  `session.attachments.add_paths` once every one is prepared and the tray has painted.

The app must keep each image's bytes as they will be sent (the tray holds them until Send), so
the target is that the app with 50 images stays within its empty self plus twice the files'
size — it must not keep decoded pixels (50 decoded 12-MP images would be 2.4 GB). On a private
Xvfb when one is installed, else offscreen. Median of REPEAT processes each.

Run: `python tests/bench/bench_memory.py` (prints the table; about a minute; ~250 MB of
temporary files).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import select
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
for entry in (ROOT, ROOT / "tests"):
    if str(entry) not in sys.path:
        sys.path.insert(0, str(entry))

from tests.bench.common import BenchResult, table  # noqa: E402

IMAGES = 50
SIZE = (4000, 3000)
REPEAT = 3
EMPTY_TARGET = 3.0
SETTLE_S = 0.5
TIMEOUT_S = 600.0  # only so that a broken run cannot hang
READY = "bench-memory: ready"
BARE_SHOWN = "bare window: window shown"
MIB = 1024 * 1024


def _status_kib(pid: int | str, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


# -- the child that runs the app -------------------------------------------------------------------


async def _app_child(paths: list[str]) -> dict[str, int]:
    import gc

    from app.gui.session import AppSession

    session = AppSession(demo=True)
    run = asyncio.get_running_loop().create_task(session.run([]))
    deadline = time.monotonic() + TIMEOUT_S

    async def until(condition: Callable[[], object]) -> None:
        while not condition():
            if time.monotonic() > deadline:
                raise TimeoutError("the app did not get there in time")
            await asyncio.sleep(0.05)

    try:
        await until(lambda: session.endpoint.has_key and session.models)
        if paths:
            session.attachments.add_paths(paths)
            await until(
                lambda: (
                    len(session.attachments.items()) == len(paths)
                    and not any(i.pending for i in session.attachments.items())
                )
            )
            failed = [i.name for i in session.attachments.items() if i.failed]
            if failed:
                raise RuntimeError(f"images failed: {failed}")
        await asyncio.sleep(SETTLE_S)
        gc.collect()
        sys.stdout.write(f"{READY}\n")
        sys.stdout.flush()
        # The parent reads /proc now; it closes our stdin when done.
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
        return {"hwm_kib": _status_kib("self", "VmHWM")}
    finally:
        session.request_close()
        await run


def _child_main(paths: list[str]) -> int:
    import qasync
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    from app.gui.theme import apply_app_identity

    app = QApplication(sys.argv[:1])
    apply_app_identity(app)
    QGuiApplication.setQuitOnLastWindowClosed(False)
    with asyncio.Runner(loop_factory=qasync.QEventLoop) as runner:
        figures = runner.run(_app_child(paths))
    sys.stdout.write(json.dumps(figures) + "\n")
    return 0


# -- the parent ------------------------------------------------------------------------------------


def _make_images(folder: Path) -> list[Path]:
    from PIL import ImageChops
    from support.images import photo_like

    base = photo_like(*SIZE)
    paths = []
    for index in range(IMAGES):
        path = folder / f"photo-{index:02d}.jpg"
        ImageChops.offset(base, index * 79, index * 53).save(path, "JPEG", quality=90)
        paths.append(path)
    return paths


@contextmanager
def _fresh_env(platform: str, display: str | None) -> Iterator[dict[str, str]]:
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as scratch:
        env = dict(os.environ)
        for name in ("XAI_API_KEY", "WAYLAND_DISPLAY", "GROK_VISION_REPORT_SHOWN"):
            env.pop(name, None)
        runtime = Path(scratch, "runtime")
        runtime.mkdir(mode=0o700)
        env.update(
            {
                "QT_QPA_PLATFORM": platform,
                "GROK_VISION_CONFIG_DIR": str(Path(scratch, "config")),
                "GROK_VISION_DATA_DIR": str(Path(scratch, "data")),
                "XDG_RUNTIME_DIR": str(runtime),
                "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
            }
        )
        if display is not None:
            env["DISPLAY"] = display
        yield env


def _wait_for_line(process: subprocess.Popen[bytes], stream: int, line: str) -> None:
    buffer = b""
    deadline = time.monotonic() + TIMEOUT_S
    while line.encode() not in buffer:
        ready, _, _ = select.select([stream], [], [], max(0.0, deadline - time.monotonic()))
        chunk = os.read(stream, 4096) if ready else b""
        if not chunk:
            process.kill()
            process.wait()
            raise RuntimeError(f"no {line!r} from {process.args} (exit {process.returncode})")
        buffer += chunk


def _bare_rss_kib(env: dict[str, str]) -> int:
    cmd = [sys.executable, str(ROOT / "tests" / "bench" / "bare_window.py"), "--report-shown"]
    process = subprocess.Popen(
        cmd,
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        assert process.stderr is not None
        _wait_for_line(process, process.stderr.fileno(), BARE_SHOWN)
        time.sleep(SETTLE_S)
        return _status_kib(process.pid, "VmRSS")
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()


def _app_rss_kib(env: dict[str, str], paths: list[Path]) -> tuple[int, int]:
    """(VmRSS once ready, VmHWM at the end) of the app child, in KiB."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", *map(str, paths)]
    process = subprocess.Popen(
        cmd,
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        assert process.stdin is not None
        _wait_for_line(process, process.stdout.fileno(), READY)
        rss = _status_kib(process.pid, "VmRSS")
        process.stdin.close()
        out = process.stdout.read().decode()
        process.wait(timeout=60)
        err = process.stderr.read().decode() if process.stderr else ""
        if process.returncode != 0:
            raise RuntimeError(f"the app child failed (exit {process.returncode}): {err[-1500:]}")
        figures = json.loads(out.strip().splitlines()[-1])
        return rss, int(figures["hwm_kib"])
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def run() -> list[BenchResult]:
    from e2e import x11, xserver

    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-memory-")))
        paths = _make_images(folder)
        files_mib = sum(p.stat().st_size for p in paths) / MIB
        if xserver.missing() is None and x11.available() is None:
            platform, display = "xcb", stack.enter_context(xserver.xvfb()).display
        else:
            platform, display = "offscreen", None
        bare, empty, full, peak = [], [], [], []
        for _ in range(REPEAT):
            with _fresh_env(platform, display) as env:
                bare.append(_bare_rss_kib(env))
            with _fresh_env(platform, display) as env:
                empty.append(_app_rss_kib(env, [])[0])
            with _fresh_env(platform, display) as env:
                rss, hwm = _app_rss_kib(env, paths)
                full.append(rss)
                peak.append(hwm)
    bare_mib = statistics.median(bare) / 1024
    empty_mib = statistics.median(empty) / 1024
    full_mib = statistics.median(full) / 1024
    peak_mib = statistics.median(peak) / 1024
    allowed = empty_mib + 2 * files_mib
    where = "Xvfb" if platform == "xcb" else "offscreen"
    note = f"VmRSS, median of {REPEAT} fresh processes, {where}"
    return [
        BenchResult(
            figure="resident memory, app with an empty tray",
            baseline_label="bare PySide6 window",
            baseline=bare_mib,
            measured_label="grok-vision --demo",
            measured=empty_mib,
            unit="MB",
            target=f"≤ {EMPTY_TARGET:g}×",
            met=empty_mib <= EMPTY_TARGET * bare_mib,
            note=note,
        ),
        BenchResult(
            figure=f"resident memory with {IMAGES} large images in the tray",
            baseline_label="bare PySide6 window",
            baseline=bare_mib,
            measured_label=f"grok-vision --demo, {IMAGES} × 12-MP JPEG in the tray",
            measured=full_mib,
            unit="MB",
            target=f"≤ {allowed / bare_mib:.1f}× (empty app + 2 × the files)",
            met=full_mib <= allowed,
            note=(
                f"{note}; the files: {files_mib:.0f} MB; app with an empty tray: "
                f"{empty_mib:.0f} MB; peak (VmHWM) with the images: {peak_mib:.0f} MB"
            ),
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
