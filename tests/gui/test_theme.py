"""The theme: chosen in View → Theme or in Settings → Appearance, applied live to the open window
(palette, style sheet, the banners and the meter that compute colours from it), saved, and
in force again at the next start; System follows the desktop's light or dark."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialogButtonBox,
    QToolBar,
    QToolButton,
)
from pytestqt.qtbot import QtBot
from support.sessions import demo_session

from app.gui.session import AppSession
from app.gui.theme import SCHEMES
from app.ui.banner import Banner
from app.ui.token_meter import TokenMeter
from app.ui.tray_palette import contrast_ratio

Role = QPalette.ColorRole


@pytest.fixture(autouse=True)
def keep_app_palette(qapp: QApplication) -> Iterator[None]:
    before = QApplication.palette()
    yield
    QApplication.setPalette(before)


@pytest.fixture
def session(qtbot: QtBot, qloop: asyncio.AbstractEventLoop) -> Iterator[AppSession]:
    with demo_session(qtbot, qloop) as session:
        yield session


def saved_theme() -> object:
    path = Path(os.environ["GROK_VISION_CONFIG_DIR"]) / "settings.json"
    return json.loads(path.read_text(encoding="utf-8")).get("theme")


def assert_shows(qtbot: QtBot, session: AppSession, scheme: str) -> None:
    """The window, its banners, its meter and its toolbar's style sheet all in `scheme` (Qt
    hands the application's new palette to the widgets on the next pass of the event loop)."""
    w = session.window
    wanted = SCHEMES[scheme]["window"]
    qtbot.waitUntil(lambda: w.palette().color(Role.Window).name() == wanted)
    assert w.view.palette().color(Role.Base).name() == SCHEMES[scheme]["base"]
    toolbar = w.findChild(QToolBar, "mainToolbar")
    assert toolbar is not None
    assert SCHEMES[scheme]["rule"] in toolbar.styleSheet()
    dark = scheme == "dark"
    for banner in w.findChildren(Banner):
        background = banner.palette().color(banner.backgroundRole())
        assert (background.lightnessF() < 0.5) == dark, banner.objectName()
        assert contrast_ratio(banner.text_color(), background) >= 4.5, banner.objectName()
    meter = w.findChild(TokenMeter, "tokenMeter")
    assert meter is not None
    assert (meter.track_color().lightnessF() < 0.5) == dark


def test_view_theme_switches_live_and_is_saved(qtbot: QtBot, session: AppSession) -> None:
    menu = session.window.menus.theme
    assert menu.actions["system"].isChecked()  # the default
    menu.actions["dark"].trigger()
    assert session.window.isVisible()  # no restart
    assert_shows(qtbot, session, "dark")
    assert menu.actions["dark"].isChecked()
    assert session.settings.theme == "dark"
    assert saved_theme() == "dark"
    menu.actions["light"].trigger()
    assert_shows(qtbot, session, "light")
    assert saved_theme() == "light"


def test_the_theme_survives_a_restart(qtbot: QtBot, qloop: asyncio.AbstractEventLoop) -> None:
    with demo_session(qtbot, qloop) as first:
        first.window.menus.theme.actions["dark"].trigger()
    with demo_session(qtbot, qloop) as second:
        assert second.settings.theme == "dark"
        assert second.window.menus.theme.actions["dark"].isChecked()
        assert_shows(qtbot, second, "dark")


def test_settings_appearance_applies_on_ok(qtbot: QtBot, session: AppSession) -> None:
    session.settings_flow.open()
    dialog = session.settings_flow.dialog
    assert dialog is not None
    combo = dialog.findChild(QComboBox, "themeCombo")
    assert combo is not None
    assert combo.currentData() == "system"
    combo.setCurrentIndex(combo.findData("dark"))
    box = dialog.findChild(QDialogButtonBox, "buttonBox")
    assert box is not None
    qtbot.mouseClick(box.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: session.settings_flow.dialog is None)
    assert_shows(qtbot, session, "dark")
    assert session.window.menus.theme.actions["dark"].isChecked()
    assert saved_theme() == "dark"


def test_system_follows_the_desktop(qtbot: QtBot, session: AppSession) -> None:
    hints = QGuiApplication.styleHints()
    try:
        hints.colorSchemeChanged.emit(Qt.ColorScheme.Dark)
        assert_shows(qtbot, session, "dark")
        hints.colorSchemeChanged.emit(Qt.ColorScheme.Light)
        assert_shows(qtbot, session, "light")
        session.window.menus.theme.actions["dark"].trigger()
        hints.colorSchemeChanged.emit(Qt.ColorScheme.Light)  # a chosen theme stays
        assert_shows(qtbot, session, "dark")
    finally:
        hints.colorSchemeChanged.emit(hints.colorScheme())


def test_the_welcome_and_the_overflow_button_follow_a_live_switch(
    qtbot: QtBot, session: AppSession
) -> None:
    window = session.window
    welcome = window.view.welcome
    menu = window.menus.theme
    for scheme in ("dark", "light", "dark"):
        menu.actions[scheme].trigger()
        base = SCHEMES[scheme]["base"]
        qtbot.waitUntil(lambda base=base: f"background: {base};" in welcome.styleSheet())
    # Narrow: what does not fit goes behind »», which shows its icon in the theme's colour.
    window.resize(620, window.height())
    toolbar = window.findChild(QToolBar, "mainToolbar")
    assert toolbar is not None
    extension = toolbar.findChild(QToolButton, "qt_toolbar_ext_button")
    assert extension is not None
    qtbot.waitUntil(extension.isVisible)
    picture = extension.grab().toImage()
    text = QColor(SCHEMES["dark"]["text"])
    inked = sum(
        1
        for x in range(picture.width())
        for y in range(picture.height())
        if contrast_ratio(picture.pixelColor(x, y), text) < 1.5
    )
    assert inked > 10  # the icon's strokes, in the text colour (not black on dark)
