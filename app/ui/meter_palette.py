"""The context bar's colours: one tone per segment, darker on light themes and lighter on dark
ones, each at least 3:1 against the window (WCAG's figure for graphics) and apart from the
amber, orange and red that mark 75, 90 and 100 % (`tray_palette.level_color`)."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette

from app.core.meter import SegmentKind
from app.ui.tray_palette import is_dark, mix, readable

GRAPHIC_CONTRAST = 3.0  # WCAG 1.4.11, non-text contrast

# (on a light window, on a dark window)
_SEGMENT_TONES: dict[SegmentKind, tuple[str, str]] = {
    "history": ("#0969da", "#58a6ff"),  # blue
    "images": ("#8250df", "#c297ff"),  # violet
    "draft": ("#1a7f37", "#3fb950"),  # green
}


def segment_color(palette: QPalette, kind: SegmentKind) -> QColor:
    """The colour of a segment and of its swatch in the legend. The reply room is the text
    colour half faded: room kept, not yet used."""
    window = palette.color(QPalette.ColorRole.Window)
    if kind == "reply":
        tone = mix(window, palette.color(QPalette.ColorRole.WindowText), 0.5)
    else:
        light, dark = _SEGMENT_TONES[kind]
        tone = QColor(dark if is_dark(palette) else light)
    return readable(tone, window, GRAPHIC_CONTRAST)
