"""Presets, JSON replies and function calls in the whole window, against the local endpoint.

The session runs on the test's qasync loop; the picker, buttons and file dialogs are driven with
real events, and the endpoint answers with JSON and streamed function calls.
"""

from __future__ import annotations

import asyncio
import csv
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFileDialog, QPushButton
from pytestqt.qtbot import QtBot
from support.qtevents import drag_and_drop, file_mime
from support.sessions import demo_session

from app.core.conversation import Message, Status
from app.core.json_reply import validate
from app.core.presets import Preset, builtin
from app.gui.presets_flow import PresetsFlow
from app.gui.session import AppSession
from app.llm.stream import RetryPolicy
from app.store.settings import SettingsStore


@pytest.fixture
def session(qtbot: QtBot, qloop: asyncio.AbstractEventLoop) -> Iterator[AppSession]:
    with demo_session(qtbot, qloop, RetryPolicy(max_retries=0)) as app_session:
        app_session.demo_server.pace = 0.0
        yield app_session


def flow_of(session: AppSession) -> PresetsFlow:
    return session.presets


def preset(name: str) -> Preset:
    found = builtin(name)
    assert found is not None
    return found


def choose(qtbot: QtBot, session: AppSession, name: str) -> None:
    """Pick a preset the way a keyboard user does: arrow keys on the focused picker."""
    combo = session.window.preset_picker.combo
    target = combo.findData(name)
    assert target >= 0, name
    combo.setFocus()
    while combo.currentIndex() != target:
        key = Qt.Key.Key_Down if combo.currentIndex() < target else Qt.Key.Key_Up
        qtbot.keyClick(combo, key)
    assert flow_of(session).current is not None or name == ""


def add_images(qtbot: QtBot, session: AppSession, *paths: Path) -> None:
    before = len(session.attachments.items())
    assert drag_and_drop(session.window.tray, file_mime(*paths))
    qtbot.waitUntil(
        lambda: (
            len(session.attachments.items()) == before + len(paths)
            and session.attachments.blocking_reason() is None
        ),
        timeout=10_000,
    )


def make_png(
    path: Path, width: int = 300, height: int = 200, colour: tuple[int, int, int] = (30, 120, 220)
) -> Path:
    Image.new("RGB", (width, height), colour).save(path)
    return path


def send(qtbot: QtBot, session: AppSession, text: str = "") -> None:
    window = session.window
    window.composer.setPlainText(text)
    qtbot.waitUntil(window.send_button.isEnabled, timeout=5000)
    qtbot.mouseClick(window.send_button, Qt.MouseButton.LeftButton)


def finished_reply(qtbot: QtBot, session: AppSession, count: int) -> Message:
    """The reply once the conversation holds `count` messages and the last one finished."""
    messages = session.chat.conversation.messages
    qtbot.waitUntil(
        lambda: (
            len(messages) == count
            and messages[-1].role == "assistant"
            and messages[-1].status is not Status.STREAMING
            and not session.chat.busy
        ),
        timeout=15_000,
    )
    session.window.view.flush()
    return messages[-1]


def shown_text(session: AppSession) -> str:
    return session.window.view.browser.toPlainText()


def export(qtbot: QtBot, session: AppSession, button: QPushButton, path: Path) -> None:
    view = flow_of(session).json_view
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    dialog = view.file_dialog
    assert isinstance(dialog, QFileDialog)
    assert dialog.isVisible()
    assert dialog.acceptMode() is QFileDialog.AcceptMode.AcceptSave
    dialog.selectFile(str(path.with_suffix("")))  # the default suffix is added
    dialog.accept()
    # The notice names this file once it is written (an earlier export's notice may still show).
    qtbot.waitUntil(lambda: str(path) in session.window.notice_banner.label.text(), timeout=5000)


# -- text presets ------------------------------------------------------------------------------


