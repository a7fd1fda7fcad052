"""File → Batch…: the dialog's forecast (the figures `grok-vision batch --dry-run` prints, from
the same functions), the batch controller started with the chat's model and dialect, and its
progress and results shown in the Batch dock. Each request's cost goes into the usage ledger
and today's total, as a chat reply's does. Chatting goes on meanwhile: the batch has its
own tasks and its own limit of requests in flight."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget

from app.controllers.batch import BatchController, BatchPlan
from app.controllers.chat import ChatController
from app.controllers.endpoint import EndpointController
from app.core.ask_shape import AskShape, preset_shape
from app.core.batch_forecast import batch_forecast, describe_forecast, prepare_inputs
from app.core.batch_inputs import expand_inputs
from app.core.batch_rows import (
    FORMATS,
    Format,
    Layout,
    Outcome,
    Row,
    RowFileError,
    reply_text,
    schema_fields,
    table_record,
)
from app.core.billing import format_usd
from app.core.catalog import ModelInfo, pricing_for, thinks
from app.core.imagetypes import PreparedImage
from app.core.limits import ImageLimits
from app.core.notices import Notices
from app.core.presets import find, merged
from app.gui.budget_costs import CostBook
from app.gui.services import Preferences, Work
from app.store.batch_file import read_done
from app.ui.batch_dialog import BatchDialog
from app.ui.batch_panel import DONE, FAILED, SENDING, BatchPanel
from app.ui.batch_results import decode_for_viewer
from app.ui.main_window import MainWindow

SHORTCUT = "Ctrl+Shift+B"
FORECAST_DELAY_MS = 250  # typing in the question waits this long for the next forecast
RESULTS_EVERY_MS = 500  # the results table follows a running batch this often, when shown


def format_of(out: str) -> Format | None:
    suffix = Path(out).suffix.lower().lstrip(".")
    return next((f for f in FORMATS if f == suffix), None)


class BatchFlow(QObject):
    def __init__(
        self,
        *,
        window: MainWindow,
        chat: ChatController,
        endpoint: EndpointController,
        prefs: Preferences,
        work: Work,
        notices: Notices,
        costs: CostBook | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._window, self._chat, self._prefs = window, chat, prefs
        self._costs = costs  # today's total and the usage ledger, shared with the chat
        self._work, self._notices = work, notices
        self.controller = BatchController(endpoint.client, self)
        self.panel = BatchPanel()
        self.dock = QDockWidget("Batch", window)
        self.dock.setObjectName("batchDock")
        self.dock.setWidget(self.panel)
        window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.dock)
        self.dock.hide()
        window.menu("view").addAction(self.dock.toggleViewAction())
        self.action = QAction("Batch…", window)
        self.action.setObjectName("batchAction")
        self.action.setShortcut(QKeySequence(SHORTCUT))
        self.action.setToolTip(f"Ask one question of many images ({SHORTCUT})")
        self.action.triggered.connect(self.open)
        window.addAction(self.action)
        window.menu("file").insertAction(window.file_end, self.action)
        self.dialog: BatchDialog | None = None
        self.plan: BatchPlan | None = None
        self._pending: BatchPlan | None = None  # what Start would run, as last forecast
        self._prepared: dict[str, PreparedImage | str] = {}  # path: image (no bytes) or error
        self._forecast_task: asyncio.Task[None] | None = None
        self._start_wanted = False  # Start was pressed before the forecast was worked out
        self._debounce = QTimer(self, singleShot=True, interval=FORECAST_DELAY_MS)
        self._debounce.timeout.connect(self._forecast_now)
        self._results_timer = QTimer(self, singleShot=True, interval=RESULTS_EVERY_MS)
        self._results_timer.timeout.connect(self._show_results)
        self._rows: list[Row] = []
        self._fields: tuple[str, ...] = ()
        self._began = 0.0
        self._wire()

    def _wire(self) -> None:
        c, p = self.controller, self.panel
        c.begun.connect(self._begun)
        c.rowStarted.connect(lambda path: p.row_state(path, SENDING))
        c.rowFinished.connect(self._row_finished)
        c.progressed.connect(self._progressed)
        c.note.connect(p.set_note)
        c.ended.connect(self._ended)
        p.stopRequested.connect(c.stop)
        p.resumeRequested.connect(self.resume)
        p.resultsShown.connect(self._show_results)
        p.results.saveRequested.connect(self._save_file)
        p.results.pictureWanted.connect(
            lambda path: self._work.start(self._decode_picture(path), "batch-picture")
        )

    # -- the dialog ------------------------------------------------------------------------------
    def open(self) -> None:
        if self.dialog is not None:
            self.dialog.raise_()
            self.dialog.activateWindow()
            return
        self._prepared.clear()  # the files may have changed since
        dialog = BatchDialog(merged(self._prefs.settings.presets), self._window)
        dialog.changed.connect(lambda: self._changed(dialog))
        dialog.startRequested.connect(self.start)
        dialog.finished.connect(lambda _result: self._dialog_closed(dialog))
        self.dialog = dialog
        dialog.open()

    def _dialog_closed(self, dialog: BatchDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
            self._debounce.stop()
            dialog.deleteLater()

    def _changed(self, dialog: BatchDialog) -> None:
        """Checked at once as the user types (so that Start and Enter follow the last key);
        the forecast, which reads the files, waits for a pause."""
        self._pending = None
        self._start_wanted = False
        shape, out = self._shape(dialog), dialog.out_path()
        problem = self._quick_problem(shape, out, format_of(out), bool(dialog.paths()))
        if problem is None:
            dialog.set_working("Working out the forecast…")
        else:
            dialog.set_problem(problem)
        self._debounce.start()

    def _forecast_now(self) -> None:
        if self._forecast_task is not None:
            self._forecast_task.cancel()
        self._forecast_task = self._work.start(self._forecast(), "batch-forecast")

    def _shape(self, dialog: BatchDialog) -> AskShape:
        preset = find(merged(self._prefs.settings.presets), dialog.preset_name())
        return preset_shape(preset, dialog.question.text())

    async def _forecast(self) -> None:
        dialog = self.dialog
        if dialog is None:
            return
        self._pending = None
        shape, out, paths = self._shape(dialog), dialog.out_path(), dialog.paths()
        inputs = await self._work.in_thread(expand_inputs, paths)
        fmt = format_of(out)
        layout = Layout(fmt or "csv", schema_fields(shape.response_format, shape.tools))
        done: set[str] = set()
        problem: str | None = None
        if fmt is not None:
            try:
                done, _kept = await self._work.in_thread(read_done, Path(out), layout)
            except RowFileError as exc:
                problem = str(exc)
        todo = [path for path in inputs.paths if path not in done]
        images, failures = await asyncio.to_thread(self._prepare, todo)
        if self.dialog is not dialog:
            return
        model = self._chat.model
        lines = [f"would fail: {failure}" for failure in failures]
        if inputs.skipped:
            lines.insert(0, f"skipped {len(inputs.skipped)} not images")
        if done:
            lines.insert(0, f"{len(done)} already done in {out}: not sent again")
        plan = batch_forecast(shape.system, shape.prompt, images, pricing_for(model, self._models))
        dialog.show_forecast("\n".join([*lines, describe_forecast(plan, model)]))
        problem = problem or self._problem(shape, out, fmt, inputs.paths, todo)
        dialog.set_problem(problem)
        if problem is None and fmt is not None:
            self._pending = self._plan(shape, inputs.paths, Path(out), fmt, dialog)
        if self._start_wanted:
            self._start_wanted = False
            if self._pending is not None:
                self._start_now(dialog, self._pending)

    @property
    def _models(self) -> list[ModelInfo]:
        return self._prefs.models

    def _prepare(self, paths: list[str]) -> tuple[list[PreparedImage], list[str]]:
        """On a worker thread: each input as it would be sent (kept without its bytes, so that
        the next forecast does not decode it again)."""
        missing = [path for path in paths if path not in self._prepared]
        for path in missing:
            images, failures = prepare_inputs([path], self._limits)
            self._prepared[path] = replace(images[0], data=b"") if images else failures[0]
        known = [self._prepared[path] for path in paths]
        return [i for i in known if not isinstance(i, str)], [
            i for i in known if isinstance(i, str)
        ]

    @property
    def _limits(self) -> ImageLimits:
        return self._prefs.settings.limits()

    def _quick_problem(
        self, shape: AskShape, out: str, fmt: Format | None, has_paths: bool
    ) -> str | None:
        """What can be told without reading a file (None: the forecast decides)."""
        if not has_paths:
            return "Add images or a folder of images."
        if not shape.prompt:
            return "Type a question, or choose a preset."
        if not out:
            return "Choose the file for the rows (.csv or .jsonl)."
        if fmt is None:
            return f"{out}: the file must end in .csv or .jsonl."
        if self.controller.running:
            return "A batch is running: wait for it, or stop it."
        return None

    def _problem(
        self, shape: AskShape, out: str, fmt: Format | None, paths: tuple[str, ...], todo: list[str]
    ) -> str | None:
        """Why Start must wait (None: it may start)."""
        quick = self._quick_problem(shape, out, fmt, bool(paths))
        if quick is not None:
            return quick
        if not todo:
            return f"Nothing to do: every image is done in {out}."
        return None

    def _plan(
        self, shape: AskShape, paths: tuple[str, ...], out: Path, fmt: Format, dialog: BatchDialog
    ) -> BatchPlan:
        chat, model = self._chat, self._chat.model
        return BatchPlan(
            paths=paths,
            shape=shape,
            out=out,
            fmt=fmt,
            model=model,
            pricing=pricing_for(model, self._models),
            limits=self._limits,
            concurrency=dialog.concurrency.value(),
            api_choice=chat.api_choice,
            learned_api=chat.learned_api,
            thinks=thinks(model, None),
            retry=chat.retry_policy,
        )

    # -- running ---------------------------------------------------------------------------------
    def start(self) -> None:
        """Start (or Enter): what the dialog holds now is what runs. A forecast still to come
        is worked out at once, and the batch starts when it agrees."""
        dialog, plan = self.dialog, self._pending
        if dialog is None:
            return
        forecasting = self._forecast_task is not None and not self._forecast_task.done()
        if plan is None or self._debounce.isActive() or forecasting:
            if not dialog.start_button.isEnabled():
                return  # the dialog says why not
            self._start_wanted = True
            dialog.set_working("Starting once the forecast is worked out…")
            if self._debounce.isActive() or not forecasting:
                self._debounce.stop()
                self._forecast_now()
            return
        self._start_now(dialog, plan)

    def _start_now(self, dialog: BatchDialog, plan: BatchPlan) -> None:
        plan = replace(plan, concurrency=dialog.concurrency.value())
        if self._run(plan):
            dialog.accept()

    def resume(self) -> None:
        if self.plan is not None:
            self._run(self.plan)

    def _run(self, plan: BatchPlan) -> bool:
        if not self.controller.start(plan):
            self._notices.info("A batch is running: wait for it, or stop it.")
            return False
        self.plan = plan
        self.panel.set_running(True, can_resume=False)
        self.panel.set_summary(f"Starting {plan.out.name}…")
        if not self.dock.isVisible():
            self.dock.show()
            # A third of the window, so that the conversation keeps the room to chat.
            third = max(160, self._window.height() // 3)
            self._window.resizeDocks([self.dock], [third], Qt.Orientation.Vertical)
        self.dock.raise_()
        return True

    def _begun(self, todo: list[str], kept: list[Row]) -> None:
        assert self.plan is not None
        self._began = time.monotonic()
        self._fields = self.plan.layout.fields
        self._rows = list(kept)
        self.panel.begin(todo, len({str(row.get("path")) for row in kept}))
        self._progressed()
        self._show_results()

    def _row_finished(self, outcome: Outcome) -> None:
        assert self.plan is not None
        cost = format_usd(outcome.cost_usd) if outcome.cost_usd is not None else ""
        state = DONE if outcome.ok else FAILED
        self.panel.row_state(outcome.path, state, cost, outcome.error)
        self._rows.extend(self.plan.layout.rows(outcome))
        if self._costs is not None and outcome.usage is not None:
            exact = outcome.usage.cost_ticks is not None
            self._costs.record_usage(self.plan.model, outcome.usage, outcome.cost_usd, exact)
            self._costs.changed.emit()  # the meter's "today" follows the batch
        if self.panel.results_visible and not self._results_timer.isActive():
            self._results_timer.start()

    def _progressed(self) -> None:
        c = self.controller
        elapsed = int(time.monotonic() - self._began)
        failed = f", {c.failed} failed" if c.failed else ""
        self.panel.set_summary(
            f"{c.done} of {c.total}{failed} · {format_usd(c.spent)} spent · "
            f"{elapsed // 60}:{elapsed % 60:02d} elapsed"
        )

    def _ended(self, kind: str, text: str) -> None:
        self.panel.end()
        self.panel.set_running(False, can_resume=self.plan is not None and kind != "done")
        self.panel.set_summary(text)
        self._show_results()
        if kind == "error":
            self._notices.error(f"Batch: {text}")
        elif kind == "done":
            self._notices.info(f"Batch finished: {text}")
        else:
            self._notices.warning(f"Batch: {text}")

    def _show_results(self) -> None:
        if self.plan is None:
            return
        order = {path: index for index, path in enumerate(self.plan.paths)}
        rows = sorted(self._rows, key=lambda row: order.get(str(row.get("path")), len(order)))
        records = [table_record(row, self._fields) for row in rows]
        details = [(str(row.get("path", "")), reply_text(row, self._fields)) for row in rows]
        title = f"{len(records)} rows of {self.plan.out.name} (double-click a row: its image)"
        self.panel.results.set_records(title, records, details)

    async def _decode_picture(self, path: str) -> None:
        picture = await self._work.in_thread(decode_for_viewer, path)
        self.panel.results.show_picture(path, picture)

    def _save_file(self, path: str, content: str, what: str) -> None:
        self._work.start(self._write(Path(path), content, what), "batch-export")

    async def _write(self, path: Path, content: str, what: str) -> None:
        try:
            await self._work.in_thread(path.write_text, content, "utf-8")
        except OSError as exc:
            self._notices.error(
                f"Could not save {path}: {exc.strerror or exc}. Choose another folder or name."
            )
            return
        self._notices.info(f"Saved {what} to {path}.")

    async def aclose(self) -> None:
        self._debounce.stop()
        self._results_timer.stop()
        self.controller.blockSignals(True)
        await self.controller.aclose()
