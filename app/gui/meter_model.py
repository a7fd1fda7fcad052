"""The one meter model: the next request's estimate and whether Send may go, computed once per
change and published to whoever shows them (the meter, the Send button).

Typing asks for a debounced refresh (the estimate tokenises the draft); every other change asks
for an immediate one. Sending never waits for either: :meth:`MeterModel.check` computes the
reading for the text being sent at the moment of the key press.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QObject, QTimer, Signal

from app.core.budget import BudgetEstimate

DEBOUNCE_MS = 150

# A reason Send must wait or refuse, from the text to send and its estimate; None: no objection.
Gate = Callable[[str, BudgetEstimate], "str | None"]


@dataclass(frozen=True)
class MeterReading:
    estimate: BudgetEstimate
    blocked: str | None  # why Send would not go now; None: it may


class MeterModel(QObject):
    changed = Signal(object)  # MeterReading, after every refresh

    def __init__(
        self,
        estimate: Callable[[str], BudgetEstimate],
        gates: Sequence[Gate],
        draft: Callable[[], str],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._estimate = estimate
        self._gates = tuple(gates)
        self._draft = draft
        self.reading: MeterReading | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self.refresh)

    def refresh(self) -> MeterReading:
        """Compute the reading for the draft as it is now and publish it."""
        self._timer.stop()
        return self._publish(self.read(self._draft().strip()))

    def typing(self) -> None:
        """The draft changed: refresh once the keys pause."""
        self._timer.start()

    def check(self, text: str) -> str | None:
        """Why `text` may not be sent right now (None: it may), computed now and published."""
        self._timer.stop()
        return self._publish(self.read(text)).blocked

    def read(self, text: str) -> MeterReading:
        estimate = self._estimate(text)
        blocked = next((r for gate in self._gates if (r := gate(text, estimate))), None)
        return MeterReading(estimate, blocked)

    def stop(self) -> None:
        """The window is going away: publish nothing more."""
        self._timer.stop()
        self.blockSignals(True)

    def _publish(self, reading: MeterReading) -> MeterReading:
        self.reading = reading
        self.changed.emit(reading)
        return reading
