"""The endpoint and model part of the settings dialog: profile, address, model, context window."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from app.core.catalog import ModelInfo, context_window_for
from app.core.endpoints import PROFILES, key_account, profile_for
from app.ui.settings_fields import (
    MIN_CONTEXT_OVERRIDE,
    TEXT_ONLY_SUFFIX,
    SettingsLike,
    is_unencrypted_remote,
    model_label,
    model_note,
    model_tooltip,
    order_models,
)
from app.ui.tray_palette import level_color

API_LABELS = (
    ("Automatic (Responses where the endpoint has it)", "auto"),
    ("Responses", "responses"),
    ("Chat Completions", "chat"),
)
AddError = Callable[[QFormLayout, QWidget, str], None]  # (form, field, label's object name)
SetError = Callable[[QWidget, str | None], None]


class EndpointSection(QGroupBox):
    """Edits the address, model and context window override; the dialog validates and saves.
    Error labels are the dialog's: it passes how to add one under a field and how to set one."""

    profileChosen = Signal(object)  # an EndpointProfile picked from the list

    def __init__(self, parent: QWidget, add_error: AddError, set_error: SetError) -> None:
        super().__init__("Endpoint and model", parent)
        self._set_error = set_error
        self.overrides: dict[str, int] = {}
        self._api_choices: dict[str, str] = {}
        self._models: dict[str, ModelInfo] = {}
        form = QFormLayout(self)

        self.profile_combo = QComboBox(self)
        self.profile_combo.setObjectName("endpointCombo")
        self.profile_combo.setAccessibleName("Endpoint")
        self.profile_combo.setToolTip("Each endpoint keeps its own key in the keyring.")
        for profile in PROFILES.values():
            self.profile_combo.addItem(profile.label, profile.name)
        self.profile_combo.activated.connect(self._on_profile_chosen)
        profile_label = QLabel("E&ndpoint:", self)
        profile_label.setBuddy(self.profile_combo)
        form.addRow(profile_label, self.profile_combo)

        self.url_edit = QLineEdit(self)
        self.url_edit.setObjectName("baseUrlEdit")
        self.url_edit.setAccessibleName("API address (base URL)")
        self.url_edit.setPlaceholderText("https://api.x.ai/v1")
        self.url_edit.textChanged.connect(self._on_url_changed)
        url_label = QLabel("API &address:", self)
        url_label.setBuddy(self.url_edit)
        form.addRow(url_label, self.url_edit)
        self._url_warning = self._make_url_warning()
        form.addRow(self._url_warning)
        add_error(form, self.url_edit, "baseUrlError")
        self.api_combo = self._make_api_combo()
        api_label = QLabel("A&PI:", self)
        api_label.setBuddy(self.api_combo)
        form.addRow(api_label, self.api_combo)

        self.model_combo = self._make_model_combo()
        model_label_widget = QLabel("&Model:", self)
        model_label_widget.setBuddy(self.model_combo)
        form.addRow(model_label_widget, self.model_combo)
        self._model_info = QLabel("", self)
        self._model_info.setObjectName("modelInfoLabel")
        self._model_info.setAccessibleName("About this model")
        self._model_info.setWordWrap(True)
        form.addRow(self._model_info)
        add_error(form, self.model_combo, "modelError")

        self.context_spin = self._make_context_spin()
        context_label = QLabel("&Context window:", self)
        context_label.setBuddy(self.context_spin)
        form.addRow(context_label, self.context_spin)
        add_error(form, self.context_spin, "contextError")

    def _make_url_warning(self) -> QLabel:
        label = QLabel(
            "Plain http:// to another computer: the key would travel unencrypted. "
            "Use https:// unless this is a server you trust on your own network.",
            self,
        )
        label.setObjectName("baseUrlWarningLabel")
        label.setAccessibleName("API address warning")
        label.setWordWrap(True)
        label.setVisible(False)
        label.setStyleSheet(f"color: {level_color(self.palette(), 'warn').name()};")
        return label

    def _make_context_spin(self) -> QSpinBox:
        spin = QSpinBox(self)
        spin.setObjectName("contextSpin")
        spin.setAccessibleName("Context window override (0 uses the known value)")
        spin.setRange(0, 100_000_000)
        spin.setSingleStep(1024)
        spin.setGroupSeparatorShown(True)
        spin.setSuffix(" tokens")
        spin.setToolTip(
            "The model's context window in tokens, if you know it better than the built-in "
            "table. 0 uses the known value."
        )
        spin.valueChanged.connect(self._on_context_changed)
        return spin

    def _make_api_combo(self) -> QComboBox:
        combo = QComboBox(self)
        combo.setObjectName("apiCombo")
        combo.setAccessibleName("API")
        combo.setToolTip(
            "Responses is xAI's recommended API (reasoning summaries, sealed reasoning kept "
            "across turns); Chat Completions is what every OpenAI-compatible server speaks. "
            "Automatic tries Responses once and falls back, saying so."
        )
        for label, value in API_LABELS:
            combo.addItem(label, value)
        return combo

    def _make_model_combo(self) -> QComboBox:
        combo = QComboBox(self)
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

    def load(self, settings: SettingsLike) -> None:
        self.overrides = dict(settings.context_overrides)
        self._api_choices = dict(settings.api_choices)
        self.url_edit.setText(settings.base_url)
        chosen = self._api_choices.get(key_account(settings.base_url), "auto")
        self.api_combo.setCurrentIndex(max(0, self.api_combo.findData(chosen)))
        index = self.model_combo.findData(settings.model)
        if index >= 0:
            self.model_combo.setCurrentIndex(index)
        else:
            self.model_combo.setEditText(settings.model)
        self._on_model_changed()

    def set_models(self, models: Sequence[ModelInfo]) -> None:
        """Fill the model list: image-capable first, text-only ones marked."""
        current = self.model_id()
        ordered = order_models(models)
        self._models = {m.id: m for m in ordered}
        combo = self.model_combo
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

    def model_id(self) -> str:
        """The model id chosen or typed (without the " (text only)" mark)."""
        text = self.model_combo.currentText().strip()
        index = self.model_combo.findText(
            text, Qt.MatchFlag.MatchFixedString | Qt.MatchFlag.MatchCaseSensitive
        )
        if index >= 0:
            data = self.model_combo.itemData(index)
            if isinstance(data, str):
                return data
        if text.endswith(TEXT_ONLY_SUFFIX.strip()):
            text = text.removesuffix(TEXT_ONLY_SUFFIX.strip()).strip()
        return text

    def edited_api_choices(self) -> dict[str, str]:
        """Each endpoint's API choice with the one shown for the address typed."""
        choices = dict(self._api_choices)
        account = key_account(self.url_edit.text())
        chosen = str(self.api_combo.currentData() or "auto")
        if chosen == "auto":
            choices.pop(account, None)
        else:
            choices[account] = chosen
        return choices

    def edited_overrides(self) -> dict[str, int]:
        """The context window overrides with the one shown for the chosen model."""
        model_id = self.model_id()
        overrides = dict(self.overrides)
        context = self.context_spin.value()
        if context:
            overrides[model_id] = context
        else:
            overrides.pop(model_id, None)
        return overrides

    def _on_url_changed(self, text: str) -> None:
        self._url_warning.setVisible(is_unencrypted_remote(text))
        self._set_error(self.url_edit, None)
        profile = profile_for(text)
        self.profile_combo.setCurrentIndex(max(0, self.profile_combo.findData(profile.name)))

    def _on_profile_chosen(self, index: int) -> None:
        """A profile picked: its address (a custom server's is typed); the dialog follows with
        its image limits and key hint."""
        profile = PROFILES.get(str(self.profile_combo.itemData(index)))
        if profile is None:
            return
        if profile.base_url:
            self.url_edit.setText(profile.base_url)
        elif profile_for(self.url_edit.text()) is not profile:
            self.url_edit.setText("http://localhost:8000/v1")
            self.url_edit.setFocus(Qt.FocusReason.OtherFocusReason)
            self.url_edit.selectAll()
        self.profile_combo.setCurrentIndex(index)
        self.profileChosen.emit(profile)

    def _on_model_changed(self, _text: str = "") -> None:
        model_id = self.model_id()
        info = self._models.get(model_id)
        known = info.context_window if info is not None and info.context_window else None
        window, is_known = context_window_for(model_id, known)
        self.context_spin.setSpecialValueText(
            f"Known: {window:,}" if is_known else f"unknown model: assumed {window:,}"
        )
        self.context_spin.blockSignals(True)
        self.context_spin.setValue(self.overrides.get(model_id, 0))
        self.context_spin.blockSignals(False)
        self._model_info.setText(
            model_note(model_id, info, window, is_known, listed=bool(self._models))
        )
        self._set_error(self.model_combo, None)
        self._set_error(self.context_spin, None)

    def _on_context_changed(self, value: int) -> None:
        model_id = self.model_id()
        if not model_id:
            return
        if value == 0:
            self.overrides.pop(model_id, None)
        elif value >= MIN_CONTEXT_OVERRIDE:
            self.overrides[model_id] = value
        self._set_error(self.context_spin, None)
