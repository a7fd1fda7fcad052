"""A Responses API stream (`response.*` events, as plain dicts) as the reply's typed events."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx2
import openai

from app.core.conversation import Usage
from app.llm.errors import ChatError, stream_failure
from app.llm.events import (
    Finished,
    ReasoningDelta,
    ReasoningSealed,
    ReplyEvent,
    TextDelta,
    ToolCallDelta,
    UsageReport,
)
from app.llm.pacing import ended_early, interrupted, paced

_WORDS = frozenset(
    {
        "response.output_text.delta",
        "response.reasoning_summary_text.delta",
        "response.reasoning_text.delta",
        "response.function_call_arguments.delta",
        "response.output_item.added",
    }
)
_INCOMPLETE = {"max_output_tokens": "length", "max_tokens": "length"}


def _has_words(event: Any) -> bool:
    return isinstance(event, dict) and event.get("type") in _WORDS


class _Calls:
    """Function calls by output index: what each has received, so that arguments sent whole
    (when the call is announced, or in its closing event) arrive exactly once."""

    def __init__(self) -> None:
        self.received: dict[int, str] = {}
        self._whole: set[int] = set()  # announced with all their arguments

    def added(self, index: int, item: dict[str, Any]) -> ToolCallDelta:
        arguments = str(item.get("arguments") or "")
        self.received[index] = arguments
        if arguments:
            self._whole.add(index)
        call_id = item.get("call_id") or item.get("id")
        return ToolCallDelta(index, call_id, item.get("name"), arguments)

    def delta(self, index: int, text: str) -> ToolCallDelta | None:
        if index in self._whole:
            return None
        self.received[index] = self.received.get(index, "") + text
        return ToolCallDelta(index, None, None, text)

    def done(self, index: int, arguments: object) -> ToolCallDelta | None:
        if not isinstance(arguments, str) or self.received.get(index):
            return None
        self.received[index] = arguments
        return ToolCallDelta(index, None, None, arguments)


async def responses_events(
    stream: openai.AsyncStream[Any], silence: float | None = None
) -> AsyncIterator[ReplyEvent]:
    """The reply's events; `silence` as for Chat Completions."""
    calls = _Calls()
    ending: dict[str, Any] | None = None
    async with stream:
        try:
            async for event in paced(stream, silence, _has_words):
                # Read to the end of the stream (nothing follows the closing event): leaving
                # it early would leave the connection's readers to be finalized off the loop.
                if not isinstance(event, dict) or ending is not None:
                    continue
                ending = _ending(event)
                if ending is None:
                    for reply_event in _translate(event.get("type"), event, calls):
                        yield reply_event
        except ChatError:
            raise
        except openai.APIError as exc:
            body = exc.body if isinstance(exc.body, dict) else {}
            if body:  # an `error` event the client raised itself
                raise stream_failure(body.get("code"), body.get("message")) from exc
            raise interrupted(exc) from exc
        except (httpx2.HTTPError, json.JSONDecodeError, OSError) as exc:
            raise interrupted(exc) from exc
    if ending is None:
        raise ended_early()
    usage = ending.get("usage")
    if isinstance(usage, dict):
        yield UsageReport(Usage.from_responses(usage))
    if ending.get("status") == "incomplete":
        reason = (ending.get("incomplete_details") or {}).get("reason")
        yield Finished(_INCOMPLETE.get(str(reason), str(reason or "length")))
    else:
        yield Finished("tool_calls" if calls.received else "stop")


def _ending(event: dict[str, Any]) -> dict[str, Any] | None:
    """The final response of a closing event (status "completed" or "incomplete"); raises the
    failure a `response.failed` or `error` event reports; None for any other event."""
    kind = event.get("type")
    if kind in ("response.completed", "response.incomplete"):
        response = dict(event.get("response") or {})
        response["status"] = "incomplete" if kind == "response.incomplete" else "completed"
        return response
    if kind == "response.done":  # an older name of the closing event: its status says which
        response = dict(event.get("response") or {})
        if response.get("status") == "failed":
            failure = response.get("error") or {}
            raise stream_failure(failure.get("code"), failure.get("message"))
        return response
    if kind == "response.failed":
        failure = (event.get("response") or {}).get("error") or {}
        raise stream_failure(failure.get("code"), failure.get("message"))
    if kind == "error":
        nested = event.get("error")
        failure = nested if isinstance(nested, dict) else event
        raise stream_failure(failure.get("code"), failure.get("message"))
    return None


def _translate(kind: object, event: dict[str, Any], calls: _Calls) -> list[ReplyEvent]:
    index = int(event.get("output_index") or 0)
    if kind == "response.output_text.delta":
        return [TextDelta(str(event.get("delta") or ""))] if event.get("delta") else []
    if kind in ("response.reasoning_summary_text.delta", "response.reasoning_text.delta"):
        return [ReasoningDelta(str(event["delta"]))] if event.get("delta") else []
    if kind == "response.reasoning_summary_part.added" and event.get("summary_index"):
        return [ReasoningDelta("\n\n")]  # summaries after the first start a new paragraph
    raw_item = event.get("item")
    item: dict[str, Any] = raw_item if isinstance(raw_item, dict) else {}
    if kind == "response.output_item.added" and item.get("type") == "function_call":
        return [calls.added(index, item)]
    if kind == "response.function_call_arguments.delta":
        delta = calls.delta(index, str(event.get("delta") or ""))
        return [delta] if delta else []
    if kind == "response.function_call_arguments.done":
        done = calls.done(index, event.get("arguments"))
        return [done] if done else []
    if kind == "response.output_item.done":
        if item.get("type") == "function_call":
            done = calls.done(index, item.get("arguments"))
            return [done] if done else []
        sealed = item.get("encrypted_content")
        if item.get("type") == "reasoning" and isinstance(sealed, str) and sealed:
            return [ReasoningSealed(str(item.get("id") or ""), sealed)]
    return []
