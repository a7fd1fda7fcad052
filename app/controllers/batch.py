"""The window's batch: one question over many images, run by the same loop as `grok-vision
batch` (`llm.batch_run.BatchRunner`) on the app's asyncio loop, beside the chat and never
waiting for it. Its own tasks, its own limit of requests in flight; the output file is written
on its own thread so that no row's flush stalls the window.

Running a plan again (Resume) reads its file back: inputs already `ok` there are not sent
again, failed and unsent ones are.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from app.controllers.tasks import TaskGroup
from app.core.ask_shape import AskShape
from app.core.batch_rows import Format, Layout, Outcome, Row, RowFileError, schema_fields
from app.core.catalog import Pricing
from app.core.limits import ImageLimits
from app.store.batch_file import RowFile, read_done

if TYPE_CHECKING:
    import openai

    from app.llm.batch_run import BatchRunner
    from app.llm.stream import RetryPolicy

# The network stack is imported on first use, not with this module (see chat.py).


@dataclass(frozen=True)
class BatchPlan:
    """A batch as the user set it up in the window."""

    paths: tuple[str, ...]  # every input, in order
    shape: AskShape
    out: Path
    fmt: Format
    model: str
    pricing: Pricing | None
    limits: ImageLimits
    concurrency: int = 4
    api_choice: str = "auto"  # the endpoint profile's dialect, as the chat uses it
    learned_api: str | None = None
    thinks: bool = False
    retry: RetryPolicy | None = None

    @property
    def layout(self) -> Layout:
        return Layout(self.fmt, schema_fields(self.shape.response_format, self.shape.tools))


class _FileRows:
    """The output file, written on one thread of its own, in order."""

    def __init__(self, rows: RowFile) -> None:
        self._rows = rows
        self.error: OSError | None = None
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="batch-rows")

    async def start(self, kept: list[Row]) -> None:
        await asyncio.get_running_loop().run_in_executor(self._thread, self._rows.start, kept)

    def write(self, outcome: Outcome) -> None:
        self._thread.submit(self._write, outcome)

    def _write(self, outcome: Outcome) -> None:
        if self.error is not None:
            return
        try:
            self._rows.write(outcome)
        except OSError as exc:
            self.error = exc  # told when the batch ends; the rows written so far stay

    async def close(self) -> None:
        await asyncio.get_running_loop().run_in_executor(self._thread, self._rows.close)
        self._thread.shutdown(wait=False)


class BatchController(QObject):
    begun = Signal(list, list)  # the inputs to send (list[str]), the rows kept (list[Row])
    rowStarted = Signal(str)  # an input's work began (path)
    rowFinished = Signal(object)  # an input's Outcome, its rows handed to the file's thread
    progressed = Signal()  # done, failed, spent changed
    note = Signal(str)  # a retry, a fallback: worth a line in the panel
    ended = Signal(str, str)  # "done" | "failed" | "stopped" | "error", the words for it

    def __init__(
        self, client: Callable[[], openai.AsyncOpenAI | None], parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._client = client
        self._tasks = TaskGroup()
        self._runner: BatchRunner | None = None
        self.total = self.done = self.failed = 0
        self.spent = 0.0

    @property
    def running(self) -> bool:
        return self._tasks.running

    def start(self, plan: BatchPlan) -> bool:
        """Run `plan` (again: what is done in its file is skipped); False while one runs."""
        if self.running:
            return False
        self._tasks.start(self._run(plan), "batch")
        return True

    def stop(self) -> None:
        """No new request; pressed again, the requests in flight are stopped too."""
        if self._runner is not None:
            self._runner.interrupt()

    async def aclose(self) -> None:
        await self._tasks.cancel_all()

    # -- the runner's progress sink --------------------------------------------------------------
    def finished(self, path: str, ok: bool, cost: float | None, error: str = "") -> None:
        self.done += 1
        self.failed += not ok
        self.spent += cost or 0.0
        self.progressed.emit()

    # -- the run ---------------------------------------------------------------------------------
    async def _run(self, plan: BatchPlan) -> None:
        client = self._client()
        if client is None:
            self.ended.emit("error", "No API key: the batch needs one (Settings → Endpoint).")
            return
        layout = plan.layout
        try:
            done, kept = await asyncio.to_thread(read_done, plan.out, layout)
        except RowFileError as exc:
            self.ended.emit("error", str(exc))
            return
        todo = [path for path in plan.paths if path not in done]
        rows = _FileRows(RowFile(plan.out, layout))
        try:
            await rows.start(kept)
        except OSError as exc:
            await rows.close()
            self.ended.emit("error", f"Cannot write {plan.out}: {exc.strerror or exc}.")
            return
        self.total, self.done, self.failed, self.spent = len(todo), 0, 0, 0.0
        self.begun.emit(todo, kept)
        try:
            runner = await self._send(client, plan, todo, rows)
        finally:
            await rows.close()
            self._runner = None
        if rows.error is not None:
            reason = rows.error.strerror or rows.error
            self.ended.emit("error", f"Cannot write {plan.out}: {reason}. Resume goes on.")
            return
        self._tell_end(plan, runner)

    async def _send(
        self, client: openai.AsyncOpenAI, plan: BatchPlan, todo: list[str], rows: _FileRows
    ) -> BatchRunner:
        import uuid

        from app.llm.batch_run import BatchJob, BatchRunner
        from app.llm.dialect_fallback import falls_back, first_api
        from app.llm.stream import RetryPolicy

        job = BatchJob(
            model=plan.model,
            shape=plan.shape,
            limits=plan.limits,
            pricing=plan.pricing,
            concurrency=plan.concurrency,
            conversation_id=uuid.uuid4().hex,
            thinks=plan.thinks,
            first_api=first_api(plan.api_choice, plan.learned_api),
            may_fall_back=falls_back(plan.api_choice),
            retry=plan.retry or RetryPolicy(),
        )
        progress = _Progress(self)
        runner = BatchRunner(
            client,
            job,
            rows,
            progress,
            started=self.rowStarted.emit,
            outcomes=self.rowFinished.emit,
        )
        self._runner = runner
        if todo:
            await runner.run(todo, catch_sigint=False)
        return runner

    def _tell_end(self, plan: BatchPlan, runner: BatchRunner) -> None:
        from app.core.billing import format_usd

        left = self.total - self.done
        summary = (
            f"{self.done - self.failed} done, {self.failed} failed of {self.total}, "
            f"{format_usd(self.spent)} spent; rows in {plan.out}."
        )
        if runner.credits_error is not None:
            self.ended.emit(
                "stopped",
                f"The batch stopped: {runner.credits_error.describe()} {left} not sent. "
                f"{summary} Resume goes on.",
            )
        elif runner.interrupted:
            self.ended.emit("stopped", f"Stopped: {left} not sent. {summary} Resume goes on.")
        elif self.failed:
            self.ended.emit("failed", f"{summary} Resume retries the failed ones.")
        else:
            self.ended.emit("done", summary)


class _Progress:
    """The runner's progress sink: the controller's tally and notes."""

    def __init__(self, controller: BatchController) -> None:
        self._controller = controller

    def finished(self, path: str, ok: bool, cost: float | None, error: str = "") -> None:
        self._controller.finished(path, ok, cost, error)

    def note(self, text: str) -> None:
        self._controller.note.emit(text)
