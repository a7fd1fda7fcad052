"""The settings dialog: API key, endpoint, model, reply and input preferences.

Widgets only. The dialog shows the state it is given (settings, models, the keyring backend, the
result of a key check) and emits what the user asks for; the window's wiring calls the keystore
and the settings store. The key typed here is handed over once, in :attr:`saveRequested` or
:attr:`checkKeyRequested`, and the field is cleared whenever the dialog closes.

``app.ui`` must not import ``app.store`` (an import-linter contract), so the dialog takes any
settings dataclass with the fields of ``app.store.settings.Settings`` and builds the edited copy
with :func:`dataclasses.replace`: what it emits is of the same class it was given.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QHideEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.core.catalog import ModelInfo, context_window_for
from app.core.endpoints import PROFILES, base_url_problem, looks_like_key, profile_for
from app.core.limits import LIMIT_PROFILES
from app.ui.settings_fields import (
    KEY_IN_FIELD,
    MIN_CONTEXT_OVERRIDE,
    TEXT_ONLY_SUFFIX,
    SettingsLike,
    is_unencrypted_remote,
    model_label,
    model_note,
    model_tooltip,
    order_models,
)
from app.ui.settings_key import KeySection
from app.ui.tray_palette import error_color, level_color

__all__ = ["SettingsDialog", "SettingsLike", "is_unencrypted_remote"]


class SettingsDialog(QDialog):
    """Edits the settings; emits them with any new key on OK. Open it with ``open()``."""

    saveRequested = Signal(object, object)  # (settings, new key: str | None)
    checkKeyRequested = Signal(str, str)  # (key typed, or "" for the stored one; base URL)
    deleteKeyRequested = Signal()

    def __init__(
        self, settings: SettingsLike, models: Sequence[ModelInfo], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("settingsDialog")
        self.setWindowTitle("Settings")
        self.setAccessibleName("Settings")
        self._settings = settings
        self._overrides: dict[str, int] = dict(settings.context_overrides)
        self._models: dict[str, ModelInfo] = {}
        self._errors: dict[QWidget, QLabel] = {}

        layout = QVBoxLayout(self)
        layout.addWidget(self._build_key_group())
        layout.addWidget(self._build_model_group())
        layout.addWidget(self._build_reply_group())
        self._buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self._buttons.setObjectName("buttonBox")
        ok = self._buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setObjectName("okButton")
        ok.setAccessibleName("Save settings")
        cancel = self._buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setObjectName("cancelButton")
        cancel.setAccessibleName("Cancel")
        self._buttons.accepted.connect(self._on_ok)
        self._buttons.rejected.connect(self.reject)
        layout.addWidget(self._buttons)

        self._load(settings)
        self.set_models(models)

    # --- building -------------------------------------------------------------------------

    def _build_key_group(self) -> QGroupBox:
        self._key_section = section = KeySection(self)
        self._key_edit = section.key_edit
        self._add_error(section.form, section.key_edit, "apiKeyError")
        section.add_rest()
        section.checkRequested.connect(self._on_check_key)
        section.deleteRequested.connect(self.deleteKeyRequested)
        return section

    def _build_model_group(self) -> QGroupBox:
        group = QGroupBox("Endpoint and model", self)
        form = QFormLayout(group)

        self._profile_combo = QComboBox(group)
        self._profile_combo.setObjectName("endpointCombo")
        self._profile_combo.setAccessibleName("Endpoint")
        self._profile_combo.setToolTip("Each endpoint keeps its own key in the keyring.")
        for profile in PROFILES.values():
            self._profile_combo.addItem(profile.label, profile.name)
        self._profile_combo.activated.connect(self._on_profile_chosen)
        profile_label = QLabel("E&ndpoint:", group)
        profile_label.setBuddy(self._profile_combo)
        form.addRow(profile_label, self._profile_combo)

        self._url_edit = QLineEdit(group)
        self._url_edit.setObjectName("baseUrlEdit")
        self._url_edit.setAccessibleName("API address (base URL)")
        self._url_edit.setPlaceholderText("https://api.x.ai/v1")
        self._url_edit.textChanged.connect(self._on_url_changed)
        url_label = QLabel("API &address:", group)
        url_label.setBuddy(self._url_edit)
        form.addRow(url_label, self._url_edit)
        self._url_warning = QLabel(
            "Plain http:// to another computer: the key would travel unencrypted. "
            "Use https:// unless this is a server you trust on your own network.",
            group,
        )
        self._url_warning.setObjectName("baseUrlWarningLabel")
        self._url_warning.setAccessibleName("API address warning")
        self._url_warning.setWordWrap(True)
        self._url_warning.setVisible(False)
        self._url_warning.setStyleSheet(f"color: {level_color(self.palette(), 'warn').name()};")
        form.addRow(self._url_warning)
        self._add_error(form, self._url_edit, "baseUrlError")

        self._model_combo = self._make_model_combo(group)
        model_label_widget = QLabel("&Model:", group)
        model_label_widget.setBuddy(self._model_combo)
        form.addRow(model_label_widget, self._model_combo)
        self._model_info = QLabel("", group)
        self._model_info.setObjectName("modelInfoLabel")
        self._model_info.setAccessibleName("About this model")
        self._model_info.setWordWrap(True)
        form.addRow(self._model_info)
        self._add_error(form, self._model_combo, "modelError")

        self._context_spin = QSpinBox(group)
        self._context_spin.setObjectName("contextSpin")
        self._context_spin.setAccessibleName("Context window override (0 uses the known value)")
        self._context_spin.setRange(0, 100_000_000)
        self._context_spin.setSingleStep(1024)
        self._context_spin.setGroupSeparatorShown(True)
        self._context_spin.setSuffix(" tokens")
        self._context_spin.setToolTip(
            "The model's context window in tokens, if you know it better than the built-in "
            "table. 0 uses the known value."
        )
        self._context_spin.valueChanged.connect(self._on_context_changed)
        context_label = QLabel("&Context window:", group)
        context_label.setBuddy(self._context_spin)
        form.addRow(context_label, self._context_spin)
        self._add_error(form, self._context_spin, "contextError")
        return group

    def _make_model_combo(self, parent: QWidget) -> QComboBox:
        combo = QComboBox(parent)
        combo.setObjectName("modelCombo")
        combo.setAccessibleName("Model")
        combo.setEditable(True)
        combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(24)
        # A popup, not inline completion: inline completion would silently lengthen a typed id
        # that is the prefix of a listed one ("grok-3" into "grok-3-mini").
        completer = QCompleter(combo.model(), combo)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        combo.setCompleter(completer)
        combo.currentTextChanged.connect(self._on_model_changed)
        return combo

    def _build_reply_group(self) -> QGroupBox:
        group = QGroupBox("Replies and input", self)
        form = QFormLayout(group)

        self._temperature_spin = QDoubleSpinBox(group)
        self._temperature_spin.setObjectName("temperatureSpin")
        self._temperature_spin.setAccessibleName("Temperature")
        self._temperature_spin.setDecimals(2)
        self._temperature_spin.setRange(-0.1, 2.0)
        self._temperature_spin.setSingleStep(0.1)
        self._temperature_spin.setSpecialValueText("Server default")
        self._temperature_spin.setToolTip(
            "0 gives the most predictable replies, 2 the most varied. "
            "The lowest step is the server's own default."
        )
        temperature_label = QLabel("&Temperature:", group)
        temperature_label.setBuddy(self._temperature_spin)
        form.addRow(temperature_label, self._temperature_spin)
        self._add_error(form, self._temperature_spin, "temperatureError")

        self._max_tokens_spin = QSpinBox(group)
        self._max_tokens_spin.setObjectName("maxTokensSpin")
        self._max_tokens_spin.setAccessibleName("Maximum reply tokens")
        self._max_tokens_spin.setRange(1, 1_000_000)
        self._max_tokens_spin.setSingleStep(256)
        self._max_tokens_spin.setGroupSeparatorShown(True)
        self._max_tokens_spin.setSuffix(" tokens")
        self._max_tokens_spin.setToolTip(
            "The longest reply the model may write. This room is kept free in the budget."
        )
        max_tokens_label = QLabel("Max &reply length:", group)
        max_tokens_label.setBuddy(self._max_tokens_spin)
        form.addRow(max_tokens_label, self._max_tokens_spin)

        self._limits_combo = QComboBox(group)
        self._limits_combo.setObjectName("limitsCombo")
        self._limits_combo.setAccessibleName("Image limits")
        for name, profile in LIMIT_PROFILES.items():
            self._limits_combo.addItem(profile.label, name)
        limits_label = QLabel("&Image limits:", group)
        limits_label.setBuddy(self._limits_combo)
        form.addRow(limits_label, self._limits_combo)

        self._enter_sends = QCheckBox(
            "&Enter sends the message (when off, Enter starts a new line; Ctrl+Enter always sends)",
            group,
        )
        self._enter_sends.setObjectName("enterSendsCheck")
        self._enter_sends.setAccessibleName("Enter sends the message")
        form.addRow(self._enter_sends)

        self._prompt_edit = QPlainTextEdit(group)
        self._prompt_edit.setObjectName("systemPromptEdit")
        self._prompt_edit.setAccessibleName("Default system prompt")
        self._prompt_edit.setPlaceholderText("Instructions for new conversations (optional)")
        self._prompt_edit.setTabChangesFocus(True)
        self._prompt_edit.setMaximumHeight(self.fontMetrics().lineSpacing() * 6)
        prompt_label = QLabel("Default &system prompt:", group)
        prompt_label.setBuddy(self._prompt_edit)
        form.addRow(prompt_label, self._prompt_edit)
        self._add_error(form, self._prompt_edit, "systemPromptError")
        return group

    def _add_error(self, form: QFormLayout, field: QWidget, name: str) -> None:
        label = QLabel("", field.parentWidget())
        label.setObjectName(name)
        label.setAccessibleName(f"Error: {field.accessibleName()}")
        label.setWordWrap(True)
        label.setVisible(False)
        label.setStyleSheet(f"color: {error_color(self.palette()).name()};")
        form.addRow(label)
        self._errors[field] = label

    def _load(self, settings: SettingsLike) -> None:
        self._overrides = dict(settings.context_overrides)
        self._url_edit.setText(settings.base_url)
        self._temperature_spin.setValue(
            self._temperature_spin.minimum()
            if settings.temperature is None
            else settings.temperature
        )
        self._max_tokens_spin.setValue(settings.max_tokens)
        index = self._limits_combo.findData(settings.limits_profile)
        self._limits_combo.setCurrentIndex(max(index, 0))
        self._enter_sends.setChecked(settings.enter_sends)
        self._prompt_edit.setPlainText(settings.system_prompt)
        index = self._model_combo.findData(settings.model)
        if index >= 0:
            self._model_combo.setCurrentIndex(index)
        else:
            self._model_combo.setEditText(settings.model)
        self._on_model_changed()
        for widget in self._errors:
            self._set_error(widget, None)

    # --- state from the wiring ------------------------------------------------------------

    def set_backend(self, name: str, secure: bool, detail: str, has_stored_key: bool) -> None:
        """Show which keyring backend holds the key and whether one is stored there."""
        self._key_section.set_backend(name, secure, detail, has_stored_key)

    def set_check_result(self, ok: bool, text: str) -> None:
        """Show the outcome of a key check asked for with :attr:`checkKeyRequested`."""
        self._key_section.set_check_result(ok, text)

    def set_models(self, models: Sequence[ModelInfo]) -> None:
        """Fill the model list: image-capable first, text-only ones marked."""
        current = self.model_id()
        ordered = order_models(models)
        self._models = {m.id: m for m in ordered}
        combo = self._model_combo
        combo.blockSignals(True)
        try:
            combo.clear()
            for model in ordered:
                combo.addItem(model_label(model), model.id)
                combo.setItemData(
                    combo.count() - 1, model_tooltip(model), Qt.ItemDataRole.ToolTipRole
                )
            index = combo.findData(current)
            if index >= 0:
                combo.setCurrentIndex(index)
            else:
                combo.setCurrentIndex(-1)
                combo.setEditText(current)
        finally:
            combo.blockSignals(False)
        self._on_model_changed()

    # --- reading the fields ---------------------------------------------------------------

    def model_id(self) -> str:
        """The model id chosen or typed (without the " (text only)" mark)."""
        text = self._model_combo.currentText().strip()
        index = self._model_combo.findText(
            text, Qt.MatchFlag.MatchFixedString | Qt.MatchFlag.MatchCaseSensitive
        )
        if index >= 0:
            data = self._model_combo.itemData(index)
            if isinstance(data, str):
                return data
        if text.endswith(TEXT_ONLY_SUFFIX.strip()):
            text = text.removesuffix(TEXT_ONLY_SUFFIX.strip()).strip()
        return text

    def _temperature(self) -> float | None:
        spin = self._temperature_spin
        if spin.value() <= spin.minimum() + 1e-9:
            return None
        return round(spin.value(), 2)

    def _key(self) -> str:
        return self._key_section.key()

    # --- reactions ------------------------------------------------------------------------

    def _on_url_changed(self, text: str) -> None:
        self._url_warning.setVisible(is_unencrypted_remote(text))
        self._set_error(self._url_edit, None)
        profile = profile_for(text)
        self._profile_combo.setCurrentIndex(max(0, self._profile_combo.findData(profile.name)))

    def _on_profile_chosen(self, index: int) -> None:
        """A profile picked: its address (a custom server's is typed) and image limits."""
        profile = PROFILES.get(str(self._profile_combo.itemData(index)))
        if profile is None:
            return
        if profile.base_url:
            self._url_edit.setText(profile.base_url)
        elif profile_for(self._url_edit.text()) is not profile:
            self._url_edit.setText("http://localhost:8000/v1")
            self._url_edit.setFocus(Qt.FocusReason.OtherFocusReason)
            self._url_edit.selectAll()
        self._profile_combo.setCurrentIndex(index)
        limits = self._limits_combo.findData(profile.limits_profile)
        if limits >= 0:
            self._limits_combo.setCurrentIndex(limits)
        if not self._key_edit.text():
            self._key_edit.setPlaceholderText(profile.key_hint)

    def _on_model_changed(self, _text: str = "") -> None:
        model_id = self.model_id()
        info = self._models.get(model_id)
        known = info.context_window if info is not None and info.context_window else None
        window, is_known = context_window_for(model_id, known)
        self._context_spin.setSpecialValueText(
            f"Known: {window:,}" if is_known else f"unknown model: assumed {window:,}"
        )
        self._context_spin.blockSignals(True)
        self._context_spin.setValue(self._overrides.get(model_id, 0))
        self._context_spin.blockSignals(False)
        self._model_info.setText(
            model_note(model_id, info, window, is_known, listed=bool(self._models))
        )
        self._set_error(self._model_combo, None)
        self._set_error(self._context_spin, None)

    def _on_context_changed(self, value: int) -> None:
        model_id = self.model_id()
        if not model_id:
            return
        if value == 0:
            self._overrides.pop(model_id, None)
        elif value >= MIN_CONTEXT_OVERRIDE:
            self._overrides[model_id] = value
        self._set_error(self._context_spin, None)

    def _on_check_key(self) -> None:
        key_error = self._key_section.problem(storing=False)
        self._set_error(self._key_edit, key_error)
        url_error = base_url_problem(self._url_edit.text())
        self._set_error(self._url_edit, url_error)
        if key_error or url_error:
            return
        self._key_section.checking()
        self.checkKeyRequested.emit(self._key(), self._url_edit.text().strip())

    def _on_ok(self) -> None:
        problems = self._problems()
        for widget in self._errors:
            self._set_error(widget, problems.get(widget))
        if problems:
            first = next(w for w in self._errors if w in problems)
            first.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        model_id = self.model_id()
        overrides = dict(self._overrides)
        context = self._context_spin.value()
        if context:
            overrides[model_id] = context
        else:
            overrides.pop(model_id, None)
        settings = dataclasses.replace(
            self._settings,
            base_url=self._url_edit.text().strip(),
            model=model_id,
            context_overrides=overrides,
            temperature=self._temperature(),
            max_tokens=self._max_tokens_spin.value(),
            limits_profile=str(self._limits_combo.currentData() or "xai"),
            enter_sends=self._enter_sends.isChecked(),
            system_prompt=self._prompt_edit.toPlainText(),
        )
        key = self._key() or None
        self._settings = settings
        self.saveRequested.emit(settings, key)
        self.accept()

    def _problems(self) -> dict[QWidget, str]:
        problems: dict[QWidget, str] = {}
        key_error = self._key_section.problem(storing=True)
        if key_error:
            problems[self._key_edit] = key_error
        url_error = base_url_problem(self._url_edit.text())
        if url_error:
            problems[self._url_edit] = url_error
        model_id = self.model_id()
        if not model_id or any(char.isspace() for char in model_id):
            problems[self._model_combo] = "Choose a model from the list or type its id (no spaces)."
        elif looks_like_key(model_id):
            problems[self._model_combo] = KEY_IN_FIELD
        context = self._context_spin.value()
        if 0 < context < MIN_CONTEXT_OVERRIDE:
            problems[self._context_spin] = (
                "The context window must be at least 1,024 tokens, or 0 to use the known value."
            )
        if self._temperature_spin.value() < 0 and self._temperature() is not None:
            problems[self._temperature_spin] = (
                "The temperature must be between 0 and 2 (or the server default)."
            )
        if looks_like_key(self._prompt_edit.toPlainText()):
            problems[self._prompt_edit] = KEY_IN_FIELD
        return problems

    def _set_error(self, widget: QWidget, text: str | None) -> None:
        label = self._errors[widget]
        label.setText(text or "")
        label.setVisible(bool(text))

    # --- closing --------------------------------------------------------------------------

    def done(self, result: int) -> None:
        """Close (OK or Cancel), forgetting the key typed; Cancel also drops the edits."""
        self._forget_key()
        if result != QDialog.DialogCode.Accepted.value:
            self._load(self._settings)
        super().done(result)

    def hideEvent(self, event: QHideEvent) -> None:
        if not event.spontaneous():  # not when the window system merely minimises it
            self._forget_key()
        super().hideEvent(event)

    def _forget_key(self) -> None:
        self._key_section.forget()
        self._set_error(self._key_edit, None)