def test_a_text_preset_sets_the_prompt_and_asks_its_default_question(
    qtbot: QtBot, session: AppSession, tmp_path: Path
) -> None:
    critique = preset("ui-critique")
    choose(qtbot, session, "ui-critique")
    window = session.window
    assert window.system_prompt_edit.text() == critique.system_prompt
    assert session.chat.conversation.system_prompt == critique.system_prompt
    assert session.chat.response_format is None
    assert not window.preset_picker.json_toggle.isChecked()
    assert window.preset_picker.json_toggle.isEnabled()
    add_images(qtbot, session, make_png(tmp_path / "mockup.png"))
    send(qtbot, session)  # the composer is empty: the preset's question is asked
    reply = finished_reply(qtbot, session, 2)
    question = session.chat.conversation.messages[0]
    assert question.text == "Critique this interface."
    assert reply.status is Status.COMPLETE
    assert "Image 1: mockup.png" in reply.text  # the label the app sent before the image
    assert session.demo_server.model_requests[-1].roles == ["system", "user"]
    assert not flow_of(session).dock.isVisible()  # a text reply is not structured

    # A new conversation starts without the preset (issue 13: it leaked into the next one).
    new = next(a for a in window.actions() if a.text() == "New conversation")
    new.trigger()
    assert window.preset_picker.current_name() == ""
    assert window.system_prompt_edit.text() == session.settings.system_prompt
    choose(qtbot, session, "ui-critique")
    assert window.system_prompt_edit.text() == critique.system_prompt
    choose(qtbot, session, "")
    assert window.system_prompt_edit.text() == session.settings.system_prompt


def test_spot_the_differences_needs_two_labelled_images(
    qtbot: QtBot, session: AppSession, tmp_path: Path
) -> None:
    choose(qtbot, session, "spot-differences")
    add_images(qtbot, session, make_png(tmp_path / "before.png"))
    send(qtbot, session)
    assert "needs at least 2 images: add 1 more" in session.window.notice_banner.label.text()
    assert session.chat.conversation.messages == []
    add_images(qtbot, session, make_png(tmp_path / "after.png", colour=(200, 10, 10)))
    send(qtbot, session, "Which buttons moved?")
    reply = finished_reply(qtbot, session, 2)
    assert session.chat.conversation.messages[0].image_labels() == [
        "Image 1: before.png",
        "Image 2: after.png",
    ]
    assert "- Image 1: before.png," in reply.text
    assert "- Image 2: after.png," in reply.text
    assert "> Which buttons moved?" in reply.text
    assert session.demo_server.model_requests[-1].image_count == 2


# -- JSON ------------------------------------------------------------------------------------


def test_schema_preset_shows_a_table_copies_and_exports_csv_and_json(
    qtbot: QtBot, session: AppSession, tmp_path: Path
) -> None:
    extraction = preset("invoice-json")
    assert extraction.schema is not None
    choose(qtbot, session, "invoice-json")
    toggle = session.window.preset_picker.json_toggle
    assert toggle.isChecked()
    assert not toggle.isEnabled()  # the preset answers in JSON
    add_images(qtbot, session, make_png(tmp_path / "receipt.png", 200, 400))
    send(qtbot, session)
    reply = finished_reply(qtbot, session, 2)
    assert reply.status is Status.COMPLETE
    assert reply.expects_json
    assert reply.error is None  # valid, and it matches the schema
    value = json.loads(reply.text)
    assert validate(value, extraction.schema) == []
    assert session.demo_server.model_requests[-1].response_format == (extraction.response_format())
    text = shown_text(session)
    assert "line_items" in text
    assert "unit_price" in text  # the table's header...
    assert "simulated description 3" in text  # ...and its rows
    assert '"vendor": "simulated vendor 1"' in text  # the pretty JSON

    flow = flow_of(session)
    view = flow.json_view
    assert flow.dock.isVisible()
    assert view.title.text() == "JSON reply"
    assert view.status.text() == "Valid JSON."
    assert view.table.rowCount() == len(value["line_items"]) == 3
    headers = [view.table.horizontalHeaderItem(i).text() for i in range(view.table.columnCount())]
    assert headers == ["description", "quantity", "unit_price", "amount"]

    qtbot.mouseClick(view.copy_button, Qt.MouseButton.LeftButton)
    assert json.loads(QGuiApplication.clipboard().text()) == value

    csv_path = tmp_path / "items.csv"
    export(qtbot, session, view.csv_button, csv_path)
    with csv_path.open(newline="", encoding="utf-8") as stream:
        rows = list(csv.reader(stream))
    assert rows[0] == headers
    assert rows[1:] == [
        [str(item[h]) if not isinstance(item[h], str) else item[h] for h in headers]
        for item in value["line_items"]
    ]
    assert "Saved 3 rows to" in session.window.notice_banner.label.text()

    json_path = tmp_path / "reply.json"
    export(qtbot, session, view.json_button, json_path)
    assert json.loads(json_path.read_text(encoding="utf-8")) == value


