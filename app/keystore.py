"""The API key in the operating system's keyring, never in a file.

Every endpoint has its own key, under its own keyring account ("xai", "openrouter",
"custom:<host>": ``app.core.endpoints.key_account``). The key is read from the system keyring
through the ``keyring`` package; ``XAI_API_KEY`` (never stored) overrides it for xAI's account
only and never serves another endpoint. Only a real secret store is ever used: the Secret Service
(GNOME Keyring, KWallet), the macOS Keychain or the Windows Credential Locker. A backend that
keeps secrets in a plain or weakly protected file (``keyrings.alt``, which becomes active silently
once installed), the ``null`` backend or no backend at all is reported through
:class:`BackendInfo` with ``secure=False``: nothing is stored there and nothing is read from it.

Every failure of the keyring becomes a :class:`KeystoreError` whose message a user can act on and
which never contains the key.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal

import keyring
from keyring.backend import KeyringBackend
from keyring.backends import chainer, fail, null
from keyring.errors import KeyringError, KeyringLocked

SERVICE = "grok-vision"
ENV_VAR = "XAI_API_KEY"
DEFAULT_ACCOUNT = "xai"

_HINT = (
    "On Linux install and unlock GNOME Keyring or KWallet (Secret Service); "
    f"or, for xAI's key, set {ENV_VAR} in the environment."
)

# Backends that keep secrets encrypted by the operating system, by "module.class".
_SECURE_NAMES = {
    "keyring.backends.SecretService.Keyring": "Secret Service (GNOME Keyring / KWallet)",
    "keyring.backends.libsecret.Keyring": "Secret Service via libsecret (GNOME Keyring / KWallet)",
    "keyring.backends.kwallet.DBusKeyring": "KWallet",
    "keyring.backends.kwallet.DBusKeyringKWallet4": "KWallet 4",
    "keyring.backends.macOS.Keyring": "macOS Keychain",
    "keyring.backends.Windows.WinVaultKeyring": "Windows Credential Locker",
}

# What a keyring backend raises when its store is missing, locked or unreachable.
_LOCKED_ERRORS: tuple[type[Exception], ...] = (KeyringLocked,)
_BACKEND_ERRORS: tuple[type[Exception], ...] = (KeyringError, RuntimeError, OSError)
try:  # the Secret Service libraries exist on Linux only
    from secretstorage.exceptions import (
        LockedException,
        PromptDismissedException,
        SecretStorageException,
    )
except ImportError:
    pass
else:
    _LOCKED_ERRORS += (LockedException, PromptDismissedException)
    _BACKEND_ERRORS += (SecretStorageException,)
try:
    from jeepney.wrappers import DBusErrorResponse
except ImportError:
    pass
else:
    _BACKEND_ERRORS += (DBusErrorResponse,)
# A backend named in the keyring config may fail to import; priorities are read from plugins.
_START_ERRORS: tuple[type[Exception], ...] = (*_BACKEND_ERRORS, ImportError)
_PRIORITY_ERRORS: tuple[type[Exception], ...] = (*_BACKEND_ERRORS, TypeError, ValueError)


@dataclass(frozen=True)
class BackendInfo:
    """Where the key goes: a name for people, whether it is a real secret store, and why not."""

    name: str
    secure: bool
    detail: str


@dataclass(frozen=True)
class KeyLookup:
    """The key found (or None), where it came from, and the backend that was asked."""

    key: str | None
    source: Literal["environment", "keyring"] | None
    backend: BackendInfo


class KeystoreError(Exception):
    """A keyring failure, in words a user can act on. The message never contains the key."""


def backend_info() -> BackendInfo:
    """Describe the keyring backend that :func:`set_key` would write to."""
    return _resolve()[1]


def environment_serves(account: str) -> bool:
    """Whether ``XAI_API_KEY`` may stand for ``account``'s key: xAI's account only."""
    return account.strip() == DEFAULT_ACCOUNT


def get_key(account: str = DEFAULT_ACCOUNT) -> KeyLookup:
    """The key for ``account``: ``XAI_API_KEY`` first (xAI's account only), then the keyring.

    An insecure backend is never read. Raises :class:`KeystoreError` if the keyring is locked or
    unreachable.
    """
    account = _check_account(account)
    backend, info = _resolve()
    if environment_serves(account):
        from_env = os.environ.get(ENV_VAR, "").strip()
        if from_env:
            return KeyLookup(from_env, "environment", info)
    if backend is None:
        return KeyLookup(None, None, info)
    with _keyring_errors("read", info, account):
        stored = (backend.get_password(SERVICE, account) or "").strip()
    return KeyLookup(stored, "keyring", info) if stored else KeyLookup(None, None, info)


def set_key(key: str, account: str = DEFAULT_ACCOUNT) -> BackendInfo:
    """Store ``key`` (surrounding whitespace removed) and return where it went.

    Refuses, writing nothing, when the key is empty or the backend is not a real secret store.
    """
    account = _check_account(account)
    key = key.strip()
    console = "your xAI console" if environment_serves(account) else "the provider's console"
    if not key:
        raise KeystoreError(f"The API key is empty. Paste the key from {console}.")
    if any(char.isspace() or not char.isprintable() for char in key):
        raise KeystoreError(
            "The API key contains spaces, line breaks or control characters. "
            f"Copy the key again from {console} and paste only the key."
        )
    backend, info = _resolve()
    if backend is None:
        raise KeystoreError(f"The API key was not saved. {info.detail}")
    with _keyring_errors("save", info, account, secret=key):
        backend.set_password(SERVICE, account, key)
    return info


def delete_key(account: str = DEFAULT_ACCOUNT) -> bool:
    """Remove the stored key; True if one was there. Only a real secret store is touched."""
    account = _check_account(account)
    backend, info = _resolve()
    if backend is None:
        return False
    with _keyring_errors("delete", info, account):
        if backend.get_password(SERVICE, account) is None:
            return False
        backend.delete_password(SERVICE, account)
    return True


def redact(key: str) -> str:
    """A short form for display, like ``xai-…b14o``: a prefix and the last four characters."""
    key = key.strip()
    if len(key) < 12:
        return "…" if key else ""
    dash = key.find("-")
    prefix = key[: dash + 1] if 0 < dash < 6 else key[:3]
    return f"{prefix}…{key[-4:]}"


def _check_account(account: str) -> str:
    account = account.strip()
    if not account:
        raise KeystoreError("No account name was given for the API key.")
    return account


def _resolve() -> tuple[KeyringBackend | None, BackendInfo]:
    """The backend to use (None when no trustworthy one exists) and its description."""
    try:
        backend = keyring.get_keyring()
    except _START_ERRORS as exc:
        detail = f"The keyring could not be started ({_reason(exc)}). {_HINT}"
        return None, BackendInfo("No system keyring", False, detail)
    if not isinstance(backend, chainer.ChainerBackend):
        info = _classify(backend)
        return (backend if info.secure else None), info
    # A chain reads from every member, plaintext files included: use its best secure member.
    members: list[KeyringBackend] = list(backend.backends)
    infos = [_classify(member) for member in members]
    for member, info in zip(members, infos, strict=True):
        if info.secure:
            return member, info
    names = ", ".join(info.name for info in infos) or "none"
    detail = f"None of the available keyring backends is a secure store (found: {names}). {_HINT}"
    return None, BackendInfo("No secure keyring", False, detail)


def _classify(backend: KeyringBackend) -> BackendInfo:
    cls = type(backend)
    refused = _refusal(backend)
    if refused is not None:
        return refused
    for klass in cls.__mro__:
        name = _SECURE_NAMES.get(f"{klass.__module__}.{klass.__qualname__}")
        if name:
            return BackendInfo(name, True, f"The key is stored encrypted in the {name}.")
    # A third-party backend: trust it only if keyring itself recommends it (priority >= 1).
    label = f"{cls.__module__}.{cls.__name__}"
    try:
        recommended = float(cls.priority) >= 1
    except _PRIORITY_ERRORS as exc:
        detail = f"The keyring backend {label} is not usable ({_reason(exc)}). {_HINT}"
        return BackendInfo(label, False, detail)
    if not recommended:
        detail = f"The keyring backend {label} is marked as not recommended by keyring. {_HINT}"
        return BackendInfo(label, False, detail)
    return BackendInfo(label, True, f"The key is stored by the keyring backend {label}.")


def _refusal(backend: KeyringBackend) -> BackendInfo | None:
    """Why ``backend`` must not hold the key: no keyring, the null one, or a plain file."""
    cls = type(backend)
    if isinstance(backend, fail.Keyring):
        return BackendInfo("No system keyring", False, f"No system keyring is available. {_HINT}")
    if isinstance(backend, null.Keyring):
        detail = (
            "The keyring is switched off (the 'null' backend is configured, for example by "
            f"PYTHON_KEYRING_BACKEND or keyringrc.cfg), so nothing can be stored. {_HINT}"
        )
        return BackendInfo("Keyring switched off", False, detail)
    if _is_file_backed(cls):
        where = getattr(backend, "file_path", None)
        place = f" in {where}" if isinstance(where, str) else ""
        detail = (
            f"The active keyring backend ({cls.__module__}.{cls.__name__}) keeps secrets in a "
            f"plain or weakly protected file or registry entry{place}, so it is not used. {_HINT}"
        )
        return BackendInfo(f"Insecure file keyring ({cls.__name__})", False, detail)
    return None


def _is_file_backed(cls: type) -> bool:
    """keyrings.alt's backends, or anything else that keeps secrets in a plain file."""
    return any(
        klass.__module__.split(".")[:2] == ["keyrings", "alt"]
        or "plaintext" in klass.__name__.lower()
        or "file_path" in vars(klass)
        for klass in cls.__mro__
    )


@contextmanager
def _keyring_errors(
    action: str, info: BackendInfo, account: str, secret: str = ""
) -> Iterator[None]:
    """Turn whatever the keyring raises into a KeystoreError a user can act on."""
    # The environment is a way out for xAI's key only: it never serves another endpoint.
    env = f", or set {ENV_VAR} in the environment" if environment_serves(account) else ""
    try:
        yield
    except _LOCKED_ERRORS:
        raise KeystoreError(
            f"Could not {action} the API key: the {info.name} is locked. Unlock it (log in to "
            f"your desktop session or open your keyring manager) and try again{env}."
        ) from None
    except _BACKEND_ERRORS as exc:
        raise KeystoreError(
            f"Could not {action} the API key in the {info.name}: {_reason(exc, secret)}. "
            f"Check that it is running and unlocked{env}."
        ) from None


def _reason(exc: BaseException, secret: str = "") -> str:
    """The exception's own words, short, with the key (if it appears) redacted."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    if secret:
        text = text.replace(secret, redact(secret))
    return text if len(text) <= 200 else text[:199] + "…"
