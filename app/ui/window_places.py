"""The empty places the main window's frame keeps for what it builds after its first paint
(`MainWindow.complete()`): the conversation, the tray, the meter and the conversations list,
each of the size its part takes in the default window, so that nothing moves when they come.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QBoxLayout, QDockWidget, QFrame, QMainWindow, QSplitter, QWidget

TRAY_HEIGHT = 30
METER_HEIGHT = 30
SIDEBAR_WIDTH = 264


class Places:
    """The places, made empty; `fill` puts the parts in them and forgets them."""

    def __init__(self) -> None:
        self.view = QFrame()  # the empty conversation's white box
        self.view.setFrameShape(QFrame.Shape.StyledPanel)
        self.view.setBackgroundRole(QPalette.ColorRole.Base)
        self.view.setAutoFillBackground(True)
        self.tray = QWidget()
        self.tray.setFixedHeight(TRAY_HEIGHT)
        self.meter = QWidget()
        self.meter.setFixedHeight(METER_HEIGHT)

    def fill(
        self,
        *,
        splitter: QSplitter,
        view: QWidget,
        bottom: QBoxLayout,
        tray: QWidget,
        central: QBoxLayout,
        meter: QWidget,
    ) -> None:
        splitter.replaceWidget(splitter.indexOf(self.view), view)
        splitter.setStretchFactor(splitter.indexOf(view), 1)  # held by the widget: set again
        bottom.replaceWidget(self.tray, tray)
        central.replaceWidget(self.meter, meter)
        for place in (self.view, self.tray, self.meter):
            place.hide()
            place.deleteLater()


def conversations_dock(window: QMainWindow) -> QDockWidget:
    """The left dock the conversations list goes into (gui.history_flow), empty until then."""
    dock = QDockWidget("Conversations", window)
    dock.setObjectName("conversationsDock")
    dock.setFeatures(
        QDockWidget.DockWidgetFeature.DockWidgetMovable
        | QDockWidget.DockWidgetFeature.DockWidgetClosable
    )
    placeholder = QWidget()
    placeholder.setMinimumWidth(SIDEBAR_WIDTH)
    dock.setWidget(placeholder)
    window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)
    return dock


def tab_after(part: QWidget, widgets: Sequence[QWidget]) -> None:
    """Put `widgets` in the Tab order right after everything inside `part`, in their order: a
    part built after them still comes before them, where it sits on screen."""
    last = part
    following = part.nextInFocusChain()
    while following is not None and part.isAncestorOf(following):
        if following.focusPolicy() != Qt.FocusPolicy.NoFocus:
            last = following
        following = following.nextInFocusChain()
    for widget in widgets:
        QWidget.setTabOrder(last, widget)
        last = widget
