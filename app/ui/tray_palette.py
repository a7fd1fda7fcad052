"""Status colours that follow the palette: darker tones on light themes, lighter on dark ones.

Qt's palette has no role for "warning" or "error"; these pick a tone readable on the palette's
window colour, so the tray's error text and the token meter's bar work in both themes. Text
colours are checked against WCAG's contrast ratio (4.5:1 for text) and nudged until they pass.
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


TEXT_CONTRAST = 4.5  # WCAG AA for body text


def relative_luminance(color: QColor) -> float:
    """WCAG 2 relative luminance of an opaque colour (0 black … 1 white)."""

    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * channel(color.redF())
        + 0.7152 * channel(color.greenF())
        + 0.0722 * channel(color.blueF())
    )


def contrast_ratio(a: QColor, b: QColor) -> float:
    """WCAG 2 contrast ratio of two colours, from 1 (same) to 21 (black on white)."""
    la, lb = relative_luminance(a), relative_luminance(b)
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


def mix(a: QColor, b: QColor, share_of_b: float) -> QColor:
    """`a` with `share_of_b` of `b` blended in (opaque)."""
    t = min(1.0, max(0.0, share_of_b))
    return QColor.fromRgbF(
        a.redF() + (b.redF() - a.redF()) * t,
        a.greenF() + (b.greenF() - a.greenF()) * t,
        a.blueF() + (b.blueF() - a.blueF()) * t,
    )


def readable(text: QColor, background: QColor, minimum: float = TEXT_CONTRAST) -> QColor:
    """`text`, or the nearest tone of it toward black or white (whichever the background
    calls for) that reaches `minimum` contrast on `background`."""
    if contrast_ratio(text, background) >= minimum:
        return QColor(text)
    black, white = QColor(0, 0, 0), QColor(255, 255, 255)
    target = (
        black if contrast_ratio(black, background) >= contrast_ratio(white, background) else white
    )
    for step in range(1, 11):
        candidate = mix(text, target, step / 10)
        if contrast_ratio(candidate, background) >= minimum:
            return candidate
    return target


def banner_colors(palette: QPalette, kind: str) -> tuple[QColor, QColor]:
    """(background, text) of a banner: a tint of the highlight over the window colour, so it
    stands out in light and dark themes alike (not ToolTipBase, which many dark themes leave
    pale yellow), with text that reaches 4.5:1 on it."""
    window = palette.color(QPalette.ColorRole.Window)
    highlight = palette.color(QPalette.ColorRole.Highlight)
    if kind == "info":
        background = mix(window, highlight, 0.18)
    elif kind == "warning":
        background = mix(window, level_color(palette, "warn"), 0.26)
    else:  # "error" and the demo/model banners
        background = mix(window, level_color(palette, "over"), 0.22)
    text = palette.color(QPalette.ColorRole.WindowText)
    return background, readable(text, background)


def track_color(palette: QPalette) -> QColor:
    """The empty part of a bar: the text colour faded into the window colour, visible on both
    light and dark windows (the Mid role is nearly the window colour in some dark themes)."""
    window = palette.color(QPalette.ColorRole.Window)
    return mix(window, palette.color(QPalette.ColorRole.WindowText), 0.3)


def level_color(palette: QPalette, level: Level) -> QColor:
    """The colour of a fill level: the palette's highlight when fine, then amber, orange, red."""
    if level == "ok":
        return palette.color(QPalette.ColorRole.Highlight)
    light, dark = _TONES[level]
    return QColor(dark if is_dark(palette) else light)


def error_color(palette: QPalette) -> QColor:
    """Text colour for a failure message, readable on the palette's window colour."""
    return readable(level_color(palette, "over"), palette.color(QPalette.ColorRole.Window))
