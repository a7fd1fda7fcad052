"""The reasoning-effort choice for the open conversation: only the values the model takes, and
hidden for a model that takes none."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QWidget

DEFAULT = ""  # send no effort: the model's own default


class EffortPicker(QComboBox):
    effortChosen = Signal(str)  # an effort, or "" for the model's default

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("effortPicker")
        self.setAccessibleName("Reasoning effort")
        # as wide as its longest choice whenever the choices change (a model's own default
        # is filled in after the window is first shown)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.setToolTip(
            "How hard the model reasons before it answers (more effort: slower, "
            "more reasoning tokens billed at the output price). Kept per "
            "conversation."
        )
        self.activated.connect(lambda index: self.effortChosen.emit(str(self.itemData(index))))

    def set_choices(self, efforts: Sequence[str], default: str | None, current: str | None) -> None:
        """Offer `efforts` with `current` selected (the window hides the picker when there are
        none)."""
        self.blockSignals(True)
        self.clear()
        label = f"Effort: model default ({default})" if default else "Effort: model default"
        self.addItem(label, DEFAULT)
        for effort in efforts:
            self.addItem(f"Effort: {effort}", effort)
        self.setCurrentIndex(max(0, self.findData(current or DEFAULT)))
        self.blockSignals(False)

    def current_effort(self) -> str | None:
        return str(self.currentData()) or None
