"""Keyring backends and fixtures for tests.

``MemoryKeyring`` is a real ``keyring`` backend that keeps passwords in a dict. The backends here
set ``viable = False`` so that keyring's own detection never picks them: importing this module
does not change which backend keyring chooses; only :func:`installed_keyring` installs one.

In a conftest: ``from support.keyrings import memory_keyring, no_env_key``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TypeVar

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError

from app.keystore import ENV_VAR

BackendT = TypeVar("BackendT", bound=KeyringBackend)


class MemoryKeyring(KeyringBackend):
    """Passwords in a dict, keyed by (service, username)."""

    priority = 1.0  # recommended by keyring's own rule (>= 1)
    viable = False  # never chosen by keyring's detection

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[service, username] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.passwords.pop((service, username), None) is None:
            raise PasswordDeleteError("No such password")


class RaisingKeyring(KeyringBackend):
    """Every call raises ``error``: a locked, broken or unreachable keyring."""

    priority = 1.0
    viable = False

    def __init__(self, error: Exception) -> None:
        super().__init__()
        self.error = error

    def get_password(self, service: str, username: str) -> str | None:
        raise self.error

    def set_password(self, service: str, username: str, password: str) -> None:
        raise self.error

    def delete_password(self, service: str, username: str) -> None:
        raise self.error


@contextmanager
def installed_keyring(backend: BackendT) -> Iterator[BackendT]:
    """Make ``backend`` keyring's active backend, and put the previous one back afterwards."""
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


@pytest.fixture
def no_env_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """XAI_API_KEY is unset for the test."""
    monkeypatch.delenv(ENV_VAR, raising=False)


@pytest.fixture
def memory_keyring(monkeypatch: pytest.MonkeyPatch) -> Iterator[MemoryKeyring]:
    """An empty in-memory keyring for the test, with XAI_API_KEY unset (set it to test it)."""
    monkeypatch.delenv(ENV_VAR, raising=False)
    with installed_keyring(MemoryKeyring()) as backend:
        yield backend
