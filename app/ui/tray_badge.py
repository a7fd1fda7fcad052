"""Small pill-shaped badges on a tray tile: the image's number, its token cost and its state.

Every colour comes from the palette (`badge_colors`, `filled_colors`) and its text reaches
4.5:1 on the badge's own background in light and dark themes.
"""

from __future__ import annotations

from typing import Literal

from PySide6.QtCore import QEvent, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.ui.tray_palette import is_dark, level_color, mix, readable

Tone = Literal["neutral", "good", "info", "bad"]

_GOOD = ("#1a7f37", "#3fb950")  # green on a light window, on a dark one


def tone_color(palette: QPalette, tone: Tone) -> QColor:
    """The hue of a tone: grey text, green, the highlight, or the palette's error red."""
    if tone == "good":
        return QColor(_GOOD[1] if is_dark(palette) else _GOOD[0])
    if tone == "info":
        return palette.color(QPalette.ColorRole.Highlight)
    if tone == "bad":
        return level_color(palette, "over")
    return palette.color(QPalette.ColorRole.Text)


def badge_colors(palette: QPalette, tone: Tone) -> tuple[QColor, QColor]:
    """(background, text) of a badge on a tile: a faint tint of the tone over the tile's
    base colour, and the tone itself as text, nudged until it reads at 4.5:1."""
    base = palette.color(QPalette.ColorRole.Base)
    hue = tone_color(palette, tone)
    background = mix(base, hue, 0.10 if tone == "neutral" else 0.16)
    return background, readable(hue, background)


def filled_colors(palette: QPalette) -> tuple[QColor, QColor]:
    """(fill, text) of something filled with the highlight (the number, the chosen detail):
    the highlight darkened as far as its text needs (white on a light blue is only 3.6:1)."""
    text = palette.color(QPalette.ColorRole.HighlightedText)
    fill = readable(palette.color(QPalette.ColorRole.Highlight), text)
    return fill, text


def small_font(font: QFont) -> QFont:
    small = QFont(font)
    if font.pointSizeF() > 0:
        small.setPointSizeF(max(7.0, font.pointSizeF() * 0.85))
    else:
        small.setPixelSize(max(9, round(font.pixelSize() * 0.85)))
    return small


class Badge(QWidget):
    """A short text in a rounded pill of one tone."""

    def __init__(self, tone: Tone = "neutral", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFont(small_font(self.font()))
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self._text = ""
        self._tone: Tone = tone

    def set_badge(self, text: str, tone: Tone | None = None) -> None:
        changed = text != self._text or (tone is not None and tone != self._tone)
        self._text = text
        if tone is not None:
            self._tone = tone
        if changed:
            self.updateGeometry()
            self.update()

    def text(self) -> str:
        return self._text

    def tone(self) -> Tone:
        return self._tone

    def colors(self) -> tuple[QColor, QColor]:
        """(background, text) as painted."""
        return badge_colors(self.palette(), self._tone)

    def sizeHint(self) -> QSize:
        metrics = self.fontMetrics()
        return QSize(metrics.horizontalAdvance(self._text) + 12, metrics.height() + 4)

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self.updateGeometry()

    def paintEvent(self, event: QPaintEvent) -> None:
        if not self._text:
            return
        background, text = self.colors()
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(background)
        rect = QRectF(self.rect())
        painter.drawRoundedRect(rect, rect.height() / 2, rect.height() / 2)
        painter.setPen(text)
        painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self._text)
        painter.end()
