"""The conversation sidebar: saved conversations, search over them, and a button for a new one.

It shows rows and forwards intent; it never touches the store. Edits show at once (a renamed
title, a pinned row moving up, a deleted row leaving with a "Deleted — Undo" bar) and are sent
as signals for the history controller to save; the controller's next ``set_rows`` confirms them.

Keys in the list: Enter opens, F2 renames (in place), Delete deletes and Ctrl+Z (anywhere in
the sidebar but the search box) undoes the last delete; the context menu has Rename, Pin/Unpin
and Delete. The Undo bar keeps its place and size whatever the title, and stays until it is
dismissed or another conversation is deleted. The conversation open in the window is marked
(``set_open``), focused or not. Typing in the search box searches after a short pause, one row
per matching conversation with its matched words stressed; Escape clears it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QMenu,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.history_rows import ConversationRow, SearchHit
from app.ui.sidebar_models import (
    ID_ROLE,
    MESSAGE_ID_ROLE,
    UNTITLED,
    ConversationListModel,
    SearchResultModel,
    TwoLineDelegate,
)

SEARCH_DEBOUNCE_MS = 300
UNDO_TIMEOUT_MS = 0  # 0: the Undo bar stays until dismissed or replaced


def _list_view(name: str, accessible: str, parent: QWidget) -> QListView:
    view = QListView(parent)
    view.setObjectName(name)
    view.setAccessibleName(accessible)
    view.setUniformItemSizes(True)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    view.setEditTriggers(QAbstractItemView.EditTrigger.EditKeyPressed)
    view.setItemDelegate(TwoLineDelegate(view))
    return view


class ConversationSidebar(QWidget):
    conversationChosen = Signal(str)  # conversation id
    renameRequested = Signal(str, str)  # id, new title
    deleteRequested = Signal(str)  # id (soft delete: undo is possible)
    undoDeleteRequested = Signal(str)  # id
    pinRequested = Signal(str, bool)  # id, pinned
    searchRequested = Signal(str)  # query, after a pause in typing
    searchHitChosen = Signal(str, str)  # conversation id, message id
    newRequested = Signal()

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        search_debounce_ms: int = SEARCH_DEBOUNCE_MS,
        undo_timeout_ms: int = UNDO_TIMEOUT_MS,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("conversationSidebar")
        self.setAccessibleName("Conversation history")
        self.model = ConversationListModel(self)
        self.results_model = SearchResultModel(self)
        self._hidden: set[str] = set()  # deleted here, not (yet) undone
        self._undo_row: ConversationRow | None = None
        self._selecting = False
        self._pending_rows: list[ConversationRow] | None = None
        self._build()
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(search_debounce_ms)
        self._search_timer.timeout.connect(self._search_now)
        self._undo_timer = QTimer(self)
        self._undo_timer.setSingleShot(True)
        self._undo_timer.setInterval(undo_timeout_ms)
        self._undo_timer.timeout.connect(self._forget_undo)
        self._undo_text = ""
        self._connect()

    def _build(self) -> None:
        self.search_edit = QLineEdit(self)
        self.search_edit.setObjectName("historySearch")
        self.search_edit.setAccessibleName("Search conversations")
        self.search_edit.setPlaceholderText("Search conversations")
        self.search_edit.setClearButtonEnabled(True)
        self.new_button = QPushButton("New", self)
        self.new_button.setObjectName("newConversationButton")
        self.new_button.setAccessibleName("New conversation")
        self.new_button.setToolTip("Start a new conversation")

        self.list_view = _list_view("conversationList", "Conversations", self)
        self.list_view.setModel(self.model)
        self.list_view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.results_view = _list_view("searchResults", "Search results", self)
        self.results_view.setModel(self.results_model)
        self.results_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.list_view)
        self.stack.addWidget(self.results_view)

        self.status_label = QLabel(self)
        self.status_label.setObjectName("sidebarStatus")
        self.status_label.setWordWrap(True)
        self.status_label.hide()

        self._build_undo_bar()
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.search_edit, 1)
        top.addWidget(self.new_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.status_label)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.undo_bar)
        # Wide enough for the Undo bar from the start: showing it never widens the sidebar.
        margins = layout.contentsMargins()
        bar_width = self.undo_bar.minimumSizeHint().width() + margins.left() + margins.right()
        self.setMinimumWidth(max(layout.minimumSize().width(), bar_width))

    def _build_undo_bar(self) -> None:
        self.undo_bar = QFrame(self)
        self.undo_bar.setObjectName("undoBar")
        self.undo_bar.setFrameShape(QFrame.Shape.StyledPanel)
        self.undo_label = QLabel(self.undo_bar)
        self.undo_label.setObjectName("undoLabel")
        # A long title is elided here: it never widens the sidebar (nor moves the bar).
        self.undo_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.undo_button = QPushButton("Undo", self.undo_bar)
        self.undo_button.setObjectName("undoDeleteButton")
        self.undo_button.setAccessibleName("Undo delete")
        self.undo_button.setToolTip("Bring the conversation back (Ctrl+Z)")
        self.undo_close = QPushButton("×", self.undo_bar)
        self.undo_close.setObjectName("undoDismissButton")
        self.undo_close.setAccessibleName("Dismiss")
        self.undo_close.setFlat(True)
        self.undo_close.setFixedWidth(self.undo_close.fontMetrics().height() * 2)
        bar = QHBoxLayout(self.undo_bar)
        bar.setContentsMargins(6, 2, 6, 2)
        bar.addWidget(self.undo_label, 1)
        bar.addWidget(self.undo_button)
        bar.addWidget(self.undo_close)
        self.undo_bar.hide()
        self.undo_action = QAction("Undo delete", self)
        self.undo_action.setObjectName("undoDeleteAction")
        self.undo_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Undo))
        self.undo_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.undo_action.setEnabled(False)
        self.addAction(self.undo_action)

    def _connect(self) -> None:
        self.new_button.clicked.connect(self.newRequested)
        self.search_edit.textChanged.connect(self._search_text_changed)
        self.list_view.clicked.connect(self._chosen)
        self.results_view.clicked.connect(self._hit_chosen)
        self.list_view.customContextMenuRequested.connect(self._context_menu)
        self.model.renamed.connect(self.renameRequested)
        self.list_view.itemDelegate().closeEditor.connect(self._editor_closed)
        self.undo_button.clicked.connect(self.undo_delete)
        self.undo_close.clicked.connect(self._forget_undo)
        self.undo_action.triggered.connect(self.undo_delete)
        for watched in (self.list_view, self.results_view, self.search_edit, self.undo_label):
            watched.installEventFilter(self)

    # -- what the controller sets ----------------------------------------------------------

    def set_rows(self, rows: Sequence[ConversationRow]) -> None:
        """Show these conversations (any order: they are sorted here). The selection stays
        on the same conversation if it is still listed."""
        if self.list_view.state() == QAbstractItemView.State.EditingState:
            self._pending_rows = list(rows)  # a reset now would close the title editor
            return
        self._pending_rows = None
        current = self.model.open_id() or self.current_id()
        self.model.set_rows([r for r in rows if r.id not in self._hidden])
        if current is not None:
            self.select(current)

    def set_open(self, conv_id: str | None) -> None:
        """The conversation open in the window (None: a new one, not saved yet): marked and
        made the current row whenever it is listed."""
        self.model.set_open(conv_id)
        if conv_id is None or not self.select(conv_id):
            self.list_view.setCurrentIndex(QModelIndex())

    def set_search_results(self, hits: Sequence[SearchHit]) -> None:
        """Show the hits of the search in the box (ignored once the box is cleared)."""
        query = self.search_edit.text().strip()
        if not query:
            return
        self.results_model.set_hits([h for h in hits if h.conversation_id not in self._hidden])
        count = self.results_model.rowCount()
        self._show_status(
            f"No conversation matches “{query}”."
            if count == 0
            else "1 conversation matches."
            if count == 1
            else f"{count} conversations match."
        )
        self.stack.setCurrentWidget(self.results_view)

    def select(self, conv_id: str) -> bool:
        """Make a conversation the current row (without emitting conversationChosen)."""
        number = self.model.row_of(conv_id)
        if number < 0:
            self.list_view.clearSelection()
            return False
        index = self.model.index(number, 0)
        self._selecting = True
        try:
            self.list_view.setCurrentIndex(index)
            self.list_view.scrollTo(index)
        finally:
            self._selecting = False
        return True

    @property
    def deleted_title(self) -> str:
        """The title of the conversation whose delete Undo would take back ("" when none)."""
        return (self._undo_row.title or UNTITLED) if self._undo_row is not None else ""

    def current_id(self) -> str | None:
        index = self.list_view.currentIndex()
        return str(index.data(ID_ROLE)) if index.isValid() else None

    # -- user intent -----------------------------------------------------------------------

    def rename(self, conv_id: str) -> None:
        """Start editing a conversation's title in place."""
        number = self.model.row_of(conv_id)
        if number >= 0:
            index = self.model.index(number, 0)
            self.select(conv_id)
            self.list_view.edit(index)

    def delete(self, conv_id: str) -> None:
        """Remove a conversation from the list and offer Undo for a while."""
        row = self.model.remove(conv_id)
        if row is None:
            return
        self._hidden.add(conv_id)
        self._undo_row = row
        self._undo_text = f"Deleted “{row.title or UNTITLED}”"
        self._elide_undo()
        self.undo_label.setToolTip(self._undo_text)
        self.undo_bar.setAccessibleDescription(self._undo_text)
        self.undo_bar.show()
        self.undo_action.setEnabled(True)
        if self._undo_timer.interval() > 0:
            self._undo_timer.start()
        self.deleteRequested.emit(conv_id)

    def _elide_undo(self) -> None:
        width = max(self.undo_label.width(), 40)
        metrics = self.undo_label.fontMetrics()
        text = metrics.elidedText(self._undo_text, Qt.TextElideMode.ElideMiddle, width)
        self.undo_label.setText(text)

    def undo_delete(self) -> None:
        """Bring back the conversation deleted last (the Undo button, Ctrl+Z)."""
        row, self._undo_row = self._undo_row, None
        self.undo_bar.hide()
        self.undo_action.setEnabled(False)
        self._undo_timer.stop()
        if row is None:
            return
        self._hidden.discard(row.id)
        self.model.insert(row)
        self.undoDeleteRequested.emit(row.id)

    def set_pinned(self, conv_id: str, pinned: bool) -> None:
        row = self.model.get(conv_id)
        if row is None or row.pinned == pinned:
            return
        current = self.current_id()
        self.model.replace(dataclasses.replace(row, pinned=pinned))
        if current is not None:
            self.select(current)
        self.pinRequested.emit(conv_id, pinned)

    def _editor_closed(self) -> None:
        if self._pending_rows is not None:
            # After the view has left its editing state (it does so once this signal returns).
            QTimer.singleShot(0, self, self._apply_pending_rows)

    def _apply_pending_rows(self) -> None:
        if self._pending_rows is not None:
            self.set_rows(self._pending_rows)

    def _forget_undo(self) -> None:
        self._undo_row = None
        self.undo_bar.hide()
        self.undo_action.setEnabled(False)

    def _chosen(self, index: QModelIndex) -> None:
        if index.isValid() and not self._selecting:
            self.conversationChosen.emit(str(index.data(ID_ROLE)))

    def _hit_chosen(self, index: QModelIndex) -> None:
        if index.isValid():
            self.searchHitChosen.emit(str(index.data(ID_ROLE)), str(index.data(MESSAGE_ID_ROLE)))

    def _context_menu(self, position: QPoint) -> None:
        index = self.list_view.indexAt(position)
        if not index.isValid():
            return
        conv_id = str(index.data(ID_ROLE))
        row = self.model.get(conv_id)
        if row is None:
            return
        menu = QMenu(self)
        menu.setObjectName("conversationMenu")
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        for text, slot in (
            ("Rename", lambda: self.rename(conv_id)),
            ("Unpin" if row.pinned else "Pin", lambda: self.set_pinned(conv_id, not row.pinned)),
            ("Delete", lambda: self.delete(conv_id)),
        ):
            action = QAction(text, menu)
            action.triggered.connect(slot)
            menu.addAction(action)
        menu.popup(self.list_view.viewport().mapToGlobal(position))

    # -- search ----------------------------------------------------------------------------

    def _search_text_changed(self, text: str) -> None:
        if text.strip():
            self._search_timer.start()
            return
        self._search_timer.stop()
        self.results_model.set_hits([])
        self.status_label.hide()
        self.stack.setCurrentWidget(self.list_view)

    def _search_now(self) -> None:
        query = self.search_edit.text().strip()
        if query:
            self._show_status("Searching…")
            self.searchRequested.emit(query)

    def _show_status(self, text: str) -> None:
        self.status_label.setText(text)
        self.status_label.setAccessibleName(text)
        self.status_label.show()

    # -- keys ------------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.undo_label:
            if event.type() == QEvent.Type.Resize:
                self._elide_undo()
            return False
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return super().eventFilter(watched, event)
        key = event.key()
        if watched is self.search_edit:
            if key == Qt.Key.Key_Escape and self.search_edit.text():
                self.search_edit.clear()
                return True
            if key == Qt.Key.Key_Down:
                self.stack.currentWidget().setFocus()  # type: ignore[union-attr]
                return True
            return False
        view = self.list_view if watched is self.list_view else self.results_view
        if view.state() == QAbstractItemView.State.EditingState:
            return False
        index = view.currentIndex()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and index.isValid():
            (self._chosen if view is self.list_view else self._hit_chosen)(index)
            return True
        if watched is self.list_view and index.isValid() and key == Qt.Key.Key_Delete:
            self.delete(str(index.data(ID_ROLE)))
            return True
        return False
