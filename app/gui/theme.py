"""The application's name, icon and desktop identity."""

from __future__ import annotations

from importlib import resources

from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import QApplication

from app import APP_NAME, __version__


def app_icon() -> QIcon:
    icon = QIcon()
    folder = resources.files("resources")
    for name in ("grok-vision.svg", "grok-vision-256.png"):
        item = folder / name
        if item.is_file():
            pixmap = QPixmap()
            pixmap.loadFromData(item.read_bytes())
            if not pixmap.isNull():
                icon.addPixmap(pixmap)
    return icon


def apply_app_identity(app: QApplication) -> None:
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setOrganizationName(APP_NAME)
    app.setDesktopFileName(APP_NAME)
    app.setWindowIcon(app_icon())
