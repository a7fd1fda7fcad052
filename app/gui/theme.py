"""The application's name, icon and desktop identity, and its theme.

The theme is one small model, :class:`ThemeModel`: the user's choice ("system", "light" or
"dark") and the scheme it resolves to. Applying it sets Fusion and the app's own palette on the
application (every widget gets a PaletteChange, so colours computed from the palette follow
live) and fills in ``resources/theme.qss`` on the main toolbar. :class:`ThemeFlow` keeps the
model, the settings, the View → Theme menu and the Settings dialog's choice in step.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPalette, QPixmap
from PySide6.QtWidgets import QApplication, QMainWindow, QToolBar, QWidget

from app import APP_NAME, __version__
from app.ui.resource_files import resource_file
from app.ui.theme_choices import THEME_LABELS
from app.ui.tray_palette import is_dark

if TYPE_CHECKING:
    from app.gui.services import Preferences
    from app.ui.window_menus import ThemeMenu

Role = QPalette.ColorRole
Group = QPalette.ColorGroup

# Calm neutral greys and one accent (a blue that white text reads on at 4.5:1 and more).
SCHEMES: dict[str, dict[str, str]] = {
    "light": {
        "window": "#f4f5f7",
        "text": "#1f2328",
        "base": "#ffffff",
        "alternate": "#f0f2f5",
        "button": "#eceef1",
        "light": "#ffffff",
        "midlight": "#e4e7eb",
        "mid": "#c3c8cf",
        "dark": "#9aa1aa",
        "shadow": "#6e757e",
        "accent": "#2459d1",
        "accent_text": "#ffffff",
        "link": "#1f55c7",
        "visited": "#6a3fb8",
        "placeholder": "#646b75",
        "disabled": "#8a9099",
        "tooltip": "#2b2f36",
        "tooltip_text": "#f4f5f7",
        "rule": "#d5d9df",
        "hover": "#e4e7eb",
        "pressed": "#d5d9df",
    },
    "dark": {
        "window": "#1e2023",
        "text": "#e6e8eb",
        "base": "#25282d",
        "alternate": "#2b2e33",
        "button": "#2d3136",
        "light": "#3d4249",
        "midlight": "#32363c",
        "mid": "#41464e",
        "dark": "#111315",
        "shadow": "#0a0b0d",
        "accent": "#3a6fd8",
        "accent_text": "#ffffff",
        "link": "#7fa9ff",
        "visited": "#b59cf5",
        "placeholder": "#969ca6",
        "disabled": "#6f757e",
        "tooltip": "#e6e8eb",
        "tooltip_text": "#1e2023",
        "rule": "#363a41",
        "hover": "#2c3035",
        "pressed": "#363a41",
    },
}


def palette_for(scheme: str) -> QPalette:
    """The app's palette for "light" or "dark"."""
    c = {name: QColor(value) for name, value in SCHEMES[scheme].items()}
    palette = QPalette()
    roles = {
        Role.Window: c["window"],
        Role.WindowText: c["text"],
        Role.Base: c["base"],
        Role.AlternateBase: c["alternate"],
        Role.Text: c["text"],
        Role.Button: c["button"],
        Role.ButtonText: c["text"],
        Role.BrightText: c["accent_text"],
        Role.Light: c["light"],
        Role.Midlight: c["midlight"],
        Role.Mid: c["mid"],
        Role.Dark: c["dark"],
        Role.Shadow: c["shadow"],
        Role.Highlight: c["accent"],
        Role.HighlightedText: c["accent_text"],
        Role.Accent: c["accent"],
        Role.Link: c["link"],
        Role.LinkVisited: c["visited"],
        Role.PlaceholderText: c["placeholder"],
        Role.ToolTipBase: c["tooltip"],
        Role.ToolTipText: c["tooltip_text"],
    }
    for role, colour in roles.items():
        palette.setColor(role, colour)
    for role in (Role.WindowText, Role.Text, Role.ButtonText, Role.PlaceholderText):
        palette.setColor(Group.Disabled, role, c["disabled"])
    palette.setColor(Group.Disabled, Role.Highlight, c["mid"])
    palette.setColor(Group.Disabled, Role.Button, c["window"])
    return palette


def style_sheet_for(scheme: str) -> str:
    """``resources/theme.qss`` with the scheme's colours filled in."""
    text = resource_file("theme.qss").read_text(encoding="utf-8")
    for name, value in SCHEMES[scheme].items():
        text = text.replace(f"@{name}@", value)
    return text


