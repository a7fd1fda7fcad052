"""Asking for a model's context window when nobody lists it ("Set window…" on the meter)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QInputDialog, QWidget

MIN_CONTEXT_WINDOW = 1024


class ContextWindowQuestion:
    """One dialog at a time, opened with `open()`: the answer goes to `answered(model, window)`."""

    def __init__(self, parent: QWidget, answered: Callable[[str, int], None]) -> None:
        self._parent = parent
        self._answered = answered
        self._dialog: QInputDialog | None = None

    def ask(self, model: str, window: int) -> None:
        if self._dialog is not None:
            self._dialog.raise_()
            return
        dialog = QInputDialog(self._parent)
        dialog.setObjectName("contextWindowDialog")
        dialog.setWindowTitle("Context window")
        dialog.setInputMode(QInputDialog.InputMode.IntInput)
        dialog.setIntRange(MIN_CONTEXT_WINDOW, 100_000_000)
        dialog.setIntStep(1024)
        dialog.setIntValue(window)
        dialog.setLabelText(
            f"The context window of “{model}” is not known; the meter assumes "
            f"{window:,} tokens.\nIts window in tokens (see the provider's "
            "model page; it can be changed later in Settings):"
        )
        dialog.intValueSelected.connect(
            lambda value: self._answered(model, max(MIN_CONTEXT_WINDOW, value))
        )
        dialog.finished.connect(self._closed)
        self._dialog = dialog
        dialog.open()

    def _closed(self) -> None:
        if self._dialog is not None:
            self._dialog.deleteLater()
            self._dialog = None
