"""Ctrl+Z in the window takes back an image removed from the tray (back at its place, with its
detail and crop), an image of an earlier message left out of the request (sent again), and a
deleted conversation; Edit → Undo says which. A text field keeps its own Ctrl+Z."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot
from support.qtevents import drag_and_drop, file_mime
from support.sessions import demo_session
from support.turns import finished

from app.core.conversation import Status
from app.gui.session import AppSession

CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def session(qtbot: QtBot, qloop: asyncio.AbstractEventLoop) -> Iterator[AppSession]:
    with demo_session(qtbot, qloop) as app_session:
        yield app_session


def add(qtbot: QtBot, session: AppSession, tmp_path: Path, *names: str) -> list[str]:
    paths = []
    for index, name in enumerate(names):
        path = tmp_path / name
        Image.new("RGB", (600 + 100 * index, 500), (40 * index, 90, 160)).save(path, "PNG")
        paths.append(path)
    assert drag_and_drop(session.window.tray, file_mime(*paths))
    qtbot.waitUntil(lambda: all(i.sendable for i in session.attachments.items()), timeout=10_000)
    return [item.id for item in session.attachments.items()]


def undo_action(session: AppSession) -> QAction:
    actions = session.window.menu("edit").actions()
    return next(a for a in actions if a.objectName() == "undoAction")


def ctrl_z(qtbot: QtBot) -> None:
    widget = QApplication.focusWidget()
    assert isinstance(widget, QWidget)
    qtbot.keyClick(widget, Qt.Key.Key_Z, CTRL)


def test_a_removed_tray_image_comes_back_at_its_place_with_its_detail_and_crop(
    qtbot: QtBot, session: AppSession, tmp_path: Path
) -> None:
    window, att = session.window, session.attachments
    one, two, three = add(qtbot, session, tmp_path, "one.png", "chart.png", "three.png")
    assert not undo_action(session).isEnabled()
    att.set_low_detail(two, True)
    assert att.replace_with_crop(two, (0, 0, 300, 200))
    qtbot.waitUntil(lambda: att.item(two).sendable and att.item(two).size == (300, 200))
    cropped = att.item(two)
    tokens = session.meter.read("").estimate.draft_image_tokens

    window.activateWindow()
    window.tray.tile(two).setFocus()
    qtbot.keyClick(window.tray.tile(two), Qt.Key.Key_Delete)
    assert [i.id for i in att.items()] == [one, three]
    assert undo_action(session).text() == "Undo remove image “chart.png”"

    ctrl_z(qtbot)
    assert [i.id for i in att.items()] == [one, two, three]
    back = att.item(two)
    assert back.low_detail
    assert back.size == (300, 200)
    assert back.prepared == cropped.prepared
    assert [t.item.id for t in window.tray.tiles()] == [one, two, three]
    qtbot.waitUntil(lambda: session.meter.read("").estimate.draft_image_tokens == tokens)
    assert not undo_action(session).isEnabled()
    assert undo_action(session).text() == "Undo"


def test_a_text_field_keeps_its_own_ctrl_z(
    qtbot: QtBot, session: AppSession, tmp_path: Path
) -> None:
    window, att = session.window, session.attachments
    one, two = add(qtbot, session, tmp_path, "one.png", "two.png")
    att.remove(two)
    window.activateWindow()
    composer = window.composer
    composer.setFocus()
    qtbot.waitUntil(composer.hasFocus)
    qtbot.keyClicks(composer, "hello")
    ctrl_z(qtbot)
    assert composer.toPlainText() != "hello"  # the field's own undo
    assert [i.id for i in att.items()] == [one]
    undo_action(session).trigger()  # Edit → Undo still reaches the tray
    assert [i.id for i in att.items()] == [one, two]


def test_an_image_left_out_of_the_request_is_sent_again_after_undo(
    qtbot: QtBot, session: AppSession, tmp_path: Path
) -> None:
    window, server = session.window, session.demo_server
    add(qtbot, session, tmp_path, "chart.png")
    ask(qtbot, session, "What is this?")
    first = session.chat.conversation.messages[0]
    window.view.browser.anchorClicked.emit(QUrl(f"action:send:{first.id}:0:0"))
    assert (first.id, 0) in session.budget.plan.dropped_images
    assert undo_action(session).text() == "Undo leave out image “chart.png”"

    window.view.browser.setFocus()
    ctrl_z(qtbot)
    assert not session.budget.plan.dropped_images
    assert "Image 1: high detail" in window.view.browser.toPlainText()
    ask(qtbot, session, "And again?")
    assert server.model_requests[-1].image_count == 1


def test_undo_names_the_deleted_conversation_and_brings_it_back(
    qtbot: QtBot, session: AppSession
) -> None:
    ask(qtbot, session, "Keep me")
    conv_id = session.chat.conversation.id
    sidebar = session.history_flow.sidebar
    qtbot.waitUntil(lambda: sidebar.model.row_of(conv_id) >= 0, timeout=5000)
    # The title made from the first reply ("Keep") may arrive before or after the delete.
    titles = {"Keep me", "Keep"}
    row = sidebar.model.get(conv_id)
    assert row is not None
    assert row.title in titles
    sidebar.delete(conv_id)
    assert sidebar.deleted_title in titles
    assert undo_action(session).text() == f"Undo delete conversation “{sidebar.deleted_title}”"
    undo_action(session).trigger()
    assert sidebar.model.row_of(conv_id) >= 0
    assert not sidebar.undo_bar.isVisible()
    qtbot.waitUntil(lambda: session.chat.conversation.id == conv_id, timeout=5000)


def ask(qtbot: QtBot, session: AppSession, text: str) -> None:
    window = session.window
    window.composer.setPlainText(text)
    qtbot.waitUntil(window.send_button.isEnabled, timeout=5000)
    qtbot.mouseClick(window.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(finished(session, Status.COMPLETE), timeout=15_000)
