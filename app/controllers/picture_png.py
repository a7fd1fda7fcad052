"""A pasted picture (pixels only, as screenshot tools put on the clipboard) as PNG bytes."""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtGui import QImage

from app.core.imagetypes import ImageError


def png_of(picture: QImage, name: str) -> bytes:
    """PNG bytes of `picture`. Seconds for a 60-MP screenshot: call it on a worker thread
    (a QImage may be used on any thread; the tray hands its picture over and keeps no copy)."""
    array = QByteArray()
    buffer = QBuffer(array)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    # Quality 85 is zlib level 1: a fast encode; preparation re-encodes if it is too big.
    saved = picture.save(buffer, "PNG", 85)  # type: ignore[call-overload]
    buffer.close()
    if not saved:
        raise ImageError(name, "could not be read from the clipboard")
    return bytes(array.data())
