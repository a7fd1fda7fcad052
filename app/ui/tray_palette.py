"""Status colours that follow the palette: darker tones on light themes, lighter on dark ones.

Qt's palette has no role for "warning" or "error"; these pick a tone readable on the palette's
window colour, so the tray's error text and the token meter's bar work in both themes.
"""

from __future__ import annotations

from typing import Literal

from PySide6.QtGui import QColor, QPalette

Level = Literal["ok", "warn", "high", "over"]

# (on a light window, on a dark window)
_TONES: dict[str, tuple[str, str]] = {
    "warn": ("#9a6700", "#e3b341"),  # amber
    "high": ("#bc4c00", "#f0883e"),  # orange
    "over": ("#c62828", "#ff7b72"),  # red
}


def is_dark(palette: QPalette) -> bool:
    """Whether the palette's window is dark (text drawn light on it)."""
    window = palette.color(QPalette.ColorRole.Window)
    text = palette.color(QPalette.ColorRole.WindowText)
    return window.lightnessF() < text.lightnessF()


def level_color(palette: QPalette, level: Level) -> QColor:
    """The colour of a fill level: the palette's highlight when fine, then amber, orange, red."""
    if level == "ok":
        return palette.color(QPalette.ColorRole.Highlight)
    light, dark = _TONES[level]
    return QColor(dark if is_dark(palette) else light)


def error_color(palette: QPalette) -> QColor:
    """Text colour for a failure message, readable on the palette's window colour."""
    return level_color(palette, "over")
