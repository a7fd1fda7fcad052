"""Benchmark: from process start to the first paint of the main window, the app against a bare
PySide6 window (`tests/bench/bare_window.py`) measured in the same run; and how quickly each
ends on a SIGTERM sent as soon as its window has painted.

"First paint" is what the user sees: both programs run under `tests/bench/first_paint.py`,
which writes one line once the first paint pass of the program's `QMainWindow` is over (every
child painted and the backing store flushed), the same way for both. It is on a private Xvfb
(the xcb platform, as on a desktop) when Xvfb is installed, else offscreen. The app is run as
`python -m app --demo` from a copy of its source in two states:

- compiled: its `.pyc` files present (an installed wheel, the bundle, a second start);
- not compiled: no `__pycache__` and PYTHONDONTWRITEBYTECODE=1 (an editable install in a
  fresh venv, a read-only install): every start compiles the app's own source.

Libraries (PySide6, openai, Pillow…) are compiled in both, as pip leaves them. When the
PyInstaller bundle is built ($GROK_VISION_BUNDLE, or dist/grok-vision), it is a third program in
the same rounds; it writes its own line after its first paint (GROK_VISION_REPORT_SHOWN).
Each start is a fresh process with fresh, empty config and data directories; a warm-up start
of each program comes first, then REPEAT rounds that rotate which program goes first; figures
are medians.
Each program gets SIGTERM the moment its first paint is reported; the time until it has exited
is the SIGTERM figure (the slowest of all the app's starts, against the bare window's slowest).

Run: `python tests/bench/bench_startup.py` (prints the table; about a minute).
"""

from __future__ import annotations

import compileall
import os
import select
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
for entry in (ROOT, ROOT / "tests"):
    if str(entry) not in sys.path:
        sys.path.insert(0, str(entry))

from e2e import x11, xserver  # noqa: E402

from tests.bench.common import BenchResult, table  # noqa: E402
from tests.bench.first_paint import PAINTED_LINE  # noqa: E402

REPEAT = 7
WARMUP = 1
TARGET = 1.5
EXIT_TARGET_S = 2.0
START_TIMEOUT_S = 120.0  # only so that a broken start cannot hang the run
EXIT_TIMEOUT_S = 20.0  # a program still running this long after SIGTERM is killed

LAUNCHER = str(ROOT / "tests" / "bench" / "first_paint.py")
APP_CMD = [sys.executable, LAUNCHER, "-m", "app", "--demo"]
BARE_CMD = [sys.executable, LAUNCHER, str(ROOT / "tests" / "bench" / "bare_window.py")]


@dataclass
class _Program:
    cmd: list[str]
    cwd: Path
    env: dict[str, str] = field(default_factory=dict)
    line: str = PAINTED_LINE  # what it writes to standard error once painted
    starts: list[float] = field(default_factory=list)  # ms to the first paint
    exits: list[float] = field(default_factory=list)  # ms from SIGTERM to exit


def _app_copy(scratch: Path, name: str, *, compiled: bool) -> Path:
    """A copy of the app's source in `scratch/name`, with or without its bytecode."""
    folder = scratch / name
    shutil.copytree(ROOT / "app", folder / "app", ignore=shutil.ignore_patterns("__pycache__"))
    if compiled:
        compileall.compile_dir(folder / "app", quiet=1)
    return folder


@contextmanager
def _fresh_env(platform: str, display: str | None) -> Iterator[dict[str, str]]:
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as scratch:
        env = dict(os.environ)
        for name in ("XAI_API_KEY", "WAYLAND_DISPLAY", "GROK_VISION_REPORT_SHOWN"):
            env.pop(name, None)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
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


def _end(process: subprocess.Popen[bytes]) -> tuple[float, str]:
    """SIGTERM; (ms until it exited, what it wrote to standard error); killed past
    EXIT_TIMEOUT_S, which is then the figure."""
    started = time.perf_counter()
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        _, err = process.communicate(timeout=EXIT_TIMEOUT_S)
        took = (time.perf_counter() - started) * 1000
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        _, err = process.communicate()
        took = EXIT_TIMEOUT_S * 1000
    return took, err.decode(errors="replace")


