"""The conversation sidebar: real widgets, real key and mouse events through qtbot."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import QModelIndex, QPoint, QSize, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QLineEdit, QListView, QMenu, QPushButton, QStyleOptionViewItem
from pytestqt.qtbot import QtBot

from app.core.history_rows import (
    HIGHLIGHT_END,
    HIGHLIGHT_START,
    ConversationRow,
    SearchHit,
    describe_updated,
)
from app.ui.sidebar import ConversationSidebar
from app.ui.sidebar_models import ID_ROLE, SUBTITLE_ROLE, ConversationListModel, TwoLineDelegate

NOW = time.time()


def rows() -> list[ConversationRow]:
    return [
        ConversationRow("old", "Old question", NOW - 86_400 * 3, False, 2),
        ConversationRow("new", "Newest question", NOW - 60, False, 1),
        ConversationRow("pin", "Pinned one", NOW - 86_400 * 30, True, 12),
        ConversationRow("mid", "", NOW - 3600, False, 4),
    ]


def shown_sidebar(qtbot: QtBot) -> ConversationSidebar:
    widget = ConversationSidebar(search_debounce_ms=50, undo_timeout_ms=300)
    qtbot.addWidget(widget)
    widget.resize(280, 500)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


@pytest.fixture
def sidebar(qtbot: QtBot) -> ConversationSidebar:
    widget = shown_sidebar(qtbot)
    widget.set_rows(rows())
    return widget


def ids(sidebar: ConversationSidebar) -> list[str]:
    return [r.id for r in sidebar.model.rows()]


def editor_of(sidebar: ConversationSidebar, conv_id: str) -> QLineEdit:
    """The open title editor of a row (not one closed earlier and not yet deleted)."""
    widget = sidebar.list_view.indexWidget(sidebar.model.index(sidebar.model.row_of(conv_id), 0))
    assert isinstance(widget, QLineEdit)
    return widget


def editing(sidebar: ConversationSidebar) -> bool:
    return sidebar.list_view.state() == QListView.State.EditingState


def click_row(qtbot: QtBot, view: QListView, number: int) -> None:
    rect = view.visualRect(view.model().index(number, 0))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_it_is_findable_and_sorted_pinned_then_newest(sidebar: ConversationSidebar) -> None:
    assert sidebar.objectName() == "conversationSidebar"
    assert sidebar.findChild(QListView, "conversationList").accessibleName() == "Conversations"
    assert sidebar.findChild(QLineEdit, "historySearch").accessibleName() == "Search conversations"
    assert (
        sidebar.findChild(QPushButton, "newConversationButton").accessibleName()
        == "New conversation"
    )
    assert ids(sidebar) == ["pin", "new", "mid", "old"]
    model = sidebar.model
    assert model.index(2, 0).data() == "Untitled conversation"
    assert model.index(0, 0).data(SUBTITLE_ROLE).startswith("Pinned · ")
    assert model.index(0, 0).data(SUBTITLE_ROLE).endswith("12 messages")
    assert model.index(1, 0).data(SUBTITLE_ROLE).endswith("1 message")
    assert model.index(0, 0).data(Qt.ItemDataRole.FontRole).bold()
    assert "Newest question" in model.index(1, 0).data(Qt.ItemDataRole.AccessibleTextRole)
    assert not sidebar.grab().isNull()  # paints (two-line rows) without complaint


def test_clicking_chooses_and_select_does_not_emit(
    sidebar: ConversationSidebar, qtbot: QtBot
) -> None:
    chosen: list[str] = []
    sidebar.conversationChosen.connect(chosen.append)
    assert sidebar.select("old")
    assert sidebar.current_id() == "old"
    assert chosen == []
    click_row(qtbot, sidebar.list_view, 1)
    assert chosen == ["new"]
    sidebar.list_view.setFocus()
    qtbot.keyClick(sidebar.list_view, Qt.Key.Key_Down)
    qtbot.keyClick(sidebar.list_view, Qt.Key.Key_Return)
    assert chosen == ["new", "mid"]
    sidebar.set_rows(list(reversed(rows())))  # a refresh keeps the selection
    assert sidebar.current_id() == "mid"
    assert not sidebar.select("unknown")


def test_rename_in_place(sidebar: ConversationSidebar, qtbot: QtBot) -> None:
    renamed: list[tuple[str, str]] = []
    sidebar.renameRequested.connect(lambda i, t: renamed.append((i, t)))
    sidebar.select("new")
    sidebar.list_view.setFocus()
    qtbot.keyClick(sidebar.list_view, Qt.Key.Key_F2)
    editor = editor_of(sidebar, "new")
    assert editor.text() == "Newest question"
    editor.selectAll()
    qtbot.keyClicks(editor, "  Better   title ")
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # the delegate commits on the next loop turn
    qtbot.waitUntil(lambda: renamed == [("new", "Better title")], timeout=2000)
    assert sidebar.model.get("new").title == "Better title"  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: not editing(sidebar), timeout=2000)
    sidebar.rename("old")
    editor = editor_of(sidebar, "old")
    editor.selectAll()
    qtbot.keyClicks(editor, "   ")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not editing(sidebar), timeout=2000)
    assert renamed == [("new", "Better title")]  # an empty title is not a rename


def test_delete_offers_undo_which_puts_it_back(sidebar: ConversationSidebar, qtbot: QtBot) -> None:
    deleted: list[str] = []
    undone: list[str] = []
    sidebar.deleteRequested.connect(deleted.append)
    sidebar.undoDeleteRequested.connect(undone.append)
    sidebar.select("new")
    sidebar.list_view.setFocus()
    qtbot.keyClick(sidebar.list_view, Qt.Key.Key_Delete)
    assert deleted == ["new"]
    assert ids(sidebar) == ["pin", "mid", "old"]
    assert sidebar.undo_bar.isVisible()
    # Elided to the bar's width; the whole of it in the tooltip and for a screen reader.
    assert sidebar.undo_label.toolTip() == "Deleted “Newest question”"
    assert sidebar.undo_bar.accessibleDescription() == "Deleted “Newest question”"
    sidebar.set_rows(rows())  # a refresh from before the delete must not bring it back
    assert "new" not in ids(sidebar)
    qtbot.mouseClick(sidebar.findChild(QPushButton, "undoDeleteButton"), Qt.MouseButton.LeftButton)
    assert undone == ["new"]
    assert ids(sidebar) == ["pin", "new", "mid", "old"]
    assert not sidebar.undo_bar.isVisible()
    sidebar.delete("old")
    qtbot.waitUntil(lambda: not sidebar.undo_bar.isVisible(), timeout=2000)
    sidebar.undo_delete()  # too late: nothing to undo
    assert undone == ["new"]
    assert "old" not in ids(sidebar)


def test_pin_moves_the_row_and_keeps_the_selection(
    sidebar: ConversationSidebar, qtbot: QtBot
) -> None:
    pins: list[tuple[str, bool]] = []
    sidebar.pinRequested.connect(lambda i, p: pins.append((i, p)))
    sidebar.select("old")
    sidebar.set_pinned("old", True)
    assert ids(sidebar) == ["old", "pin", "new", "mid"]
    assert sidebar.current_id() == "old"
    sidebar.set_pinned("old", True)  # already pinned: nothing to do
    sidebar.set_pinned("pin", False)
    assert ids(sidebar) == ["old", "new", "mid", "pin"]
    assert pins == [("old", True), ("pin", False)]


def test_the_context_menu_pins_renames_and_deletes(
    sidebar: ConversationSidebar, qtbot: QtBot
) -> None:
    pins: list[tuple[str, bool]] = []
    sidebar.pinRequested.connect(lambda i, p: pins.append((i, p)))
    view = sidebar.list_view
    position = view.visualRect(sidebar.model.index(3, 0)).center()
    view.customContextMenuRequested.emit(position)
    menu = sidebar.findChild(QMenu, "conversationMenu")
    assert menu is not None
    assert [a.text() for a in menu.actions()] == ["Rename", "Pin", "Delete"]
    menu.actions()[1].trigger()
    menu.close()
    assert pins == [("old", True)]
    view.customContextMenuRequested.emit(QPoint(5, 490))  # below the rows: no menu
    qtbot.waitUntil(lambda: sidebar.findChild(QMenu, "conversationMenu") is None)


def test_search_is_debounced_and_jumps_to_the_message(
    sidebar: ConversationSidebar, qtbot: QtBot
) -> None:
    queries: list[str] = []
    jumps: list[tuple[str, str]] = []
    sidebar.searchRequested.connect(queries.append)
    sidebar.searchHitChosen.connect(lambda c, m: jumps.append((c, m)))
    with qtbot.waitSignal(sidebar.searchRequested, timeout=2000):
        qtbot.keyClicks(sidebar.search_edit, "screen")
    assert queries == ["screen"]  # one search for six keystrokes
    hits = [
        SearchHit(
            "new",
            "m1",
            "Newest question",
            f"a {HIGHLIGHT_START}screen{HIGHLIGHT_END}shot of a dialog",
            "user",
        ),
        SearchHit("old", "m7", "Old question", "the screen", "assistant"),
    ]
    sidebar.set_search_results(hits)
    assert sidebar.stack.currentWidget() is sidebar.results_view
    assert sidebar.status_label.text() == "2 conversations match."
    assert sidebar.results_model.index(0, 0).data(SUBTITLE_ROLE) == "You: a screenshot of a dialog"
    click_row(qtbot, sidebar.results_view, 1)
    assert jumps == [("old", "m7")]
    sidebar.results_view.setCurrentIndex(sidebar.results_model.index(0, 0))
    sidebar.results_view.setFocus()
    qtbot.keyClick(sidebar.results_view, Qt.Key.Key_Return)
    assert jumps == [("old", "m7"), ("new", "m1")]
    sidebar.set_search_results([])
    assert sidebar.status_label.text() == "No conversation matches “screen”."
    sidebar.search_edit.setFocus()
    qtbot.keyClick(sidebar.search_edit, Qt.Key.Key_Escape)
    assert sidebar.search_edit.text() == ""
    assert sidebar.stack.currentWidget() is sidebar.list_view
    sidebar.set_search_results(hits)  # late results of a cleared search are ignored
    assert sidebar.stack.currentWidget() is sidebar.list_view


def test_new_button(sidebar: ConversationSidebar, qtbot: QtBot) -> None:
    with qtbot.waitSignal(sidebar.newRequested, timeout=1000):
        qtbot.mouseClick(sidebar.new_button, Qt.MouseButton.LeftButton)


def test_five_thousand_conversations_stay_light(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The work done is that of the rows on screen, never that of all 5,000."""
    measured: list[int] = []
    painted: list[int] = []
    described: list[str] = []
    size_hint, paint, subtitle = (
        TwoLineDelegate.sizeHint,
        TwoLineDelegate.paint,
        ConversationListModel.subtitle,
    )

    def counted_size_hint(
        delegate: TwoLineDelegate, option: QStyleOptionViewItem, index: QModelIndex
    ) -> QSize:
        measured.append(index.row())
        return size_hint(delegate, option, index)

    def counted_paint(
        delegate: TwoLineDelegate,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex,
    ) -> None:
        painted.append(index.row())
        paint(delegate, painter, option, index)

    def counted_subtitle(row: ConversationRow) -> str:
        described.append(row.id)
        return subtitle(row)

    monkeypatch.setattr(TwoLineDelegate, "sizeHint", counted_size_hint)
    monkeypatch.setattr(TwoLineDelegate, "paint", counted_paint)
    monkeypatch.setattr(ConversationListModel, "subtitle", staticmethod(counted_subtitle))
    sidebar = shown_sidebar(qtbot)  # made after the counting is in place
    many = [
        ConversationRow(f"c{i:05d}", f"Conversation number {i}", NOW - i * 60, i % 500 == 0, i % 40)
        for i in range(5000)
    ]
    sidebar.set_rows(many)
    view = sidebar.list_view
    view.doItemsLayout()
    assert sidebar.model.rowCount() == 5000
    assert view.uniformItemSizes()
    assert len(measured) <= 2  # one row measured stands for all
    assert described == []  # nothing is worked out for rows not yet shown
    assert view.indexWidget(sidebar.model.index(0, 0)) is None
    row_height = view.visualRect(sidebar.model.index(0, 0)).height()
    on_screen = view.viewport().height() // row_height + 2  # and a part row at each end
    bar = view.verticalScrollBar()
    assert bar.maximum() > 0
    step = max(1, bar.maximum() // 50)
    for value in [*range(0, bar.maximum(), step), bar.maximum()]:
        bar.setValue(value)
        before = len(painted)
        view.viewport().grab()  # paints the viewport now, as the screen would
        assert 0 < len(painted) - before <= on_screen
    assert 4999 in painted
    assert len(measured) <= 2
    listed = sidebar.model.rows()
    assert sorted(described) == sorted({listed[row].id for row in painted})  # once, if shown
    before, shown = len(painted), len(described)
    view.viewport().grab()  # the same rows again
    assert len(painted) > before
    assert len(described) == shown  # worked out once, however often painted
    assert sidebar.select("c04999")
    assert view.model().index(4999, 0).data(ID_ROLE) == "c04999"


def test_describe_updated() -> None:
    now = time.mktime((2026, 5, 9, 15, 0, 0, 0, 0, -1))
    assert describe_updated(now - 60, now) == time.strftime("%H:%M", time.localtime(now - 60))
    assert describe_updated(now - 86_400, now) == "Yesterday"
    assert describe_updated(now - 3 * 86_400, now) == time.strftime(
        "%a", time.localtime(now - 3 * 86_400)
    )
    assert describe_updated(now - 40 * 86_400, now).endswith(
        time.strftime("%b", time.localtime(now - 40 * 86_400))
    )
    assert describe_updated(now - 400 * 86_400, now).endswith("2025")


def test_a_refresh_waits_for_the_title_being_edited(
    sidebar: ConversationSidebar, qtbot: QtBot
) -> None:
    renamed: list[tuple[str, str]] = []
    sidebar.renameRequested.connect(lambda i, t: renamed.append((i, t)))
    sidebar.rename("mid")
    editor = editor_of(sidebar, "mid")
    qtbot.keyClicks(editor, "Typed while a refresh came")
    fresh = [*rows(), ConversationRow("extra", "Arrived meanwhile", NOW, False, 1)]
    sidebar.set_rows(fresh)
    assert editing(sidebar)
    assert editor_of(sidebar, "mid") is editor
    assert "extra" not in ids(sidebar)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "extra" in ids(sidebar), timeout=2000)
    assert renamed == [("mid", "Typed while a refresh came")]
