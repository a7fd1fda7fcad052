"""Hiding API keys in any text meant for a person, a log or a file."""

from __future__ import annotations

import re

# xAI keys ("xai-…"), OpenAI-style keys ("sk-…", "sk-or-…" for OpenRouter), bearer headers.
_KEY = re.compile(r"\b(xai-|sk-(?:or-)?)[A-Za-z0-9_\-]{6,}")
_BEARER = re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9_\-.~+/=]{6,}")


def redact_secrets(text: str) -> str:
    """The text with anything shaped like an API key replaced by its prefix and "…"."""
    return _BEARER.sub(r"\1…", _KEY.sub(lambda m: m.group(1) + "…", text))
