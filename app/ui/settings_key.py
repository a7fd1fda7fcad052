"""The API key part of the settings dialog: the masked field, where the key is kept, Check and
Delete. It shows state and emits intent; the dialog validates and hands the key over."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QToolButton,
    QWidget,
)

from app.ui.tray_palette import error_color, level_color

_PLACEHOLDER = "Paste your xAI API key"


class KeySection(QGroupBox):
    checkRequested = Signal()  # Check key pressed (the dialog validates, then asks)
    deleteRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("API key", parent)
        self.form = QFormLayout(self)
        self.backend_secure: bool | None = None

        self.key_edit = QLineEdit(self)
        self.key_edit.setObjectName("apiKeyEdit")
        self.key_edit.setAccessibleName("API key")
        self.key_edit.setAccessibleDescription(
            "Leave empty to keep the stored key. The key is kept in the system keyring."
        )
        self.key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_edit.setInputMethodHints(
            Qt.InputMethodHint.ImhHiddenText
            | Qt.InputMethodHint.ImhSensitiveData
            | Qt.InputMethodHint.ImhNoPredictiveText
            | Qt.InputMethodHint.ImhNoAutoUppercase
        )
        self.key_edit.setPlaceholderText(_PLACEHOLDER)
        self.show_key = QToolButton(self)
        self.show_key.setObjectName("showKeyButton")
        self.show_key.setAccessibleName("Show API key")
        self.show_key.setText("Show")
        self.show_key.setCheckable(True)
        self.show_key.toggled.connect(self._on_show_key)
        key_row = QHBoxLayout()
        key_row.addWidget(self.key_edit, 1)
        key_row.addWidget(self.show_key)
        key_label = QLabel("&Key:", self)
        key_label.setBuddy(self.key_edit)
        self.form.addRow(key_label, key_row)

    def add_rest(self) -> None:
        """The rows under the key field (after the dialog has put its error label there)."""
        self.backend_label = QLabel("Key storage: not known yet.", self)
        self.backend_label.setObjectName("keyBackendLabel")
        self.backend_label.setAccessibleName("Key storage")
        self.backend_label.setWordWrap(True)
        self.backend_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.backend_label.setProperty("warning", False)
        self.form.addRow(self.backend_label)

        self.delete_key = QPushButton("&Delete stored key", self)
        self.delete_key.setObjectName("deleteKeyButton")
        self.delete_key.setAccessibleName("Delete stored key")
        self.delete_key.setEnabled(False)
        self.delete_key.clicked.connect(self.deleteRequested)
        self.check_key = QPushButton("C&heck key", self)
        self.check_key.setObjectName("checkKeyButton")
        self.check_key.setAccessibleName("Check key")
        self.check_key.setToolTip("Ask the endpoint whether the key works (costs no tokens).")
        self.check_key.clicked.connect(self.checkRequested)
        buttons = QHBoxLayout()
        buttons.addWidget(self.check_key)
        buttons.addWidget(self.delete_key)
        buttons.addStretch(1)
        self.form.addRow(buttons)

        self.check_label = QLabel("", self)
        self.check_label.setObjectName("keyCheckLabel")
        self.check_label.setAccessibleName("Key check result")
        self.check_label.setWordWrap(True)
        self.check_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.form.addRow(self.check_label)

    def key(self) -> str:
        return self.key_edit.text().strip()

    def set_backend(self, name: str, secure: bool, detail: str, has_stored_key: bool) -> None:
        """Show which keyring backend holds the key and whether one is stored there."""
        self.backend_secure = secure
        label = self.backend_label
        if secure:
            stored = "a key is stored there" if has_stored_key else "no key is stored yet"
            label.setText(f"Key storage: {name} ({stored}).")
            label.setStyleSheet("")
        else:
            label.setText(
                f"⚠ Key storage: {name}. This is not a secure secret store, so no "
                f"key can be saved. {detail}"
            )
            label.setStyleSheet(f"color: {level_color(self.palette(), 'warn').name()};")
        label.setProperty("warning", not secure)
        label.setToolTip(detail)
        self.delete_key.setEnabled(has_stored_key)
        self.key_edit.setPlaceholderText(
            "Leave empty to keep the stored key" if has_stored_key else _PLACEHOLDER
        )

    def checking(self) -> None:
        self.check_key.setEnabled(False)
        self.check_label.setStyleSheet("")
        self.check_label.setText("Checking the key…")

    def set_check_result(self, ok: bool, text: str) -> None:
        self.check_key.setEnabled(True)
        self.check_label.setText(("✔ " if ok else "✘ ") + text)
        self.check_label.setProperty("ok", ok)
        self.check_label.setStyleSheet(
            "" if ok else f"color: {error_color(self.palette()).name()};"
        )

    def problem(self, *, storing: bool) -> str | None:
        """Why the typed key cannot be used (or saved), or None."""
        key = self.key()
        if not key:
            return None
        if any(char.isspace() or not char.isprintable() for char in key):
            return (
                "The key contains spaces, line breaks or control characters. Copy it again "
                "from your xAI console and paste only the key."
            )
        if storing and self.backend_secure is False:
            return (
                "The key cannot be saved: no secure keyring is available (see above). Clear "
                "this field to save the other settings, or set XAI_API_KEY in the "
                "environment."
            )
        return None

    def forget(self) -> None:
        self.key_edit.setText("")  # unlike clear(), also drops the undo history
        self.show_key.setChecked(False)
        self.check_key.setEnabled(True)

    def _on_show_key(self, shown: bool) -> None:
        self.key_edit.setEchoMode(
            QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password
        )
        self.show_key.setText("Hide" if shown else "Show")
        self.show_key.setAccessibleName("Hide API key" if shown else "Show API key")
