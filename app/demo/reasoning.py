"""How hard a request makes the model think, what that costs and how long it takes, and the
parameters a model refuses (`reasoning_effort`, and `stop` and the penalties while reasoning).

The confirmed wording is "Model X does not support parameter reasoningEffort." (XAI_API.md);
the others follow it and are unconfirmed.
"""

from __future__ import annotations

from typing import Any

from .errors import invalid_argument, invalid_field
from .models import DemoModel

# Deterministic, so that tests can predict the bill: reasoning tokens and the share of the
# think time (the pause before the first content token) at each effort.
EFFORT_TOKENS: dict[str, int] = {"none": 0, "low": 64, "medium": 256, "high": 1024, "xhigh": 2048}
THINK_SCALE: dict[str, float] = {"none": 0.0, "low": 0.25, "medium": 0.5, "high": 1.0, "xhigh": 2.0}
# Refused while reasoning, with the names the server gives them in its messages.
REFUSED_WHILE_REASONING: dict[str, str] = {
    "stop": "stop",
    "presence_penalty": "presencePenalty",
    "frequency_penalty": "frequencyPenalty",
}
TEMPERATURE_RANGE = (0.0, 2.0)


def request_effort(body: dict[str, Any], model: DemoModel, imposed: str | None) -> str | None:
    """The effort the request runs at: `reasoning_effort` if the model takes that value, else
    what a redirect imposes, else the model's default. None: the model does not reason."""
    value = body.get("reasoning_effort")
    if value is None:
        return imposed if imposed is not None else model.effort
    if not isinstance(value, str):
        raise invalid_field("Invalid field 'reasoning_effort': expected a string.")
    if not model.efforts:
        raise invalid_argument(f"Model {model.id} does not support parameter reasoningEffort.")
    if value not in model.efforts:
        raise invalid_argument(
            f"Invalid reasoning_effort '{value}' for model {model.id}: "
            f"expected one of {', '.join(model.efforts)}."
        )
    return value


def thinks(effort: str | None) -> bool:
    return effort is not None and effort != "none"


def check_sampling(body: dict[str, Any], model: DemoModel, effort: str | None) -> None:
    """`temperature` within 0–2; no `stop` or penalties when the model is to reason."""
    temperature = body.get("temperature")
    if temperature is not None:
        if isinstance(temperature, bool) or not isinstance(temperature, int | float):
            raise invalid_field("Invalid field 'temperature': expected a number.")
        low, high = TEMPERATURE_RANGE
        if not low <= temperature <= high:
            raise invalid_argument(
                f"Invalid temperature {temperature}: it must be between {low:g} and {high:g}."
            )
    if not thinks(effort):
        return
    for field, name in REFUSED_WHILE_REASONING.items():
        if body.get(field) is not None:
            raise invalid_argument(f"Model {model.id} does not support parameter {name}.")


def reasoning_tokens(effort: str | None) -> int:
    return EFFORT_TOKENS.get(effort, 0) if effort is not None else 0


def think_seconds(base: float, effort: str | None) -> float:
    """The silent pause before the first content token: `base` is the pause at high effort."""
    return base * THINK_SCALE.get(effort, 0.0) if effort is not None else 0.0
