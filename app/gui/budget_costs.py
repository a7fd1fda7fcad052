"""What turns cost and what the server taught about images, for one session.

Keeps today's total (from the usage ledger in the data directory, read once the window shows,
then kept up to date as replies arrive), appends one ledger line per reply, and learns image
costs per endpoint and model (saved next to the ledger). Files are read and written in the
session's worker thread.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

from PySide6.QtCore import QObject, Signal

from app.core.billing import Bill
from app.core.catalog import Pricing, pricing_for
from app.core.conversation import Message, Usage
from app.core.forecast import RequestEstimate
from app.core.learning import ImageCostLearner, ImageRule, learning_key, observation_of
from app.core.notices import Notices
from app.gui.services import Preferences, Work
from app.store.learned_costs import LearnedCostStore
from app.store.usage_ledger import LedgerEntry, UsageLedger, ledger_entry

log = logging.getLogger(__name__)

DEMO_ENDPOINT = "demo"


class CostBook(QObject):
    changed = Signal()  # today's total or a learned rule changed: show the meter again

    def __init__(
        self,
        prefs: Preferences,
        work: Work,
        notices: Notices,
        *,
        demo: bool,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._prefs = prefs
        self._work = work
        self._notices = notices
        self._demo = demo
        self.ledger = UsageLedger()
        self.store = LearnedCostStore()
        self.learner = ImageCostLearner()
        self._today: float | None = None  # None until the ledger was read
        self._day = dt.date.today()
        self._unread = 0.0  # spent before the ledger was read
        self._ledger_failed = False
        self._loading = False

    # -- figures -------------------------------------------------------------------------------

    @property
    def today(self) -> float | None:
        if self._today is not None and dt.date.today() != self._day:
            self._day, self._today = dt.date.today(), 0.0
        return self._today

    def endpoint_id(self) -> str:
        return DEMO_ENDPOINT if self._demo else self._prefs.settings.base_url

    def key(self, model: str) -> str:
        return learning_key(self.endpoint_id(), model)

    def rule(self, model: str) -> ImageRule | None:
        return self.learner.rule(self.key(model))

    def pricing_for(self, model: str) -> Pricing | None:
        return pricing_for(model, self._prefs.models)

    # -- loading -------------------------------------------------------------------------------

    def load_once(self) -> None:
        """Read the ledger and the learned costs (once, as soon as the event loop runs)."""
        if self._loading:
            return
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return
        self._loading = True
        self._work.start(self._load(), "usage-ledger")

    async def _load(self) -> None:
        today, learner = await self._work.in_thread(self._read)
        self._day = dt.date.today()
        self._today = today + self._unread
        if not self.learner.observations and not self.learner.rules:
            self.learner = learner
        self.changed.emit()

    def _read(self) -> tuple[float, ImageCostLearner]:
        try:
            today = self.ledger.today()
        except OSError as exc:
            log.warning("usage ledger %s not read: %s", self.ledger.path, exc)
            today = 0.0
        return today, self.store.load()

    # -- recording -----------------------------------------------------------------------------

    def record_reply(self, reply: Message, charged: Bill | None) -> None:
        """One reply the server reported usage for: the ledger gets a line, today its cost."""
        if reply.usage is None:
            return
        cost = charged.usd if charged is not None else None
        exact = charged is not None and charged.exact
        self.record_usage(reply.model or self._prefs.settings.model, reply.usage, cost, exact)

    def record_usage(self, model: str, usage: Usage, cost: float | None, exact: bool) -> None:
        """One request's usage (a reply's, a batch row's): a ledger line, and today's total."""
        if cost is not None:
            if self.today is None:
                self._unread += cost
            else:
                self._today = (self._today or 0.0) + cost
        entry = ledger_entry(self.endpoint_id(), model, usage, cost, exact=exact)
        self._work.start(self._append(entry), "usage-ledger-append")

    async def _append(self, entry: LedgerEntry) -> None:
        try:
            await self._work.in_thread(self.ledger.append, entry)
        except OSError as exc:
            if not self._ledger_failed:
                self._ledger_failed = True
                self._notices.warning(
                    f"The usage ledger {self.ledger.path} could not be written "
                    f"({exc.strerror or exc}): today's total will not include this session."
                )

    def learn(self, key: str, model: str, record: RequestEstimate, reported: int | None) -> None:
        """Compare the request's image estimate with what the server counted."""
        observation = observation_of(
            record.formula_images, reported, record.image_count, record.unknown_images
        )
        if observation is None:
            return
        changed = self.learner.observe(key, observation)
        if changed:
            rule = self.learner.rule(key)
            self._notices.info(
                f"Image cost learned from the server for {model}: {rule.describe()}; the meter "
                "counts images that way now."
                if rule is not None
                else f"The server counts {model}'s images by the tile formula again; the meter "
                "does too."
            )
        self._work.start(self._save(), "learned-costs")
        if changed:
            self.changed.emit()

    async def _save(self) -> None:
        try:
            snapshot = ImageCostLearner.from_dict(self.learner.to_dict())
            await self._work.in_thread(self.store.save, snapshot)
        except OSError as exc:
            log.warning("learned image costs not saved to %s: %s", self.store.path, exc)
