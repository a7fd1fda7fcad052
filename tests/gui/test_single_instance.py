"""One app, one window: a second launch (`grok-vision a.png b.png`, as "Open with" runs it)
hands its files to the running window's tray and brings it to the front; a first instance
that does not answer leaves the second one read-only, as before."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtNetwork import QLocalServer
from pytestqt.qtbot import QtBot
from support.sessions import demo_session

from app.gui.instance_claim import claim, socket_name, socket_present
from app.gui.single_instance import HandOff, InstanceServer, hand_off
from app.store.history import HistoryStore
from app.store.lock import acquire_instance_lock
from app.store.paths import data_directory


def pngs(folder: Path, *names: str) -> list[Path]:
    for index, name in enumerate(names):
        Image.new("RGB", (500 + 50 * index, 400), (200, 40 * index, 90)).save(folder / name)
    return [folder / name for name in names]


def test_a_second_launch_hands_its_files_to_the_running_window(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    pngs(tmp_path, "a.png", "b.png")
    with demo_session(qtbot, qloop) as session:
        server = InstanceServer(socket_name())
        assert server.listening
        server.serve(session.window, session.attachments.add_paths)
        session.window.showMinimized()

        # The real command line, from another folder, with names relative to it.
        with subprocess.Popen(
            [sys.executable, "-m", "app", "a.png", "b.png"],
            cwd=tmp_path,
            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
            stderr=subprocess.PIPE,
        ) as second:
            qtbot.waitUntil(lambda: second.poll() is not None, timeout=30_000)
            errors = second.communicate()[1].decode()
        assert second.returncode == 0, errors
        assert not errors
        items = session.attachments.items()
        assert [i.name for i in items] == ["a.png", "b.png"]
        assert items[0].location == str(tmp_path / "a.png")
        assert not session.window.windowState() & Qt.WindowState.WindowMinimized
        assert session.window.isVisible()
        qtbot.waitUntil(lambda: all(i.sendable for i in session.attachments.items()))
        server.close()


def test_a_launch_with_nobody_running_listens_and_replaces_a_stale_socket(
    qtbot: QtBot, tmp_path: Path
) -> None:
    name = socket_name()
    stale = Path(name)
    if stale.is_absolute():  # a socket file a crashed run left
        stale.write_bytes(b"")
    assert claim([str(tmp_path / "x.png")], name) is True  # nobody answered: this one listens
    first = InstanceServer(name)
    assert first.listening
    first.close()


def test_an_ordinary_start_decides_without_the_network_module(tmp_path: Path) -> None:
    """No socket exists: the first paint does not wait for QtNetwork to load."""
    name = str(tmp_path / "grok-vision-test.sock")
    assert not socket_present(name)
    code = (
        "import sys; from app.gui.instance_claim import claim; "
        f"assert claim([], {name!r}) is True; "
        "assert 'PySide6.QtNetwork' not in sys.modules, 'QtNetwork imported'"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    server = InstanceServer(name)
    assert server.listening
    assert socket_present(name)
    server.close()


def test_a_hung_first_instance_leaves_this_one_read_only(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    name = socket_name()
    hung = QLocalServer()  # listens, never answers: this thread is blocked meanwhile
    assert hung.listen(name)
    assert hand_off([], name, answer_ms=300) is HandOff.HUNG
    assert claim([], name) is False  # the hung one keeps the name: this one does not listen
    HistoryStore(data_directory()).close()  # the first instance's history
    with acquire_instance_lock(data_directory()) as lock:
        assert lock is not None
        with demo_session(qtbot, qloop) as session:
            history = session.history_flow.history
            qtbot.waitUntil(lambda: history.info is not None, timeout=5000)
            assert history.read_only
            assert "read-only" in session.window.notice_banner.label.text()
    hung.close()
