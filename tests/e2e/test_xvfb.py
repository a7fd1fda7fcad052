"""`python -m app --demo` as a real process on a real X server (Xvfb): its window appears,
mapped and of a sensible size, and the app ends cleanly when the window is closed as a window
manager closes it, and on SIGTERM: exit status 0, nothing on standard error, settings saved.

The X server is private to each test (`Xvfb -displayfd`, no TCP); the app gets its own config
and data directories and no API key. Everything started here is killed on teardown.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from e2e import x11, xserver

from app.gui import REPORT_SHOWN_ENV, SHOWN_LINE

pytestmark = pytest.mark.xvfb

ROOT = Path(__file__).resolve().parents[2]
SCREEN_W, SCREEN_H = 1280, 800
# Generous: only there so that a broken app cannot hang the run (the machine is shared).
APPEAR_TIMEOUT_S = 90.0
EXIT_TIMEOUT_S = 60.0


def is_app_title(title: str) -> bool:
    return title.startswith("Grok Vision")


@pytest.fixture
def display() -> Iterator[x11.Display]:
    if reason := xserver.missing() or x11.available():
        pytest.skip(reason)
    with xserver.xvfb(f"{SCREEN_W}x{SCREEN_H}x24") as server, x11.Display(server.display) as d:
        yield d


@dataclass
class App:
    process: subprocess.Popen[bytes]
    stderr_path: Path
    config_dir: Path

    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace")

    def wait(self) -> int:
        try:
            return self.process.wait(timeout=EXIT_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            pytest.fail(
                f"the app did not exit within {EXIT_TIMEOUT_S:.0f} s; stderr:\n{self.stderr()}"
            )


def app_env(display: str, tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    for name in (
        "XAI_API_KEY",
        "WAYLAND_DISPLAY",
        "QT_QPA_PLATFORMTHEME",
        "GROK_VISION_REPORT_SHOWN",
    ):
        env.pop(name, None)
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    env.update(
        {
            "DISPLAY": display,
            "QT_QPA_PLATFORM": "xcb",
            "GROK_VISION_CONFIG_DIR": str(tmp_path / "config"),
            "GROK_VISION_DATA_DIR": str(tmp_path / "data"),
            "XDG_RUNTIME_DIR": str(runtime),
            # Whatever the app might ask the keyring, it is never the user's own.
            "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


@pytest.fixture
def app(display: x11.Display, tmp_path: Path) -> Iterator[App]:
    stderr_path = tmp_path / "app.stderr"
    env = app_env(display.name, tmp_path)
    with stderr_path.open("wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "app", "--demo"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            start_new_session=True,
        )
    try:
        yield App(process, stderr_path, tmp_path / "config")
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def find_app_window(display: x11.Display, app: App) -> x11.WindowInfo:
    window = display.find_window(is_app_title, timeout=APPEAR_TIMEOUT_S)
    if window is None:
        seen = [(w.title, w.viewable) for w in display.windows()]
        pytest.fail(
            f"no mapped window titled 'Grok Vision…' within {APPEAR_TIMEOUT_S:.0f} s "
            f"(exit status {app.process.poll()}; windows: {seen}); stderr:\n"
            f"{app.stderr()}"
        )
    return window


def assert_window_sensible(window: x11.WindowInfo) -> None:
    assert window.viewable
    assert not window.override_redirect
    assert "demo" in window.title.lower(), window.title
    assert 640 <= window.width <= SCREEN_W, window
    assert 480 <= window.height <= SCREEN_H, window


def assert_ended_cleanly(app: App, display: x11.Display) -> None:
    status = app.wait()
    stderr = app.stderr()
    assert "Traceback" not in stderr, stderr
    assert stderr.strip() == "", f"unexpected output on stderr:\n{stderr}"
    assert status == 0, f"exit status {status}; stderr:\n{stderr}"
    assert not [w for w in display.windows() if is_app_title(w.title) and w.viewable]
    # Ending cleanly includes saving the settings (the window's geometry among them).
    settings = json.loads((app.config_dir / "settings.json").read_text(encoding="utf-8"))
    assert settings.get("window_geometry")


def test_window_appears_and_closes_like_the_close_button(display: x11.Display, app: App) -> None:
    window = find_app_window(display, app)
    assert_window_sensible(window)
    assert app.process.poll() is None
    display.request_close(window.id)
    assert_ended_cleanly(app, display)


def test_sigterm_ends_the_app_cleanly(display: x11.Display, app: App) -> None:
    window = find_app_window(display, app)
    assert_window_sensible(window)
    app.process.send_signal(signal.SIGTERM)
    assert_ended_cleanly(app, display)


def test_sigterm_right_after_the_first_paint_ends_the_app_cleanly(
    display: x11.Display, tmp_path: Path
) -> None:
    """The window's frame is painted before the rest of the app is built: a SIGTERM at that
    moment (a desktop's logout may send one) ends the app cleanly as soon as it is built."""
    env = {**app_env(display.name, tmp_path), REPORT_SHOWN_ENV: "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "--demo"],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        assert process.stderr is not None
        first = process.stderr.readline().decode(errors="replace")  # blocks until painted
        assert first.strip() == SHOWN_LINE, first
        process.send_signal(signal.SIGTERM)
        status = process.wait(timeout=EXIT_TIMEOUT_S)
        rest = process.stderr.read().decode(errors="replace")
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        if process.stderr is not None:
            process.stderr.close()
    assert status == 0, rest
    assert rest.strip() == "", rest
    settings = json.loads((tmp_path / "config" / "settings.json").read_text(encoding="utf-8"))
    assert settings.get("window_geometry")
