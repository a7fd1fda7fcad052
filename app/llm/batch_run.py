"""Running a batch: at most N requests in flight, each through the app's own turn path
(`stream_turn`, its retry policy), its row written as it finishes.

The dialect is decided once for the whole batch: the first request goes alone until the
endpoint has answered in one (Responses, or Chat Completions after the one fallback); the rest
follow it. All requests share one cache key, so the shared system prompt is billed cached.
A credits-exhausted error stops the batch; the first Ctrl+C lets the requests in flight finish,
the second stops them at once. Either way what is done is in the file.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

import openai

from app.core.ask_shape import AskShape
from app.core.batch_rows import Outcome
from app.core.billing import bill
from app.core.budget import image_tokens
from app.core.catalog import Pricing
from app.core.conversation import Conversation, ImagePart, TextPart, Usage
from app.core.images import DataUriCache, prepare_file
from app.core.imagetypes import ImageError, PreparedImage
from app.core.json_reply import parse_reply, structured_problem
from app.core.limits import ImageLimits
from app.llm.api_dialect import Api, history_in
from app.llm.dialect_fallback import ApiSettled, stream_turn
from app.llm.errors import ChatError, ErrorKind
from app.llm.events import Finished, Retrying, TextDelta, ToolCallDelta, UsageReport
from app.llm.stream import ReplyRequest, RetryPolicy
from app.llm.structured import FormatFallback
from app.llm.tool_calls import ToolCallAssembler

_RAW_REPLY_CHARS = 2_000  # of a reply that is not JSON, kept in its row's error


class RowSink(Protocol):
    """Where each finished input's rows go (the output file)."""

    def write(self, outcome: Outcome) -> None: ...


class ProgressSink(Protocol):
    """Who hears of each finished input and of what the user should know meanwhile."""

    def finished(self, path: str, ok: bool, cost: float | None, error: str = "") -> None: ...

    def note(self, text: str) -> None: ...


@dataclass(frozen=True)
class BatchJob:
    model: str
    shape: AskShape
    limits: ImageLimits
    pricing: Pricing | None
    concurrency: int
    conversation_id: str
    thinks: bool = False
    first_api: Api = Api.RESPONSES
    may_fall_back: bool = True
    retry: RetryPolicy = field(default_factory=RetryPolicy)