class ThemeModel(QObject):
    """The theme chosen and the scheme in use; setting the choice applies it at once, and with
    "system" the desktop's light or dark setting is followed as it changes."""

    changed = Signal(str)  # the choice: "system", "light" or "dark"
    schemeChanged = Signal(str)  # the scheme in use: "light" or "dark"

    def __init__(self, choice: str = "system", parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._choice = choice if choice in THEME_LABELS else "system"
        self._scheme = ""
        self._windows: list[QWidget] = []
        # With "system" and a desktop that does not report its scheme: dark if its own
        # palette (read before the app's replaces it) is dark.
        self._desktop_dark = is_dark(QGuiApplication.palette())
        hints = QGuiApplication.styleHints()
        self._system = hints.colorScheme()
        hints.colorSchemeChanged.connect(self.system_scheme_changed)

    @property
    def choice(self) -> str:
        return self._choice

    @property
    def scheme(self) -> str:
        """ "light" or "dark": the choice, or with "system" the desktop's (light if unknown)."""
        if self._choice != "system":
            return self._choice
        system = self._system
        if system == Qt.ColorScheme.Unknown:
            return "dark" if self._desktop_dark else "light"
        return "dark" if system == Qt.ColorScheme.Dark else "light"

    def set_choice(self, choice: str) -> None:
        if choice not in THEME_LABELS:
            return
        if choice != self._choice:
            self._choice = choice
            self.changed.emit(choice)
        self.apply()

    def style_widget(self, window: QWidget) -> None:
        """Give `window` the theme's style sheet now and at every change (the toolbar only: a
        style sheet over the whole window would override the palettes that widgets such as the
        banners set for themselves)."""
        self._windows.append(window)
        window.setStyleSheet(style_sheet_for(self.scheme))

    def system_scheme_changed(self, scheme: Qt.ColorScheme) -> None:
        """The desktop switched between light and dark (QStyleHints.colorSchemeChanged)."""
        self._system = scheme
        if self._choice == "system":
            self.apply()

    def apply(self) -> None:
        """Fusion and the palette on the application, the style sheet on the windows given."""
        scheme = self.scheme
        if scheme == self._scheme:
            return
        self._scheme = scheme
        app = QApplication.instance()
        if isinstance(app, QApplication):
            if app.style().name().lower() != "fusion":
                app.setStyle("Fusion")
            app.setPalette(palette_for(scheme))
        sheet = style_sheet_for(scheme)
        for window in self._windows:
            window.setStyleSheet(sheet)
        self.schemeChanged.emit(scheme)


class ThemeFlow(QObject):
    """The theme saved in the settings, applied to `window` before it shows; the View → Theme
    menu and the Settings dialog change it live, and the choice is saved."""

    def __init__(
        self, *, window: QMainWindow, menu: ThemeMenu, prefs: Preferences, parent: QObject
    ) -> None:
        super().__init__(parent)
        self._prefs = prefs
        self._menu = menu
        toolbar = window.findChild(QToolBar, "mainToolbar")
        # Owned by the window's toolbar: when the window goes, so does the model, and with it
        # its following of the desktop's scheme.
        self.model = ThemeModel(prefs.settings.theme, toolbar or window)
        self.model.apply()
        if toolbar is not None:
            self.model.style_widget(toolbar)
        menu.set_current(self.model.choice)
        menu.chosen.connect(self._chosen)
        self.model.changed.connect(menu.set_current)

    def _chosen(self, choice: str) -> None:
        self.model.set_choice(choice)
        if self._prefs.settings.theme != choice:
            self._prefs.settings.theme = choice
            self._prefs.save()

    def follow_settings(self) -> None:
        """The settings changed (the dialog's OK): their theme, live."""
        self.model.set_choice(self._prefs.settings.theme)


ICON_FILES = ("grok-vision.svg", "grok-vision-256.png")


def app_icon(names: tuple[str, ...] = ICON_FILES) -> QIcon:
    icon = QIcon()
    for name in names:
        item = resource_file(name)
        if item.is_file():
            pixmap = QPixmap()
            pixmap.loadFromData(item.read_bytes())
            if not pixmap.isNull():
                icon.addPixmap(pixmap)
    return icon


def apply_app_identity(app: QApplication, icon_files: tuple[str, ...] = ICON_FILES) -> None:
    """The app's name and icon (the start shows the window with the PNG alone, then gives it
    the SVG too, which takes longer to load)."""
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setOrganizationName(APP_NAME)
    app.setDesktopFileName(APP_NAME)
    app.setWindowIcon(app_icon(icon_files))
