"""A simple editor for one task preset (opened with open(), never exec())."""

from __future__ import annotations

import json
from collections.abc import Collection

from PySide6.QtCore import Qt, Signal, SignalInstance
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.core.presets import (
    PLACEHOLDER,
    RESPONSE_KINDS,
    RESPONSE_LABELS,
    Preset,
    ResponseKind,
    problems,
    slug,
)

FEW_SHOT_HINT = (
    "The model's instructions. Few-shot examples go here too, e.g.\n"
    "Example question: …\nExample answer: …"
)


class PresetEditor(QDialog):
    """Edits ``preset`` (or a new one when it is None). Save keeps it under its id (a built-in
    edited this way replaces the built-in), Save as new keeps a copy under a new id."""

    saved = Signal(object)  # Preset
    restoreRequested = Signal(str)  # a built-in's name: drop the user's version
    deleteRequested = Signal(str)  # a user preset's name

    def __init__(
        self,
        preset: Preset | None,
        taken: Collection[str],
        *,
        overrides_builtin: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("presetEditor")
        self.setWindowTitle("Edit preset" if preset else "New preset")
        self._original = preset
        self._taken = set(taken)
        self.title = QLineEdit(preset.title if preset else "")
        self.title.setObjectName("presetTitle")
        self.system_prompt = QPlainTextEdit(preset.system_prompt if preset else "")
        self.system_prompt.setObjectName("presetSystemPrompt")
        self.system_prompt.setPlaceholderText(FEW_SHOT_HINT)
        self.template = QLineEdit(preset.template if preset else "")
        self.template.setObjectName("presetTemplate")
        self.template.setPlaceholderText(f"Optional, e.g. “Focus on the header. {PLACEHOLDER}”")
        self.default_question = QLineEdit(preset.default_question if preset else "")
        self.default_question.setObjectName("presetDefaultQuestion")
        self.default_question.setPlaceholderText("Asked when the composer is empty")
        self.response = QComboBox()
        self.response.setObjectName("presetResponse")
        for kind in RESPONSE_KINDS:
            self.response.addItem(RESPONSE_LABELS[kind], kind)
        self.response.setCurrentIndex(
            max(0, self.response.findData(preset.response if preset else "text"))
        )
        self.schema_name = QLineEdit(preset.schema_name if preset else "")
        self.schema_name.setObjectName("presetSchemaName")
        self.schema_name.setPlaceholderText("e.g. record_line_items")
        self.schema = QPlainTextEdit(
            json.dumps(preset.schema, indent=2, ensure_ascii=False)
            if preset and preset.schema is not None
            else ""
        )
        self.schema.setObjectName("presetSchema")
        self.schema.setPlaceholderText('{"type": "object", "properties": {…}, "required": […]}')
        self.min_images = QSpinBox()
        self.min_images.setObjectName("presetMinImages")
        self.min_images.setRange(0, 20)
        self.min_images.setValue(preset.min_images if preset else 0)
        self.problem = QLabel()
        self.problem.setObjectName("presetProblem")
        self.problem.setWordWrap(True)
        self.problem.hide()
        self._build(preset, overrides_builtin)
        self.response.currentIndexChanged.connect(self._kind_changed)
        self._kind_changed()
        self.resize(620, 640)

    def _build(self, preset: Preset | None, overrides_builtin: bool) -> None:
        form = QFormLayout()
        form.addRow("Title", self.title)
        form.addRow("System prompt", self.system_prompt)
        form.addRow("Prompt template", self.template)
        form.addRow("Default question", self.default_question)
        form.addRow("Answer as", self.response)
        form.addRow("Schema / function name", self.schema_name)
        form.addRow("JSON schema", self.schema)
        form.addRow("Images needed", self.min_images)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.save_button = buttons.addButton("&Save", QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setObjectName("presetSave")
        self.save_button.setEnabled(preset is not None)
        self.save_button.setVisible(preset is not None)
        self.copy_button = buttons.addButton(
            "Save as new" if preset else "Create", QDialogButtonBox.ButtonRole.ApplyRole
        )
        self.copy_button.setObjectName("presetSaveAsNew")
        self.save_button.clicked.connect(lambda: self._save(as_new=False))
        self.copy_button.clicked.connect(lambda: self._save(as_new=True))
        buttons.rejected.connect(self.reject)
        if preset is not None and preset.builtin and overrides_builtin:
            self._extra_button(buttons, "Restore built-in", "presetRestore").clicked.connect(
                lambda: self._finish(self.restoreRequested, preset.name)
            )
        elif preset is not None and not preset.builtin:
            self._extra_button(buttons, "Delete", "presetDelete").clicked.connect(
                lambda: self._finish(self.deleteRequested, preset.name)
            )
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)

    def _extra_button(self, buttons: QDialogButtonBox, text: str, name: str) -> QPushButton:
        button = buttons.addButton(text, QDialogButtonBox.ButtonRole.ResetRole)
        button.setObjectName(name)
        return button

    def _finish(self, signal: SignalInstance, name: str) -> None:
        signal.emit(name)
        self.accept()

    def _kind_changed(self) -> None:
        needs_schema = self.response.currentData() in ("json_schema", "tool")
        self.schema.setEnabled(needs_schema)
        self.schema_name.setEnabled(needs_schema)

    def _show_problem(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.setVisible(bool(text))

    def build(self, *, as_new: bool) -> Preset | None:
        """The preset the fields describe, or None with the problem shown."""
        title = self.title.text().strip()
        kind: ResponseKind = self.response.currentData()
        schema: dict[str, object] | None = None
        source = self.schema.toPlainText().strip()
        if kind in ("json_schema", "tool") or source:
            try:
                parsed = json.loads(source) if source else None
            except json.JSONDecodeError as exc:
                self._show_problem(
                    f"The schema is not valid JSON: {exc.msg} (line "
                    f"{exc.lineno}, column {exc.colno})."
                )
                return None
            schema = parsed if isinstance(parsed, dict) else None
        original = self._original
        if as_new or original is None:
            name = base = slug(title)
            number = 2
            while name in self._taken:
                name, number = f"{base}-{number}", number + 1
        else:
            name = original.name
        preset = Preset(
            name=name,
            title=title,
            system_prompt=self.system_prompt.toPlainText(),
            template=self.template.text(),
            default_question=self.default_question.text(),
            response=kind,
            schema=schema,
            schema_name=self.schema_name.text().strip(),
            description=original.description if original and not as_new else "",
            min_images=self.min_images.value(),
            builtin=bool(original and original.builtin and not as_new),
        )
        found = problems(preset)
        if found:
            self._show_problem(" ".join(found))
            return None
        return preset

    def _save(self, *, as_new: bool) -> None:
        preset = self.build(as_new=as_new)
        if preset is not None:
            self.saved.emit(preset)
            self.accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Enter in a line edit must not close the dialog (Save is a click or Alt+S away).
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()
            return
        super().keyPressEvent(event)
