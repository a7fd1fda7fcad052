"""The replies and input part of the settings dialog: temperature, length, limits, prompt."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QPlainTextEdit,
    QSpinBox,
    QWidget,
)

from app.core.limits import LIMIT_PROFILES
from app.ui.settings_fields import SettingsLike

TITLE_LABELS = {
    "auto": "Written by a small model (made here when there is none)",
    "local": "Made on this computer",
    "off": "Off: the first question",
}


class ReplySection(QGroupBox):
    """Edits how replies are asked for and how input behaves; the dialog validates and saves."""

    def __init__(
        self, parent: QWidget, add_error: Callable[[QFormLayout, QWidget, str], None]
    ) -> None:
        super().__init__("Replies and input", parent)
        form = QFormLayout(self)

        self.temperature_spin = QDoubleSpinBox(self)
        self.temperature_spin.setObjectName("temperatureSpin")
        self.temperature_spin.setAccessibleName("Temperature")
        self.temperature_spin.setDecimals(2)
        self.temperature_spin.setRange(-0.1, 2.0)
        self.temperature_spin.setSingleStep(0.1)
        self.temperature_spin.setSpecialValueText("Server default")
        self.temperature_spin.setToolTip(
            "0 gives the most predictable replies, 2 the most varied. "
            "The lowest step is the server's own default."
        )
        temperature_label = QLabel("&Temperature:", self)
        temperature_label.setBuddy(self.temperature_spin)
        form.addRow(temperature_label, self.temperature_spin)
        add_error(form, self.temperature_spin, "temperatureError")

        self.max_tokens_spin = QSpinBox(self)
        self.max_tokens_spin.setObjectName("maxTokensSpin")
        self.max_tokens_spin.setAccessibleName("Maximum reply tokens")
        self.max_tokens_spin.setRange(1, 1_000_000)
        self.max_tokens_spin.setSingleStep(256)
        self.max_tokens_spin.setGroupSeparatorShown(True)
        self.max_tokens_spin.setSuffix(" tokens")
        self.max_tokens_spin.setToolTip(
            "The longest reply the model may write. This room is kept free in the budget."
        )
        max_tokens_label = QLabel("Max &reply length:", self)
        max_tokens_label.setBuddy(self.max_tokens_spin)
        form.addRow(max_tokens_label, self.max_tokens_spin)

        self.limits_combo = QComboBox(self)
        self.limits_combo.setObjectName("limitsCombo")
        self.limits_combo.setAccessibleName("Image limits")
        for name, profile in LIMIT_PROFILES.items():
            self.limits_combo.addItem(profile.label, name)
        limits_label = QLabel("&Image limits:", self)
        limits_label.setBuddy(self.limits_combo)
        form.addRow(limits_label, self.limits_combo)

        self.enter_sends = QCheckBox(
            "&Enter sends the message (when off, Enter starts a new line; Ctrl+Enter always sends)",
            self,
        )
        self.enter_sends.setObjectName("enterSendsCheck")
        self.enter_sends.setAccessibleName("Enter sends the message")
        form.addRow(self.enter_sends)

        self._add_titles(form)

        self.prompt_edit = QPlainTextEdit(self)
        self.prompt_edit.setObjectName("systemPromptEdit")
        self.prompt_edit.setAccessibleName("Default system prompt")
        self.prompt_edit.setPlaceholderText("Instructions for new conversations (optional)")
        self.prompt_edit.setTabChangesFocus(True)
        self.prompt_edit.setMaximumHeight(self.fontMetrics().lineSpacing() * 6)
        prompt_label = QLabel("Default &system prompt:", self)
        prompt_label.setBuddy(self.prompt_edit)
        form.addRow(prompt_label, self.prompt_edit)
        add_error(form, self.prompt_edit, "systemPromptError")

    def _add_titles(self, form: QFormLayout) -> None:
        self.titles_combo = QComboBox(self)
        self.titles_combo.setObjectName("titlesCombo")
        self.titles_combo.setAccessibleName("Conversation titles")
        for mode, label in TITLE_LABELS.items():
            self.titles_combo.addItem(label, mode)
        self.titles_combo.setToolTip(
            "After the first reply: a few words from a small, cheap model of the endpoint "
            "(a fraction of a cent), or made on this computer, or none (the first question)."
        )
        titles_label = QLabel("Conversation tit&les:", self)
        titles_label.setBuddy(self.titles_combo)
        form.addRow(titles_label, self.titles_combo)

    def load(self, settings: SettingsLike) -> None:
        self.temperature_spin.setValue(
            self.temperature_spin.minimum()
            if settings.temperature is None
            else settings.temperature
        )
        self.max_tokens_spin.setValue(settings.max_tokens)
        self.select_limits(settings.limits_profile, fallback=True)
        self.enter_sends.setChecked(settings.enter_sends)
        self.titles_combo.setCurrentIndex(max(0, self.titles_combo.findData(settings.titles)))
        self.prompt_edit.setPlainText(settings.system_prompt)

    def select_limits(self, name: str, *, fallback: bool = False) -> None:
        """Choose the image limits profile `name`; if unknown, the first one (with `fallback`)
        or no change."""
        index = self.limits_combo.findData(name)
        if index >= 0 or fallback:
            self.limits_combo.setCurrentIndex(max(index, 0))

    def temperature(self) -> float | None:
        """The temperature chosen; None for the server's default (the lowest step)."""
        spin = self.temperature_spin
        if spin.value() <= spin.minimum() + 1e-9:
            return None
        return round(spin.value(), 2)
