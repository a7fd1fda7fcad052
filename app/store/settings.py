"""Settings that persist as JSON in the user's config directory. Never the API key.

The file holds only the fields of :class:`Settings` (plus a format version). There is no key field,
``Settings`` has ``__slots__`` so no attribute can be added to it, and :meth:`SettingsStore.save`
refuses any text that looks like an API key: the key lives in the keyring (``app.keystore``).

Loading never fails: a missing file gives the defaults; a file that cannot be read or parsed is
moved aside as ``settings.json.bad`` and the defaults are used; unknown keys are ignored; a field
with a wrong type or an invalid value falls back to its default. What was discarded is described
in :attr:`SettingsStore.notice` for the window to show.
"""

from __future__ import annotations

import json
import logging
import math
import os
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, TypeGuard

from app.core.catalog import DEFAULT_MODEL, ModelInfo, Prices, context_window_for
from app.core.endpoints import base_url_problem, looks_like_key
from app.core.limits import LIMIT_PROFILES, XAI_BASE_URL, XAI_LIMITS, ImageLimits
from app.core.presets import read_user_presets
from app.core.titles import TITLE_MODES
from app.store.paths import CONFIG_DIR_ENV, SETTINGS_FILE_NAME
from app.store.paths import config_directory as default_directory

log = logging.getLogger(__name__)

FILE_NAME = SETTINGS_FILE_NAME
FORMAT_VERSION = 1

MIN_TEMPERATURE = 0.0
MAX_TEMPERATURE = 2.0
MIN_MAX_TOKENS = 1
MAX_MAX_TOKENS = 1_000_000
MIN_CONTEXT_OVERRIDE = 1024
MAX_KNOWN_MODELS = 500
THEMES = ("system", "light", "dark")

# What an API key looks like: xAI's "xai-…", OpenAI-style "sk-…", followed by a long random run.


class SettingsError(OSError):
    """Settings that cannot be saved (invalid, or the file cannot be written), in words a user
    can act on. An OSError, so code that guards a file write with ``except OSError`` catches it."""


@dataclass(slots=True)
class Settings:
    """Everything the app remembers between runs, except conversations and the API key."""

    base_url: str = XAI_BASE_URL
    model: str = DEFAULT_MODEL
    context_overrides: dict[str, int] = field(default_factory=dict)  # per model id
    # per model id: the window the server gave in a "maximum prompt length is N" error
    learned_windows: dict[str, int] = field(default_factory=dict)
    temperature: float | None = None  # None: the server's default
    max_tokens: int = 2048  # reply room reserved in the budget and sent as max_tokens
    limits_profile: str = "xai"  # a key of LIMIT_PROFILES
    enter_sends: bool = True  # False: Enter breaks the line (Ctrl+Enter always sends)
    system_prompt: str = ""  # default for new conversations
    window_geometry: str = ""  # base64 of QWidget.saveGeometry(), opaque here
    known_models: list[dict[str, Any]] = field(default_factory=list)  # last discovered models
    presets: list[dict[str, Any]] = field(default_factory=list)  # user-edited task presets
    # Per endpoint (its keyring account, "xai", "custom:<host>"…): "responses" or "chat" to
    # force that API; absent: automatic.
    api_choices: dict[str, str] = field(default_factory=dict)
    # Per base URL: the API the endpoint answered in ("responses" or "chat").
    learned_apis: dict[str, str] = field(default_factory=dict)
    theme: str = "system"  # one of THEMES: "system" follows the desktop's light or dark
    # How a conversation is titled after its first reply (core.titles.TITLE_MODES): "auto" (a
    # small model of the endpoint, else made here), "local" (made here) or "off".
    titles: str = "auto"

    def context_window(self) -> tuple[int, bool]:
        """The window to budget against for :attr:`model`, and whether it is known."""
        return self.window_of(self.model)

    def window_of(self, model: str) -> tuple[int, bool]:
        return context_window_for(
            model, self.context_overrides.get(model), self.learned_windows.get(model)
        )

    def limits(self) -> ImageLimits:
        """The image limits profile chosen (xAI's current one if the name is unknown)."""
        return LIMIT_PROFILES.get(self.limits_profile, XAI_LIMITS)

    def known_model_infos(self) -> list[ModelInfo]:
        """:attr:`known_models` as ModelInfo, skipping entries that do not parse."""
        infos = (model_from_dict(entry) for entry in self.known_models)
        return [info for info in infos if info is not None]

    def set_known_models(self, models: list[ModelInfo]) -> None:
        """Remember a discovered model list (so the next start offline can offer it)."""
        self.known_models = [model.to_dict() for model in models[:MAX_KNOWN_MODELS]]


