"""The toolbar's task preset picker, with the JSON-mode toggle and the way into the editor."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QToolButton, QWidget

if TYPE_CHECKING:
    from app.core.presets import Preset

JSON_TIP = 'Ask for a JSON object (response_format {"type": "json_object"})'


class PresetPicker(QWidget):
    """ "Preset: [UI / mockup critique ▾] [JSON] [Edit…]". Shows state, forwards intent."""

    presetChosen = Signal(str)  # a preset's name; "" for no preset
    jsonModeToggled = Signal(bool)
    editRequested = Signal(str)  # the preset to edit; "" for a new one

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("presetPickerBar")
        self.combo = QComboBox()
        self.combo.setObjectName("presetPicker")
        self.combo.setAccessibleName("Task preset")
        self.combo.setToolTip(
            "A task preset sets the system prompt, the question and the shape of the answer"
        )
        self.combo.setMinimumContentsLength(22)
        self.combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.combo.activated.connect(self._activated)
        self.json_toggle = QToolButton()
        self.json_toggle.setObjectName("jsonModeToggle")
        self.json_toggle.setText("JSON")
        self.json_toggle.setAccessibleName("JSON mode")
        self.json_toggle.setCheckable(True)
        self.json_toggle.setToolTip(JSON_TIP)
        self.json_toggle.toggled.connect(self._json_toggled)
        self.edit_button = QToolButton()
        self.edit_button.setObjectName("editPresetButton")
        self.edit_button.setText("Edit…")
        self.edit_button.setAccessibleName("Edit presets")
        self.edit_button.setToolTip("Edit this preset, or make a new one")
        self.edit_button.clicked.connect(lambda: self.editRequested.emit(self.current_name()))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel(" Preset: "))
        layout.addWidget(self.combo)
        layout.addWidget(self.json_toggle)
        layout.addWidget(self.edit_button)
        self._user_json = False
        self._updating = False
        self.set_presets([], "")

    def set_presets(self, presets: Sequence[Preset], current: str) -> None:
        self._updating = True
        try:
            self.combo.clear()
            self.combo.addItem("No preset", "")
            for preset in presets:
                self.combo.addItem(preset.title, preset.name)
                tip = preset.description or preset.title
                if preset.response != "text":
                    from app.core.presets import RESPONSE_LABELS

                    tip += f" — answers as: {RESPONSE_LABELS[preset.response]}"
                self.combo.setItemData(self.combo.count() - 1, tip, Qt.ItemDataRole.ToolTipRole)
            self.combo.setCurrentIndex(max(0, self.combo.findData(current)))
        finally:
            self._updating = False

    def current_name(self) -> str:
        data = self.combo.currentData()
        return str(data) if data else ""

    def select(self, name: str) -> None:
        """Show ``name`` as chosen (without emitting presetChosen)."""
        self.combo.setCurrentIndex(max(0, self.combo.findData(name)))

    def set_json_forced(self, forced: bool, reason: str = "") -> None:
        """A preset that answers in JSON checks and locks the toggle; otherwise it shows the
        user's own choice."""
        self._updating = True
        try:
            self.json_toggle.setChecked(True if forced else self._user_json)
            self.json_toggle.setEnabled(not forced)
            self.json_toggle.setToolTip(reason if forced and reason else JSON_TIP)
        finally:
            self._updating = False

    def json_mode(self) -> bool:
        return self._user_json

    def set_json_mode(self, on: bool) -> None:
        """Show the user's JSON choice as ``on`` (another conversation opened), without
        emitting jsonModeToggled."""
        self._user_json = on
        self.set_json_forced(False)

    def _activated(self, index: int) -> None:
        data = self.combo.itemData(index)
        self.presetChosen.emit(str(data) if data else "")

    def _json_toggled(self, checked: bool) -> None:
        if self._updating:
            return
        self._user_json = checked
        self.jsonModeToggled.emit(checked)
