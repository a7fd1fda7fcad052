"""The baseline of the start-up and memory benchmarks: a bare PySide6 window and nothing else.

    python tests/bench/bare_window.py [--report-shown]

A QMainWindow of the app's default size and a title, shown on the platform Qt picks
(QT_QPA_PLATFORM). With --report-shown it writes "bare window: window shown" to standard error
once the window is shown, the same way and at the same point as the app does with
GROK_VISION_REPORT_SHOWN set (a zero-delay timer after show()). It ends when the window is
closed, and on SIGTERM or Ctrl+C, with exit status 0.
"""

from __future__ import annotations

import argparse
import signal
import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

TITLE = "Bare window"
SHOWN_LINE = "bare window: window shown"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--report-shown",
        action="store_true",
        help=f'write "{SHOWN_LINE}" to standard error once shown',
    )
    args = parser.parse_args()
    app = QApplication(sys.argv[:1])
    window = QMainWindow()
    window.setWindowTitle(TITLE)
    window.resize(1000, 780)
    window.show()
    if args.report_shown:
        QTimer.singleShot(0, lambda: sys.stderr.write(SHOWN_LINE + "\n") and sys.stderr.flush())
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: app.quit())
    heartbeat = QTimer()  # lets Python run its signal handlers while Qt waits for events
    heartbeat.timeout.connect(lambda: None)
    heartbeat.start(250)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