def _start(program: _Program, platform: str, display: str | None, record: bool) -> None:
    """One fresh start to the first paint, then SIGTERM."""
    with _fresh_env(platform, display) as env:
        env.update(program.env)
        started = time.perf_counter()
        process = subprocess.Popen(
            program.cmd,
            cwd=program.cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        assert process.stderr is not None
        fd = process.stderr.fileno()
        buffer = b""
        deadline = time.monotonic() + START_TIMEOUT_S
        while program.line.encode() not in buffer:
            ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
            chunk = os.read(fd, 4096) if ready else b""
            if not chunk:
                _, err = _end(process)
                raise RuntimeError(
                    f"{' '.join(program.cmd[2:])}: no first paint within {START_TIMEOUT_S:.0f} s "
                    f"(exit {process.returncode}): {(buffer.decode() + err).strip()[-1500:]}"
                )
            buffer += chunk
        painted = time.perf_counter()
        took, _ = _end(process)
    if record:
        program.starts.append((painted - started) * 1000)
        program.exits.append(took)


def _rounds(programs: list[_Program], platform: str, display: str | None) -> None:
    for _ in range(WARMUP):
        for program in programs:
            _start(program, platform, display, record=False)
    for round_ in range(REPEAT):
        shift = round_ % len(programs)
        for program in programs[shift:] + programs[:shift]:
            _start(program, platform, display, record=True)


def _bundle() -> _Program | None:
    """The PyInstaller bundle ($GROK_VISION_BUNDLE or dist/grok-vision), if one is built: it
    reports its first paint itself (GROK_VISION_REPORT_SHOWN), as it cannot be run under the
    Python launcher."""
    from app.gui import REPORT_SHOWN_ENV, SHOWN_LINE

    folder = Path(os.environ.get("GROK_VISION_BUNDLE") or ROOT / "dist" / "grok-vision")
    program = folder / "grok-vision"
    if not (program.is_file() and os.access(program, os.X_OK)):
        return None
    return _Program([str(program), "--demo"], ROOT, {REPORT_SHOWN_ENV: "1"}, SHOWN_LINE)


def run() -> list[BenchResult]:
    with ExitStack() as stack:
        scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-src-")))
        if xserver.missing() is None and x11.available() is None:
            platform, display = "xcb", stack.enter_context(xserver.xvfb()).display
            where = "private Xvfb"
        else:
            platform, display, where = "offscreen", None, "offscreen"
        bare = _Program(BARE_CMD, ROOT)
        compiled = _Program(APP_CMD, _app_copy(scratch, "compiled", compiled=True))
        source = _Program(
            APP_CMD,
            _app_copy(scratch, "source", compiled=False),
            {"PYTHONDONTWRITEBYTECODE": "1"},
        )
        bundle = _bundle()
        _rounds([bare, compiled, source, *([bundle] if bundle else [])], platform, display)
    base = statistics.median(bare.starts)
    note = (
        f"process start to the end of the first paint pass of the main window, {where}; "
        f"median of {REPEAT} fresh starts each, interleaved"
    )
    results = []
    for program, how, label in (
        (compiled, "app compiled (.pyc present)", "grok-vision --demo, .pyc present"),
        (source, "app not compiled (no .pyc)", "grok-vision --demo, no .pyc"),
    ):
        measured = statistics.median(program.starts)
        results.append(
            BenchResult(
                figure=f"start to first paint, {how}",
                baseline_label="bare PySide6 window",
                baseline=base,
                measured_label=label,
                measured=measured,
                unit="ms",
                target=f"≤ {TARGET:g}×",
                met=measured <= TARGET * base,
                note=note,
            )
        )
    if bundle is not None:
        measured = statistics.median(bundle.starts)
        results.append(
            BenchResult(
                figure="start to first paint, PyInstaller bundle",
                baseline_label="bare PySide6 window",
                baseline=base,
                measured_label="bundle grok-vision --demo",
                measured=measured,
                unit="ms",
                target=f"≤ {TARGET:g}×",
                met=measured <= TARGET * base,
                note=note + "; the bundle's own line after its first paint",
            )
        )
    app_exits = compiled.exits + source.exits
    slowest = max(app_exits)
    hung = sum(1 for ms in app_exits if ms > EXIT_TARGET_S * 1000)
    results.append(
        BenchResult(
            figure="SIGTERM right after the window has painted: time until the process ends",
            baseline_label="bare PySide6 window, slowest",
            baseline=max(bare.exits),
            measured_label=f"grok-vision --demo, slowest of {len(app_exits)}",
            measured=slowest,
            unit="ms",
            target=f"≤ {EXIT_TARGET_S * 1000:,.0f} ms every time",
            met=hung == 0,
            note=(
                f"{where}; {hung} of {len(app_exits)} starts took over {EXIT_TARGET_S:g} s "
                f"(killed at {EXIT_TIMEOUT_S:g} s); median "
                f"{statistics.median(app_exits):,.0f} ms"
            ),
        )
    )
    return results


if __name__ == "__main__":
    sys.stdout.write(table(run(), digits=0) + "\n")
