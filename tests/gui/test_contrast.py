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
from app.ui.banner import Banner
from app.ui.conversation_style import conversation_colors
from app.ui.main_window import MainWindow
from app.ui.token_meter import TokenMeter
from app.ui.tray_palette import contrast_ratio

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


@pytest.mark.parametrize("estimate", [fine_estimate(), over_estimate()], ids=["fine", "over"])
def test_meter_text_and_track_are_readable(
    qtbot: QtBot, system_palette: QPalette, estimate: BudgetEstimate
) -> None:
    window = _window(qtbot)
    meter = window.findChild(TokenMeter, "tokenMeter")
    assert meter is not None
    meter.set_figures(estimate, context_known=True, next_cost=None, conversation_cost=1.5)
    background = meter.palette().color(meter.backgroundRole())
    assert background == system_palette.color(Role.Window)
    for name in ("tokenMeterSummary", "tokenMeterCost", "tokenMeterWarning"):
        label = meter.findChild(QLabel, name)
        assert label is not None
        if not label.isVisibleTo(meter):
            continue
        colour = label.palette().color(label.foregroundRole())
        assert contrast_ratio(colour, background) >= 4.5, (name, colour.name())
    assert meter.over_window == (not estimate.fits)
    # The empty part of the bar stands apart from the window (the track used to vanish).
    assert contrast_ratio(meter.track_color(), background) >= 1.5


def test_contrast_ratio_matches_wcag() -> None:
    assert contrast_ratio(QColor("black"), QColor("white")) == pytest.approx(21.0)
    assert contrast_ratio(QColor("#777777"), QColor("white")) == pytest.approx(4.48, abs=0.01)
    # The old demo banner under a dark theme: white text on pale yellow.
    assert contrast_ratio(QColor("#fcfcfc"), QColor("#ffffdc")) < 1.1


def test_conversation_text_is_readable(qtbot: QtBot, system_palette: QPalette) -> None:
    colors = conversation_colors(system_palette)
    for name, (text, background) in colors.text_pairs.items():
        assert contrast_ratio(text, background) >= 4.5, (name, text.name(), background.name())
    # The user's messages, code and table headers stand apart from the page.
    for tint in (colors.user_tint, colors.panel, colors.head):
        assert tint != colors.base
    window = _window(qtbot)
    welcome = window.view.welcome
    on_page = [welcome.lead, *welcome.ways]
    on_cards = [card.blurb for card in welcome.cards]
    for labels, background in ((on_page, colors.base), (on_cards, colors.panel)):
        for label in labels:
            shown = label.palette().color(label.foregroundRole())
            assert contrast_ratio(shown, background) >= 4.5, label.text()
