"""The preview's offer for a tall page: send it as it is, or split it into parts of readable
height, with the cost of each choice. It only shows the split it is given and asks for it."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from app.core.images.tall_split import TallSplit


def offer_text(split: TallSplit) -> str:
    width, height = split.part_size
    return (
        f"A tall page. As it is: {split.width}×{split.height} px squeezed into the tiles that "
        f"count → {split.whole_tokens():,} tokens. Split: {split.count} parts of "
        f"{width}×{height} px, each readable (“part 1 of {split.count}” and on) → "
        f"{split.tokens():,} tokens."
    )


class TallOffer(QFrame):
    """See the module docstring."""

    splitRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tallOffer")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._text = QLabel(self)
        self._text.setObjectName("tallOfferText")
        self._text.setWordWrap(True)
        self._text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.button = QPushButton(self)
        self.button.setObjectName("tallOfferSplit")
        self.button.setAutoDefault(False)
        self.button.clicked.connect(self.splitRequested)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addWidget(self._text, 1)
        layout.addWidget(self.button)
        self.setVisible(False)

    def show_split(self, split: TallSplit | None) -> None:
        self.setVisible(split is not None)
        if split is None:
            return
        text = offer_text(split)
        self._text.setText(text)
        self.button.setText(f"Split into {split.count} parts")
        self.button.setAccessibleName(f"Split into {split.count} parts")
        self.button.setAccessibleDescription(text)
        self.button.setToolTip(
            "Replace the page in the tray by its parts, in order; each overlaps the next a little"
        )

    def text(self) -> str:
        return self._text.text() if self.isVisible() else ""
