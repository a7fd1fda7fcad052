"""A private Xvfb for one test, benchmark or screenshot, on a display number it picks itself.

`Xvfb -displayfd N` takes the first free display number (lock files decide, so two runs at the
same time never share one) and writes it to file descriptor N once it accepts connections:
no guessing, no polling for the socket. It listens on no TCP port.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

SCREEN = "1280x800x24"
START_TIMEOUT_S = 60.0


def missing() -> str | None:
    """None if Xvfb can be started here, else why not (for a skip message)."""
    if shutil.which("Xvfb") is None:
        return "Xvfb is not installed (Debian: apt-get install xvfb)"
    return None


@dataclass(frozen=True)
class Xvfb:
    display: str  # ":7"
    pid: int
    log: Path


@contextmanager
def xvfb(screen: str = SCREEN, log_dir: Path | None = None) -> Iterator[Xvfb]:
    """Start Xvfb on a free display; stop it (and wait for it) on exit."""
    if reason := missing():
        raise FileNotFoundError(reason)
    with tempfile.TemporaryDirectory(prefix="xvfb-") as scratch:
        log = (log_dir or Path(scratch)) / "xvfb.log"
        read_end, write_end = os.pipe()
        try:
            with log.open("wb") as log_file:
                process = subprocess.Popen(
                    [
                        "Xvfb",
                        "-displayfd",
                        str(write_end),
                        "-screen",
                        "0",
                        screen,
                        "-nolisten",
                        "tcp",
                        "-noreset",
                    ],
                    pass_fds=(write_end,),
                    stdin=subprocess.DEVNULL,
                    stdout=log_file,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
        finally:
            os.close(write_end)
        try:
            number = _read_display(read_end, process, log)
            yield Xvfb(display=f":{number}", pid=process.pid, log=log)
        finally:
            os.close(read_end)
            _stop(process)


def _read_display(fd: int, process: subprocess.Popen[bytes], log: Path) -> int:
    import select

    chunks = b""
    ready, _, _ = select.select([fd], [], [], START_TIMEOUT_S)
    while ready:
        chunk = os.read(fd, 64)
        if not chunk:
            break
        chunks += chunk
        if chunks.endswith(b"\n"):
            break
        ready, _, _ = select.select([fd], [], [], START_TIMEOUT_S)
    text = chunks.decode(errors="replace").strip()
    if not text.isdigit():
        _stop(process)
        raise RuntimeError(
            f"Xvfb did not start (exit {process.poll()}): "
            f"{log.read_text(errors='replace').strip()[-2000:]}"
        )
    return int(text)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
