"""The small endpoints: models, language models, tokenize-text, api-key, and the demo controls."""

from __future__ import annotations

from typing import Any

from .errors import DEMO_API_KEY, DEMO_TEAM_ID, invalid_field, model_not_found
from .faults import Fault
from .models import (
    DemoModel,
    language_model_object,
    language_models_body,
    listed_model,
    model_object,
    models_body,
    resolve_model,
)
from .state import DemoState
from .tokens import tokenize

__all__ = [
    "api_key_body",
    "demo_faults",
    "demo_pace",
    "demo_think",
    "language_model",
    "language_models_body",
    "model",
    "models_body",
    "tokenize_text",
]

_DEMO_TIME = "2026-01-01T00:00:00Z"


def _listed_model(name: str) -> DemoModel:
    found = listed_model(name)
    if found is None:
        raise model_not_found(name, status=404)
    return found


def model(name: str) -> dict[str, Any]:
    """`GET /v1/models/{id}`: listed models only (a redirected retired id is not found)."""
    return model_object(_listed_model(name))


def language_model(name: str) -> dict[str, Any]:
    """`GET /v1/language-models/{id}`."""
    return language_model_object(_listed_model(name))


def tokenize_text(body: Any) -> dict[str, Any]:
    """`POST /v1/tokenize-text` with `{"text": ..., "model": ...}`."""
    if not isinstance(body, dict):
        raise invalid_field("Invalid request body: expected a JSON object.")
    text, name = body.get("text"), body.get("model")
    if not isinstance(text, str):
        raise invalid_field("Invalid field 'text': expected a string.")
    if not isinstance(name, str):
        raise invalid_field("Invalid field 'model': expected a string.")
    if resolve_model(name) is None:
        raise model_not_found(name)
    return {"token_ids": tokenize(text)}


def api_key_body() -> dict[str, Any]:
    """`GET /v1/api-key` for the demo key (the only key that gets this far)."""
    return {
        "redacted_api_key": f"{DEMO_API_KEY[:4]}...{DEMO_API_KEY[-4:]}",
        "user_id": "demo-user",
        "name": "Local demo key",
        "create_time": _DEMO_TIME,
        "modify_time": _DEMO_TIME,
        "modified_by": "demo-user",
        "team_id": DEMO_TEAM_ID,
        "acls": ["api-key:model:*", "api-key:endpoint:*"],
        "api_key_id": "demo-api-key",
        "team_blocked": False,
        "api_key_blocked": False,
        "api_key_disabled": False,
    }


def _int_field(body: dict[str, Any], name: str, default: int) -> int:
    value = body.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise invalid_field(f"Invalid field '{name}': expected a non-negative integer.")
    return value


def demo_faults(state: DemoState, body: Any) -> dict[str, Any]:
    """`POST /demo/faults` `{"fault": "rate_limit", "count": 1, "after_chunks": 3,
    "retry_after": 1}`: the same as `DemoServer.inject`. `{"clear": true}` drops pending faults.
    """
    if not isinstance(body, dict):
        raise invalid_field("Invalid request body: expected a JSON object.")
    if body.get("clear") is True:
        state.faults.clear()
        return {"pending": 0}
    name = body.get("fault")
    if not isinstance(name, str):
        raise invalid_field("Invalid field 'fault': expected a fault name.")
    try:
        fault = Fault.parse(name)
    except ValueError as exc:
        raise invalid_field(str(exc)) from exc
    count = _int_field(body, "count", 1)
    state.faults.inject(
        fault,
        count,
        after_chunks=_int_field(body, "after_chunks", 3),
        retry_after=_int_field(body, "retry_after", 1),
    )
    return {"fault": fault.value, "count": count, "pending": state.faults.pending()}


def demo_pace(state: DemoState, body: Any) -> dict[str, Any]:
    """`POST /demo/pace` `{"pace": 0.05}`: seconds between streamed chunks, from now on."""
    pace = body.get("pace") if isinstance(body, dict) else None
    if isinstance(pace, bool) or not isinstance(pace, int | float) or pace < 0:
        raise invalid_field("Invalid field 'pace': expected a non-negative number of seconds.")
    state.pace = float(pace)
    return {"pace": state.pace}


def demo_think(state: DemoState, body: Any) -> dict[str, Any]:
    """`POST /demo/think` `{"seconds": 1.0}`: how long a reasoning model is silent before its
    first content token at high effort (scaled by effort), from now on."""
    seconds = body.get("seconds") if isinstance(body, dict) else None
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
        raise invalid_field("Invalid field 'seconds': expected a non-negative number of seconds.")
    state.think_seconds = float(seconds)
    return {"seconds": state.think_seconds}
