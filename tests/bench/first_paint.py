"""Run a Qt program and write one line to standard error once its main window has painted.

    python tests/bench/first_paint.py -m app --demo          # the app, from the current folder
    python tests/bench/first_paint.py tests/bench/bare_window.py

The start-up benchmarks time "process start → first paint" of any program the same way,
without the program's cooperation: before the program runs, `QApplication` is replaced by a
subclass that watches the events of the whole application; at the first paint event of a
top-level `QMainWindow`, a zero-delay timer writes `PAINTED_LINE` once the paint pass (every
child painted, the backing store flushed to the screen) is over. Then the program runs as
`python -m MODULE` or `python SCRIPT` would run it (its folder first on sys.path, its argv).
"""

from __future__ import annotations

import os
import runpy
import sys

from PySide6 import QtWidgets
from PySide6.QtCore import QEvent, QObject, QTimer

PAINTED_LINE = "bench: first paint"


class _FirstPaint(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.seen = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            not self.seen
            and event.type() == QEvent.Type.Paint
            and isinstance(watched, QtWidgets.QMainWindow)
            and watched.isWindow()
        ):
            self.seen = True
            QTimer.singleShot(0, _report)
        return False


def _report() -> None:
    sys.stderr.write(PAINTED_LINE + "\n")
    sys.stderr.flush()
    app = QtWidgets.QApplication.instance()
    if app is not None:
        app.removeEventFilter(_WATCH)


_WATCH = _FirstPaint()


class _WatchedApplication(QtWidgets.QApplication):
    def __init__(self, *args: object) -> None:
        super().__init__(*args)
        self.installEventFilter(_WATCH)


def main() -> int:
    args = sys.argv[1:]
    QtWidgets.QApplication = _WatchedApplication  # type: ignore[misc]
    if args[:1] == ["-m"]:
        module, rest = args[1], args[2:]
        sys.argv = [module, *rest]
        sys.path[0] = os.getcwd()
        runpy.run_module(module, run_name="__main__", alter_sys=True)
    else:
        script, rest = args[0], args[1:]
        sys.argv = [script, *rest]
        sys.path[0] = os.path.dirname(os.path.abspath(script))
        runpy.run_path(script, run_name="__main__")
    return 0


if __name__ == "__main__":
    sys.exit(main())
