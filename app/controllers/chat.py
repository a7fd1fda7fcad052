"""One conversation's turns: send, stream the reply, stop, retry."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from app.controllers.tasks import TaskGroup
from app.core.catalog import effort_to_send, thinks, window_from_error
from app.core.continuation import continuation
from app.core.conversation import (
    Conversation,
    Message,
    Part,
    SealedReasoning,
    Status,
    TextPart,
)
from app.core.json_reply import structured_problem
from app.core.versions import VersionTree

if TYPE_CHECKING:
    import openai

    from app.llm.api_dialect import Api
    from app.llm.stream import ReplyRequest, RetryPolicy
    from app.llm.tool_calls import ToolCallAssembler

# The network stack (openai takes most of a second to import) is imported when a turn first
# runs, not with this module, so that the window shows without waiting for it.
ClientSource = Callable[[], "openai.AsyncOpenAI | None"]


async def _persist_nothing(reply: Message) -> None:
    return None


@dataclass(frozen=True)
class TurnStages:
    """The turn's stages between the question and the request, named and passed in.

    `persist` is awaited with the reply about to be requested before anything leaves (the
    question is saved first); `shape` gives the conversation as it is sent for that reply (the
    fitting plan applied)."""

    persist: Callable[[Message], Awaitable[None]] = _persist_nothing
    shape: Callable[[Conversation, Message], Conversation] = lambda conversation, _reply: (
        conversation
    )


PLAIN = TurnStages()  # nothing saved, everything sent


class ChatController(QObject):
    messageAdded = Signal(object)  # Message: a user turn, or a reply that starts streaming
    replyDelta = Signal(str, str)  # reply id, text
    replyNote = Signal(str, str)  # reply id, transient note ("retrying in 2 s…"); "" clears
    replyFinished = Signal(object)  # Message in its final state
    busyChanged = Signal(bool)
    modelNotFound = Signal(str)  # the model id the server does not know
    windowLearned = Signal(str, int)  # model id, its window as the server stated it
    messagesRemoved = Signal(list)  # list[Message] taken out for good (a failed reply retried)
    # list[Message] that left the visible branch and stay as versions (regenerate, an edited
    # question, a reply continued: it comes back streaming)
    messagesHidden = Signal(list)
    branchSwitched = Signal()  # another version is shown: the visible branch changed
    # The dialect the endpoint answered in ("responses" or "chat"), and a note when it is not
    # the one tried first (the endpoint has no Responses API).
    apiSettled = Signal(str, str)

    def __init__(
        self,
        client_source: ClientSource,
        parent: QObject | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        super().__init__(parent)
        self._client_source = client_source
        self.retry_policy: RetryPolicy | None = retry  # None: the default policy
        self._tasks = TaskGroup()
        self._turn: asyncio.Task[Any] | None = None
        # Building the body and writing the images' base64 as it is sent: CPU work that runs
        # here, never on the GUI thread. No data URI is kept between turns (`app.llm.body`).
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="encode")
        self.conversation = Conversation()
        self.model = ""
        self.max_tokens: int | None = None
        self.temperature: float | None = None
        # Per turn, like max_tokens: the answer's shape (set by a preset or the JSON toggle).
        self.response_format: dict[str, Any] | None = None
        self.tools: list[dict[str, Any]] | None = None
        self.tool_choice: str | dict[str, Any] | None = None
        # Per endpoint: "auto", "responses" or "chat" (its profile's setting), and the dialect
        # it answered in before (None: not yet known).
        self.api_choice = "auto"
        self.learned_api: str | None = None

    @property
    def busy(self) -> bool:
        """True from the start of a turn until its end has been handled (`_turn_done`, which
        runs a moment after the task itself is done)."""
        return self._turn is not None

    def new_conversation(self, system_prompt: str = "") -> None:
        self.stop()
        self.conversation = Conversation(system_prompt=system_prompt, model=self.model)

    def send(self, parts: list[Part], stages: TurnStages = PLAIN) -> Message:
        """Add the user's message and start streaming the reply."""
        if self.busy:
            raise RuntimeError("a reply is still streaming")
        message = self.conversation.add_user(parts)
        self.messageAdded.emit(message)
        self._start_turn(stages)
        return message

    def retry(self, stages: TurnStages = PLAIN) -> None:
        """Ask again after a failed reply: the same user message is re-sent."""
        if self.busy:
            return
        self.conversation.discard_failed_reply()
        if self.conversation.messages and self.conversation.messages[-1].role == "user":
            self._start_turn(stages)

    def regenerate(self, stages: TurnStages = PLAIN) -> bool:
        """Ask again for the last reply: the new reply is a new version of it, the old one
        stays reachable ("‹ 1 / 2 ›")."""
        messages = self.conversation.messages
        if self.busy or not messages or messages[-1].role != "assistant":
            return False
        if messages[-1].status is Status.FAILED:  # a failure is retried, not kept
            failed = messages[-1]
            self.conversation.discard_failed_reply()
            self.messagesRemoved.emit([failed])
        else:
            self.messagesHidden.emit(self.conversation.branch_before(messages[-1].id))
        self._start_turn(stages)
        return True

    def replace_question(
        self, message_id: str, parts: list[Part], stages: TurnStages = PLAIN
    ) -> Message:
        """Send an edited earlier question (`parts`: its text and the images it keeps) as a
        new version of it: it and every later turn leave the visible branch and stay as the
        earlier version."""
        if self.busy:
            raise RuntimeError("a reply is still streaming")
        self.messagesHidden.emit(self.conversation.branch_before(message_id))
        return self.send(parts, stages)

    def switch_version(self, message_id: str, number: int) -> bool:
        """Show version `number` (from 1) of `message_id`'s turn, and the rest of the
        conversation that goes with it; False when busy or there is no such version."""
        target = self.conversation.sibling(message_id, number)
        if self.busy or target is None or not self.conversation.show_version(target.id):
            return False
        self.branchSwitched.emit()
        return True

    def show_message(self, message_id: str) -> bool:
        """Bring a message of a version not shown (a search hit) into the visible branch."""
        if self.busy or not self.conversation.show_version(message_id):
            return False
        self.branchSwitched.emit()
        return True

    def continue_reply(self, stages: TurnStages = PLAIN) -> bool:
        """Ask the model to go on with the last reply (stopped, or cut at the token limit);
        what it writes is appended to that same reply."""
        history = continuation(self.conversation)
        if self.busy or history is None:
            return False
        reply = self.conversation.messages[-1]
        self.messagesHidden.emit([reply])  # it comes back as a streaming reply
        reply.status, reply.error, reply.cut = Status.STREAMING, None, False
        if reply.usage is not None:  # the next request's usage is its own; the reply sums both
            reply.earlier_usage.append(reply.usage)
            reply.usage = None
        self._start_turn(stages, reply, history)
        return True

    def stop(self) -> None:
        """Stop the reply now; the text received so far is kept and marked as stopped."""
        if self._turn is not None and not self._turn.done():
            self._turn.cancel()

    def _start_turn(
        self,
        stages: TurnStages,
        reply: Message | None = None,
        history: list[Message] | None = None,
    ) -> None:
        """Stream a new reply, or (given `reply` and the `history` to send) more of one."""
        chunks: list[str] = []
        if reply is None:
            reply = self.conversation.begin_reply(self.model)
            reply.expects_json = self.response_format is not None
            reply.effort = self.conversation.reasoning_effort
        elif reply.text:
            chunks.append(reply.text)
        self.messageAdded.emit(reply)
        from app.llm.tool_calls import ToolCallAssembler

        calls = ToolCallAssembler()
        self._turn = self._tasks.start(
            self._run_turn(reply, chunks, calls, stages, history), "chat-turn"
        )
        # Finishing happens here, not in the coroutine: a turn stopped before it ever ran
        # must end the same way as one stopped mid-stream.
        self._turn.add_done_callback(lambda task: self._turn_done(task, reply, chunks, calls))
        self.busyChanged.emit(True)

    async def _run_turn(
        self,
        reply: Message,
        chunks: list[str],
        calls: ToolCallAssembler,
        stages: TurnStages,
        history: list[Message] | None,
    ) -> None:
        from app.controllers.waiting import WaitingNote
        from app.llm.dialect_fallback import falls_back, first_api, stream_turn
        from app.llm.errors import ChatError, ErrorKind

        try:
            client = self._require_client()
            self.replyNote.emit(reply.id, "Sending…")
            await stages.persist(reply)
            sent = (
                replace(self.conversation, messages=history, versions=VersionTree())
                if history is not None
                else replace(
                    self.conversation,
                    messages=[m for m in self.conversation.messages if m is not reply],
                )
            )
            snapshot = stages.shape(sent, reply)
            effort = self.conversation.reasoning_effort
            thinking = thinks(self.model, effort)
            waiting = WaitingNote(reply, thinking=thinking, emit=self.replyNote.emit)
            ticking = self._tasks.start(waiting.tick(), "waiting-note")
            try:
                async for event in stream_turn(
                    client,
                    lambda api: self._request_in(api, snapshot, effort),
                    first_api(self.api_choice, self.learned_api),
                    may_fall_back=falls_back(self.api_choice),
                    retry=self.retry_policy,
                ):
                    waiting.saw(event)
                    self._on_event(event, reply, chunks, calls)
            finally:
                waiting.stop()
                ticking.cancel()
            # A reply asked for as JSON or a function call is checked against its schema.
            problem = structured_problem(
                "".join(chunks),
                [(c.name, c.arguments) for c in calls.calls()],
                self.response_format,
                self.tools,
            )
            reply.error = " ".join(filter(None, [reply.error, problem])) or None
            reply.status = Status.COMPLETE
        except ChatError as error:
            reply.status = Status.FAILED
            reply.error = error.describe()
            if error.kind is ErrorKind.MODEL_NOT_FOUND:
                self.modelNotFound.emit(self.model)
            window = window_from_error(error.message)
            if error.kind is ErrorKind.TOO_LONG and window is not None:
                self.windowLearned.emit(self.model, window)

    async def _request_in(
        self, api: Api, snapshot: Conversation, effort: str | None
    ) -> ReplyRequest:
        """The turn's request in `api`'s dialect, built and encoded on the encoding thread: the
        whole history with its images is megabytes of JSON by turn 100."""
        from app.llm.api_dialect import history_in, keeps_reasoning
        from app.llm.body import ImageSlots
        from app.llm.stream import ReplyRequest

        def build() -> ReplyRequest:
            images = ImageSlots()
            request = ReplyRequest(
                model=self.model,
                messages=history_in(api, snapshot, images.placeholder, self.model),
                max_tokens=self.max_tokens,
                temperature=self.temperature,
                response_format=self.response_format,
                tools=self.tools,
                tool_choice=self.tool_choice,
                conversation_id=self.conversation.id,
                reasoning_effort=effort_to_send(self.model, effort),
                thinks=thinks(self.model, effort),
                api=api,
                keep_reasoning=keeps_reasoning(self.model),
                images=images,
                worker=self._executor,
            )
            _ = request.prepared
            return request

        return await asyncio.get_running_loop().run_in_executor(self._executor, build)

    def _on_event(
        self, event: object, reply: Message, chunks: list[str], calls: ToolCallAssembler
    ) -> None:
        from app.llm.dialect_fallback import ApiSettled
        from app.llm.events import (
            Finished,
            ReasoningDelta,
            ReasoningSealed,
            Retrying,
            TextDelta,
            ToolCallDelta,
            UsageReport,
        )
        from app.llm.structured import FormatFallback

        if isinstance(event, ReasoningDelta):
            reply.reasoning += event.text
        elif isinstance(event, ReasoningSealed):
            reply.sealed_reasoning.append(SealedReasoning(event.id, event.encrypted))
        elif isinstance(event, ApiSettled):
            self.apiSettled.emit(event.api.value, event.note)
        elif isinstance(event, TextDelta):
            chunks.append(event.text)
            self.replyDelta.emit(reply.id, event.text)
        elif isinstance(event, Retrying):
            self.replyNote.emit(
                reply.id,
                f"{event.error.describe()} Retrying in "
                f"{event.delay:.0f} s (attempt {event.attempt} of "
                f"{event.max_attempts})…",
            )
        elif isinstance(event, ToolCallDelta):
            if calls.feed(event) and event.name:
                self.replyNote.emit(reply.id, f"Receiving a call to {event.name}…")
        elif isinstance(event, FormatFallback):
            reply.error = event.message
            self.replyNote.emit(reply.id, event.message)
        elif isinstance(event, UsageReport):
            reply.usage = event.usage
        elif isinstance(event, Finished) and event.reason == "length":
            reply.cut = True
            reply.error = " ".join(
                filter(None, [reply.error, "The reply reached the maximum length set in Settings."])
            )

    def _turn_done(
        self, task: asyncio.Task[Any], reply: Message, chunks: list[str], calls: ToolCallAssembler
    ) -> None:
        if self._turn is task:
            self._turn = None
        if task.cancelled():
            reply.status = Status.STOPPED
        elif reply.status is Status.STREAMING:  # an unexpected exception (logged by the group)
            reply.status = Status.FAILED
            reply.error = "Something went wrong while receiving the reply. Retry to ask again."
        reply.parts = [TextPart("".join(chunks))] if chunks else []
        reply.tool_calls = calls.calls()
        self.replyNote.emit(reply.id, "")
        self.replyFinished.emit(reply)
        self.busyChanged.emit(False)

    def _require_client(self) -> openai.AsyncOpenAI:
        from app.llm.errors import ChatError, ErrorKind

        client = self._client_source()
        if client is None:
            raise ChatError(ErrorKind.NO_KEY, "")
        return client

    async def aclose(self) -> None:
        await self._tasks.cancel_all()
        self._executor.shutdown(wait=True, cancel_futures=True)
