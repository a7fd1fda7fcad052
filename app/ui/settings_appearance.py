"""The appearance part of the settings dialog: the theme (System, Light or Dark)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QComboBox, QFormLayout, QGroupBox, QLabel, QWidget

from app.ui.theme_choices import THEME_LABELS

if TYPE_CHECKING:
    from app.ui.settings_fields import SettingsLike


class AppearanceSection(QGroupBox):
    """Chooses the theme; the dialog saves it and the app applies it at once."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__("Appearance", parent)
        form = QFormLayout(self)
        self.theme_combo = QComboBox(self)
        self.theme_combo.setObjectName("themeCombo")
        self.theme_combo.setAccessibleName("Theme")
        for key, text in THEME_LABELS.items():
            self.theme_combo.addItem(text, key)
        self.theme_combo.setToolTip("System follows your desktop's light or dark setting")
        label = QLabel("T&heme:", self)
        label.setBuddy(self.theme_combo)
        form.addRow(label, self.theme_combo)

    def load(self, settings: SettingsLike) -> None:
        index = self.theme_combo.findData(settings.theme)
        self.theme_combo.setCurrentIndex(max(index, 0))

    def theme(self) -> str:
        return str(self.theme_combo.currentData() or "system")
