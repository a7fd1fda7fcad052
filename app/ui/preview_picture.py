"""What the preview paints from: a copy of the prepared image no larger than the screen.

`decode_for_screen` runs on a worker thread. It reads the header for the image's own size, then
lets `QImageReader` decode straight to the screen-sized copy (JPEG scales while it decodes), so
the full-size pixels never reach the GUI thread. A large image's screen copy, made when it was
prepared, is decoded the same way instead of the image itself (`full_size` says whose it is).
`QImageReader.read` releases the GIL; `QImage.fromData` and `QImage.scaled` do not, and would
freeze the window for as long as they run even on another thread.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPoint, QRect, QSize, Qt
from PySide6.QtGui import QImage, QImageReader
from PySide6.QtWidgets import QWidget

_BYTES_PER_PIXEL = 4


@dataclass(frozen=True)
class PreviewPicture:
    """A prepared image made ready for the preview: its own size, and the copy to paint (or
    why there is none, in plain words)."""

    full_size: QSize
    picture: QImage | None
    error: str = ""


def screen_bound(widget: QWidget) -> QSize:
    """The available geometry of the widget's screen, in device pixels."""
    screen = widget.screen()
    area = screen.availableGeometry().size()
    ratio = screen.devicePixelRatio()
    return QSize(math.ceil(area.width() * ratio), math.ceil(area.height() * ratio))


def fit_within(size: QSize, bound: QSize) -> QSize:
    """`size` shrunk to fit `bound`, keeping its aspect (never enlarged)."""
    if size.width() <= bound.width() and size.height() <= bound.height():
        return QSize(size)
    fitted = size.scaled(bound, Qt.AspectRatioMode.KeepAspectRatio)
    return QSize(max(1, fitted.width()), max(1, fitted.height()))


def _reader(data: bytes) -> tuple[QImageReader, QBuffer]:
    buffer = QBuffer()
    buffer.setData(QByteArray(data))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    return QImageReader(buffer), buffer  # the reader does not own its buffer


def decode(data: bytes) -> QImage:
    """All the pixels of encoded image bytes (call from a worker thread)."""
    reader, _buffer = _reader(data)
    return reader.read()


def decode_region(data: bytes, region: QRect) -> QImage:
    """The part `region` of the image in `data` at full resolution (call from a worker thread);
    a null image when it cannot be decoded."""
    reader, _buffer = _reader(data)
    size = reader.size()
    if not size.isValid() or not QRect(QPoint(0, 0), size).contains(region):
        return QImage()
    whole = size.width() * size.height() * _BYTES_PER_PIXEL
    # JPEG decodes only the part; other formats decode whole first, refused past Qt's limit.
    if whole > QImageReader.allocationLimit() << 20 and reader.format() != b"jpeg":
        return QImage()
    reader.setClipRect(region)
    return reader.read()


def decode_for_screen(data: bytes, bound: QSize, full_size: QSize | None = None) -> PreviewPicture:
    """The image in `data` scaled to fit `bound` (call from a worker thread). `full_size`: the
    size of the image `data` is a smaller copy of (its screen copy), when it is one."""
    reader, _buffer = _reader(data)
    size = reader.size()
    if not size.isValid() or size.isEmpty():
        return PreviewPicture(QSize(), None, "its data is damaged or not an image")
    needed = size.width() * size.height() * _BYTES_PER_PIXEL
    too_large = needed > QImageReader.allocationLimit() * 1024 * 1024
    # JPEG scales while it decodes, so only the copy's pixels are allocated; other formats
    # decode whole first, which Qt refuses past its allocation limit.
    if too_large and reader.format() != b"jpeg":
        return PreviewPicture(size, None, _too_large(size))
    target = fit_within(size, bound)
    if target != size:
        reader.setScaledSize(target)
    picture = reader.read()
    if not picture.isNull():
        return PreviewPicture(QSize(full_size) if full_size is not None else size, picture)
    error = _too_large(size) if too_large else "its data is damaged and cannot be decoded"
    return PreviewPicture(size, None, error)


def _too_large(size: QSize) -> str:
    return f"at {size.width()}×{size.height()} px it is too large to show"
