"""The toolbar's model picker: each model's context window and whether it reasons, at a glance.

The closed picker shows the id (the toolbar is narrow); the list shows beside each id its window
("1M", "500k") and "reasons" in a quieter colour, and the tooltip says it in full.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QWidget

if TYPE_CHECKING:
    from app.core.catalog import ModelInfo

SUMMARY_ROLE = Qt.ItemDataRole.UserRole + 1
GAP = 24


def short_window(tokens: int) -> str:
    """1,000,000 → "1M", 500,000 → "500k", 131,072 → "131k"."""
    if tokens >= 1_000_000:
        return f"{tokens / 1_000_000:.3g}M"
    if tokens >= 1_000:
        return f"{round(tokens / 1_000)}k"
    return str(tokens)


def model_summary(model: ModelInfo) -> str:
    """What the list shows beside an id: "1M · reasons", "500k", "text only · 128k"."""
    from app.core.catalog import known_window, reasoning_of  # not before the first paint

    bits = [] if model.takes_images else ["text only"]
    window = model.context_window or known_window(model.id)
    bits.append(short_window(window) if window else "window unknown")
    reasoning = reasoning_of(model.id)
    if reasoning.efforts or reasoning.thinks:
        bits.append("reasons")
    return " · ".join(bits)


class ModelPicker(QComboBox):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("modelPicker")
        self.setAccessibleName("Model")
        self.setToolTip("Model")
        self.currentIndexChanged.connect(self._follow_tooltip)

    def set_models(self, models: Sequence[ModelInfo], current: str) -> None:
        from app.core.catalog import describe_model
        from app.ui.model_summary_delegate import SummaryDelegate

        if not isinstance(self.itemDelegate(), SummaryDelegate):
            self.setItemDelegate(SummaryDelegate(self))
        self.blockSignals(True)
        try:
            self.clear()
            ids = []
            for model in models:
                label = model.id if model.takes_images else f"{model.id} (text only)"
                self.addItem(label, model.id)
                row = self.count() - 1
                self.setItemData(row, describe_model(model), Qt.ItemDataRole.ToolTipRole)
                self.setItemData(row, model_summary(model), SUMMARY_ROLE)
                ids.append(model.id)
            if current and current not in ids:
                self.insertItem(0, current, current)
            self.setCurrentIndex(max(0, self.findData(current)))
        finally:
            self.blockSignals(False)
        self._follow_tooltip()
        self.view().setMinimumWidth(self._list_width())

    def summary_at(self, row: int) -> str:
        return str(self.itemData(row, SUMMARY_ROLE) or "")

    def _list_width(self) -> int:
        metrics = self.fontMetrics()
        widest = 0
        for row in range(self.count()):
            text = self.itemText(row)
            summary = self.summary_at(row)
            widest = max(
                widest, metrics.horizontalAdvance(text) + GAP + metrics.horizontalAdvance(summary)
            )
        return widest + 40

    def _follow_tooltip(self) -> None:
        row = self.currentIndex()
        detail = self.itemData(row, Qt.ItemDataRole.ToolTipRole) if row >= 0 else None
        self.setToolTip(f"Model: {self.currentText()} — {detail}" if detail else "Model")
