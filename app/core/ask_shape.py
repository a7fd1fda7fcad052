"""What a question and its answer look like: the system prompt, the question, and the answer's
shape (a JSON schema, a function to call, or text), from a preset or the user's own words.
Shared by `ask`, `batch` and the window's batch."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.core.presets import Preset


@dataclass(frozen=True)
class AskShape:
    system: str
    prompt: str
    response_format: dict[str, Any] | None = None
    tools: list[dict[str, Any]] | None = None
    tool_choice: dict[str, Any] | None = None

    @property
    def expects_json(self) -> bool:
        return self.response_format is not None or bool(self.tools)


def preset_shape(preset: Preset | None, question: str, system: str = "") -> AskShape:
    """The shape a preset (or none: the question alone) gives one image's question; an empty
    prompt means there is no question to ask."""
    system = system or (preset.system_prompt if preset else "")
    prompt = preset.compose(question, has_images=True) if preset else question.strip()
    if preset is not None and preset.expects_json:
        return AskShape(
            system, prompt, preset.response_format(), preset.tools(), preset.tool_choice()
        )
    return AskShape(system, prompt)
