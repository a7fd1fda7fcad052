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
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from app.core.catalog import ModelInfo
from app.core.endpoints import EndpointProfile, base_url_problem, looks_like_key
from app.ui.settings_appearance import AppearanceSection
from app.ui.settings_endpoint import EndpointSection
from app.ui.settings_fields import (
    KEY_IN_FIELD,
    MIN_CONTEXT_OVERRIDE,
    SettingsLike,
    is_unencrypted_remote,
)
from app.ui.settings_key import KeySection
from app.ui.settings_reply import ReplySection
from app.ui.tray_palette import error_color

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
        self._errors: dict[QWidget, QLabel] = {}

        layout = QVBoxLayout(self)
        layout.addWidget(self._build_key_group())
        self._endpoint = EndpointSection(self, self._add_error, self._set_error)
        self._endpoint.profileChosen.connect(self._on_profile_chosen)
        self._url_edit = self._endpoint.url_edit
        self._model_combo = self._endpoint.model_combo
        self._context_spin = self._endpoint.context_spin
        layout.addWidget(self._endpoint)
        self._reply = ReplySection(self, self._add_error)
        self._temperature_spin = self._reply.temperature_spin
        self._prompt_edit = self._reply.prompt_edit
        layout.addWidget(self._reply)
        self._appearance = AppearanceSection(self)
        layout.addWidget(self._appearance)
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
        self._endpoint.load(settings)
        self._reply.load(settings)
        self._appearance.load(settings)
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
        self._endpoint.set_models(models)

    # --- reading the fields ---------------------------------------------------------------

    def model_id(self) -> str:
        """The model id chosen or typed (without the " (text only)" mark)."""
        return self._endpoint.model_id()

    def _temperature(self) -> float | None:
        return self._reply.temperature()

    def _key(self) -> str:
        return self._key_section.key()

    # --- reactions ------------------------------------------------------------------------

    def _on_profile_chosen(self, profile: EndpointProfile) -> None:
        """A profile picked (its address is set): its image limits and key hint follow."""
        self._reply.select_limits(profile.limits_profile)
        if not self._key_edit.text():
            self._key_edit.setPlaceholderText(profile.key_hint)

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
        reply = self._reply
        settings = dataclasses.replace(
            self._settings,
            base_url=self._url_edit.text().strip(),
            model=self.model_id(),
            context_overrides=self._endpoint.edited_overrides(),
            api_choices=self._endpoint.edited_api_choices(),
            temperature=self._temperature(),
            max_tokens=reply.max_tokens_spin.value(),
            limits_profile=str(reply.limits_combo.currentData() or "xai"),
            enter_sends=reply.enter_sends.isChecked(),
            titles=str(reply.titles_combo.currentData() or "auto"),
            system_prompt=self._prompt_edit.toPlainText(),
            theme=self._appearance.theme(),
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