def model_from_dict(raw: object) -> ModelInfo | None:
    """The ModelInfo that ``ModelInfo.to_dict`` wrote, or None if ``raw`` is not one.

    Unlike ``ModelInfo.from_dict`` this checks every field's type, for a hand-edited file.
    """
    if not isinstance(raw, dict):
        return None
    model_id = raw.get("id")
    if not isinstance(model_id, str) or not model_id.strip():
        return None
    window = raw.get("context_window")
    aliases = raw.get("aliases")
    owned_by = raw.get("owned_by")
    return ModelInfo(
        id=model_id.strip(),
        takes_images=raw.get("takes_images") is True,
        context_window=window if _is_int(window) and window > 0 else None,
        prices=_prices_from(raw.get("prices")),
        aliases=tuple(a for a in aliases if isinstance(a, str))
        if isinstance(aliases, list)
        else (),
        owned_by=owned_by if isinstance(owned_by, str) else "",
    )


def _prices_from(raw: object) -> Prices | None:
    if not isinstance(raw, dict):
        return None
    names = ("prompt_text", "prompt_image", "completion_text", "cached_prompt_text")
    values = [raw.get(name, 0) for name in names]
    if not all(_is_int(value) and value >= 0 for value in values):
        return None
    return Prices(*values)


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def validate(settings: Settings) -> dict[str, str]:
    """Problems with ``settings``, by field name; empty when they can be saved."""
    problems: dict[str, str] = {}
    url_problem = base_url_problem(settings.base_url)
    if url_problem:
        problems["base_url"] = url_problem
    if not settings.model.strip() or any(char.isspace() for char in settings.model.strip()):
        problems["model"] = "Choose a model (a model id has no spaces)."
    temperature = settings.temperature
    if temperature is not None and not (
        isinstance(temperature, int | float) and MIN_TEMPERATURE <= temperature <= MAX_TEMPERATURE
    ):
        problems["temperature"] = "The temperature must be between 0 and 2."
    if not (
        _is_int(settings.max_tokens) and MIN_MAX_TOKENS <= settings.max_tokens <= MAX_MAX_TOKENS
    ):
        problems["max_tokens"] = "Max reply tokens must be between 1 and 1,000,000."
    for model_id, window in settings.context_overrides.items():
        if not (_is_int(window) and window >= MIN_CONTEXT_OVERRIDE):
            problems["context_overrides"] = (
                f"The context window for {model_id} must be at least 1,024 tokens."
            )
    if settings.limits_profile not in LIMIT_PROFILES:
        problems["limits_profile"] = f"Unknown image limits profile “{settings.limits_profile}”."
    if settings.theme not in THEMES:
        problems["theme"] = f"Unknown theme “{settings.theme}” (system, light or dark)."
    for name in ("base_url", "model", "system_prompt"):
        if looks_like_key(getattr(settings, name)):
            problems[name] = (
                "This looks like an API key. The key belongs in the API key field, which keeps "
                "it in the system keyring and never in the settings file."
            )
    return problems


def _to_json(settings: Settings) -> dict[str, Any]:
    data: dict[str, Any] = {"version": FORMAT_VERSION}
    for spec in fields(Settings):
        value = getattr(settings, spec.name)
        data[spec.name] = (
            dict(value)
            if isinstance(value, dict)
            else (list(value) if isinstance(value, list) else value)
        )
    return data


def _read_str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _read_base_url(value: object) -> str | None:
    if isinstance(value, str) and base_url_problem(value) is None and not looks_like_key(value):
        return value.strip()
    return None


def _read_model(value: object) -> str | None:
    if isinstance(value, str) and value.strip() and not any(c.isspace() for c in value.strip()):
        return None if looks_like_key(value) else value.strip()
    return None


def _read_overrides(value: object) -> dict[str, int] | None:
    if not isinstance(value, dict):
        return None
    return {
        key: window
        for key, window in value.items()
        if isinstance(key, str)
        and key.strip()
        and _is_int(window)
        and window >= MIN_CONTEXT_OVERRIDE
    }


