"""The toolbar: icons in the theme's colours, tooltips with shortcuts, names beside the icons
only where they fit, and one "New" in the window (the conversations list's)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QComboBox, QPushButton, QToolBar, QToolButton
from pytestqt.qtbot import QtBot

from app.gui.session import AppSession
from app.ui.model_picker import SUMMARY_ROLE
from tests.support.sessions import demo_session


@pytest.fixture
def session(qtbot: QtBot, qloop: asyncio.AbstractEventLoop) -> Iterator[AppSession]:
    before = QApplication.palette()
    with demo_session(qtbot, qloop) as session:
        yield session
    QApplication.setPalette(before)


def toolbar_of(session: AppSession) -> QToolBar:
    toolbar = session.window.findChild(QToolBar, "mainToolbar")
    assert toolbar is not None
    return toolbar


def test_commands_have_icons_and_shortcuts_in_their_tooltips(session: AppSession) -> None:
    toolbar = toolbar_of(session)
    commands = {a.objectName(): a for a in toolbar.actions() if a.objectName()}
    assert set(commands) >= {"addImagesAction", "captureRegionAction", "settingsAction"}
    for action in commands.values():
        assert not action.icon().isNull(), action.objectName()
        assert action.shortcut().toString() in action.toolTip(), action.objectName()


def test_one_new_button(session: AppSession) -> None:
    texts = [a.text() for a in toolbar_of(session).actions()]
    assert "New conversation" not in texts
    new = session.window.findChild(QPushButton, "newConversationButton")
    assert new is not None
    assert new.isVisible()
    assert any(a.text() == "New conversation" for a in session.window.menu("file").actions())


def test_names_beside_icons_only_where_they_fit(qtbot: QtBot, session: AppSession) -> None:
    toolbar = toolbar_of(session)
    session.window.resize(1500, 800)
    qtbot.waitUntil(
        lambda: toolbar.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonTextBesideIcon
    )
    add = next(a for a in toolbar.actions() if a.objectName() == "addImagesAction")
    button = toolbar.widgetForAction(add)
    assert isinstance(button, QToolButton)
    assert button.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonTextBesideIcon
    session.window.resize(660, 600)
    qtbot.waitUntil(lambda: toolbar.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonIconOnly)


def test_icons_follow_the_theme(qtbot: QtBot, session: AppSession) -> None:
    toolbar = toolbar_of(session)
    add = next(a for a in toolbar.actions() if a.objectName() == "addImagesAction")

    def darkest_ink() -> float:
        image = add.icon().pixmap(18, 18).toImage()
        inks = [
            image.pixelColor(x, y)
            for x in range(image.width())
            for y in range(image.height())
            if image.pixelColor(x, y).alpha() > 200
        ]
        return sum(c.lightnessF() for c in inks) / len(inks)

    themes = session.window.menus.theme.actions
    themes["light"].trigger()
    qtbot.waitUntil(lambda: darkest_ink() < 0.3)
    themes["dark"].trigger()
    qtbot.waitUntil(lambda: darkest_ink() > 0.7)
    assert toolbar.palette().color(QPalette.ColorRole.ButtonText).lightnessF() > 0.7


def test_the_model_picker_says_each_models_window_and_whether_it_reasons(
    qtbot: QtBot, session: AppSession
) -> None:
    picker = session.window.findChild(QComboBox, "modelPicker")
    assert picker is not None
    qtbot.waitUntil(lambda: picker.findData("grok-4.20-0309-reasoning") >= 0, timeout=5000)
    summaries = {
        str(picker.itemData(row)): picker.itemData(row, SUMMARY_ROLE)
        for row in range(picker.count())
    }
    assert summaries["grok-4.3"] == "1M · reasons"
    assert summaries["grok-4.20-0309-reasoning"] == "1M · reasons"
    assert "reasons" not in summaries["grok-4.20-0309-non-reasoning"]
    assert summaries["grok-vision-demo-8k"] == "window unknown"  # learned from its first error
    # The closed picker's tooltip says the same in full, for the model chosen.
    picker.setCurrentIndex(picker.findData("grok-4.3"))
    assert "1,000,000 tokens" in picker.toolTip()
    assert "reasons" in picker.toolTip()
    # The list is wide enough for the id and its summary side by side.
    assert picker.view().minimumWidth() > picker.fontMetrics().horizontalAdvance(
        "grok-4.20-0309-non-reasoning"
    )
