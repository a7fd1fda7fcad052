"""Budget control for one session: the fitting plan, learned image costs, and what turns cost.

The session builds it with what it uses and subscribes it to the meter model. From then on:

- the meter's figure is the request as it will be sent: the fitting plan applied (past images
  left out or at low detail, oldest turns dropped) and image costs as learned from the server;
- when the next request would not fit (context − reply room), Send says so and the fit panel
  opens; every choice in it, or in the conversation's per-image links, updates the meter at once;
- the chat controller sends the conversation with the plan applied, and each request's estimate
  is kept, to correct the meter by the server's usage and to learn how it counts images;
- each reply's cost (from the server's usage) shows under it, goes to the usage ledger, and
  adds to the conversation's and today's totals in the meter.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QBoxLayout

from app.controllers.attachments import AttachmentController
from app.controllers.chat import ChatController
from app.core import billing as money
from app.core.budget import BudgetEstimate
from app.core.continuation import reply_usage
from app.core.conversation import Conversation, Message
from app.core.conversation_state import ConversationScope, ConversationState
from app.core.fit_advice import fit_status, over_figure
from app.core.fitting import (
    FitPlan,
    apply_plan,
    droppable_turns,
    dropped_message_ids,
    low_detail_key,
)
from app.core.forecast import ImageCost, RequestEstimate, estimate_next, request_estimate
from app.core.images.low_detail import standin
from app.core.imagetypes import PreparedImage
from app.core.learning import ImageRule
from app.core.notices import Notices
from app.core.prompt_cache import CacheOutlook, SentRequest, outlook, request_keys
from app.gui import fit_display
from app.gui.budget_costs import CostBook
from app.gui.context_window import ContextWindowQuestion
from app.gui.low_detail_versions import LowDetailVersions, without_low
from app.gui.services import Preferences, Work
from app.ui.conversation_render import ImageMark
from app.ui.fit_panel import FitPanel
from app.ui.main_window import MainWindow

log = logging.getLogger(__name__)


class BudgetFlow(QObject):
    """See the module docstring."""

    changed = Signal()  # the plan, a learned cost, a window or today's total: refresh the meter

    def __init__(
        self,
        *,
        window: MainWindow,
        chat: ChatController,
        attachments: AttachmentController,
        prefs: Preferences,
        scope: ConversationScope,
        work: Work,
        notices: Notices,
        demo: bool,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._window = window
        self._chat = chat
        self._attachments = attachments
        self._prefs = prefs
        self._scope = scope
        self._work = work
        self._notices = notices
        self.low = LowDetailVersions(
            work,
            notices,
            on_made=self.changed.emit,
            on_failed=lambda image: self.set_plan(
                without_low(self.plan, self._chat.conversation, image)
            ),
        )
        self.sent: dict[str, RequestEstimate] = {}  # by reply id
        self.sent_keys: dict[str, SentRequest] = {}  # by reply id: what reached the server
        self._sent_keys: dict[str, str] = {}  # reply id -> learning key
        self.costs = CostBook(prefs, work, notices, demo=demo, parent=self)
        self.panel = FitPanel()
        self.panel.hide()
        self._panel_dismissed = False
        self._was_over = False
        self._window_question = ContextWindowQuestion(window, self.set_context_window)
        self._wire()

    @property
    def plan(self) -> FitPlan:
        """The open conversation's fitting plan (it lives in the conversation's state)."""
        return self._scope.state.fit_plan

    @plan.setter
    def plan(self, plan: FitPlan) -> None:
        self._scope.state.fit_plan = plan

    def _swapped(self, state: ConversationState) -> None:
        """Another conversation is open: its own plan, and the panel as it left it."""
        self._panel_dismissed = False
        self._was_over = False
        self.panel.setVisible(state.fit_panel_open)

    # -- wiring --------------------------------------------------------------------------------

    def _wire(self) -> None:
        w, att = self._window, self._attachments
        # Above the meter, whose figures it previews (the window's central column).
        host = w.meter.parentWidget()
        column = host.layout() if host is not None else None
        if isinstance(column, QBoxLayout):
            column.insertWidget(column.indexOf(w.meter), self.panel)
        w.meter.set_fit_offered(True)
        w.meter.fitRequested.connect(self.show_panel)
        w.meter.contextWindowRequested.connect(
            lambda: self._window_question.ask(
                self._prefs.settings.model, self._prefs.settings.context_window()[0]
            )
        )
        self.panel.planEdited.connect(self.set_plan)
        self.panel.hideRequested.connect(self._hide_panel)
        self.panel.trayDetailRequested.connect(att.set_low_detail)
        self.panel.trayRemoveRequested.connect(att.remove)
        w.view.image_marks = self.image_marks
        w.view.turn_note = self.turn_note
        w.view.imageDetailRequested.connect(
            lambda mid, index, low: self.set_plan(self.plan.with_image((mid, index), low=low))
        )
        w.view.imageSendRequested.connect(
            lambda mid, index, send: self.set_plan(
                self.plan.with_image((mid, index), dropped=not send)
            )
        )
        w.tray.detailToggled.connect(att.set_low_detail)
        self._chat.replyFinished.connect(self._reply_finished)
        self.costs.changed.connect(self.changed)
        w.closing.connect(self._closing)
        self._scope.observe(self._swapped)

    def _closing(self) -> None:
        """The window is going away: nothing here may update it any more."""
        self.costs.blockSignals(True)
        self.panel.blockSignals(True)
        self.blockSignals(True)

    # -- the estimate --------------------------------------------------------------------------

    def _rule(self) -> ImageRule | None:
        return self.costs.rule(self._prefs.settings.model)

    def _cost_fn(self) -> ImageCost:
        rule = self._rule()
        return rule.apply if rule is not None else _formula

    def applied(self, conversation: Conversation, *, for_estimate: bool) -> Conversation:
        """The conversation as sent under the plan (stand-ins for low-detail versions not made
        yet when only estimating)."""
        images: dict[str, PreparedImage] = self.low.images
        if for_estimate and self.plan.low_detail:
            images = dict(self.low.images)
            for image in self.low.planned(conversation, self.plan):
                images.setdefault(low_detail_key(image), standin(image))
        return apply_plan(conversation, self.plan, images)

    def estimate(self, draft: str) -> BudgetEstimate:
        settings, conversation = self._prefs.settings, self._chat.conversation
        self.plan = self.plan.pruned(conversation)
        window, _ = settings.context_window()
        return estimate_next(
            self.applied(conversation, for_estimate=True),
            draft,
            self._attachments.token_costs(),
            context_window=window,
            reply_reserve=settings.max_tokens,
            cost=self._cost_fn(),
            sent=self.sent,
        )

    def show(self, estimate: BudgetEstimate) -> None:
        """Put `estimate` and the costs on the meter (and on the fit panel while it shows)."""
        model = self._prefs.settings.model
        self.costs.load_once()
        known = self.window_known()
        pricing = self.costs.pricing_for(model)
        notes: list[str] = []
        rule = self._rule()
        if rule is not None:
            notes.append(f"Image cost learned from the server: {rule.describe()}.")
        plan_note = self.plan_summary()
        if plan_note:
            notes.append(plan_note)
        cache = self.cache_outlook()
        forecast = money.forecast(estimate, pricing, cache.cached_tokens) if pricing else None
        if cache.broken and pricing is not None:
            extra = (
                money.forecast(estimate, pricing, 0).input_usd
                - money.forecast(estimate, pricing, cache.lost_tokens).input_usd
            )
            notes.append(
                f"The cached prefix breaks: {cache.broken}. About "
                f"{cache.lost_tokens:,} tokens the server had cached are billed in "
                f"full (≈ {money.format_usd(extra)} more)."
            )
        self._window.meter.set_figures(
            estimate,
            context_known=known,
            next_cost=forecast,
            conversation_cost=self.conversation_cost(self._chat.conversation),
            today_cost=self.costs.today,
            notes=tuple(notes),
            plan_active=not self.plan.empty,
        )
        if not estimate.fits and known and not self._was_over and not self._panel_dismissed:
            self.show_panel()
        if estimate.fits:
            self._panel_dismissed = False
        self._was_over = not estimate.fits
        if self.panel.isVisible():
            self._fill_panel(estimate)

    def window_known(self) -> bool:
        """Whether the model's window is known (an unknown one is never a reason to refuse)."""
        return self._prefs.settings.context_window()[1]

    def cache_outlook(self) -> CacheOutlook:
        """What the server's prompt cache will likely serve of the next request."""
        conversation = self.applied(self._chat.conversation, for_estimate=True)
        messages = list(conversation.sent_messages())
        caches = any(m.usage is not None and m.usage.cached_tokens for m in messages)
        previous = self._last_request(conversation.system_prompt, messages)
        cost = self._cost_fn()
        return outlook(
            previous,
            caches,
            request_keys(conversation.system_prompt, messages),
            lambda n: request_estimate(conversation.system_prompt, messages[:n], cost).total,
        )

    def _last_request(self, system_prompt: str, messages: list[Message]) -> SentRequest | None:
        """The request of the last reply the server counted: as recorded when it was sent, or
        (a conversation reopened from history) as the messages before that reply."""
        for index in range(len(messages) - 1, -1, -1):
            reply = messages[index]
            if reply.role == "assistant" and reply.usage is not None:
                sent = self.sent_keys.get(reply.id)
                keys = (
                    sent.keys if sent is not None else request_keys(system_prompt, messages[:index])
                )
                return SentRequest(keys, reply.usage.prompt_tokens)
        return None

    def blocking_reason(self) -> str | None:
        if self.low.missing(self._chat.conversation, self.plan):
            return "Making the low-detail versions…"
        return None

    def over_reason(self, estimate: BudgetEstimate) -> str:
        return (
            f"Over the context window: {over_figure(estimate)}. Choose what to leave out in the "
            "panel above the meter, "
            "lower the reply room in Settings, or start a new conversation."
        )

    def conversation_cost(self, conversation: Conversation) -> float | None:
        model = self._prefs.settings.model
        total = money.conversation_bill(conversation, model, self.costs.pricing_for)
        if total is None and self.costs.pricing_for(model) is None:
            return None
        return total.usd if total is not None else 0.0

    # -- the plan ------------------------------------------------------------------------------

    def set_plan(self, plan: FitPlan) -> None:
        plan = plan.pruned(self._chat.conversation)
        if plan == self.plan:
            return
        self.plan = plan
        self.low.make(self._chat.conversation, self.plan)
        self._window.view.refresh()
        self.changed.emit()

    def plan_summary(self) -> str:
        return fit_display.plan_summary(self.plan, self._chat.conversation)

    # -- the fit panel -------------------------------------------------------------------------

    def show_panel(self) -> None:
        self._panel_dismissed = False
        self._scope.state.fit_panel_open = True
        self.panel.show()
        self._fill_panel(self.estimate(self._window.composer.toPlainText()))

    def _hide_panel(self) -> None:
        self._panel_dismissed = True
        self._scope.state.fit_panel_open = False
        self.panel.hide()

    def _fill_panel(self, estimate: BudgetEstimate) -> None:
        conversation = self._chat.conversation
        rows, tray = fit_display.panel_rows(conversation, self._attachments.items())
        self.panel.set_content(rows, self.plan, droppable_turns(conversation), tray)
        text = fit_status(estimate, bool(rows), droppable_turns(conversation))
        self.panel.set_status(text, fits=estimate.fits)

    # -- the conversation view -----------------------------------------------------------------

    def image_marks(self, message: Message) -> list[ImageMark] | None:
        return fit_display.image_marks(self._chat.conversation, self.plan, message)

    def turn_note(self, message: Message) -> str:
        notes: list[str] = []
        usage = reply_usage(message)
        if usage is not None:
            model = message.model or self._prefs.settings.model
            note = money.bill_note(usage, money.reply_bill(message, model, self.costs.pricing_for))
            if note:
                notes.append(note)
        if message.id in dropped_message_ids(self._chat.conversation, self.plan):
            notes.append("not sent (oldest turns left out)")
        return " · ".join(notes)

    # -- sending and learning ------------------------------------------------------------------

    def prepare_request(self, conversation: Conversation, reply: Message) -> Conversation:
        """The turn's `shape` stage: the conversation to send for `reply`, plan applied."""
        applied = self.applied(conversation, for_estimate=False)
        self.sent[reply.id] = request_estimate(
            applied.system_prompt, list(applied.sent_messages()), self._cost_fn()
        )
        self._sent_keys[reply.id] = self.costs.key(reply.model or self._prefs.settings.model)
        self.sent_keys[reply.id] = SentRequest(
            request_keys(applied.system_prompt, list(applied.sent_messages()))
        )
        return applied

    def _reply_finished(self, reply: Message) -> None:
        usage, record = reply.usage, self.sent.get(reply.id)
        if usage is None:
            return
        model = reply.model or self._prefs.settings.model
        # The ledger counts each request once: this one's, not the whole continued reply's.
        self.costs.record_reply(reply, money.request_bill(reply, model, self.costs.pricing_for))
        if record is not None:
            self.costs.learn(
                self._sent_keys.get(reply.id, self.costs.key(model)),
                model,
                record,
                usage.image_tokens,
            )
        self.changed.emit()

    def set_context_window(self, model: str, window: int) -> None:
        """The user's answer for a model's window (kept in the settings)."""
        self._prefs.settings.context_overrides[model] = window
        self._prefs.save()
        self.changed.emit()


def _formula(tokens: int) -> int:
    return tokens
