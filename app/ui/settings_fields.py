"""Helpers of the settings dialog: the fields it edits, address checks, the model list order.

Split out of ``settings_dialog.py`` (widgets only, no Qt here beyond what the dialog needs).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any, ClassVar, Protocol

from app.core import endpoints
from app.core.catalog import ModelInfo

TEXT_ONLY_SUFFIX = " (text only)"
MIN_CONTEXT_OVERRIDE = 1024
KEY_IN_FIELD = (
    "This looks like an API key. Paste the key into the API key field above: it is kept in the "
    "system keyring, never in the settings file."
)


class SettingsLike(Protocol):
    """The fields of ``app.store.settings.Settings`` that this dialog reads and edits."""

    __dataclass_fields__: ClassVar[dict[str, dataclasses.Field[Any]]]
    base_url: str
    model: str
    context_overrides: dict[str, int]
    temperature: float | None
    max_tokens: int
    limits_profile: str
    enter_sends: bool
    titles: str
    system_prompt: str
    api_choices: dict[str, str]
    theme: str


def is_unencrypted_remote(url: str) -> bool:
    """Whether ``url`` is plain http:// to a host other than this computer."""
    return endpoints.base_url_problem(url) is None and endpoints.is_unencrypted_remote(url)


def model_label(model: ModelInfo) -> str:
    """How a model appears in the list."""
    return model.id if model.takes_images else model.id + TEXT_ONLY_SUFFIX


def order_models(models: Sequence[ModelInfo]) -> list[ModelInfo]:
    """Image-capable models first, each group in the order given."""
    return [m for m in models if m.takes_images] + [m for m in models if not m.takes_images]


def model_note(
    model_id: str, info: ModelInfo | None, window: int, is_known: bool, *, listed: bool
) -> str:
    """What the dialog says about the model chosen; `listed`: the endpoint's list is known."""
    if not model_id:
        return ""
    parts: list[str] = []
    if info is not None and not info.takes_images:
        parts.append(
            "Text only: this model cannot read images; choose one without "
            "“(text only)” to ask about pictures."
        )
    elif info is not None:
        parts.append("Takes images.")
    elif listed:
        parts.append("This id is not in the endpoint's list of models.")
    if is_known:
        parts.append(f"Context window: {window:,} tokens.")
    else:
        parts.append(
            f"Context window not known: {window:,} tokens assumed. Set it below if you know it."
        )
    return " ".join(parts)


def model_tooltip(model: ModelInfo) -> str:
    kind = "takes images" if model.takes_images else "text only"
    window = f", context {model.context_window:,} tokens" if model.context_window else ""
    return f"{model.id}: {kind}{window}"
