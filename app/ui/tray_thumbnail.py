"""A tray tile's thumbnail: the image scaled for the screen's pixel ratio, or a placeholder,
with the image's number ("Image 2" in the message) on its corner."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QRectF, QSize, Qt
from PySide6.QtGui import QImage, QPainter, QPaintEvent, QPalette, QPixmap
from PySide6.QtWidgets import QWidget

from app.ui.tray_badge import filled_colors, small_font
from app.ui.tray_palette import error_color

THUMB_SIZE = QSize(72, 60)


class Thumbnail(QWidget):
    """The image, scaled for the screen's pixel ratio, or a placeholder until it is ready."""

    def __init__(self, parent: QWidget | None = None, size: QSize = THUMB_SIZE) -> None:
        super().__init__(parent)
        self.setFixedSize(size)
        self._number = ""
        self._source: bytes | None = None
        self._image: QImage | None = None
        self._scaled: QPixmap | None = None
        self._placeholder = "…"
        self._failed = False

    def set_content(self, thumbnail: bytes | None, placeholder: str, failed: bool) -> None:
        if thumbnail is not self._source:
            self._source = thumbnail
            self._image = None
            self._scaled = None
            if thumbnail:
                image = QImage.fromData(thumbnail)
                self._image = None if image.isNull() else image
        self._placeholder = placeholder
        self._failed = failed
        self.update()

    def set_number(self, number: str) -> None:
        if number != self._number:
            self._number = number
            self.update()

    def number(self) -> str:
        return self._number

    @property
    def has_image(self) -> bool:
        return self._image is not None

    def _pixmap(self) -> QPixmap | None:
        if self._image is None:
            return None
        ratio = self.devicePixelRatioF()
        if self._scaled is None or self._scaled.devicePixelRatio() != ratio:
            target = QSize(round(self.width() * ratio), round(self.height() * ratio))
            scaled = self._image.scaled(
                target,
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
            pixmap = QPixmap.fromImage(scaled)
            pixmap.setDevicePixelRatio(ratio)
            self._scaled = pixmap
        return self._scaled

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.DevicePixelRatioChange:
            self._scaled = None
            self.update()
        super().changeEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        palette = self.palette()
        pixmap = self._pixmap()
        if pixmap is not None:
            size = pixmap.deviceIndependentSize()
            x = (self.width() - size.width()) / 2
            y = (self.height() - size.height()) / 2
            painter.drawPixmap(
                QRectF(x, y, size.width(), size.height()), pixmap, QRectF(pixmap.rect())
            )
        else:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(palette.color(QPalette.ColorRole.AlternateBase))
            painter.drawRoundedRect(QRectF(self.rect()).adjusted(1, 1, -1, -1), 4, 4)
            colour = (
                error_color(palette)
                if self._failed
                else palette.color(QPalette.ColorRole.PlaceholderText)
            )
            painter.setPen(colour)
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self._placeholder)
        self._paint_number(painter)
        painter.end()

    def _paint_number(self, painter: QPainter) -> None:
        if not self._number:
            return
        fill, text = filled_colors(self.palette())
        font = small_font(self.font())
        font.setBold(True)
        painter.setFont(font)
        metrics = painter.fontMetrics()
        height = metrics.height() + 2
        width = max(height, metrics.horizontalAdvance(self._number) + 8)
        badge = QRectF(0, 0, width, height)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(fill)
        painter.drawRoundedRect(badge, height / 2, height / 2)
        painter.setPen(text)
        painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, self._number)
