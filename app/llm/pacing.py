"""What both dialects' streams share: the pause allowed between events once words have come,
and a broken connection said as an interrupted reply."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import openai

from app.llm.errors import ChatError, ErrorKind, map_error


async def paced(
    stream: openai.AsyncStream[Any], silence: float | None, has_words: Callable[[Any], bool]
) -> AsyncIterator[Any]:
    """The stream's events; once one has carried words (`has_words`: text, reasoning or a
    tool call), each next one must come within `silence` s."""
    events = stream.__aiter__()
    started = False
    while True:
        try:
            async with asyncio.timeout(silence if started else None):
                event = await anext(events)
        except StopAsyncIteration:
            return
        except TimeoutError:
            raise ChatError(
                ErrorKind.STREAM_INTERRUPTED, "the server stopped answering mid-reply"
            ) from None
        started = started or has_words(event)
        yield event


def interrupted(exc: BaseException) -> ChatError:
    """The error for a stream that broke after it started."""
    error = map_error(exc)
    if error.kind in (ErrorKind.NETWORK_DOWN, ErrorKind.TIMEOUT):
        detail = (
            "the server stopped answering"
            if error.kind is ErrorKind.TIMEOUT
            else "the connection was lost"
        )
        return ChatError(ErrorKind.STREAM_INTERRUPTED, f"{detail} mid-reply ({error.message})")
    return error


def ended_early() -> ChatError:
    return ChatError(
        ErrorKind.STREAM_INTERRUPTED, "the connection ended before the reply was complete"
    )
