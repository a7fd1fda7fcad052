"""Benchmark: start to first window of the PyInstaller bundle, against the same app run from
source (`python -m app --demo`) and against a bare PySide6 window, all measured in the same run.

Offscreen Qt. Each program writes one line to standard error just after its window's first
paint (the app, source or bundle, with GROK_VISION_REPORT_SHOWN set; the bare window, a
QMainWindow and nothing else, from its first paint event in the same way); the figure is the
time from starting the process to that line. Every start is a fresh process with empty config,
data and log folders; one warm-up start of each comes first (the page cache), then REPEAT
rounds that rotate which program goes first; medians are reported. Each program is ended with
SIGTERM a second after its window is up.

The bundle is $GROK_VISION_BUNDLE, or dist/grok-vision from `packaging/build.sh`; without one,
this benchmark has no figures and says so on standard error.

Run: `python tests/bench/bench_bundle.py` (prints the table; about half a minute).
"""

from __future__ import annotations

import os
import select
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
for entry in (ROOT, ROOT / "tests"):
    if str(entry) not in sys.path:
        sys.path.insert(0, str(entry))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from tests.bench.common import BenchResult, table  # noqa: E402

REPEAT = 5
START_TIMEOUT_S = 120.0  # only so that a broken start cannot hang the run
EXIT_TIMEOUT_S = 15.0
# A SIGTERM in the app's first half second (while it connects to its endpoint) can leave it
# hanging; the figure is taken before this pause, so it costs run time only.
SETTLE_S = 1.0
BARE_TARGET = 3.0  # the same target as the source figure (bench_startup)
SOURCE_TARGET = 1.2  # the bundle may not cost start-up time worth mentioning

BUNDLE_ENV = "GROK_VISION_BUNDLE"
BARE_LINE = "bare window: window shown"
BARE_SCRIPT = f"""
import sys
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

def report():
    sys.stderr.write("{BARE_LINE}\\n")
    sys.stderr.flush()
    app.quit()

class Painted(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, report)
        return False

app = QApplication(sys.argv[:1])
window = QMainWindow()
window.setWindowTitle("Bare window")
window.resize(1000, 780)
painted = Painted()
window.installEventFilter(painted)
window.show()
sys.exit(app.exec())
"""


def bundle_program() -> Path | None:
    folder = Path(os.environ.get(BUNDLE_ENV) or ROOT / "dist" / "grok-vision")
    program = folder / "grok-vision"
    return program if program.is_file() and os.access(program, os.X_OK) else None


def _end(process: subprocess.Popen[bytes]) -> str:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        _, err = process.communicate(timeout=EXIT_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        _, err = process.communicate()
    return err.decode(errors="replace")


def _shown_ms(command: list[str], line: str, extra_env: dict[str, str]) -> float:
    """Process start to the line it writes once its window is shown, in ms."""
    with tempfile.TemporaryDirectory(prefix="bench-bundle-") as scratch:
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in {"XAI_API_KEY", "WAYLAND_DISPLAY"}
        }
        runtime = Path(scratch, "runtime")
        runtime.mkdir(mode=0o700)
        env.update(
            {
                "QT_QPA_PLATFORM": "offscreen",
                "GROK_VISION_CONFIG_DIR": str(Path(scratch, "config")),
                "GROK_VISION_DATA_DIR": str(Path(scratch, "data")),
                "GROK_VISION_LOG_DIR": str(Path(scratch, "logs")),
                "XDG_RUNTIME_DIR": str(runtime),
                "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
                **extra_env,
            }
        )
        started = time.perf_counter()
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        assert process.stderr is not None
        fd = process.stderr.fileno()
        buffer = b""
        deadline = time.monotonic() + START_TIMEOUT_S
        while line.encode() not in buffer:
            ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
            chunk = os.read(fd, 4096) if ready else b""
            if not chunk:
                err = _end(process)
                raise RuntimeError(
                    f"{' '.join(command)}: no {line!r} within "
                    f"{START_TIMEOUT_S:.0f} s (exit {process.returncode}): "
                    f"{(buffer.decode(errors='replace') + err)[-1500:]}"
                )
            buffer += chunk
        seen = time.perf_counter()
        time.sleep(SETTLE_S)
        _end(process)
    return (seen - started) * 1000


def _medians(measures: dict[str, Callable[[], float]]) -> dict[str, float]:
    for measure in measures.values():
        measure()  # warm-up
    times: dict[str, list[float]] = {name: [] for name in measures}
    names = list(measures)
    for round_ in range(REPEAT):
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            times[name].append(measures[name]())
    return {name: statistics.median(values) for name, values in times.items()}


def run() -> list[BenchResult]:
    program = bundle_program()
    if program is None:
        sys.stderr.write(
            f"bench_bundle: no bundle (set {BUNDLE_ENV} or run "
            "packaging/build.sh): no bundle figures\n"
        )
        return []
    from app.gui import REPORT_SHOWN_ENV, SHOWN_LINE

    report = {REPORT_SHOWN_ENV: "1"}
    medians = _medians(
        {
            "bare": lambda: _shown_ms([sys.executable, "-c", BARE_SCRIPT], BARE_LINE, {}),
            "source": lambda: _shown_ms(
                [sys.executable, "-m", "app", "--demo"], SHOWN_LINE, report
            ),
            "bundle": lambda: _shown_ms([str(program), "--demo"], SHOWN_LINE, report),
        }
    )
    bare, source, bundle = medians["bare"], medians["source"], medians["bundle"]
    note = (
        f"offscreen, process start to the program's own line after its window's first paint; "
        f"median of "
        f"{REPEAT} fresh starts each, rotated"
    )
    return [
        BenchResult(
            figure="start to first window (PyInstaller bundle)",
            baseline_label="bare PySide6 window",
            baseline=bare,
            measured_label="bundle grok-vision --demo",
            measured=bundle,
            unit="ms",
            target=f"≤ {BARE_TARGET:g}×",
            met=bundle <= BARE_TARGET * bare,
            note=note,
        ),
        BenchResult(
            figure="start to first window, bundle against source",
            baseline_label="python -m app --demo",
            baseline=source,
            measured_label="bundle grok-vision --demo",
            measured=bundle,
            unit="ms",
            target=f"≤ {SOURCE_TARGET:g}×",
            met=bundle <= SOURCE_TARGET * source,
            note=note,
        ),
    ]


if __name__ == "__main__":
    sys.stdout.write(table(run(), digits=0) + "\n")
