"""The desktop app: a Qt application on a qasync event loop."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Sequence


def run_gui(files: Sequence[str], *, demo: bool = False) -> int:
    import qasync
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    from app.gui.session import AppSession
    from app.gui.theme import apply_app_identity

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    apply_app_identity(app)
    QGuiApplication.setQuitOnLastWindowClosed(False)  # the session ends the loop itself
    session = AppSession(demo=demo)
    with asyncio.Runner(loop_factory=qasync.QEventLoop) as runner:
        return runner.run(session.run(files))