def test_a_refused_schema_falls_back_to_json_mode_and_says_so(
    qtbot: QtBot, session: AppSession, tmp_path: Path
) -> None:
    session.demo_server.accepts_json_schema = False
    alt = preset("alt-text")
    assert alt.schema is not None
    choose(qtbot, session, "alt-text")
    add_images(qtbot, session, make_png(tmp_path / "a.png"), make_png(tmp_path / "b.png"))
    send(qtbot, session)
    reply = finished_reply(qtbot, session, 2)
    assert reply.status is Status.COMPLETE
    assert validate(json.loads(reply.text), alt.schema) == []
    assert reply.error is not None
    assert "refused a JSON schema" in reply.error
    assert "refused a JSON schema" in shown_text(session)
    first, second = session.demo_server.model_requests[-2:]
    assert (first.status, second.status) == (400, 200)
    assert second.response_format == {"type": "json_object"}
    assert "refused a JSON schema" in flow_of(session).json_view.status.text()


def test_json_object_preset(qtbot: QtBot, session: AppSession, tmp_path: Path) -> None:
    choose(qtbot, session, "moderation")
    add_images(qtbot, session, make_png(tmp_path / "upload.png"))
    send(qtbot, session)
    reply = finished_reply(qtbot, session, 2)
    assert isinstance(json.loads(reply.text), dict)
    assert session.demo_server.model_requests[-1].response_format == {"type": "json_object"}
    view = flow_of(session).json_view
    assert view.status.text() == "Valid JSON."
    assert not view.csv_button.isEnabled() or view.current_table() is not None


def test_invalid_json_is_shown_as_text_with_the_parse_error(
    qtbot: QtBot, session: AppSession
) -> None:
    toggle = session.window.preset_picker.json_toggle
    qtbot.mouseClick(toggle, Qt.MouseButton.LeftButton)  # JSON mode, no preset
    assert session.chat.response_format == {"type": "json_object"}
    session.chat.max_tokens = 15  # the reply is cut mid-object
    send(qtbot, session, "Describe the settings")
    reply = finished_reply(qtbot, session, 2)
    assert session.chat.conversation.messages[0].text == (
        "Describe the settings\n\nAnswer with one JSON object."
    )
    assert reply.status is Status.COMPLETE
    assert reply.text.startswith('{"simulated": true')
    assert reply.error is not None
    assert "maximum length" in reply.error
    assert "The reply is not valid JSON: Unterminated string" in reply.error
    text = shown_text(session)
    assert "Not valid JSON: Unterminated string starting at (line 1, column" in text
    assert '{"simulated": true' in text  # the text as it came
    view = flow_of(session).json_view
    assert view.status.text().startswith("Not valid JSON: Unterminated string")
    assert view.text.toPlainText() == reply.text
    assert not view.csv_button.isEnabled()
    assert not view.json_button.isEnabled()
    assert view.copy_button.isEnabled()
    qtbot.mouseClick(toggle, Qt.MouseButton.LeftButton)
    assert session.chat.response_format is None


# -- function calls ------------------------------------------------------------------------


def test_a_function_call_split_across_many_deltas_is_shown_and_the_next_turn_is_valid(
    qtbot: QtBot, session: AppSession, tmp_path: Path
) -> None:
    function = preset("invoice-function")
    assert function.schema is not None
    choose(qtbot, session, "invoice-function")
    assert session.chat.tools == function.tools()
    add_images(qtbot, session, make_png(tmp_path / "invoice.png", 300, 500))
    send(qtbot, session)
    reply = finished_reply(qtbot, session, 2)
    assert reply.status is Status.COMPLETE
    assert reply.text == ""
    [call] = reply.tool_calls
    assert call.name == "record_line_items"
    arguments = json.loads(call.arguments)
    assert validate(arguments, function.schema) == []
    assert session.demo_server.model_requests[-1].finish_reason == "tool_calls"
    assert session.demo_server.model_requests[-1].completion_tokens
    text = shown_text(session)
    assert "Function call: record_line_items" in text
    assert "simulated vendor 1" in text  # the arguments' fields...
    assert "simulated description 2" in text  # ...and the line items as a table
    view = flow_of(session).json_view
    assert view.title.text() == "record_line_items — arguments"
    assert view.current_table() is not None
    assert view.current_table().title == "line_items"
    assert view.table.rowCount() == 3

    # The next turn, without the preset: the history carries the call and its tool result.
    choose(qtbot, session, "")
    assert session.chat.tools is None
    send(qtbot, session, "What is the total?")
    followup = finished_reply(qtbot, session, 4)
    assert followup.status is Status.COMPLETE, followup.error
    assert "Simulated reply" in followup.text
    record = session.demo_server.model_requests[-1]
    assert record.status == 200
    assert record.roles == ["user", "assistant", "tool", "user"]


