"""The token meter: how much of the context window the next request needs, and what it costs.

Always visible under the composer: the context bar (`meter_bar.ContextBar`), then one legend
in words that wraps only between its items ("≈ 12,400 of 1,000,000 tokens · ■ history 10,300 ·
■ images ≈ 2,048 · ■ draft ≈ 52 · ▨ reply room 2,048 · next turn ≈ $0.012 + reply up to
$0.0051 · conversation $0.41 · today $1.20"). It only shows the figures it is given
(`set_figures`), read by `app.core.meter.meter_figures`.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal, SignalInstance
from PySide6.QtGui import QColor, QTextDocument
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.core.billing import TurnForecast
from app.core.budget import BudgetEstimate
from app.core.meter import MeterFigures, MeterLevel, SegmentKind, meter_figures
from app.ui import meter_text
from app.ui.meter_bar import ContextBar
from app.ui.meter_palette import segment_color
from app.ui.tray_palette import error_color, readable


class TokenMeter(QWidget):
    """The context bar with its segments, the legend in words, warnings and notes below."""

    contextWindowRequested = Signal()  # "Set window…": the model's window is not known
    fitRequested = Signal()  # "Fit…": choose what to leave out of the request

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tokenMeter")
        self.setAccessibleName("Token meter")
        self._figures: MeterFigures | None = None
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
        self._bar = ContextBar(self)
        self._legend = QLabel("No estimate yet", self)
        self._legend.setObjectName("tokenMeterLegend")
        self._legend.setTextFormat(Qt.TextFormat.RichText)
        # Wraps between items (each item holds together), never widening the window.
        self._legend.setWordWrap(True)
        self._warning = self._line("tokenMeterWarning")
        self._note = self._line("tokenMeterNote")
        for label in (self._legend, self._warning, self._note):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self._bar, 1, Qt.AlignmentFlag.AlignVCenter)
        row.addWidget(self._set_window)
        row.addWidget(self._fit)
        column = QVBoxLayout(self)
        column.setContentsMargins(4, 2, 4, 2)
        column.setSpacing(2)
        column.addLayout(row)
        column.addWidget(self._legend)
        column.addWidget(self._warning)
        column.addWidget(self._note)

    def _line(self, name: str) -> QLabel:
        label = QLabel(self)
        label.setObjectName(name)
        label.setWordWrap(True)
        label.hide()
        return label

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
        tier included); `today_cost` adds "today $…"; `notes` are lines under the legend (what
        the meter learned from the server, what the fitting plan leaves out); `plan_active`: a
        fitting plan leaves something out (keeps "Fit…" at hand). An unknown window is only a
        guess: going past it warns, and Send is never refused for it."""
        figures = meter_figures(
            estimate,
            context_known=context_known,
            next_cost=next_cost,
            conversation_cost=conversation_cost,
            today_cost=today_cost,
        )
        self._figures = figures
        self._bar.show_figures(figures)
        self._set_window.setVisible(not context_known)
        self._fit.setVisible(self._fit_offered and (not estimate.fits or plan_active))
        self._note.setText("\n".join(notes))
        self._note.setVisible(bool(notes))
        self._show_warning(figures)
        self._apply_colors()
        self.setAccessibleDescription(meter_text.accessible_description(figures))
        self.setToolTip(meter_text.breakdown(estimate, figures))

    def _show_warning(self, figures: MeterFigures) -> None:
        if not figures.over_by:
            self._warning.clear()
            self._warning.hide()
            return
        needed = f"{figures.needed:,} / {figures.window:,} tokens with the reply room"
        if not figures.window_known:
            self._warning.setText(
                f"Past the assumed window ({needed}): this model's window is not known, so "
                "nothing is held back — the server will say if the request is too long (and "
                "the meter learns the window). Set window… if you know it."
            )
        else:
            fit = "choose what to leave out (Fit…), " if self._fit_offered else ""
            self._warning.setText(
                f"Over by {figures.over_by:,} tokens ({needed}): {fit}remove an image or "
                "start a new conversation"
            )
        self._warning.show()

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
        return self.level == "over"

    @property
    def level(self) -> MeterLevel:
        return self._bar.level

    def bar_color(self) -> QColor:
        """The level's colour: the bar's outline and the headline from 75 % on."""
        return self._bar.level_color()

    def track_color(self) -> QColor:
        return self._bar.track()

    def segment_color(self, kind: SegmentKind) -> QColor:
        return segment_color(self.palette(), kind)

    def headline_color(self) -> QColor:
        """The colour the headline figure is drawn in: the text's, the level's from 75 %."""
        window = self.palette().color(self.backgroundRole())
        if self.level == "ok":
            return self._legend.palette().color(self._legend.foregroundRole())
        if self.level == "over":
            return error_color(self.palette())
        return readable(self.bar_color(), window)

    def text_color(self) -> QColor:
        return self._legend.palette().color(self._legend.foregroundRole())

    def legend_text(self) -> str:
        """The legend as the user reads it (plain text, swatches included)."""
        return self._legend_document_text()

    def summary_text(self) -> str:
        """The token half of the legend: headline and segments."""
        return meter_text.summary_plain(self._figures) if self._figures else ""

    def cost_text(self) -> str:
        return meter_text.cost_plain(self._figures) if self._figures else ""

    def warning_text(self) -> str:
        return self._warning.text()

    def legend_label(self) -> QLabel:
        return self._legend

    # -- internals -----------------------------------------------------------------------------

    def _legend_document_text(self) -> str:
        document = QTextDocument()
        document.setHtml(self._legend.text())
        return document.toPlainText().replace("\u00a0", " ")

    def _apply_colors(self) -> None:
        figures = self._figures
        if figures is None:
            return
        palette = self.palette()
        swatches = {s.kind: segment_color(palette, s.kind).name() for s in figures.segments}
        headline = None if figures.level == "ok" else self.headline_color().name()
        self._legend.setText(meter_text.legend_html(figures, swatches, headline))
        sheet = f"color: {error_color(palette).name()};" if self.over_window else ""
        if sheet != self._warning.styleSheet():
            self._warning.setStyleSheet(sheet)
        self._bar.update()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._apply_colors()
