"""Render resources/icons/*.svg to the alpha masks the app tints (resources/icons/*.png, at 1×
and 2×), so that the app and its bundle need no QtSvg. Run again after editing an icon:

    QT_QPA_PLATFORM=offscreen .venv/bin/python packaging/render_icons.py
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ICONS = Path(__file__).resolve().parent.parent / "resources" / "icons"
SIZE = 18  # logical pixels (app/ui/toolbar_icons.ICON_SIZE)


def main() -> int:
    app = QGuiApplication(sys.argv[:1])
    for svg in sorted(ICONS.glob("*.svg")):
        renderer = QSvgRenderer(QByteArray(svg.read_bytes()))
        for scale, suffix in ((1, ""), (2, "@2x")):
            image = QImage(SIZE * scale, SIZE * scale, QImage.Format.Format_ARGB32_Premultiplied)
            image.fill(Qt.GlobalColor.transparent)
            painter = QPainter(image)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            renderer.render(painter, QRectF(0, 0, image.width(), image.height()))
            painter.end()
            image.save(str(svg.with_name(f"{svg.stem}{suffix}.png")))
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
