"""The desktop app: a Qt application on a qasync event loop.

The window's frame is shown first (`app.gui.first_window`); only after its first paint are the
rest of the app (the session, its flows, asyncio and qasync) imported and built into it.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.gui.session import AppSession
    from app.ui.main_window import MainWindow

# With this set, the app writes one line to standard error once its window is on screen
# (start-up benchmarks and packaging tests read it).
REPORT_SHOWN_ENV = "GROK_VISION_REPORT_SHOWN"
SHOWN_LINE = "grok-vision: window shown"


def run_gui(files: Sequence[str], *, demo: bool = False) -> int:
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    from app.gui.instance_claim import claim

    if (listen := claim(files)) is None:
        return 0  # the running window took the files and came to the front
    QGuiApplication.setQuitOnLastWindowClosed(False)  # the session ends the loop itself
    # SIGTERM and Ctrl+C close the window as the close button does: the reply in flight is
    # stopped, the settings saved, the connections closed. One that comes while the app is
    # still being built (and a close of the window's frame) closes it as soon as it runs.
    running: list[AppSession] = []
    early: list[int] = []
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(
            signum, lambda sig, _: running[0].request_close() if running else early.append(sig)
        )
    from app.gui.first_window import show_frame
    from app.gui.theme import apply_app_identity

    apply_app_identity(app, icon_files=("grok-vision-256.png",))
    window = show_frame(demo=demo, closed=lambda: early.append(0))
    if os.environ.get(REPORT_SHOWN_ENV):
        sys.stderr.write(SHOWN_LINE + "\n")
        sys.stderr.flush()
    return _run_session(window, files, demo=demo, early=early, running=running, listen=listen)


def _run_session(
    window: MainWindow,
    files: Sequence[str],
    *,
    demo: bool,
    early: list[int],
    running: list[AppSession],
    listen: bool,
) -> int:
    """The rest of the app, built into the window on screen, served until it closes."""
    import asyncio

    import qasync
    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QGuiApplication

    from app.gui.allocator import fix_mmap_threshold
    from app.gui.instance_claim import socket_name
    from app.gui.session import AppSession
    from app.gui.single_instance import InstanceServer
    from app.gui.theme import app_icon
    from app.logs import setup_logging

    # Later launches hand their files to this window from now on.
    instance = InstanceServer(socket_name(), listen=listen)
    QGuiApplication.setWindowIcon(app_icon())  # the SVG too, now
    fix_mmap_threshold()
    log_path = setup_logging()
    # Everything the session adds (the list, Capture region, the pickers' contents…) shows
    # in one repaint of the window, not piece by piece.
    window.setUpdatesEnabled(False)
    window.complete()
    # The demo's reasoning models think for a moment, as real ones do (tests use none).
    session = AppSession(demo=demo, demo_think_seconds=1.0 if demo else 0.0, window=window)
    window.setUpdatesEnabled(True)
    session.log_path = log_path
    instance.serve(session.window, session.attachments.add_paths)
    running.append(session)
    if early:
        session.request_close()
    # A bug in a slot or a task must not end the app with a traceback: it is logged (redacted)
    # and the window says where the details are.
    sys.excepthook = lambda kind, value, trace: session.report_unexpected(value)
    # Python only sees a signal when it runs, so a slow timer gives it the chance while Qt
    # waits for events.
    heartbeat = QTimer()
    heartbeat.start(250)
    heartbeat.timeout.connect(lambda: None)
    with asyncio.Runner(loop_factory=qasync.QEventLoop) as runner:
        runner.get_loop().set_exception_handler(
            lambda _loop, context: session.report_unexpected(context.get("exception"))
        )
        return runner.run(session.run(files))
