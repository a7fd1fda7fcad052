"""Endpoint profiles: which profile a base URL is, its keyring account, plain-http warnings."""

from __future__ import annotations

import pytest

from app.core.endpoints import (
    CUSTOM,
    OPENROUTER,
    PROFILES,
    XAI,
    is_unencrypted_remote,
    key_account,
    profile_for,
)
from app.core.limits import LIMIT_PROFILES


def test_each_endpoint_has_its_own_profile_and_key_account() -> None:
    assert profile_for("https://api.x.ai/v1") is XAI
    assert profile_for("https://openrouter.ai/api/v1") is OPENROUTER
    assert profile_for("http://localhost:11434/v1") is CUSTOM
    assert key_account("https://api.x.ai/v1") == "xai"
    assert key_account("https://OpenRouter.ai/api/v1/") == "openrouter"
    assert key_account("http://127.0.0.1:8080/v1") == "custom:127.0.0.1"
    assert key_account("https://llm.example.org/v1") == "custom:llm.example.org"
    assert key_account("not a url") == "custom:unknown"


def test_every_profile_names_a_known_image_limits_profile() -> None:
    for profile in PROFILES.values():
        assert profile.limits_profile in LIMIT_PROFILES
    assert OPENROUTER.base_url == "https://openrouter.ai/api/v1"
    assert "WEBP" in LIMIT_PROFILES["openrouter"].accepted_formats


@pytest.mark.parametrize(
    ("url", "warn"),
    [
        ("https://api.x.ai/v1", False),
        ("http://localhost:1234/v1", False),
        ("http://127.0.0.1:8000/v1", False),
        ("http://[::1]:8000/v1", False),
        ("http://ollama.localhost/v1", False),
        ("http://192.168.1.20:8000/v1", True),
        ("http://llm.example.org/v1", True),
        ("ftp://llm.example.org", False),
    ],
)
def test_plain_http_to_another_computer_warns(url: str, warn: bool) -> None:
    assert is_unencrypted_remote(url) is warn
