"""What the benchmarks of what users feel share: the app's session on a qasync loop as
`grok-vision --demo` runs it, with empty (or prefilled) config and data directories; real,
photo-like images made with Pillow; and the longest pause of a timer on the GUI thread.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
for entry in (ROOT, ROOT / "tests"):
    if str(entry) not in sys.path:
        sys.path.insert(0, str(entry))

TICK_MS = 5  # the timer whose longest gap is "the longest GUI pause"
TIMEOUT_S = 600.0  # per wait, only so that a broken run cannot hang
SETTLE_S = 0.3  # measured on after a step is done: the paints and the work it queued
MIB = 1024 * 1024


@contextmanager
def app_dirs(scratch: Path) -> Iterator[Path]:
    """Empty config and data directories for the app in this process; yields the data one."""
    config, data = scratch / "config", scratch / "data"
    config.mkdir(exist_ok=True)
    data.mkdir(exist_ok=True)
    saved = {k: os.environ.get(k) for k in ("GROK_VISION_CONFIG_DIR", "GROK_VISION_DATA_DIR")}
    os.environ["GROK_VISION_CONFIG_DIR"] = str(config)
    os.environ["GROK_VISION_DATA_DIR"] = str(data)
    os.environ.pop("XAI_API_KEY", None)
    os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    try:
        yield data
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def photos(folder: Path, count: int, size: tuple[int, int], quality: int = 90) -> list[Path]:
    """`count` distinct photo-like JPEGs (a smooth gradient with grain, shifted each time)."""
    from PIL import ImageChops
    from support.images import photo_like

    folder.mkdir(parents=True, exist_ok=True)
    base = photo_like(*size)
    paths = []
    for index in range(count):
        path = folder / f"photo-{size[0]}x{size[1]}-{index:03d}.jpg"
        ImageChops.offset(base, index * 79, index * 53).save(path, "JPEG", quality=quality)
        paths.append(path)
    return paths


async def until(condition: Callable[[], object]) -> None:
    """Wait, letting the loop run, until `condition()` is true (the app's state has no event
    to await)."""
    deadline = time.monotonic() + TIMEOUT_S
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the app did not get there in time")
        await asyncio.sleep(0.002)


def run_app(main: Callable[[], Awaitable[Any]]) -> Any:
    """Run `main()` on a qasync loop in a QApplication set up as `run_gui` sets it up."""
    import qasync
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    from app.gui.allocator import fix_mmap_threshold
    from app.gui.theme import apply_app_identity

    fix_mmap_threshold()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    apply_app_identity(app)
    QGuiApplication.setQuitOnLastWindowClosed(False)
    with asyncio.Runner(loop_factory=qasync.QEventLoop) as runner:
        return runner.run(main())


class Session:
    """`AppSession(demo=True)` running on the current loop, ready (key, models, history)."""

    def __init__(self, demo_server: object = None) -> None:
        from app.gui.session import AppSession

        self.app = AppSession(demo=True)
        if demo_server is not None:
            self.app.demo_server = demo_server
        self._run: asyncio.Task[int] | None = None

    async def __aenter__(self) -> Any:
        app = self.app
        self._run = asyncio.get_running_loop().create_task(app.run([]))
        await until(
            lambda: (
                app.endpoint.has_key and app.models and app.history_flow.history.info is not None
            )
        )
        await asyncio.sleep(0.5)
        return app

    async def __aexit__(self, *exc: object) -> None:
        self.app.request_close()
        if self._run is not None:
            await self._run


async def longest_pause(
    act: Callable[[], object], done: Callable[[], object], settle: float = SETTLE_S
) -> float:
    """The longest gap, in ms, of a TICK_MS timer on the GUI thread from `act()` until `done()`
    and `settle` seconds more."""
    from support.gaps import GapMeter

    meter = GapMeter(TICK_MS).start()
    await asyncio.sleep(0.05)
    meter.reset()
    act()
    await until(done)
    await asyncio.sleep(settle)
    return meter.stop() * 1000


async def idle_pause(seconds: float = 2.0) -> float:
    """The longest gap, in ms, of the same timer while nothing happens."""
    return await longest_pause(lambda: None, lambda: True, settle=seconds)


def median(values: list[float]) -> float:
    return statistics.median(values)
