"""Readable in light and dark themes: the demo banner's text on its background and the token
meter's text on the window reach WCAG's 4.5:1, and the meter's empty track stays visible, under
a light and a dark system palette (set on the application, as a desktop theme does)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from app.core.budget import BudgetEstimate
from app.core.meter import SegmentKind
from app.ui.banner import Banner
from app.ui.main_window import MainWindow
from app.ui.token_meter import TokenMeter
from app.ui.tray_palette import Level, contrast_ratio, level_color

Role = QPalette.ColorRole


def _palette(colours: dict[QPalette.ColorRole, str]) -> QPalette:
    palette = QPalette()
    for role, value in colours.items():
        palette.setColor(role, QColor(value))
    return palette


LIGHT = _palette(
    {
        Role.Window: "#efefef",
        Role.WindowText: "#000000",
        Role.Base: "#ffffff",
        Role.Text: "#000000",
        Role.Button: "#efefef",
        Role.ButtonText: "#000000",
        Role.ToolTipBase: "#ffffdc",
        Role.ToolTipText: "#000000",
        Role.Highlight: "#308cc6",
        Role.HighlightedText: "#ffffff",
        Role.Mid: "#b8b8b8",
    }
)
# A dark desktop theme that, like several real ones, leaves tooltips pale yellow and its Mid
# role next to the window colour: the two things the banner and the meter used to rely on.
DARK = _palette(
    {
        Role.Window: "#2a2e32",
        Role.WindowText: "#fcfcfc",
        Role.Base: "#1b1e20",
        Role.Text: "#fcfcfc",
        Role.Button: "#31363b",
        Role.ButtonText: "#fcfcfc",
        Role.ToolTipBase: "#ffffdc",
        Role.ToolTipText: "#000000",
        Role.Highlight: "#3daee9",
        Role.HighlightedText: "#fcfcfc",
        Role.Mid: "#2c3034",
    }
)


@pytest.fixture(params=["light", "dark"])
def system_palette(request: pytest.FixtureRequest, qapp: QApplication) -> Iterator[QPalette]:
    before = QApplication.palette()
    palette = LIGHT if request.param == "light" else DARK
    QApplication.setPalette(palette)
    yield palette
    QApplication.setPalette(before)


def over_estimate() -> BudgetEstimate:
    return BudgetEstimate(
        context_window=1000,
        reply_reserve=100,
        history_tokens=1500,
        history_exact=False,
        history_image_tokens=0,
        draft_text_tokens=10,
        draft_image_tokens=0,
        unknown_images=0,
    )


def high_estimate() -> BudgetEstimate:
    """93 % of the window: the headline and the bar's outline in the level's colour."""
    return BudgetEstimate(
        context_window=10_000,
        reply_reserve=1000,
        history_tokens=6000,
        history_exact=True,
        history_image_tokens=2000,
        draft_text_tokens=300,
        draft_image_tokens=0,
        unknown_images=0,
    )


def fine_estimate() -> BudgetEstimate:
    return BudgetEstimate(
        context_window=32_768,
        reply_reserve=1024,
        history_tokens=2000,
        history_exact=False,
        history_image_tokens=0,
        draft_text_tokens=10,
        draft_image_tokens=0,
        unknown_images=0,
    )


def _window(qtbot: QtBot) -> MainWindow:
    window = MainWindow(demo=True)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_demo_banner_text_is_readable(qtbot: QtBot, system_palette: QPalette) -> None:
    window = _window(qtbot)
    banner = window.findChild(Banner, "demoBanner")
    assert banner is not None
    assert banner.isVisible()
    label = banner.findChild(QLabel)
    assert label is not None
    text = label.palette().color(label.foregroundRole())
    background = banner.palette().color(banner.backgroundRole())
    assert contrast_ratio(text, background) >= 4.5
    # What is painted is that background (no style sheet paints over it).
    image = banner.grab().toImage()
    painted = image.pixelColor(image.width() // 2, 1 if image.height() > 2 else 0)
    assert contrast_ratio(text, painted) >= 4.5
    # The banner still reads as a banner: set apart from the window around it.
    window_colour = system_palette.color(Role.Window)
    assert background != window_colour


def test_banners_follow_a_theme_switch(qtbot: QtBot, qapp: QApplication) -> None:
    before = QApplication.palette()
    try:
        QApplication.setPalette(LIGHT)
        window = _window(qtbot)
        QApplication.setPalette(DARK)
        qtbot.wait(10)
        for banner in window.findChildren(Banner):
            background = banner.palette().color(banner.backgroundRole())
            text = banner.label.palette().color(banner.label.foregroundRole())
            assert contrast_ratio(text, background) >= 4.5, banner.objectName()
            assert background.lightnessF() < 0.5, banner.objectName()  # dark like the theme
    finally:
        QApplication.setPalette(before)


@pytest.mark.parametrize(
    "estimate", [fine_estimate(), high_estimate(), over_estimate()], ids=["fine", "high", "over"]
)
def test_meter_text_and_track_are_readable(
    qtbot: QtBot, system_palette: QPalette, estimate: BudgetEstimate
) -> None:
    window = _window(qtbot)
    meter = window.findChild(TokenMeter, "tokenMeter")
    assert meter is not None
    meter.set_figures(estimate, context_known=True, next_cost=None, conversation_cost=1.5)
    background = meter.palette().color(meter.backgroundRole())
    assert background == system_palette.color(Role.Window)
    for name in ("tokenMeterLegend", "tokenMeterWarning"):
        label = meter.findChild(QLabel, name)
        assert label is not None
        if not label.isVisibleTo(meter):
            continue
        colour = label.palette().color(label.foregroundRole())
        assert contrast_ratio(colour, background) >= 4.5, (name, colour.name())
    assert meter.over_window == (not estimate.fits)
    # The headline, in the level's colour from 75 % on, is text like the rest.
    assert (meter.headline_color() == meter.text_color()) == (meter.level == "ok")
    assert contrast_ratio(meter.headline_color(), background) >= 4.5, meter.level
    # The empty part of the bar stands apart from the window (the track used to vanish).
    assert contrast_ratio(meter.track_color(), background) >= 1.5


def test_the_bar_segments_are_distinct_and_visible(qtbot: QtBot, system_palette: QPalette) -> None:
    window = _window(qtbot)
    meter = window.findChild(TokenMeter, "tokenMeter")
    assert meter is not None
    background = system_palette.color(Role.Window)
    kinds: list[SegmentKind] = ["history", "images", "draft", "reply"]
    segments = {kind: meter.segment_color(kind) for kind in kinds}
    # Graphics (and the legend's swatches) at WCAG's 3:1 against the window...
    for kind, colour in segments.items():
        assert contrast_ratio(colour, background) >= 3.0, (kind, colour.name())
    # ...each its own colour, none of them a warning colour.
    levels: list[Level] = ["warn", "high", "over"]
    warnings = {level_color(system_palette, level).name() for level in levels}
    names = {colour.name() for colour in segments.values()}
    assert len(names) == len(kinds)
    assert not names & warnings
    # Dark themes get the lighter tones.
    dark = system_palette is DARK
    assert (segments["history"].lightnessF() > 0.5) == dark


def test_contrast_ratio_matches_wcag() -> None:
    assert contrast_ratio(QColor("black"), QColor("white")) == pytest.approx(21.0)
    assert contrast_ratio(QColor("#777777"), QColor("white")) == pytest.approx(4.48, abs=0.01)
    # The old demo banner under a dark theme: white text on pale yellow.
    assert contrast_ratio(QColor("#fcfcfc"), QColor("#ffffdc")) < 1.1
