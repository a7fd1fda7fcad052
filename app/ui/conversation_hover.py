"""Which message the action bar belongs to: the one under the pointer, or the keyboard's current
message (Alt+Up / Alt+Down in the conversation), and where the bar sits (the top right of that
message's column, kept in view while any of the message is)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, QTimer
from PySide6.QtGui import QCursor, QKeySequence, QMouseEvent, QShortcut
from PySide6.QtWidgets import QWidget

from app.ui.conversation_browser import ConversationBrowser
from app.ui.message_action_bar import MessageActionBar
from app.ui.message_actions import MessageAction
from app.ui.message_spans import MessageSpans

INSET = 4  # pixels between the bar and the column's edge, and the viewport's top
LEAVE_MS = 200  # the bar stays this long after the pointer leaves the conversation


class MessageHover(QObject):
    """Owns the action bar over the conversation's viewport. `actions_of(message_id)` says what
    the bar offers for a message; the bar's `triggered` carries the verb pressed."""

    def __init__(
        self,
        owner: QWidget,
        browser: ConversationBrowser,
        spans: MessageSpans,
        actions_of: Callable[[str], Sequence[MessageAction]],
    ) -> None:
        super().__init__(owner)
        self._browser = browser
        self._spans = spans
        self._actions_of = actions_of
        self.bar = MessageActionBar(browser.viewport())
        self.bar.stepRequested.connect(self.step)
        self.bar.dismissed.connect(self._dismiss)
        self.current: str | None = None  # the keyboard's current message
        self._hovered: str | None = None
        self._leave = QTimer(self)
        self._leave.setSingleShot(True)
        self._leave.setInterval(LEAVE_MS)
        self._leave.timeout.connect(self._left)
        browser.viewport().setMouseTracking(True)
        browser.viewport().installEventFilter(self)
        browser.verticalScrollBar().valueChanged.connect(self.refresh)
        browser.document().documentLayout().documentSizeChanged.connect(self.refresh)
        for key, step in (("Alt+Up", -1), ("Alt+Down", 1)):
            shortcut = QShortcut(QKeySequence(key), owner)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(lambda step=step: self.step(step))

    @property
    def shown_for(self) -> str | None:
        """The message whose actions the bar shows; None while it is hidden."""
        return self.bar.message_id if self.bar.isVisible() else None

    def message_at(self, point: QPoint) -> str | None:
        """The message at `point` of the viewport."""
        return self._spans.at(self._browser.cursorForPosition(point).position())

    def step(self, step: int) -> None:
        """Make the message `step` places from the current one current: scroll to it and put the
        keyboard on its bar."""
        start = self.current or self.shown_for
        target = self._spans.neighbour(start, step)
        if target is None:
            return
        self.current = target
        self._bring_into_view(target)
        self._show(target)
        self.bar.focus_first()

    def refresh(self) -> None:
        """Show the bar again where and as it should be (the document or the scroll changed)."""
        # what is under the pointer may have moved or gone (or been away while the document
        # was rebuilt: a theme switch), though the pointer itself has not moved
        if self._hovered is not None or self._browser.viewport().underMouse():
            self._hovered = self._under_pointer()
        target = self._target()
        if target is None or target not in self._spans:
            if self.bar.isVisible() and not self._bar_has_focus():
                self.bar.hide()
            return
        self._show(target)

    def forget(self) -> None:
        """The document was replaced: no message is current or hovered."""
        self.current = self._hovered = None
        self.bar.hide()
        self.bar.message_id = None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.MouseMove and isinstance(event, QMouseEvent):
            self._leave.stop()
            hovered = self.message_at(event.position().toPoint())
            if hovered != self._hovered:
                self._hovered = hovered
                self.refresh()
        elif kind == QEvent.Type.Leave:
            self._leave.start()
        elif kind == QEvent.Type.Resize:
            self.refresh()
        return False

    def _under_pointer(self) -> str | None:
        viewport = self._browser.viewport()
        if not viewport.underMouse():
            return None
        return self.message_at(viewport.mapFromGlobal(QCursor.pos()))

    def _left(self) -> None:
        if self.bar.underMouse() or self._browser.viewport().underMouse():
            return
        self._hovered = None
        self.refresh()

    def _dismiss(self) -> None:
        self.current = None
        self._browser.setFocus(Qt.FocusReason.OtherFocusReason)
        self.refresh()

    def _bar_has_focus(self) -> bool:
        return self.bar.hasFocus() or any(b.hasFocus() for b in self.bar.buttons)

    def _target(self) -> str | None:
        if self.current is not None and (self._bar_has_focus() or self._hovered is None):
            return self.current
        return self._hovered

    def _show(self, message_id: str) -> None:
        actions = self._actions_of(message_id)
        if not actions:
            self.bar.hide()
            return
        self.bar.set_actions(message_id, actions)
        top, bottom = self._extent(message_id)
        viewport = self._browser.viewport()
        height = self.bar.height()
        if bottom < INSET or top > viewport.height():
            self.bar.hide()
            return
        y = max(INSET, min(top, bottom - height)) if top < INSET else top
        right = viewport.width() - int(self._browser.column_margin) + INSET
        self.bar.move(max(0, right - self.bar.width()), int(y))
        self.bar.raise_()
        self.bar.show()

    def _extent(self, message_id: str) -> tuple[float, float]:
        """The top and bottom of `message_id` in viewport coordinates."""
        document = self._browser.document()
        layout = document.documentLayout()
        offset = self._browser.verticalScrollBar().value()
        start = self._spans.start(message_id) or 0
        top = layout.blockBoundingRect(document.findBlock(start)).top() - offset
        after = self._spans.neighbour(message_id, 1)
        after_start = self._spans.start(after) if after is not None else None
        bottom = (
            layout.blockBoundingRect(document.findBlock(after_start)).top()
            if after_start is not None
            else layout.documentSize().height()
        ) - offset
        return top, bottom

    def _bring_into_view(self, message_id: str) -> None:
        top = self._extent(message_id)[0]
        height = self._browser.viewport().height()
        bar = self._browser.verticalScrollBar()
        if top < 0 or top > height - 40:
            bar.setValue(bar.value() + int(top) - 2 * INSET)
