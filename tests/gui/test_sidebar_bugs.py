"""Issue 13, the sidebar: the open conversation is marked; a new conversation is listed from
its first question; search shows one row per conversation with the match in view; Delete is
undone by a fixed Undo bar or Ctrl+Z; after a crash the cut-off conversation opens again."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QDockWidget, QLabel, QListView, QPushButton
from pytestqt.qtbot import QtBot
from support.history_data import text_message
from support.sessions import demo_session

from app.core.conversation import Conversation, Message, Status
from app.demo import Fault
from app.gui.session import AppSession
from app.store.history import HistoryStore
from app.store.paths import data_directory
from app.ui.sidebar import ConversationSidebar
from app.ui.sidebar_models import HIGHLIGHTS_ROLE, ID_ROLE, OPEN_ROLE, SUBTITLE_ROLE

FILLER = "a long preamble about nothing in particular that goes on and on " * 3


def saved(title: str, *messages: Message) -> str:
    """A conversation saved in the history before the app starts; its id."""
    conv = Conversation(title=title)
    conv.messages.extend(messages)
    with HistoryStore(data_directory()) as store:
        store.save_conversation_meta(conv)
        for message in messages:
            store.append_message(conv.id, message)
    return conv.id


@pytest.fixture
def session(qtbot: QtBot, qloop: asyncio.AbstractEventLoop) -> Iterator[AppSession]:
    with demo_session(qtbot, qloop) as running:
        qtbot.waitUntil(lambda: running.history_flow.history.info is not None, timeout=5000)
        yield running


def bar(session: AppSession) -> ConversationSidebar:
    return session.history_flow.sidebar


def open_rows(sidebar: ConversationSidebar) -> list[str]:
    model = sidebar.model
    return [
        str(model.index(n, 0).data(ID_ROLE))
        for n in range(model.rowCount())
        if model.index(n, 0).data(OPEN_ROLE)
    ]


def click_row(qtbot: QtBot, view: QListView, number: int) -> None:
    rect = view.visualRect(view.model().index(number, 0))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_a_new_conversation_is_listed_and_marked_open_while_its_reply_is_awaited(
    session: AppSession, qtbot: QtBot
) -> None:
    earlier = saved("Earlier one", text_message("user", "hello"), text_message("assistant", "hi"))
    session.history_flow.history.refresh()
    sidebar = bar(session)
    qtbot.waitUntil(lambda: sidebar.model.row_of(earlier) >= 0, timeout=5000)
    session.demo_server.stall_seconds = 30
    session.demo_server.inject(Fault.STALL_BEFORE_HEADERS)
    window = session.window
    window.composer.setFocus()
    qtbot.keyClicks(window.composer, "A brand new question")
    qtbot.waitUntil(window.send_button.isEnabled, timeout=5000)
    qtbot.mouseClick(window.send_button, Qt.MouseButton.LeftButton)
    conv_id = session.chat.conversation.id
    # Listed while the reply is still awaited (not only once it finishes), and marked open.
    qtbot.waitUntil(lambda: sidebar.model.row_of(conv_id) >= 0, timeout=5000)
    assert session.chat.busy
    assert open_rows(sidebar) == [conv_id]
    assert sidebar.current_id() == conv_id
    assert sidebar.list_view.selectionModel().isSelected(
        sidebar.model.index(sidebar.model.row_of(conv_id), 0)
    )
    session.chat.stop()
    qtbot.waitUntil(lambda: not session.chat.busy, timeout=5000)

    # Opening another with a mouse click moves the mark to it; Ctrl+N leaves none marked.
    click_row(qtbot, sidebar.list_view, sidebar.model.row_of(earlier))
    qtbot.waitUntil(lambda: session.chat.conversation.id == earlier, timeout=5000)
    assert open_rows(sidebar) == [earlier]
    qtbot.keyClick(window.composer, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert session.chat.conversation.id not in (earlier, conv_id)
    assert open_rows(sidebar) == []
    assert sidebar.current_id() is None


def test_search_lists_a_conversation_once_with_its_match_in_view(
    session: AppSession, qtbot: QtBot
) -> None:
    both = saved(
        "Animals",
        text_message("user", FILLER + "what does a walrus eat?"),
        text_message("assistant", FILLER + "A walrus eats clams, mostly."),
    )
    other = saved("Other", text_message("user", "the walrus again"))
    session.history_flow.history.refresh()
    sidebar = bar(session)
    qtbot.waitUntil(lambda: sidebar.model.row_of(both) >= 0, timeout=5000)
    qtbot.keyClicks(sidebar.search_edit, "walrus")
    results = sidebar.results_model
    qtbot.waitUntil(lambda: results.rowCount() > 0, timeout=5000)
    found = [str(results.index(n, 0).data(ID_ROLE)) for n in range(results.rowCount())]
    assert sorted(found) == sorted([both, other])  # each conversation once
    assert sidebar.status_label.text() == "2 conversations match."
    row = found.index(both)
    line = str(results.index(row, 0).data(SUBTITLE_ROLE))
    spans = results.index(row, 0).data(HIGHLIGHTS_ROLE)
    assert [line[start:end].casefold() for start, end in spans] == ["walrus"]
    assert spans[0][0] < 40  # near the start of the line, so eliding never hides it
    # A click opens it at the match, and it is the one marked open.
    sidebar.results_view.setFocus()
    click_row(qtbot, sidebar.results_view, row)
    qtbot.waitUntil(lambda: session.chat.conversation.id == both, timeout=5000)
    qtbot.keyClick(sidebar.search_edit, Qt.Key.Key_Escape)
    assert open_rows(sidebar) == [both]


def test_delete_keeps_the_sidebar_width_and_ctrl_z_brings_the_conversation_back(
    session: AppSession, qtbot: QtBot
) -> None:
    long_title = " ".join(["An extremely long conversation title"] * 6)
    doomed = saved(long_title, text_message("user", "q"), text_message("assistant", "a"))
    keep = saved("Short", text_message("user", "q"))
    session.history_flow.history.refresh()
    sidebar = bar(session)
    view = sidebar.list_view
    qtbot.waitUntil(lambda: sidebar.model.row_of(doomed) >= 0, timeout=5000)
    click_row(qtbot, view, sidebar.model.row_of(doomed))
    qtbot.waitUntil(lambda: session.chat.conversation.id == doomed, timeout=5000)
    dock = session.window.findChild(QDockWidget, "conversationsDock")
    width, least = dock.width(), sidebar.minimumWidth()

    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Delete)
    assert sidebar.model.row_of(doomed) < 0
    undo_bar = sidebar.undo_bar
    assert undo_bar.isVisible()
    label = undo_bar.findChild(QLabel, "undoLabel")
    assert label.toolTip() == f"Deleted “{long_title}”"
    assert undo_bar.findChild(QPushButton, "undoDeleteButton").isVisible()
    # The bar does not widen the sidebar (nor move), and it does not go away on a timer.
    assert sidebar.minimumWidth() == least >= sidebar.minimumSizeHint().width()
    qtbot.wait(50)
    assert dock.width() == width
    assert undo_bar.geometry().right() <= sidebar.width()
    assert not any(timer.isActive() for timer in sidebar.findChildren(QTimer))
    assert session.chat.conversation.id != doomed  # the open one was deleted: a new one

    qtbot.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert sidebar.model.row_of(doomed) >= 0
    assert not undo_bar.isVisible()
    qtbot.waitUntil(lambda: session.chat.conversation.id == doomed, timeout=5000)
    assert open_rows(sidebar) == [doomed]
    with HistoryStore(data_directory(), read_only=True) as store:
        listed = {r.id for r in store.list_conversations()}
    assert {doomed, keep} <= listed


def test_after_a_crash_the_interrupted_conversation_is_open_with_its_notice(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    saved("Older", text_message("user", "old"), text_message("assistant", "done"))
    cut = saved(
        "Cut off",
        text_message("user", "Describe the chart"),
        text_message("assistant", "The chart shows", Status.STREAMING),
    )
    with demo_session(qtbot, qloop) as session:
        qtbot.waitUntil(lambda: session.chat.conversation.id == cut, timeout=10_000)
        messages = session.chat.conversation.messages
        assert messages[-1].status is Status.INTERRUPTED
        session.window.view.flush()
        shown = session.window.view.browser.toPlainText()
        assert "The chart shows" in shown
        assert "Interrupted" in shown
        notice = session.window.notice_banner
        assert notice.isVisible()
        assert "cut off" in notice.label.text()
        qtbot.waitUntil(lambda: open_rows(bar(session)) == [cut], timeout=5000)
