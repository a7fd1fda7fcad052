"""The fit panel: what to leave out of the next request when it would not fit the window.

Widgets only. It shows the past images (each can be left out, or sent at low detail: one
448×448 tile, 512 tokens) and how many of the oldest turns to drop, and emits the edited
:class:`FitPlan` at every change, so that the meter previews each choice as it is made. When the
images waiting in the tray are what makes the request too big, it lists them too, each with a
low-detail switch and a Remove button (the tray's own controls, by signal): a panel with no
history to trim is never a dead end.
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


@dataclass(frozen=True)
class FitTrayRow:
    """One image waiting in the tray, as the panel lists it."""

    item_id: str
    label: str  # "Tray · Image 1: chart.png"
    tokens: int | None  # as it will be sent now; None when not known
    low: bool = False  # set to go at low detail
    switchable: bool = True  # can go at low detail (a file or pasted image, not a URL)


def key_name(prefix: str, key: ImageKey) -> str:
    return f"{prefix}:{key[0]}:{key[1]}"


class FitPanel(QFrame):
    """See the module docstring. Fill it with `set_content`; it emits `planEdited`."""

    planEdited = Signal(object)  # FitPlan
    hideRequested = Signal()
    trayDetailRequested = Signal(str, bool)  # tray item id, True: send it at low detail
    trayRemoveRequested = Signal(str)  # tray item id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("fitPanel")
        self.setAccessibleName("Fit the request into the context window")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._plan = FitPlan()
        self._rows: tuple[FitImageRow, ...] = ()
        self._drop: dict[ImageKey, QCheckBox] = {}
        self._low: dict[ImageKey, QCheckBox] = {}
        self._tray: tuple[FitTrayRow, ...] = ()
        self._tray_low: dict[str, QCheckBox] = {}
        self._tray_remove: dict[str, QPushButton] = {}

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
        self._empty = QLabel("", self)
        self._empty.setObjectName("fitPanelNoImages")
        self._empty.setWordWrap(True)

        self._tray_host, self._tray_grid = self._tray_section()

        self._turns = QSpinBox(self)
        self._turns.setObjectName("fitDropTurns")
        self._turns.setAccessibleName("Oldest turns left out")
        self._turns.valueChanged.connect(self._turns_changed)
        self._turns_label = turns_label = QLabel("Leave out the &oldest turns:", self)
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
        layout.addWidget(self._tray_host)
        layout.addLayout(turns_row)

    def _tray_section(self) -> tuple[QWidget, QGridLayout]:
        host = QWidget(self)
        host.setObjectName("fitPanelTray")
        host.setAccessibleName("Images in the tray")
        grid = QGridLayout(host)
        grid.setContentsMargins(0, 0, 0, 0)
        host.hide()
        return host, grid

    def _action(self, text: str, name: str, slot: object) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.clicked.connect(slot)
        return button

    # -- content -------------------------------------------------------------------------------

    @property
    def plan(self) -> FitPlan:
        return self._plan

    def set_content(
        self,
        rows: Sequence[FitImageRow],
        plan: FitPlan,
        max_turns: int,
        tray: Sequence[FitTrayRow] = (),
    ) -> None:
        """The past images, the plan in force, how many turns may be dropped, and the images
        waiting in the tray (listed when they are what the request can still lose)."""
        rows = tuple(rows)
        if rows != self._rows:
            self._rows = rows
            self._build_rows()
        tray = tuple(tray)
        if tray != self._tray:
            self._tray = tray
            self._build_tray()
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
        # Only what can help is offered: no "0 of 0" turns, no button that can never work.
        self._turns.setVisible(max_turns > 0)
        self._turns_label.setVisible(max_turns > 0)
        self._all_low.setVisible(any(r.switchable for r in rows))
        self._reset.setVisible(not plan.empty)
        if rows:
            self._empty.hide()
        else:
            self._empty.setText(_no_past_images(max_turns, bool(tray)))
            self._empty.show()

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

    def tray_low_box(self, item_id: str) -> QCheckBox | None:
        return self._tray_low.get(item_id)

    def tray_remove_button(self, item_id: str) -> QPushButton | None:
        return self._tray_remove.get(item_id)

    def _build_tray(self) -> None:
        while self._tray_grid.count():
            item = self._tray_grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self._tray_low.clear()
        self._tray_remove.clear()
        for line, row in enumerate(self._tray):
            tokens = f"{row.tokens:,} tokens" if row.tokens is not None else "cost unknown"
            label = QLabel(f"{row.label} — {tokens}", self._tray_host)
            low = QCheckBox(f"Low detail ({MIN_IMAGE_TOKENS} tokens)", self._tray_host)
            low.setObjectName(f"fitTrayLow:{row.item_id}")
            low.setAccessibleName(f"Send {row.label} at low detail")
            low.setChecked(row.low)
            low.setVisible(row.switchable)
            low.toggled.connect(
                lambda on, item=row.item_id: self.trayDetailRequested.emit(item, on)
            )
            remove = QPushButton("Remove", self._tray_host)
            remove.setObjectName(f"fitTrayRemove:{row.item_id}")
            remove.setAccessibleName(f"Remove {row.label} from the tray")
            remove.clicked.connect(lambda _=False, item=row.item_id: self._remove(item))
            self._tray_grid.addWidget(label, line, 0)
            self._tray_grid.addWidget(low, line, 1)
            self._tray_grid.addWidget(remove, line, 2)
            self._tray_low[row.item_id] = low
            self._tray_remove[row.item_id] = remove
        self._tray_grid.setColumnStretch(0, 1)
        self._tray_host.setVisible(bool(self._tray))

    def _remove(self, item_id: str) -> None:
        self.trayRemoveRequested.emit(item_id)

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


def _no_past_images(max_turns: int, tray: bool) -> str:
    """What the panel says when the conversation has no past image to trim."""
    if tray and max_turns:
        return (
            "No past images. The images in the tray are the largest part: send them at low "
            "detail or remove some below, or leave out the oldest turns."
        )
    if tray:
        return (
            "Nothing earlier in this conversation can be left out: the images in the tray "
            "make the message too big. Send them at low detail or remove some below."
        )
    if max_turns:
        return "No past images: only dropping old turns can help."
    return "Nothing here can be left out: shorten the question or start a new conversation."
