"""Benchmark: from process start to the first window shown, the app against a bare PySide6
window (`tests/bench/bare_window.py`) measured in the same run.

Two ways of seeing "shown", each applied the same way to both programs:

- on a real X server: a private Xvfb; the benchmark listens for MapNotify on the root window
  and takes the moment the server maps the program's top-level window (no polling, no
  cooperation from the program);
- offscreen: each program writes one line to standard error just after its window is shown
  (the app with GROK_VISION_REPORT_SHOWN set, the bare window with --report-shown).

Each start is a fresh process with fresh, empty config and data directories (a first start,
no window geometry to restore); warm-up starts of both programs come first, then REPEAT rounds
that alternate which program goes first; the figure is the median. Each program is ended with
SIGTERM once its window is up.

Run: `python tests/bench/bench_startup.py` (prints the table; about a minute).
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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
for entry in (ROOT, ROOT / "tests"):
    if str(entry) not in sys.path:
        sys.path.insert(0, str(entry))

from e2e import x11, xserver  # noqa: E402

from tests.bench.bare_window import SHOWN_LINE as BARE_SHOWN_LINE  # noqa: E402
from tests.bench.bare_window import TITLE as BARE_TITLE  # noqa: E402
from tests.bench.common import BenchResult, table  # noqa: E402

REPEAT = 7
WARMUP = 1
TARGET = 3.0
START_TIMEOUT_S = 120.0  # only so that a broken start cannot hang the run
EXIT_TIMEOUT_S = 30.0

APP_CMD = [sys.executable, "-m", "app", "--demo"]
BARE_CMD = [sys.executable, str(ROOT / "tests" / "bench" / "bare_window.py")]


def _is_app(title: str) -> bool:
    return title.startswith("Grok Vision")


def _is_bare(title: str) -> bool:
    return title.startswith(BARE_TITLE)


@contextmanager
def _fresh_env(platform: str, display: str | None) -> Iterator[dict[str, str]]:
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as scratch:
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


def _popen(cmd: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        cmd,
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


def _end(process: subprocess.Popen[bytes]) -> str:
    """SIGTERM, wait, and return what it wrote to standard error (killed if it hangs)."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        _, err = process.communicate(timeout=EXIT_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        _, err = process.communicate()
    return err.decode(errors="replace")


def _failed(cmd: list[str], process: subprocess.Popen[bytes], what: str) -> RuntimeError:
    err = _end(process)
    return RuntimeError(
        f"{' '.join(cmd[1:])}: no {what} within {START_TIMEOUT_S:.0f} s "
        f"(exit {process.returncode}): {err.strip()[-1500:]}"
    )


def _mapped_ms(
    display: x11.Display, display_name: str, cmd: list[str], matches: Callable[[str], bool]
) -> float:
    """Process start to the MapNotify of its top-level window, in ms."""
    with _fresh_env("xcb", display_name) as env, display.watching_maps() as wait:
        started = time.perf_counter()
        process = _popen(cmd, env)
        seen = wait(matches, START_TIMEOUT_S)
        if seen is None:
            raise _failed(cmd, process, "window mapped")
        _end(process)
    return (seen - started) * 1000


def _reported_ms(cmd: list[str], env_extra: dict[str, str], line: str) -> float:
    """Process start to the line it writes once its window is shown (offscreen), in ms."""
    with _fresh_env("offscreen", None) as env:
        env.update(env_extra)
        started = time.perf_counter()
        process = _popen(cmd, env)
        assert process.stderr is not None
        fd = process.stderr.fileno()
        buffer = b""
        deadline = time.monotonic() + START_TIMEOUT_S
        while line.encode() not in buffer:
            remaining = deadline - time.monotonic()
            ready, _, _ = select.select([fd], [], [], max(0.0, remaining))
            chunk = os.read(fd, 4096) if ready else b""
            if not chunk:
                raise _failed(cmd, process, f"line {line!r}")
            buffer += chunk
        seen = time.perf_counter()
        _end(process)
    return (seen - started) * 1000


def _rounds(
    measure_bare: Callable[[], float], measure_app: Callable[[], float]
) -> tuple[float, float]:
    for _ in range(WARMUP):
        measure_bare()
        measure_app()
    bare: list[float] = []
    app: list[float] = []
    for round_ in range(REPEAT):
        if round_ % 2:
            app.append(measure_app())
            bare.append(measure_bare())
        else:
            bare.append(measure_bare())
            app.append(measure_app())
    return statistics.median(bare), statistics.median(app)


def _result(how: str, bare: float, app: float, note: str) -> BenchResult:
    ratio = app / bare
    return BenchResult(
        figure=f"start to first window ({how})",
        baseline_label="bare PySide6 window",
        baseline=bare,
        measured_label="grok-vision --demo",
        measured=app,
        unit="ms",
        target=f"≤ {TARGET:g}×",
        met=ratio <= TARGET,
        note=f"{note}; median of {REPEAT} fresh starts each, interleaved",
    )


def _on_xvfb() -> BenchResult:
    with xserver.xvfb() as server, x11.Display(server.display) as display:
        bare, app = _rounds(
            lambda: _mapped_ms(display, server.display, BARE_CMD, _is_bare),
            lambda: _mapped_ms(display, server.display, APP_CMD, _is_app),
        )
    return _result("Xvfb", bare, app, "process start to MapNotify on a private Xvfb")


def _offscreen(report_env: str, app_line: str) -> BenchResult:
    bare, app = _rounds(
        lambda: _reported_ms([*BARE_CMD, "--report-shown"], {}, BARE_SHOWN_LINE),
        lambda: _reported_ms(APP_CMD, {report_env: "1"}, app_line),
    )
    return _result("offscreen", bare, app, "process start to the program's own line after show()")


def run() -> list[BenchResult]:
    results = []
    if xserver.missing() is None and x11.available() is None:
        results.append(_on_xvfb())
    else:
        sys.stderr.write(f"bench_startup: no Xvfb figure: {xserver.missing() or x11.available()}\n")
    try:
        from app.gui import REPORT_SHOWN_ENV, SHOWN_LINE
    except ImportError:
        sys.stderr.write(
            "bench_startup: no offscreen figure: the app has no window-shown "
            "report (app.gui.REPORT_SHOWN_ENV)\n"
        )
    else:
        results.append(_offscreen(REPORT_SHOWN_ENV, SHOWN_LINE))
    return results


if __name__ == "__main__":
    sys.stdout.write(table(run(), digits=0) + "\n")
