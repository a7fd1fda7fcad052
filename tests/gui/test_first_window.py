"""The start's first window: the main window's frame painted before the rest of the app is built
(app.gui.first_window), then completed in place. What is typed into the frame is kept and sent,
nothing on screen moves when the rest arrives, and the frame wears the saved theme and place."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QDockWidget, QToolBar, QWidget
from pytestqt.qtbot import QtBot
from support.sessions import stop_session, write_settings
from support.turns import finished

from app.core.conversation import Status
from app.gui.first_window import frame_settings, show_frame
from app.gui.session import AppSession
from app.gui.theme import is_dark
from app.ui.main_window import MainWindow


def place(window: MainWindow, widget: QWidget) -> QRect:
    return QRect(widget.mapTo(window, widget.rect().topLeft()), widget.size())


def visible_toolbar_texts(window: MainWindow) -> list[str]:
    toolbar = window.findChild(QToolBar, "mainToolbar")
    assert toolbar is not None
    return [a.text() for a in toolbar.actions() if a.isVisible() and a.text()]


def focus_order(window: MainWindow) -> list[str]:
    names, widget = [], window.nextInFocusChain()
    while widget is not window:
        if widget.focusPolicy() != Qt.FocusPolicy.NoFocus:
            names.append(widget.objectName() or type(widget).__name__)
        widget = widget.nextInFocusChain()
    return names


def test_the_completed_frame_tabs_as_a_window_built_at_once(qtbot: QtBot) -> None:
    at_once = MainWindow(demo=True)
    qtbot.addWidget(at_once)
    window = show_frame(demo=True)
    qtbot.addWidget(window)
    window.complete()
    assert focus_order(window) == focus_order(at_once)
    assert focus_order(window).index("conversationBrowser") < focus_order(window).index(
        "systemPromptEdit"
    )


def test_what_is_typed_into_the_frame_is_kept_and_sent(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    window = show_frame(demo=True)
    qtbot.addWidget(window)
    assert window.isVisible()
    assert not window.is_complete
    # No conversation, tray or meter yet: their places are kept empty.
    assert window.findChild(QWidget, "conversationView") is None
    window.activateWindow()
    qtbot.waitUntil(window.composer.hasFocus, timeout=5000)
    qtbot.keyClicks(QApplication.focusWidget(), "What is in ")
    window.complete()
    session = AppSession(demo=True, window=window)
    assert session.window is window
    qtbot.keyClicks(QApplication.focusWidget(), "the picture?")
    task = qloop.create_task(session.run([]))
    qtbot.waitUntil(lambda: session.endpoint.has_key and bool(session.models), timeout=10_000)
    assert window.composer.toPlainText() == "What is in the picture?"
    qtbot.waitUntil(window.send_button.isEnabled, timeout=5000)
    qtbot.keyClick(window.composer, Qt.Key.Key_Return)
    qtbot.waitUntil(finished(session, Status.COMPLETE), timeout=15_000)
    assert session.chat.conversation.messages[0].text == "What is in the picture?"
    assert window.composer.toPlainText() == ""
    stop_session(qtbot, session, task)


def test_nothing_moves_when_the_rest_arrives(qtbot: QtBot) -> None:
    window = show_frame(demo=True)
    qtbot.addWidget(window)
    dock = window.findChild(QDockWidget, "conversationsDock")
    assert dock is not None
    assert dock.isVisible()
    frame = {
        "conversation": place(window, window.findChild(QWidget, "mainSplitter").widget(0)),
        "composer": place(window, window.composer),
        "system prompt": place(window, window.system_prompt_edit),
        "send": place(window, window.send_button),
        "list": place(window, dock),
    }
    # The pickers stay hidden until they have something to show (then with Capture region).
    assert visible_toolbar_texts(window) == ["Add images…", "Settings…"]
    window.complete()
    session = AppSession(demo=True, window=window)
    QApplication.processEvents()
    complete = {
        "conversation": place(window, window.view),
        "composer": place(window, window.composer),
        "system prompt": place(window, window.system_prompt_edit),
        "send": place(window, window.send_button),
        "list": place(window, dock),
    }
    assert complete == frame
    assert dock.widget() is session.history_flow.sidebar
    assert window.findChild(QWidget, "conversationView") is window.view
    assert window.view.isVisible()
    assert window.tray.isVisible()
    assert window.meter.isVisible()
    texts = visible_toolbar_texts(window)
    assert texts[:2] == ["Add images…", "Capture region"]
    assert window.model_picker.isVisible()


def test_the_frame_wears_the_saved_theme_and_place(qtbot: QtBot) -> None:
    first = MainWindow(demo=True)
    qtbot.addWidget(first)
    first.setGeometry(QRect(30, 40, 720, 520))
    write_settings(theme="dark", window_geometry=first.geometry_b64())
    assert frame_settings() == ("dark", first.geometry_b64())
    window = show_frame(demo=False)
    qtbot.addWidget(window)
    try:
        assert is_dark(QGuiApplication.palette())
        assert window.size() == first.size()
        assert window.windowTitle() == "Grok Vision"
    finally:
        write_settings(theme="light")
        light = show_frame(demo=False)  # the light palette back for the tests that follow
        qtbot.addWidget(light)
        assert not is_dark(QGuiApplication.palette())


def test_a_broken_settings_file_gives_the_default_frame() -> None:
    path = Path(os.environ["GROK_VISION_CONFIG_DIR"]) / "settings.json"
    for text in ("{not json", "[1, 2]", json.dumps({"theme": 3, "window_geometry": "é"})):
        path.write_text(text, encoding="utf-8")
        assert frame_settings() == ("system", "")
    path.unlink()
    assert frame_settings() == ("system", "")
