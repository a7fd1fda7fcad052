"""The panel under the conversation (tray, system prompt, composer, Send, the line under it)
and the height it keeps in the window's splitter."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, QTimer
from PySide6.QtGui import QResizeEvent, QShowEvent
from PySide6.QtWidgets import QLabel, QSplitter, QWidget

COMPOSER_ROOM = 48  # px the composer gets beyond its minimum until the user drags for more
MIN_CONVERSATION = 120  # px the conversation keeps whatever the panel asks for


class ComposerPanel(QWidget):
    """Keeps the height its content asks for, plus what the user gave the composer by dragging
    the splitter's handle: when the tray empties the conversation gets the room back, not the
    composer; when the line under Send wraps or the tray fills, nothing is squeezed."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._splitter: QSplitter | None = None
        self._extra = 0  # px the user dragged the composer beyond its room
        self._fitting = False
        self._fit_soon = QTimer(self)
        self._fit_soon.setSingleShot(True)
        self._fit_soon.timeout.connect(self.fit)

    def place_in(self, splitter: QSplitter) -> None:
        splitter.addWidget(self)
        self._splitter = splitter
        splitter.splitterMoved.connect(self._moved)

    def minimumSizeHint(self) -> QSize:
        # The layout's minimum counts a word-wrapped label at its unwrapped height: add what
        # each one needs more at its width.
        hint = super().minimumSizeHint()
        extra = 0
        for label in self.findChildren(QLabel):
            if label.wordWrap() and label.isVisibleTo(self) and label.width() > 0:
                wrapped = label.heightForWidth(label.width())
                extra += max(0, wrapped - label.minimumSizeHint().height())
        hint.setHeight(hint.height() + extra)
        return hint

    def wanted_height(self) -> int:
        return self.minimumSizeHint().height() + COMPOSER_ROOM + self._extra

    def fit(self) -> None:
        """Give the panel its wanted height, the conversation the rest (never below its own
        minimum)."""
        splitter = self._splitter
        if splitter is None or not self.isVisible():
            return
        sizes = splitter.sizes()
        index = splitter.indexOf(self)
        total = sum(sizes)
        wanted = min(self.wanted_height(), max(total - MIN_CONVERSATION, 0))
        if total <= 0 or abs(sizes[index] - wanted) <= 1:
            return
        others = total - wanted
        new = [others if i != index else wanted for i in range(len(sizes))]
        self._fitting = True
        try:
            splitter.setSizes(new)
        finally:
            self._fitting = False

    def _moved(self, _pos: int, _index: int) -> None:
        if not self._fitting:
            base = self.minimumSizeHint().height() + COMPOSER_ROOM
            self._extra = max(0, self.height() - base)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.LayoutRequest:
            self._fit_soon.start(0)  # once the layout has settled
        return super().event(event)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._fit_soon.start(0)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self.updateGeometry()  # the wrapped height changes with the width
            self._fit_soon.start(0)
