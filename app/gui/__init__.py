"""The desktop app: a Qt application on a qasync event loop."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Sequence

# With this set, the app writes one line to standard error once its window is on screen
# (start-up benchmarks and packaging tests read it).
REPORT_SHOWN_ENV = "GROK_VISION_REPORT_SHOWN"
SHOWN_LINE = "grok-vision: window shown"


def run_gui(files: Sequence[str], *, demo: bool = False) -> int:
    import qasync
    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    from app.gui.allocator import fix_mmap_threshold
    from app.gui.session import AppSession
    from app.gui.theme import apply_app_identity
    from app.logs import setup_logging

    fix_mmap_threshold()
    log_path = setup_logging()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    from app.gui.single_instance import claim

    if (instance := claim(files)) is None:
        return 0  # the running window took the files and came to the front
    apply_app_identity(app)
    QGuiApplication.setQuitOnLastWindowClosed(False)  # the session ends the loop itself
    # The demo's reasoning models think for a moment, as real ones do (tests use none).
    session = AppSession(demo=demo, demo_think_seconds=1.0 if demo else 0.0)
    session.log_path = log_path
    instance.serve(session.window, session.attachments.add_paths)
    # A bug in a slot or a task must not end the app with a traceback: it is logged (redacted)
    # and the window says where the details are.
    sys.excepthook = lambda kind, value, trace: session.report_unexpected(value)
    # SIGTERM and Ctrl+C close the window as the close button does: the reply in flight is
    # stopped, the settings saved, the connections closed. Python only sees a signal when it
    # runs, so a slow timer gives it the chance while Qt waits for events.
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: session.request_close())
    heartbeat = QTimer()
    heartbeat.start(250)
    heartbeat.timeout.connect(lambda: None)
    if os.environ.get(REPORT_SHOWN_ENV):
        QTimer.singleShot(0, lambda: sys.stderr.write(SHOWN_LINE + "\n") and None)
    with asyncio.Runner(loop_factory=qasync.QEventLoop) as runner:
        runner.get_loop().set_exception_handler(
            lambda _loop, context: session.report_unexpected(context.get("exception"))
        )
        return runner.run(session.run(files))