class DialectGate:
    """One request probes the endpoint's dialect; the others wait until it has answered."""

    def __init__(self, first: Api, may_fall_back: bool) -> None:
        self.api = first
        self.settled = not may_fall_back
        self._probing = False
        self._changed = asyncio.Event()

    async def choose(self) -> tuple[Api, bool]:
        """The dialect to send in, and whether this request is the probe (may fall back)."""
        while not self.settled:
            if not self._probing:
                self._probing = True
                return self.api, True
            changed = self._changed
            await changed.wait()
        return self.api, False

    def settle(self, api: Api) -> None:
        self.api, self.settled = api, True
        self._wake()

    def probe_ended(self) -> None:
        if self._probing:
            self._probing = False
            self._wake()

    def _wake(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()


@dataclass
class _Reply:
    chunks: list[str] = field(default_factory=list)
    calls: ToolCallAssembler = field(default_factory=ToolCallAssembler)
    usage: Usage | None = None
    finish: str = ""

    def take(self, event: object) -> None:
        if isinstance(event, TextDelta):
            self.chunks.append(event.text)
        elif isinstance(event, ToolCallDelta):
            self.calls.feed(event)
        elif isinstance(event, UsageReport):
            self.usage = event.usage
        elif isinstance(event, Finished):
            self.finish = event.reason


def read_json(shape: AskShape, text: str, reply: _Reply) -> tuple[Any, bool, str]:
    """A JSON reply's value, whether it was read, and what is wrong with it ("" if nothing)."""
    calls = reply.calls.calls()
    if calls:
        values = []
        for call in calls:
            parsed = parse_reply(call.arguments)
            values.append(parsed.value if parsed.ok else call.arguments)
        value: Any = (
            values[0]
            if len(calls) == 1
            else [{"function": c.name, "arguments": v} for c, v in zip(calls, values, strict=True)]
        )
    else:
        parsed = parse_reply(text)
        if not parsed.ok:
            shown = text if len(text) <= _RAW_REPLY_CHARS else text[:_RAW_REPLY_CHARS] + "…"
            return None, False, f"the reply is not valid JSON: {parsed.error}. It read: {shown}"
        value = parsed.value
    problem = structured_problem(
        text, [(c.name, c.arguments) for c in calls], shape.response_format, shape.tools
    )
    return value, True, problem or ""


class BatchRunner:
    def __init__(
        self,
        client: openai.AsyncOpenAI,
        job: BatchJob,
        rows: RowSink,
        progress: ProgressSink,
        *,
        started: Callable[[str], None] | None = None,
        outcomes: Callable[[Outcome], None] | None = None,
    ) -> None:
        self.client, self.job, self.rows, self.progress = client, job, rows, progress
        self._started = started  # told as each input's work begins
        self._outcomes = outcomes  # told each input's outcome, after its rows are written
        self.gate = DialectGate(job.first_api, job.may_fall_back)
        self.uris = DataUriCache()
        self.stopping = False
        self.interrupted = False
        self.credits_error: ChatError | None = None
        self.in_flight = 0
        self._tasks: list[asyncio.Task[None]] = []
        self._told: set[str] = set()

    async def run(self, paths: Sequence[str], *, catch_sigint: bool = True) -> None:
        """Send every input; `catch_sigint` makes Ctrl+C call `interrupt` (the command line)."""
        queue = iter(paths)
        workers = min(self.job.concurrency, len(paths))
        self._tasks = [asyncio.create_task(self._worker(queue)) for _ in range(workers)]
        loop = asyncio.get_running_loop()
        handled = False
        if catch_sigint:
            try:
                loop.add_signal_handler(signal.SIGINT, self.interrupt)
                handled = True
            except (NotImplementedError, RuntimeError, ValueError):
                pass  # not the main thread, or no such handlers here: KeyboardInterrupt
        try:
            results = await asyncio.gather(*self._tasks, return_exceptions=True)
        finally:
            if handled:
                loop.remove_signal_handler(signal.SIGINT)
        for result in results:
            if isinstance(result, BaseException) and not isinstance(result, asyncio.CancelledError):
                raise result

    def interrupt(self) -> None:
        """Ctrl+C: no new request; the second time, the requests in flight are stopped too."""
        if self.interrupted:
            for task in self._tasks:
                task.cancel()
            return
        self.interrupted = self.stopping = True
        if self.in_flight:
            self.progress.note(
                f"stopping: waiting for the {self.in_flight} request(s) in flight "
                "(Ctrl+C again to stop them now)…"
            )

    async def _worker(self, paths: Iterator[str]) -> None:
        for path in paths:
            if self.stopping:
                return
            self.in_flight += 1
            try:
                outcome = await self._one(path)
            finally:
                self.in_flight -= 1
            self.rows.write(outcome)
            self.progress.finished(path, outcome.ok, outcome.cost_usd, outcome.error)
            if self._outcomes is not None:
                self._outcomes(outcome)

    def _tell_once(self, text: str) -> None:
        if text not in self._told:
            self._told.add(text)
            self.progress.note(f"note: {text}")

    async def _one(self, path: str) -> Outcome:
        job = self.job
        if self._started is not None:
            self._started(path)
        try:
            image = await asyncio.to_thread(self._prepare, path)
        except ImageError as exc:
            return Outcome(path, ok=False, error=str(exc))
        conversation = Conversation(
            system_prompt=job.shape.system, model=job.model, id=job.conversation_id
        )
        conversation.add_user([ImagePart(image), TextPart(job.shape.prompt)])

        async def request_for(api: Api) -> ReplyRequest:
            return ReplyRequest(
                model=job.model,
                messages=history_in(api, conversation, self.uris.data_uri, job.model),
                response_format=job.shape.response_format,
                tools=job.shape.tools,
                tool_choice=job.shape.tool_choice,
                conversation_id=job.conversation_id,
                thinks=job.thinks,
                api=api,
            )

        reply = _Reply()
        api, probing = await self.gate.choose()
        try:
            async for event in stream_turn(
                self.client, request_for, api, may_fall_back=probing, retry=job.retry
            ):
                if isinstance(event, ApiSettled):
                    self.gate.settle(event.api)
                    if event.note:
                        self._tell_once(event.note)
                elif isinstance(event, Retrying):
                    self.progress.note(
                        f"{path}: {event.error.title}; retrying in {event.delay:.0f} s "
                        f"(attempt {event.attempt} of {event.max_attempts})…"
                    )
                elif isinstance(event, FormatFallback):
                    self._tell_once(event.message)
                else:
                    reply.take(event)
        except ChatError as error:
            if error.kind is ErrorKind.CREDITS_EXHAUSTED and self.credits_error is None:
                self.credits_error = error
                self.stopping = True
            return Outcome(path, ok=False, error=error.describe())
        finally:
            if probing:
                self.gate.probe_ended()
        return self._outcome(path, reply, image_tokens(image.width, image.height))

    def _prepare(self, path: str) -> PreparedImage:
        """On a worker thread: the image as sent, and its data URI (made here, not on the
        loop's thread, which may be a window's)."""
        image = prepare_file(path, self.job.limits)
        self.uris.data_uri(image)
        return image

    def _outcome(self, path: str, reply: _Reply, formula_tokens: int) -> Outcome:
        usage = reply.usage
        charged = bill(usage, self.job.pricing) if usage is not None else None
        counted = usage.image_tokens if usage and usage.image_tokens is not None else None
        base = Outcome(
            path,
            ok=True,
            reply="".join(reply.chunks),
            usage=usage,
            image_tokens=counted if counted is not None else formula_tokens,
            cost_usd=charged.usd if charged is not None else None,
        )
        cut = "the reply was cut short (length limit)" if reply.finish == "length" else ""
        if not (self.job.shape.expects_json or reply.calls):
            return replace(base, error=cut)
        value, parsed, problem = read_json(self.job.shape, base.reply, reply)
        return replace(base, ok=not problem, value=value, parsed=parsed, error=problem or cut)
