"""Readable in light and dark themes: the demo banner's text on its background, the token
meter's text on the window, and the tray's texts and badges reach WCAG's 4.5:1, and the meter's
empty track stays visible, under a light and a dark system palette (set on the application, as
a desktop theme does)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from app.core.attachment import Attachment, AttachmentState, SourceKind
from app.core.budget import BudgetEstimate
from app.core.meter import SegmentKind
from app.gui.theme import SCHEMES, palette_for, style_sheet_for
from app.ui.banner import Banner
from app.ui.conversation_style import conversation_colors
from app.ui.main_window import MainWindow
from app.ui.token_meter import TokenMeter
from app.ui.tray_badge import badge_colors, filled_colors
from app.ui.tray_detail import DetailToggle
from app.ui.tray_palette import Level, contrast_ratio, is_dark, level_color

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


PALETTES = {
    "light": LIGHT,
    "dark": DARK,
    "app-light": palette_for("light"),
    "app-dark": palette_for("dark"),
}


@pytest.fixture(params=list(PALETTES))
def system_palette(request: pytest.FixtureRequest, qapp: QApplication) -> Iterator[QPalette]:
    before = QApplication.palette()
    palette = PALETTES[request.param]
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


def test_tray_texts_are_readable(qtbot: QtBot, system_palette: QPalette) -> None:
    """The tray's hint, its tiles' names and badges, the detail switch, the number on the
    thumbnail, and the drop overlay's card, in light and dark."""
    window = _window(qtbot)
    tray = window.tray
    assert contrast_ratio(tray.hint_color(), system_palette.color(Role.Window)) >= 4.5
    for tone in ("neutral", "good", "info", "bad"):
        background, text = badge_colors(system_palette, tone)
        assert contrast_ratio(text, background) >= 4.5, tone
    fill, number = filled_colors(system_palette)
    assert contrast_ratio(number, fill) >= 4.5
    toggle = DetailToggle()
    qtbot.addWidget(toggle)
    for background, text in toggle.colors().values():
        assert contrast_ratio(text, background) >= 4.5
    tray.set_items(
        [
            Attachment("a", "mockup-homepage-v1-final.png", SourceKind.FILE, tokens=1792),
            Attachment(
                "b", "broken.png", SourceKind.FILE, state=AttachmentState.FAILED, error="bad"
            ),
        ]
    )
    tile, failed = tray.tiles()
    base = tile.palette().color(Role.Base)
    name = tile.findChild(QLabel, "trayTileName")
    assert name is not None
    assert contrast_ratio(name.palette().color(name.foregroundRole()), base) >= 4.5
    for badge in (tile.tokens_badge(), tile.state_badge(), failed.state_badge()):
        background, text = badge.colors()
        assert contrast_ratio(text, background) >= 4.5, badge.text()
    reason = failed.reason_label()
    assert contrast_ratio(reason.palette().color(reason.foregroundRole()), base) >= 4.5
    overlay = window.drop_overlay
    colours = overlay.colors()
    assert contrast_ratio(colours["title"], colours["card"]) >= 4.5
    assert contrast_ratio(colours["detail"], colours["card"]) >= 4.5


# The app's own themes: every text role on the background it is drawn on.
TEXT_ON = [
    (Role.WindowText, Role.Window),
    (Role.Text, Role.Base),
    (Role.Text, Role.AlternateBase),
    (Role.ButtonText, Role.Button),
    (Role.HighlightedText, Role.Highlight),
    (Role.ToolTipText, Role.ToolTipBase),
    (Role.PlaceholderText, Role.Base),
    (Role.Link, Role.Base),
    (Role.Link, Role.Window),
    (Role.LinkVisited, Role.Base),
    (Role.BrightText, Role.Highlight),
]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_app_themes_text_is_readable(scheme: str) -> None:
    palette = palette_for(scheme)
    for text, background in TEXT_ON:
        ratio = contrast_ratio(palette.color(text), palette.color(background))
        assert ratio >= 4.5, (scheme, text.name, background.name, round(ratio, 2))
    colours = SCHEMES[scheme]
    # The toolbar's buttons (the style sheet) on the window, plain, hovered and pressed.
    for background in ("window", "hover", "pressed"):
        assert contrast_ratio(QColor(colours["text"]), QColor(colours[background])) >= 4.5
    sheet = style_sheet_for(scheme)
    assert "@" not in sheet.split("*/", 1)[1]
    assert colours["text"] in sheet
    # The selection stands out from the window; rules show on it.
    assert contrast_ratio(palette.color(Role.Highlight), palette.color(Role.Window)) >= 3.0
    assert contrast_ratio(QColor(colours["rule"]), QColor(colours["window"])) >= 1.2


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
    dark = is_dark(system_palette)
    assert (segments["history"].lightnessF() > 0.5) == dark


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
