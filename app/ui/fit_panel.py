"""The fit panel: what to leave out of the next request when it would not fit the window.

Widgets only. It shows the past images (each can be left out, or sent at low detail: one
448×448 tile, 512 tokens) and how many of the oldest turns to drop, and emits the edited
:class:`FitPlan` at every change, so that the meter previews each choice as it is made.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.core.budget import MIN_IMAGE_TOKENS
from app.core.fitting import FitPlan, ImageKey
from app.ui.tray_palette import error_color

_ROWS_SHOWN = 5


@dataclass(frozen=True)
class FitImageRow:
    """One past image as the panel lists it."""

    key: ImageKey
    label: str  # "Turn 2 · Image 1: before.png"
    tokens: int | None  # at full detail, by the tile formula; None when not known
    switchable: bool = True  # can be sent at low detail (it was sent at full detail)


def key_name(prefix: str, key: ImageKey) -> str:
    return f"{prefix}:{key[0]}:{key[1]}"


class FitPanel(QFrame):
    """See the module docstring. Fill it with `set_content`; it emits `planEdited`."""

    planEdited = Signal(object)  # FitPlan
    hideRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("fitPanel")
        self.setAccessibleName("Fit the request into the context window")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._plan = FitPlan()
        self._rows: tuple[FitImageRow, ...] = ()
        self._drop: dict[ImageKey, QCheckBox] = {}
        self._low: dict[ImageKey, QCheckBox] = {}

        self._status = QLabel(self)
        self._status.setObjectName("fitPanelStatus")
        self._status.setWordWrap(True)
        self._status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self._grid_host = QWidget()
        self._grid = QGridLayout(self._grid_host)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._scroll = QScrollArea(self)
        self._scroll.setObjectName("fitPanelImages")
        self._scroll.setWidget(self._grid_host)
        self._scroll.setWidgetResizable(True)
        self._scroll.setFrameShape(QFrame.Shape.NoFrame)
        self._empty = QLabel("No past images: only dropping old turns can help.", self)
        self._empty.setObjectName("fitPanelNoImages")

        self._turns = QSpinBox(self)
        self._turns.setObjectName("fitDropTurns")
        self._turns.setAccessibleName("Oldest turns left out")
        self._turns.valueChanged.connect(self._turns_changed)
        turns_label = QLabel("Leave out the &oldest turns:", self)
        turns_label.setBuddy(self._turns)

        self._all_low = self._action(
            "All past images at low detail", "fitAllLow", self._set_all_low
        )
        self._reset = self._action("Send everything", "fitReset", lambda: self._emit(FitPlan()))
        self._hide = self._action("Hide", "fitHide", self.hideRequested.emit)

        turns_row = QHBoxLayout()
        turns_row.addWidget(turns_label)
        turns_row.addWidget(self._turns)
        turns_row.addStretch(1)
        turns_row.addWidget(self._all_low)
        turns_row.addWidget(self._reset)
        turns_row.addWidget(self._hide)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addWidget(self._status)
        layout.addWidget(self._scroll)
        layout.addWidget(self._empty)
        layout.addLayout(turns_row)

    def _action(self, text: str, name: str, slot: object) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.clicked.connect(slot)
        return button

    # -- content -------------------------------------------------------------------------------

    @property
    def plan(self) -> FitPlan:
        return self._plan

    def set_content(self, rows: Sequence[FitImageRow], plan: FitPlan, max_turns: int) -> None:
        """The past images, the plan in force and how many turns may be dropped."""
        rows = tuple(rows)
        if rows != self._rows:
            self._rows = rows
            self._build_rows()
        self._plan = plan
        for key, box in self._drop.items():
            box.blockSignals(True)
            box.setChecked(key in plan.dropped_images)
            box.blockSignals(False)
        for key, box in self._low.items():
            box.blockSignals(True)
            box.setChecked(key in plan.low_detail)
            box.setEnabled(key not in plan.dropped_images)
            box.blockSignals(False)
        self._turns.blockSignals(True)
        self._turns.setRange(0, max_turns)
        self._turns.setValue(min(plan.dropped_turns, max_turns))
        self._turns.setSuffix(f" of {max_turns}")
        self._turns.blockSignals(False)
        self._all_low.setEnabled(any(r.switchable for r in rows))
        self._reset.setEnabled(not plan.empty)

    def set_status(self, text: str, *, fits: bool) -> None:
        self._status.setText(text)
        self._status.setStyleSheet("" if fits else f"color: {error_color(self.palette()).name()};")

    def status_text(self) -> str:
        return self._status.text()

    def drop_box(self, key: ImageKey) -> QCheckBox | None:
        return self._drop.get(key)

    def low_box(self, key: ImageKey) -> QCheckBox | None:
        return self._low.get(key)

    def turns_spin(self) -> QSpinBox:
        return self._turns

    def _build_rows(self) -> None:
        while self._grid.count():
            item = self._grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self._drop.clear()
        self._low.clear()
        for line, row in enumerate(self._rows):
            tokens = f"{row.tokens:,} tokens" if row.tokens is not None else "cost unknown"
            label = QLabel(f"{row.label} — {tokens}", self._grid_host)
            drop = QCheckBox("Leave out", self._grid_host)
            drop.setObjectName(key_name("fitDrop", row.key))
            drop.setAccessibleName(f"Leave out {row.label}")
            drop.toggled.connect(
                lambda on, key=row.key: self._emit(self._plan.with_image(key, dropped=on))
            )
            low = QCheckBox(f"Low detail ({MIN_IMAGE_TOKENS} tokens)", self._grid_host)
            low.setObjectName(key_name("fitLow", row.key))
            low.setAccessibleName(f"Send {row.label} at low detail")
            low.setVisible(row.switchable)
            low.toggled.connect(
                lambda on, key=row.key: self._emit(self._plan.with_image(key, low=on))
            )
            self._grid.addWidget(label, line, 0)
            self._grid.addWidget(drop, line, 1)
            self._grid.addWidget(low, line, 2)
            self._drop[row.key] = drop
            self._low[row.key] = low
        self._grid.setColumnStretch(0, 1)
        self._scroll.setVisible(bool(self._rows))
        self._empty.setVisible(not self._rows)
        height = self.fontMetrics().lineSpacing() + 12
        self._scroll.setFixedHeight(min(len(self._rows), _ROWS_SHOWN) * height + 4)

    # -- intent --------------------------------------------------------------------------------

    def _turns_changed(self, value: int) -> None:
        self._emit(self._plan.with_dropped_turns(value))

    def _set_all_low(self) -> None:
        keys = frozenset(r.key for r in self._rows if r.switchable)
        self._emit(
            FitPlan(
                self._plan.dropped_images, self._plan.low_detail | keys, self._plan.dropped_turns
            )
        )

    def _emit(self, plan: FitPlan) -> None:
        if plan != self._plan:
            self._plan = plan
            self.planEdited.emit(plan)