# -- editing ---------------------------------------------------------------------------------


def test_the_editor_saves_a_few_shot_preset_and_restores_the_built_in(
    qtbot: QtBot, session: AppSession
) -> None:
    choose(qtbot, session, "ocr")
    picker = session.window.preset_picker
    qtbot.mouseClick(picker.edit_button, Qt.MouseButton.LeftButton)
    flow = flow_of(session)
    editor = flow.editor
    assert editor is not None
    assert editor.isVisible()
    assert editor.findChild(QPushButton, "presetRestore") is None  # nothing to restore yet
    few_shot = (
        preset("ocr").system_prompt + "\n\nExample image: a shop sign\nExample answer: OPEN 9–17"
    )
    editor.system_prompt.setPlainText(few_shot)
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: flow.editor is None, timeout=3000)
    assert [p["name"] for p in session.settings.presets] == ["ocr"]
    assert SettingsStore().load().presets[0]["system_prompt"] == few_shot
    assert session.window.system_prompt_edit.text() == few_shot
    assert picker.current_name() == "ocr"

    qtbot.mouseClick(picker.edit_button, Qt.MouseButton.LeftButton)
    editor = flow.editor
    assert editor is not None
    restore = editor.findChild(QPushButton, "presetRestore")
    assert restore is not None
    qtbot.mouseClick(restore, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: flow.editor is None, timeout=3000)
    assert session.settings.presets == []
    assert session.window.system_prompt_edit.text() == preset("ocr").system_prompt


def test_the_editor_makes_a_new_preset_and_refuses_a_bad_schema(
    qtbot: QtBot, session: AppSession
) -> None:
    choose(qtbot, session, "")
    qtbot.mouseClick(session.window.preset_picker.edit_button, Qt.MouseButton.LeftButton)
    flow = flow_of(session)
    editor = flow.editor
    assert editor is not None
    editor.title.setText("Receipt totals")
    editor.system_prompt.setPlainText("Give the total.")
    editor.response.setCurrentIndex(editor.response.findData("json_schema"))
    editor.schema_name.setText("totals")
    editor.schema.setPlainText('{"type": "object", ')
    qtbot.mouseClick(editor.copy_button, Qt.MouseButton.LeftButton)
    assert editor.isVisible()
    assert "The schema is not valid JSON" in editor.problem.text()
    editor.schema.setPlainText(
        '{"type": "object", "properties": {"total": {"type": "number"}},'
        ' "required": ["total"], "additionalProperties": false}'
    )
    qtbot.mouseClick(editor.copy_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: flow.editor is None, timeout=3000)
    assert session.settings.presets[-1]["name"] == "receipt-totals"
    assert session.window.preset_picker.current_name() == "receipt-totals"
    fmt = session.chat.response_format
    assert fmt is not None
    assert fmt["json_schema"]["name"] == "totals"
    send(qtbot, session, "What is the total?")
    reply = finished_reply(qtbot, session, 2)
    assert isinstance(json.loads(reply.text)["total"], float)


def test_a_welcome_card_chooses_its_preset(qtbot: QtBot, session: AppSession) -> None:
    window = session.window
    welcome = window.view.welcome
    qtbot.waitUntil(welcome.isVisible, timeout=5000)
    card = next(c for c in welcome.cards if c.preset_name == "chart-reading")
    qtbot.mouseClick(card, Qt.MouseButton.LeftButton)
    assert window.preset_picker.current_name() == "chart-reading"
    assert window.system_prompt_edit.text() == preset("chart-reading").system_prompt
    qtbot.waitUntil(window.composer.hasFocus, timeout=5000)
