"""Render resources/grok-vision-256.png from resources/grok-vision.svg with Qt's SVG renderer.

Run after editing the SVG: `python packaging/render_icon.py` (offscreen Qt; no display needed).
The PNG is committed so that nothing needs Qt's SVG support to show the icon.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

RESOURCES = Path(__file__).resolve().parents[1] / "resources"
SVG = RESOURCES / "grok-vision.svg"
PNG = RESOURCES / "grok-vision-256.png"
SIZE = 256


def render(svg: Path = SVG, png: Path = PNG, size: int = SIZE) -> Path:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"{svg}: Qt cannot read this SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    if not image.save(str(png), "PNG"):
        raise SystemExit(f"{png}: could not write the PNG")
    return png


if __name__ == "__main__":
    sys.stdout.write(f"wrote {render()}\n")