def _read_temperature(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    if math.isfinite(number) and MIN_TEMPERATURE <= number <= MAX_TEMPERATURE:
        return number
    return None


def _read_max_tokens(value: object) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if MIN_MAX_TOKENS <= value <= MAX_MAX_TOKENS else None


def _read_profile(value: object) -> str | None:
    return value if isinstance(value, str) and value in LIMIT_PROFILES else None


def _read_bool(value: object) -> bool | None:
    return value if isinstance(value, bool) else None


def _read_prompt(value: object) -> str | None:
    return value if isinstance(value, str) and not looks_like_key(value) else None


def _read_theme(value: object) -> str | None:
    return value if isinstance(value, str) and value in THEMES else None


def _read_titles(value: object) -> str | None:
    return value if isinstance(value, str) and value in TITLE_MODES else None


def _read_apis(value: object) -> dict[str, str] | None:
    if not isinstance(value, dict):
        return None
    return {
        key: api
        for key, api in value.items()
        if isinstance(key, str) and key.strip() and api in ("responses", "chat")
    }


def _read_known_models(value: object) -> list[dict[str, Any]] | None:
    if not isinstance(value, list):
        return None
    infos = (model_from_dict(entry) for entry in value[:MAX_KNOWN_MODELS])
    return [info.to_dict() for info in infos if info is not None]


# Each reader returns the value to use, or None for "use the default". The temperature's own
# None (the server's default) is also its default, so the two meanings agree.
_READERS: dict[str, Callable[[object], Any]] = {
    "base_url": _read_base_url,
    "model": _read_model,
    "context_overrides": _read_overrides,
    "learned_windows": _read_overrides,
    "temperature": _read_temperature,
    "max_tokens": _read_max_tokens,
    "limits_profile": _read_profile,
    "enter_sends": _read_bool,
    "system_prompt": _read_prompt,
    "window_geometry": _read_str,
    "known_models": _read_known_models,
    "presets": read_user_presets,  # invalid entries are dropped, the valid ones kept
    "api_choices": _read_apis,
    "learned_apis": _read_apis,
    "theme": _read_theme,
    "titles": _read_titles,
}


def _from_json(data: Mapping[str, object]) -> tuple[Settings, list[str]]:
    """Settings from a parsed file, and the names of fields that were reset to their default."""
    values: dict[str, Any] = {}
    reset: list[str] = []
    for spec in fields(Settings):
        if spec.name not in data:
            continue
        value = _READERS[spec.name](data[spec.name])
        if value is None:
            if not (spec.name == "temperature" and data[spec.name] is None):
                reset.append(spec.name)
            continue
        values[spec.name] = value
    return Settings(**values), reset


class SettingsStore:
    """Reads and writes ``settings.json`` in one directory."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory if directory is not None else default_directory()
        self.path = self.directory / FILE_NAME
        self.bad_path = self.directory / (FILE_NAME + ".bad")
        # What the last load() had to discard, in words for the user; None when nothing was.
        self.notice: str | None = None

    def load(self) -> Settings:
        """The saved settings; the defaults for whatever is missing, unreadable or invalid."""
        self.notice = None
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return Settings()
        except (OSError, UnicodeDecodeError) as exc:
            return self._set_aside(f"it could not be read ({exc.__class__.__name__})")
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            return self._set_aside(f"it is not valid JSON (line {exc.lineno}, column {exc.colno})")
        if not isinstance(data, dict):
            return self._set_aside("it does not hold a JSON object")
        settings, reset = _from_json(data)
        if reset:
            self.notice = (
                f"Some settings in {self.path} were invalid and have been reset to their "
                f"defaults: {', '.join(reset)}."
            )
            log.warning("%s", self.notice)
        return settings

    def save(self, settings: Settings) -> None:
        """Write ``settings`` atomically (a temporary file, then a rename), readable by the user
        only. Raises :class:`SettingsError` when they are invalid or cannot be written."""
        problems = validate(settings)
        if problems:
            raise SettingsError("The settings were not saved: " + " ".join(problems.values()))
        try:
            text = (
                json.dumps(_to_json(settings), indent=2, ensure_ascii=False, allow_nan=False) + "\n"
            )
        except (TypeError, ValueError) as exc:
            raise SettingsError(f"The settings were not saved: {exc}.") from None
        try:
            self._write_atomically(text)
        except OSError as exc:
            reason = exc.strerror or exc.__class__.__name__
            raise SettingsError(
                f"Could not save the settings to {self.path}: {reason}. Check that the folder "
                f"exists and is writable, or set {CONFIG_DIR_ENV} to another folder."
            ) from None

    def _write_atomically(self, text: str) -> None:
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle, temp_name = tempfile.mkstemp(
            prefix=f".{FILE_NAME}.", suffix=".tmp", dir=self.directory
        )
        temp = Path(temp_name)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                if hasattr(os, "fchmod"):
                    os.fchmod(stream.fileno(), 0o600)
                stream.write(text)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temp, self.path)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
        if not hasattr(os, "fchmod"):
            os.chmod(self.path, 0o600)

    def _set_aside(self, why: str) -> Settings:
        """Keep an unusable file as ``settings.json.bad`` and start from the defaults."""
        try:
            os.replace(self.path, self.bad_path)
        except OSError as exc:
            kept = f"it could not be moved aside ({exc.strerror or exc.__class__.__name__})"
        else:
            kept = f"it was kept as {self.bad_path}"
        self.notice = (
            f"The settings file {self.path} was not used because {why}; {kept}. "
            "The default settings are in use."
        )
        log.warning("%s", self.notice)
        return Settings()
