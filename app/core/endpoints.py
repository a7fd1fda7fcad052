"""Endpoint profiles: xAI (the default), OpenRouter, and any other OpenAI-compatible server.

A profile gives a base URL to start from and an image limits profile. Which profile a base URL
belongs to, and so under which keyring account its key is kept ("xai", "openrouter",
"custom:<host>"), follows from the URL's host: every endpoint has its own key.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from app.core.limits import XAI_BASE_URL

OPENROUTER_BASE_URL = "https://openrouter.ai/api/v1"
_LOCAL_HOSTS = frozenset({"localhost", "localhost.localdomain"})


@dataclass(frozen=True)
class EndpointProfile:
    name: str  # "xai", "openrouter", "custom"
    label: str
    base_url: str  # where it starts ("" for custom: the user types it)
    limits_profile: str  # a key of app.core.limits.LIMIT_PROFILES
    key_hint: str  # placeholder of the key field


XAI = EndpointProfile("xai", "xAI", XAI_BASE_URL, "xai", "Paste your xAI API key")
OPENROUTER = EndpointProfile(
    "openrouter", "OpenRouter", OPENROUTER_BASE_URL, "openrouter", "Paste your OpenRouter API key"
)
CUSTOM = EndpointProfile(
    "custom",
    "Other OpenAI-compatible server (local ones too)",
    "",
    "openai-compatible",
    "Paste the server's API key (any text if it needs none)",
)
PROFILES: dict[str, EndpointProfile] = {p.name: p for p in (XAI, OPENROUTER, CUSTOM)}


def _host(base_url: str) -> str:
    try:
        return (urlsplit(base_url.strip()).hostname or "").lower()
    except ValueError:
        return ""


def profile_for(base_url: str) -> EndpointProfile:
    """The profile a base URL belongs to, by its host."""
    host = _host(base_url)
    if host == "api.x.ai":
        return XAI
    if host == "openrouter.ai":
        return OPENROUTER
    return CUSTOM


def key_account(base_url: str) -> str:
    """The keyring account of this endpoint's key: "xai", "openrouter" or "custom:<host>"."""
    profile = profile_for(base_url)
    if profile is not CUSTOM:
        return profile.name
    return f"custom:{_host(base_url) or 'unknown'}"


def is_loopback_host(host: str) -> bool:
    host = host.lower().strip("[]")
    if host in _LOCAL_HOSTS or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_unencrypted_remote(base_url: str) -> bool:
    """Whether the URL is plain http:// to a host other than this computer (the key would
    travel unencrypted)."""
    try:
        parts = urlsplit(base_url.strip())
    except ValueError:
        return False
    if parts.scheme.lower() != "http" or not parts.hostname:
        return False
    return not is_loopback_host(parts.hostname)


UNENCRYPTED_WARNING = (
    "Plain http:// to another computer: the key would travel unencrypted. "
    "Use https:// unless this is a server you trust on your own network."
)


_KEY_LIKE = re.compile(r"(?<![A-Za-z0-9])(?:xai|sk)-[A-Za-z0-9_-]{20,}")


def base_url_problem(url: str) -> str | None:
    """Why ``url`` cannot be an API base URL, or None when it can."""
    text = url.strip()
    if not text:
        return "Enter the API address, for example https://api.x.ai/v1."
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018  (raises ValueError for a port that is not a number)
    except ValueError:
        return f"“{text}” is not a valid web address."
    if parts.scheme.lower() not in {"http", "https"}:
        return "The API address must start with https:// (or http:// for a local server)."
    if not parts.hostname:
        return "The API address has no host name, for example https://api.x.ai/v1."
    if any(char.isspace() for char in text):
        return "The API address must not contain spaces."
    return None


def looks_like_key(text: str) -> bool:
    """Whether ``text`` contains something shaped like an API key (kept out of settings)."""
    return _KEY_LIKE.search(text) is not None
