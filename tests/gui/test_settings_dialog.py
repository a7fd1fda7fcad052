"""The settings dialog with real widgets: typed input, clicks, and the signals it emits."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TypeVar

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QToolButton,
    QWidget,
)
from pytestqt.qtbot import QtBot

from app.core.catalog import ModelInfo
from app.core.limits import LIMIT_PROFILES
from app.store.settings import Settings
from app.ui.settings_dialog import SettingsDialog, is_unencrypted_remote

# Qt's offscreen platform warns that it cannot do what a real desktop does: resize constraints of
# a top-level window (the dialog's layout growing when an error label appears), raising and
# grabbing the keyboard for the model completer's popup. Limits of the test platform only.
W = TypeVar("W", bound=QWidget)
KEY = "xai-" + "Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z" * 2 + "b14o"
MODELS = [
    ModelInfo("grok-3", False, 131_072),
    ModelInfo("grok-3-mini", False, 131_072),
    ModelInfo("grok-4.3", True, 1_000_000),  # the default model (catalog.DEFAULT_MODEL)
    ModelInfo("grok-4.20-0309-reasoning", True, 1_000_000),
    ModelInfo("grok-9-unreleased", True),
]


def find(dialog: QDialog, kind: type[W], name: str) -> W:
    widget = dialog.findChild(kind, name)
    assert widget is not None, f"no {kind.__name__} named {name}"
    assert widget.accessibleName(), f"{name} has no accessible name"
    return widget


def replace_text(qtbot: QtBot, edit: QLineEdit, text: str) -> None:
    edit.selectAll()
    qtbot.keyClick(edit, Qt.Key.Key_Delete)
    qtbot.keyClicks(edit, text)


def line_edit(combo: QComboBox) -> QLineEdit:
    edit = combo.lineEdit()
    assert edit is not None
    return edit


def ok_button(dialog: QDialog) -> QPushButton:
    return find(dialog, QPushButton, "okButton")


def error_label(dialog: QDialog, name: str) -> QLabel:
    return find(dialog, QLabel, name)


@pytest.fixture
def settings() -> Settings:
    return Settings(
        window_geometry="AdnQywADAAAAAAAA", known_models=[{"id": "grok-4.3", "takes_images": True}]
    )


@pytest.fixture
def dialog(qtbot: QtBot, settings: Settings) -> Iterator[SettingsDialog]:
    widget = SettingsDialog(settings, MODELS)
    qtbot.addWidget(widget)
    widget.open()
    qtbot.waitExposed(widget)
    yield widget
    widget.close()


def test_object_names_and_initial_values(dialog: SettingsDialog) -> None:
    assert dialog.objectName() == "settingsDialog"
    assert dialog.isModal()
    key = find(dialog, QLineEdit, "apiKeyEdit")
    assert key.echoMode() == QLineEdit.EchoMode.Password
    assert key.text() == ""
    assert find(dialog, QLineEdit, "baseUrlEdit").text() == "https://api.x.ai/v1"
    assert find(dialog, QComboBox, "modelCombo").currentText() == "grok-4.3"
    assert find(dialog, QSpinBox, "contextSpin").value() == 0
    assert find(dialog, QDoubleSpinBox, "temperatureSpin").text() == "Server default"
    assert find(dialog, QSpinBox, "maxTokensSpin").value() == 2048
    assert find(dialog, QComboBox, "limitsCombo").currentData() == "xai"
    assert find(dialog, QCheckBox, "enterSendsCheck").isChecked()
    assert find(dialog, QComboBox, "titlesCombo").currentData() == "auto"
    assert find(dialog, QPlainTextEdit, "systemPromptEdit").toPlainText() == ""
    for name in ("checkKeyButton", "deleteKeyButton"):
        find(dialog, QPushButton, name)
    for name in ("keyBackendLabel", "keyCheckLabel"):
        find(dialog, QLabel, name)
    assert not find(dialog, QPushButton, "deleteKeyButton").isEnabled()


def test_ok_emits_the_settings_typed_and_the_key(
    qtbot: QtBot, dialog: SettingsDialog, settings: Settings
) -> None:
    qtbot.keyClicks(find(dialog, QLineEdit, "apiKeyEdit"), f"  {KEY} ")
    replace_text(qtbot, find(dialog, QLineEdit, "baseUrlEdit"), "http://127.0.0.1:8765/v1")
    combo = find(dialog, QComboBox, "modelCombo")
    replace_text(qtbot, line_edit(combo), "my-local-vlm")
    context = find(dialog, QSpinBox, "contextSpin")
    context.lineEdit().selectAll()
    qtbot.keyClicks(context, "65536")
    temperature = find(dialog, QDoubleSpinBox, "temperatureSpin")
    temperature.lineEdit().selectAll()
    qtbot.keyClicks(temperature, f"0{temperature.locale().decimalPoint()}7")
    max_tokens = find(dialog, QSpinBox, "maxTokensSpin")
    max_tokens.lineEdit().selectAll()
    qtbot.keyClicks(max_tokens, "4096")
    limits = find(dialog, QComboBox, "limitsCombo")
    limits.setCurrentIndex(limits.findData("xai-10mib"))
    qtbot.mouseClick(find(dialog, QCheckBox, "enterSendsCheck"), Qt.MouseButton.LeftButton)
    titles = find(dialog, QComboBox, "titlesCombo")
    titles.setCurrentIndex(titles.findData("off"))
    qtbot.keyClicks(find(dialog, QPlainTextEdit, "systemPromptEdit"), "Answer in French.")

    with qtbot.waitSignal(dialog.saveRequested, timeout=1000) as blocker:
        qtbot.mouseClick(ok_button(dialog), Qt.MouseButton.LeftButton)
    saved, key = blocker.args
    assert isinstance(saved, Settings)
    assert saved == Settings(
        base_url="http://127.0.0.1:8765/v1",
        model="my-local-vlm",
        context_overrides={"my-local-vlm": 65_536},
        temperature=0.7,
        max_tokens=4096,
        limits_profile="xai-10mib",
        enter_sends=False,
        titles="off",
        system_prompt="Answer in French.",
        # What the dialog does not edit is carried over untouched.
        window_geometry=settings.window_geometry,
        known_models=settings.known_models,
    )
    assert key == KEY
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert not dialog.isVisible()
    assert settings == Settings(
        window_geometry="AdnQywADAAAAAAAA", known_models=[{"id": "grok-4.3", "takes_images": True}]
    )


def test_ok_with_empty_key_keeps_the_stored_one(qtbot: QtBot, dialog: SettingsDialog) -> None:
    with qtbot.waitSignal(dialog.saveRequested, timeout=1000) as blocker:
        qtbot.mouseClick(ok_button(dialog), Qt.MouseButton.LeftButton)
    saved, key = blocker.args
    assert key is None
    assert saved.model == "grok-4.3"
    assert saved.temperature is None


def test_invalid_base_url_keeps_the_dialog_open(qtbot: QtBot, dialog: SettingsDialog) -> None:
    url = find(dialog, QLineEdit, "baseUrlEdit")
    replace_text(qtbot, url, "api.x.ai/v1")
    error = error_label(dialog, "baseUrlError")
    assert not error.isVisible()
    with qtbot.assertNotEmitted(dialog.saveRequested, wait=50):
        qtbot.mouseClick(ok_button(dialog), Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert error.isVisible()
    assert "https://" in error.text()
    assert url.hasFocus()
    # Correcting the address clears the error and OK goes through.
    replace_text(qtbot, url, "https://api.example.com/v1")
    assert not error.isVisible()
    with qtbot.waitSignal(dialog.saveRequested, timeout=1000) as blocker:
        qtbot.mouseClick(ok_button(dialog), Qt.MouseButton.LeftButton)
    assert blocker.args[0].base_url == "https://api.example.com/v1"


def test_plain_http_warning_only_for_remote_hosts(qtbot: QtBot, dialog: SettingsDialog) -> None:
    url = find(dialog, QLineEdit, "baseUrlEdit")
    warning = find(dialog, QLabel, "baseUrlWarningLabel")
    assert not warning.isVisible()
    replace_text(qtbot, url, "http://api.example.com/v1")
    assert warning.isVisible()
    assert "unencrypted" in warning.text()
    replace_text(qtbot, url, "http://127.0.0.1:8765/v1")
    assert not warning.isVisible()
    replace_text(qtbot, url, "http://localhost:8765/v1")
    assert not warning.isVisible()
    replace_text(qtbot, url, "http://192.168.1.20:8000/v1")
    assert warning.isVisible()
    replace_text(qtbot, url, "https://api.example.com/v1")
    assert not warning.isVisible()


@pytest.mark.parametrize(
    ("url", "warn"),
    [
        ("http://[::1]:8000/v1", False),
        ("http://127.0.0.2/v1", False),
        ("http://app.localhost/v1", False),
        ("HTTP://Example.COM", True),
        ("http://10.0.0.1", True),
        ("https://10.0.0.1", False),
        ("not a url", False),
    ],
)
def test_unencrypted_remote_rule(url: str, warn: bool) -> None:
    assert is_unencrypted_remote(url) is warn


def test_model_list_puts_image_models_first_and_marks_text_only(dialog: SettingsDialog) -> None:
    combo = find(dialog, QComboBox, "modelCombo")
    items = [combo.itemText(i) for i in range(combo.count())]
    assert items == [
        "grok-4.3",
        "grok-4.20-0309-reasoning",
        "grok-9-unreleased",
        "grok-3 (text only)",
        "grok-3-mini (text only)",
    ]
    assert [combo.itemData(i) for i in range(combo.count())] == [
        "grok-4.3",
        "grok-4.20-0309-reasoning",
        "grok-9-unreleased",
        "grok-3",
        "grok-3-mini",
    ]


def test_choosing_a_text_only_model_saves_its_id_and_says_so(
    qtbot: QtBot, dialog: SettingsDialog
) -> None:
    combo = find(dialog, QComboBox, "modelCombo")
    combo.setCurrentIndex(combo.findData("grok-3"))
    assert combo.currentText() == "grok-3 (text only)"
    assert "Text only" in find(dialog, QLabel, "modelInfoLabel").text()
    with qtbot.waitSignal(dialog.saveRequested, timeout=1000) as blocker:
        qtbot.mouseClick(ok_button(dialog), Qt.MouseButton.LeftButton)
    assert blocker.args[0].model == "grok-3"


def test_typed_prefix_of_a_listed_model_is_not_completed(
    qtbot: QtBot, dialog: SettingsDialog
) -> None:
    combo = find(dialog, QComboBox, "modelCombo")
    replace_text(qtbot, line_edit(combo), "grok-4.20")
    assert dialog.model_id() == "grok-4.20"
    with qtbot.waitSignal(dialog.saveRequested, timeout=1000) as blocker:
        qtbot.mouseClick(ok_button(dialog), Qt.MouseButton.LeftButton)
    assert blocker.args[0].model == "grok-4.20"


def test_set_models_keeps_the_current_choice(qtbot: QtBot, dialog: SettingsDialog) -> None:
    combo = find(dialog, QComboBox, "modelCombo")
    combo.setCurrentIndex(combo.findData("grok-4.20-0309-reasoning"))
    dialog.set_models([ModelInfo("grok-4.20-0309-reasoning", True), ModelInfo("grok-2", False)])
    assert [combo.itemText(i) for i in range(combo.count())] == [
        "grok-4.20-0309-reasoning",
        "grok-2 (text only)",
    ]
    assert dialog.model_id() == "grok-4.20-0309-reasoning"
    replace_text(qtbot, line_edit(combo), "custom-model")
    dialog.set_models(MODELS)
    assert combo.currentText() == "custom-model"
    assert dialog.model_id() == "custom-model"


def test_context_window_shows_the_known_value_or_the_fallback(
    qtbot: QtBot, dialog: SettingsDialog
) -> None:
    context = find(dialog, QSpinBox, "contextSpin")
    assert context.text() == "Known: 1,000,000"
    combo = find(dialog, QComboBox, "modelCombo")
    replace_text(qtbot, line_edit(combo), "mystery-model")
    assert context.value() == 0
    assert context.text() == "unknown model: assumed 32,768"
    assert "32,768" in find(dialog, QLabel, "modelInfoLabel").text()


def test_context_override_is_kept_per_model(qtbot: QtBot) -> None:
    settings = Settings(model="grok-4.3", context_overrides={"grok-3": 100_000})
    dialog = SettingsDialog(settings, MODELS)
    qtbot.addWidget(dialog)
    dialog.open()
    combo = find(dialog, QComboBox, "modelCombo")
    context = find(dialog, QSpinBox, "contextSpin")
    context.lineEdit().selectAll()
    qtbot.keyClicks(context, "200000")
    combo.setCurrentIndex(combo.findData("grok-3"))
    assert context.value() == 100_000
    combo.setCurrentIndex(combo.findData("grok-4.3"))
    assert context.value() == 200_000
    with qtbot.waitSignal(dialog.saveRequested, timeout=1000) as blocker:
        qtbot.mouseClick(ok_button(dialog), Qt.MouseButton.LeftButton)
    assert blocker.args[0].context_overrides == {"grok-3": 100_000, "grok-4.3": 200_000}


def test_too_small_context_override_is_refused(qtbot: QtBot, dialog: SettingsDialog) -> None:
    context = find(dialog, QSpinBox, "contextSpin")
    context.lineEdit().selectAll()
    qtbot.keyClicks(context, "500")
    with qtbot.assertNotEmitted(dialog.saveRequested, wait=50):
        qtbot.mouseClick(ok_button(dialog), Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    error = error_label(dialog, "contextError")
    assert error.isVisible()
    assert "1,024" in error.text()


def test_check_key_emits_the_typed_key_and_address(qtbot: QtBot, dialog: SettingsDialog) -> None:
    check = find(dialog, QPushButton, "checkKeyButton")
    label = find(dialog, QLabel, "keyCheckLabel")
    with qtbot.waitSignal(dialog.checkKeyRequested, timeout=1000) as blocker:
        qtbot.mouseClick(check, Qt.MouseButton.LeftButton)
    assert blocker.args == ["", "https://api.x.ai/v1"]  # "" asks for the stored key
    assert "Checking" in label.text()
    assert not check.isEnabled()
    dialog.set_check_result(False, "Incorrect API key provided.")
    assert check.isEnabled()
    assert "Incorrect API key provided." in label.text()
    assert label.property("ok") is False

    qtbot.keyClicks(find(dialog, QLineEdit, "apiKeyEdit"), KEY)
    replace_text(qtbot, find(dialog, QLineEdit, "baseUrlEdit"), "http://127.0.0.1:9/v1")
    with qtbot.waitSignal(dialog.checkKeyRequested, timeout=1000) as blocker:
        qtbot.mouseClick(check, Qt.MouseButton.LeftButton)
    assert blocker.args == [KEY, "http://127.0.0.1:9/v1"]
    dialog.set_check_result(True, "The key works (xai-…b14o).")
    assert "The key works" in label.text()
    assert label.property("ok") is True
    assert dialog.isVisible()


def test_check_key_with_a_bad_address_asks_nothing(qtbot: QtBot, dialog: SettingsDialog) -> None:
    replace_text(qtbot, find(dialog, QLineEdit, "baseUrlEdit"), "nonsense")
    with qtbot.assertNotEmitted(dialog.checkKeyRequested, wait=50):
        qtbot.mouseClick(find(dialog, QPushButton, "checkKeyButton"), Qt.MouseButton.LeftButton)
    assert error_label(dialog, "baseUrlError").isVisible()


def test_backend_secure_and_insecure(qtbot: QtBot, dialog: SettingsDialog) -> None:
    label = find(dialog, QLabel, "keyBackendLabel")
    delete = find(dialog, QPushButton, "deleteKeyButton")
    dialog.set_backend(
        "Secret Service (GNOME Keyring / KWallet)",
        True,
        "The key is stored encrypted in the Secret Service.",
        True,
    )
    assert "Secret Service" in label.text()
    assert label.property("warning") is False
    assert label.styleSheet() == ""
    assert delete.isEnabled()
    with qtbot.waitSignal(dialog.deleteKeyRequested, timeout=1000):
        qtbot.mouseClick(delete, Qt.MouseButton.LeftButton)

    detail = "Uninstall the keyrings.alt package."
    dialog.set_backend("Insecure file keyring (PlaintextKeyring)", False, detail, False)
    assert label.property("warning") is True
    assert "not a secure" in label.text()
    assert detail in label.text()
    assert "color" in label.styleSheet()
    assert not delete.isEnabled()


def test_a_key_cannot_be_saved_to_an_insecure_backend(qtbot: QtBot, dialog: SettingsDialog) -> None:
    dialog.set_backend("No system keyring", False, "No system keyring is available.", False)
    key = find(dialog, QLineEdit, "apiKeyEdit")
    qtbot.keyClicks(key, KEY)
    with qtbot.assertNotEmitted(dialog.saveRequested, wait=50):
        qtbot.mouseClick(ok_button(dialog), Qt.MouseButton.LeftButton)
    error = error_label(dialog, "apiKeyError")
    assert error.isVisible()
    assert KEY not in error.text()
    replace_text(qtbot, key, "")
    with qtbot.waitSignal(dialog.saveRequested, timeout=1000) as blocker:
        qtbot.mouseClick(ok_button(dialog), Qt.MouseButton.LeftButton)
    assert blocker.args[1] is None


def test_key_with_inner_spaces_is_refused(qtbot: QtBot, dialog: SettingsDialog) -> None:
    qtbot.keyClicks(find(dialog, QLineEdit, "apiKeyEdit"), "xai-abc def")
    with qtbot.assertNotEmitted(dialog.saveRequested, wait=50):
        qtbot.mouseClick(ok_button(dialog), Qt.MouseButton.LeftButton)
    assert error_label(dialog, "apiKeyError").isVisible()


def test_key_pasted_into_the_system_prompt_is_refused(qtbot: QtBot, dialog: SettingsDialog) -> None:
    qtbot.keyClicks(find(dialog, QPlainTextEdit, "systemPromptEdit"), f"use {KEY}")
    with qtbot.assertNotEmitted(dialog.saveRequested, wait=50):
        qtbot.mouseClick(ok_button(dialog), Qt.MouseButton.LeftButton)
    assert error_label(dialog, "systemPromptError").isVisible()


def test_show_hide_toggle(qtbot: QtBot, dialog: SettingsDialog) -> None:
    key = find(dialog, QLineEdit, "apiKeyEdit")
    toggle = find(dialog, QToolButton, "showKeyButton")
    qtbot.mouseClick(toggle, Qt.MouseButton.LeftButton)
    assert key.echoMode() == QLineEdit.EchoMode.Normal
    qtbot.mouseClick(toggle, Qt.MouseButton.LeftButton)
    assert key.echoMode() == QLineEdit.EchoMode.Password


@pytest.mark.parametrize("how", ["ok", "cancel", "escape", "close"])
def test_key_field_is_cleared_when_the_dialog_closes(
    qtbot: QtBot, dialog: SettingsDialog, how: str
) -> None:
    key = find(dialog, QLineEdit, "apiKeyEdit")
    qtbot.keyClicks(key, KEY)
    qtbot.mouseClick(find(dialog, QToolButton, "showKeyButton"), Qt.MouseButton.LeftButton)
    assert key.text() == KEY
    if how == "ok":
        qtbot.mouseClick(ok_button(dialog), Qt.MouseButton.LeftButton)
    elif how == "cancel":
        with qtbot.assertNotEmitted(dialog.saveRequested, wait=50):
            qtbot.mouseClick(find(dialog, QPushButton, "cancelButton"), Qt.MouseButton.LeftButton)
    elif how == "escape":
        qtbot.keyClick(key, Qt.Key.Key_Escape)
    else:
        dialog.close()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=1000)
    assert key.text() == ""
    assert key.echoMode() == QLineEdit.EchoMode.Password
    assert not key.isUndoAvailable()
    # Opened again, it starts with an empty key field.
    dialog.open()
    qtbot.waitExposed(dialog)
    assert key.text() == ""


def test_temperature_at_the_bottom_is_the_server_default(qtbot: QtBot) -> None:
    dialog = SettingsDialog(Settings(temperature=0.2), MODELS)
    qtbot.addWidget(dialog)
    dialog.open()
    temperature = find(dialog, QDoubleSpinBox, "temperatureSpin")
    assert temperature.value() == pytest.approx(0.2)
    temperature.stepDown()
    temperature.stepDown()
    assert temperature.value() == pytest.approx(0.0)
    temperature.stepDown()
    assert temperature.text() == "Server default"
    with qtbot.waitSignal(dialog.saveRequested, timeout=1000) as blocker:
        qtbot.mouseClick(ok_button(dialog), Qt.MouseButton.LeftButton)
    assert blocker.args[0].temperature is None


def test_limits_combo_offers_every_profile(dialog: SettingsDialog) -> None:
    combo = find(dialog, QComboBox, "limitsCombo")
    assert [combo.itemText(i) for i in range(combo.count())] == [
        p.label for p in LIMIT_PROFILES.values()
    ]


def test_cancel_drops_the_edits_and_ok_keeps_them(qtbot: QtBot, dialog: SettingsDialog) -> None:
    url = find(dialog, QLineEdit, "baseUrlEdit")
    combo = find(dialog, QComboBox, "modelCombo")
    context = find(dialog, QSpinBox, "contextSpin")
    replace_text(qtbot, url, "nonsense")
    qtbot.mouseClick(ok_button(dialog), Qt.MouseButton.LeftButton)
    assert error_label(dialog, "baseUrlError").isVisible()
    combo.setCurrentIndex(combo.findData("grok-3"))
    context.setValue(50_000)
    qtbot.mouseClick(find(dialog, QPushButton, "cancelButton"), Qt.MouseButton.LeftButton)

    dialog.open()
    qtbot.waitExposed(dialog)
    assert url.text() == "https://api.x.ai/v1"
    assert dialog.model_id() == "grok-4.3"
    assert context.value() == 0
    assert not error_label(dialog, "baseUrlError").isVisible()
    combo.setCurrentIndex(combo.findData("grok-3"))
    assert context.value() == 0  # the cancelled override for grok-3 is gone too

    context.setValue(50_000)
    with qtbot.waitSignal(dialog.saveRequested, timeout=1000):
        qtbot.mouseClick(ok_button(dialog), Qt.MouseButton.LeftButton)
    dialog.open()
    qtbot.waitExposed(dialog)
    assert dialog.model_id() == "grok-3"
    assert context.value() == 50_000
