"""The toolbar's icons: line drawings painted in the palette's text colour (so they follow the
theme live), with the text beside them while the toolbar has room and icons alone when it has
not.

Drawn for this app (small SVGs in ``resources/icons``) rather than taken from an icon library: no
new dependency, nothing to fetch, and one stroke style that matches the Fusion look in light and
dark. The app reads the PNG masks `packaging/render_icons.py` makes of them, so neither it nor
its bundle needs QtSvg.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt, QTimer
from PySide6.QtGui import (
    QAction,
    QActionEvent,
    QColor,
    QIcon,
    QImage,
    QPainter,
    QPalette,
    QPixmap,
    QResizeEvent,
    QShowEvent,
)
from PySide6.QtWidgets import QSizePolicy, QToolButton, QWidget

from app.ui.resource_files import resource_file
from app.ui.window_fit import MainToolBar

EXTENSION_ICON_DELAY_MS = 200
ICON_SIZE = 18  # logical pixels; drawn at twice that too for 2× screens
# Actions that flows add to the toolbar later, by objectName: their icon.
LATER_ICONS = {"captureRegionAction": "capture-region"}


def line_icon(name: str, colour: QColor, disabled: QColor | None = None) -> QIcon:
    """``resources/icons/<name>.png`` (an alpha mask rendered from its SVG, at 1× and 2×) in
    `colour`, and in `disabled` for the disabled mode."""
    folder = resource_file("icons")
    icon = QIcon()
    for mode, ink in ((QIcon.Mode.Normal, colour), (QIcon.Mode.Disabled, disabled or colour)):
        for scale, suffix in ((1, ""), (2, "@2x")):
            mask = QImage.fromData((folder / f"{name}{suffix}.png").read_bytes())
            tinted = QImage(mask.size(), QImage.Format.Format_ARGB32_Premultiplied)
            tinted.fill(Qt.GlobalColor.transparent)
            painter = QPainter(tinted)
            painter.drawImage(0, 0, mask)
            painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceIn)
            painter.fillRect(tinted.rect(), ink)
            painter.end()
            pixmap = QPixmap.fromImage(tinted)
            pixmap.setDevicePixelRatio(scale)
            icon.addPixmap(pixmap, mode)
    return icon


class IconToolBar(MainToolBar):
    """The main toolbar with icons in the theme's colours and text where it fits."""

    def __init__(self, title: str) -> None:
        super().__init__(title)
        self._icons: dict[QAction, str] = {}
        self._relayout_soon = QTimer(self)
        self._relayout_soon.setSingleShot(True)
        self._relayout_soon.timeout.connect(self._lay_out_again)
        self.setIconSize(QSize(ICON_SIZE, ICON_SIZE))
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)

    def set_icon(self, action: QAction, name: str) -> None:
        """Give `action` the icon `name`, repainted whenever the palette changes."""
        self._icons[action] = name
        action.setIcon(self._icon(name))

    def _icon(self, name: str) -> QIcon:
        palette = self.palette()
        return line_icon(
            name,
            palette.color(QPalette.ColorRole.ButtonText),
            palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText),
        )

    def _paint_extension(self) -> None:
        """The »» button (what does not fit) in the theme's colour: Fusion's own is black,
        invisible on the dark theme."""
        extension = self.findChild(QToolButton, "qt_toolbar_ext_button")
        if extension is not None:
            extension.setIcon(self._icon("more"))

    def add_spacer(self) -> QAction:
        """A stretch: what comes after it sits at the right end."""
        spacer = QWidget(self)
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        return super().addWidget(spacer)

    def actionEvent(self, event: QActionEvent) -> None:
        super().actionEvent(event)
        action = event.action()
        if event.type() == QEvent.Type.ActionAdded and action not in self._icons:
            name = LATER_ICONS.get(action.objectName())
            if name:
                self.set_icon(action, name)
        self._fit_text()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            for action, name in list(self._icons.items()):
                self.set_icon(action, name)
            self._paint_extension()
        if event.type() in (QEvent.Type.StyleChange, QEvent.Type.PaletteChange):
            # A new style sheet changes the items' widths; the toolbar's layout places them
            # (and the »» button for what no longer fits) only when it is laid out again.
            self._relayout_soon.start(0)

    def _lay_out_again(self) -> None:
        layout = self.layout()
        if layout is not None:
            layout.invalidate()
            layout.setGeometry(self.rect())
        self._paint_extension()  # a style change gives »» the style's own (black) icon again

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._fit_text()
        # The »» button's icon, after the window's first paint (it shows only when items
        # overflow); every palette or style change paints it again.
        QTimer.singleShot(EXTENSION_ICON_DELAY_MS, self._paint_extension)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_text()

    def event(self, event: QEvent) -> bool:
        handled = super().event(event)
        if event.type() == QEvent.Type.LayoutRequest:  # a picker's width changed
            self._fit_text()
        return handled

    def _fit_text(self) -> None:
        """Text beside the icons when everything fits with it, else icons alone (the text is
        in each button's tooltip, with its shortcut)."""
        if not self.isVisible():  # fitted when shown (its resize), not at every item added
            return
        # The actions' buttons, found by their type: `widgetForAction` returns a QWidget,
        # whose Python type shiboken looks for among every widget class (~8 ms of enum set-up
        # before the first paint).
        buttons = [  # low-priority actions show their icon alone in any case
            button
            for button in self.findChildren(QToolButton)
            if (action := button.defaultAction()) is not None
            and action.isVisible()
            and action.priority() != QAction.Priority.LowPriority
        ]
        if not buttons:
            return
        metrics = self.fontMetrics()
        text_room = sum(metrics.horizontalAdvance(b.text()) + 6 for b in buttons)
        with_text = self.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonTextBesideIcon
        # The width every item needs, without the »» extension, in the current style.
        needed = self.sizeHint().width() + (0 if with_text else text_room)
        # Some slack before the text comes back, so that an estimate a few pixels off never
        # makes the style flip back and forth.
        slack = 16 if with_text else 56
        style = (
            Qt.ToolButtonStyle.ToolButtonTextBesideIcon
            if needed + slack <= self.width()
            else Qt.ToolButtonStyle.ToolButtonIconOnly
        )
        if style != self.toolButtonStyle():
            self.setToolButtonStyle(style)
