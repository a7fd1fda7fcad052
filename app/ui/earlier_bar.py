"""The line above a long conversation that says how many earlier messages are not shown."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QWidget


class EarlierBar(QLabel):
    """ "120 earlier messages are not shown here. Show 100 more" — hidden while there are none."""

    showMoreRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("earlierBar")
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.LinksAccessibleByMouse
            | Qt.TextInteractionFlag.LinksAccessibleByKeyboard
        )
        self.setContentsMargins(8, 4, 8, 4)
        self.linkActivated.connect(lambda _link: self.showMoreRequested.emit())
        self.hidden_count = 0
        self.hide()

    def set_hidden(self, count: int, step: int) -> None:
        """Say that `count` earlier messages are not shown; the link shows up to `step` more."""
        self.hidden_count = count
        if count <= 0:
            self.hide()
            return
        noun = "message is" if count == 1 else "messages are"
        more = "them" if count <= step else f"{step:,} more"
        self.setText(f'{count:,} earlier {noun} not shown here. <a href="more">Show {more}</a>')
        self.setAccessibleName(f"{count} earlier {noun} not shown")
        self.show()
