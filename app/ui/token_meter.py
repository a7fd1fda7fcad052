"""The token meter: how much of the context window the next request needs, and what it costs.

Always visible under the composer. It only shows figures it is given (`set_figures`); the window
computes them with `app.core.meter` whenever the conversation, the draft or the tray changes.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QRectF, QSize, Qt, Signal, SignalInstance
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.core.billing import TurnForecast, format_usd
from app.core.budget import MAX_IMAGE_TOKENS, BudgetEstimate
from app.ui.tray_palette import Level, error_color, level_color, track_color

WARN_AT = 0.75
HIGH_AT = 0.90


def level_of(estimate: BudgetEstimate) -> Level:
    """ok below 75 % of the window, warn from 75 %, high from 90 %, over past 100 %."""
    if not estimate.fits:
        return "over"
    if estimate.fraction >= HIGH_AT:
        return "high"
    if estimate.fraction >= WARN_AT:
        return "warn"
    return "ok"


def is_estimated(estimate: BudgetEstimate) -> bool:
    """Whether any part of the figure is an estimate rather than the server's own count."""
    return not estimate.history_exact or bool(
        estimate.draft_text_tokens or estimate.draft_image_tokens or estimate.unknown_images
    )


class _MeterBar(QWidget):
    """A thin bar of the share of the window used; painted so its colours follow the palette."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tokenMeterBar")
        self._fraction = 0.0
        self._level: Level = "ok"
        self.setMinimumWidth(80)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def sizeHint(self) -> QSize:
        return QSize(160, 8)

    def minimumSizeHint(self) -> QSize:
        return QSize(80, 8)

    def set_fill(self, fraction: float, level: Level) -> None:
        self._fraction = max(0.0, fraction)
        self._level = level
        self.update()

    def color(self) -> QColor:
        return level_color(self.palette(), self._level)

    def track(self) -> QColor:
        return track_color(self.palette())

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        radius = rect.height() / 2
        trough = track_color(self.palette())
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(trough)
        painter.drawRoundedRect(rect, radius, radius)
        if self._fraction > 0:
            filled = QRectF(rect)
            filled.setWidth(max(rect.height(), rect.width() * min(1.0, self._fraction)))
            painter.setBrush(self.color())
            painter.drawRoundedRect(filled, radius, radius)
        painter.end()


class TokenMeter(QWidget):
    """ "≈ 3,210 / 32,768 tokens", a bar coloured at 75/90/100 %, and the turn's cost."""

    contextWindowRequested = Signal()  # "Set window…": the model's window is not known
    fitRequested = Signal()  # "Fit…": choose what to leave out of the request

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tokenMeter")
        self.setAccessibleName("Token meter")
        self._estimate: BudgetEstimate | None = None
        self._level: Level = "ok"
        self._fit_offered = False
        self._set_window = self._button(
            "Set window…",
            "tokenMeterSetWindow",
            "Tell the meter this model's context window",
            self.contextWindowRequested,
        )
        self._fit = self._button(
            "Fit…",
            "tokenMeterFit",
            "Choose images to leave out or send at low detail, or old "
            "turns to drop, with the meter showing the result",
            self.fitRequested,
        )
        self._note = QLabel(self)
        self._note.setObjectName("tokenMeterNote")
        self._note.setWordWrap(True)
        self._note.hide()

        self._summary = QLabel("No estimate yet", self)
        self._summary.setObjectName("tokenMeterSummary")
        self._bar = _MeterBar(self)
        self._cost = QLabel(self)
        self._cost.setObjectName("tokenMeterCost")
        self._warning = QLabel(self)
        self._warning.setObjectName("tokenMeterWarning")
        self._warning.setWordWrap(True)
        self._warning.hide()
        for label in (self._summary, self._cost, self._warning):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # The figures wrap rather than widen the window past a small (or scaled) screen.
        self._summary.setWordWrap(True)
        self._cost.setWordWrap(True)

        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self._summary)
        row.addWidget(self._bar, 1)
        row.addWidget(self._cost)
        row.addWidget(self._set_window)
        row.addWidget(self._fit)
        column = QVBoxLayout(self)
        column.setContentsMargins(4, 2, 4, 2)
        column.setSpacing(2)
        column.addLayout(row)
        column.addWidget(self._warning)
        column.addWidget(self._note)

    def _button(self, text: str, name: str, tip: str, signal: SignalInstance) -> QToolButton:
        button = QToolButton(self)
        button.setText(text)
        button.setObjectName(name)
        button.setAccessibleName(text.rstrip("…"))
        button.setToolTip(tip)
        button.setAutoRaise(True)
        button.clicked.connect(signal)
        button.hide()
        return button

    # -- figures -------------------------------------------------------------------------------

    def set_figures(
        self,
        estimate: BudgetEstimate,
        *,
        context_known: bool,
        next_cost: TurnForecast | None,
        conversation_cost: float | None,
        today_cost: float | None = None,
        notes: tuple[str, ...] = (),
        plan_active: bool = False,
    ) -> None:
        """Show these figures. `next_cost`: the next turn's forecast (cached prefix and price
        tier included); `today_cost` adds "$… today"; `notes` are lines under the bar (what the
        meter learned from the server, what the fitting plan leaves out); `plan_active`: a
        fitting plan leaves something out (keeps "Fit…" at hand). An unknown window is only a
        guess: going past it warns, and Send is never refused for it."""
        self._estimate = estimate
        self._level = level_of(estimate)
        if self._level == "over" and not context_known:
            self._level = "high"

        approx = "≈ " if is_estimated(estimate) else ""
        summary = f"{approx}{estimate.needed:,} / {estimate.context_window:,} tokens"
        if estimate.history_exact:
            summary += " (history exact)"
        if not context_known:
            summary += f" · unknown window (assumed {estimate.context_window:,})"
        self._summary.setText(summary)
        self._bar.set_fill(estimate.fraction, self._level)

        costs: list[str] = []
        if next_cost is not None:
            cached = (
                f" ({next_cost.cached_tokens:,} cached, saves {format_usd(next_cost.saved_usd)})"
                if next_cost.cached_tokens
                else ""
            )
            costs.append(
                f"next ≈ {format_usd(next_cost.input_usd)}{cached} + up to "
                f"{format_usd(next_cost.reply_usd)} reply"
            )
            if next_cost.long_context:
                costs.append("long-context rate (2×)")
        if conversation_cost is not None:
            costs.append(f"{format_usd(conversation_cost)} so far")
        if today_cost is not None:
            costs.append(f"{format_usd(today_cost)} today")
        self._cost.setText(" · ".join(costs))
        self._set_window.setVisible(not context_known)
        self._fit.setVisible(self._fit_offered and (not estimate.fits or plan_active))
        self._note.setText("\n".join(notes))
        self._note.setVisible(bool(notes))
        self._cost.setVisible(bool(costs))

        if estimate.fits:
            self._warning.clear()
            self._warning.hide()
        elif not context_known:
            self._warning.setText(
                f"Past the assumed window of {estimate.context_window:,} tokens: this model's "
                "window is not known, so nothing is held back — the server will say if the "
                "request is too long (and the meter learns the window). Set window… if you "
                "know it."
            )
            self._warning.show()
        else:
            fit = "choose what to leave out (Fit…), " if self._fit_offered else ""
            self._warning.setText(
                f"Over by {estimate.over_by:,} tokens: {fit}remove an image or "
                "start a new conversation"
            )
            self._warning.show()
        self._apply_colors()

        self.setAccessibleDescription(f"{estimate.needed} of {estimate.context_window} tokens")
        self.setToolTip(self._breakdown(estimate, context_known))

    def set_fit_offered(self, offered: bool) -> None:
        """Whether the window can fit the request (shows "Fit…" when over or while a plan
        leaves something out)."""
        self._fit_offered = offered

    # -- queries (tests and the window read these) ---------------------------------------------

    def note_text(self) -> str:
        return self._note.text() if self._note.isVisibleTo(self) else ""

    def set_window_button(self) -> QToolButton:
        return self._set_window

    def fit_button(self) -> QToolButton:
        return self._fit

    @property
    def over_window(self) -> bool:
        return self._level == "over"

    @property
    def level(self) -> Level:
        return self._level

    def bar_color(self) -> QColor:
        return self._bar.color()

    def track_color(self) -> QColor:
        return self._bar.track()

    def text_color(self) -> QColor:
        """The colour the summary is drawn in (the error colour past the window)."""
        return self._summary.palette().color(self._summary.foregroundRole())

    def summary_text(self) -> str:
        return self._summary.text()

    def cost_text(self) -> str:
        return self._cost.text() if self._cost.isVisibleTo(self) else ""

    def warning_text(self) -> str:
        return self._warning.text()

    # -- internals -----------------------------------------------------------------------------

    def _breakdown(self, estimate: BudgetEstimate, context_known: bool) -> str:
        history_text = max(0, estimate.history_tokens - estimate.history_image_tokens)
        source = "from the server's count" if estimate.history_exact else "estimated"
        lines = [
            f"History text: {history_text:,} tokens ({source})",
            f"History images: {estimate.history_image_tokens:,} tokens",
            f"Draft text: {estimate.draft_text_tokens:,} tokens (estimated)",
            f"Draft images: {estimate.draft_image_tokens:,} tokens (tile formula)",
            f"Reply room: {estimate.reply_reserve:,} tokens",
        ]
        if estimate.unknown_images:
            lines.append(
                f"Unknown images: {estimate.unknown_images} "
                f"(counted at the most, {MAX_IMAGE_TOKENS:,} tokens each)"
            )
        window = f"{estimate.context_window:,}"
        if not context_known:
            window += " (unknown window, assumed)"
        lines.append(f"Total: {estimate.needed:,} of {window} tokens")
        return "\n".join(lines)

    def _apply_colors(self) -> None:
        sheet = f"color: {error_color(self.palette()).name()};" if self.over_window else ""
        if sheet != self._summary.styleSheet():
            self._summary.setStyleSheet(sheet)
            self._warning.setStyleSheet(sheet)
        self._bar.update()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._apply_colors()
