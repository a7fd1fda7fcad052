"""Which dialect a turn is sent in, and the one fallback from Responses to Chat Completions
when an endpoint turns the Responses API down."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import openai

from app.llm.api_dialect import Api
from app.llm.errors import ChatError, ErrorKind
from app.llm.events import Retrying
from app.llm.stream import ReplyRequest, RetryPolicy
from app.llm.structured import StructuredEvent, stream_structured


@dataclass(frozen=True)
class ApiSettled:
    """The dialect this endpoint answered in (said once per turn, at its first event); `note`
    says why it is not the one tried first."""

    api: Api
    note: str = ""


TurnEvent = StructuredEvent | ApiSettled
RequestFor = Callable[[Api], Awaitable[ReplyRequest]]


def first_api(choice: str, learned: str | None) -> Api:
    """The dialect to try: the profile's choice when it forces one, else what this endpoint
    answered last time, else Responses (xAI's, and any endpoint's that answers it)."""
    for value in (choice, learned):
        if value in (Api.RESPONSES.value, Api.CHAT.value):
            return Api(value)
    return Api.RESPONSES


def falls_back(choice: str) -> bool:
    """Whether a Responses request refused by the endpoint may go again over Chat Completions:
    only in automatic mode (a profile that forces a dialect gets the error)."""
    return choice not in (Api.RESPONSES.value, Api.CHAT.value)


def refuses_responses(error: ChatError) -> bool:
    """Whether the endpoint has no Responses API (a local server answers 404 or 405 there)."""
    return error.kind is ErrorKind.ENDPOINT_NOT_FOUND or error.status == 501


async def stream_turn(
    client: openai.AsyncOpenAI,
    request_for: RequestFor,
    api: Api,
    *,
    may_fall_back: bool,
    retry: RetryPolicy | None = None,
) -> AsyncIterator[TurnEvent]:
    """The turn's events in `api`; when that is Responses and the endpoint refuses it (and
    `may_fall_back`), the turn is sent once more over Chat Completions, and the `ApiSettled`
    event carries a note saying so."""
    note = ""
    answered = False  # once the endpoint has answered in `api`, a failure is the turn's own
    try:
        async for event in _settling(client, await request_for(api), api, note, retry):
            answered = answered or isinstance(event, ApiSettled)
            yield event
    except ChatError as error:
        if answered or not (api is Api.RESPONSES and may_fall_back and refuses_responses(error)):
            raise
        reply = f"HTTP {error.status}" if error.status else error.title
        note = (
            f"This endpoint has no Responses API (it answered {reply} there), so Chat "
            "Completions is used with it from now on."
        )
    else:
        return
    async for event in _settling(client, await request_for(Api.CHAT), Api.CHAT, note, retry):
        yield event


async def _settling(
    client: openai.AsyncOpenAI,
    request: ReplyRequest,
    api: Api,
    note: str,
    retry: RetryPolicy | None,
) -> AsyncIterator[TurnEvent]:
    settled = False
    async for event in stream_structured(client, request, retry):
        if not settled and not isinstance(event, Retrying):
            settled = True
            yield ApiSettled(api, note)
        yield event
