"""`grok-vision key set|status|delete [--endpoint URL]`: an endpoint's API key in the system
keyring. Every endpoint has its own key, under the keyring account its base URL gives
(`key_account`: "xai", "openrouter", "custom:<host>"); without --endpoint it is xAI's."""

from __future__ import annotations

import getpass
import os
import sys
from dataclasses import dataclass
from urllib.parse import urlsplit

from app import keystore
from app.core.endpoints import base_url_problem, is_loopback_host, key_account
from app.core.limits import XAI_BASE_URL

EXIT_USAGE = 2


@dataclass(frozen=True)
class KeyTarget:
    """Whose key: the keyring account, and the endpoint it belongs to when one was named."""

    account: str
    host: str | None = None  # None for the hidden --account form
    url: str | None = None  # the --endpoint given (None: the default, or --account)

    @property
    def label(self) -> str:
        return self.host or f"account {self.account}"

    def set_command(self) -> str:
        return "grok-vision key set" + (
            f" --endpoint {self.url}"
            if self.url
            else ("" if self.host else f" --account {self.account}")
        )


def target_for(endpoint: str | None, account: str | None) -> KeyTarget:
    """The target of `--endpoint URL` (default xAI's) or of the hidden `--account NAME`.
    Raises ValueError with a message for the user."""
    if endpoint is not None and account is not None:
        raise ValueError("give --endpoint or --account, not both")
    if account is not None:
        return KeyTarget(account.strip())
    url = (endpoint or XAI_BASE_URL).strip()
    problem = base_url_problem(url)
    if problem:
        raise ValueError(problem)
    host = (urlsplit(url).hostname or "").lower()
    return KeyTarget(key_account(url), host, endpoint.strip() if endpoint else None)


def _read_key() -> str:
    """The key from standard input only: a hidden prompt on a terminal, else one line piped in."""
    if sys.stdin.isatty():
        return getpass.getpass("API key (input hidden): ")
    return sys.stdin.readline()


def run_key(action: str, endpoint: str | None = None, account: str | None = None) -> int:
    try:
        target = target_for(endpoint, account)
    except ValueError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return EXIT_USAGE
    whose = f" for {target.host}" if target.host else ""
    try:
        if action == "set":
            backend = keystore.set_key(_read_key(), target.account)
            sys.stdout.write(f"Key{whose} stored in {backend.name}.\n")
        elif action == "delete":
            deleted = keystore.delete_key(target.account)
            sys.stdout.write(
                f"Key{whose} deleted.\n" if deleted else f"No key was stored{whose}.\n"
            )
        else:
            _status(target)
    except keystore.KeystoreError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 1
    return 0


def _status(target: KeyTarget) -> None:
    out = sys.stdout
    if target.host:
        out.write(f"Endpoint: {target.host} (keyring account {target.account})\n")
    lookup = keystore.get_key(target.account)
    backend = lookup.backend
    security = "a secure store" if backend.secure else f"NOT a secure store: {backend.detail}"
    out.write(f"Keyring backend: {backend.name} ({security})\n")
    if lookup.key is None:
        out.write(f"No key stored for {target.label}. Store one with: {target.set_command()}\n")
        if target.host and is_loopback_host(target.host):
            out.write(
                "This endpoint is on this computer: `ask` and `models` send it the local "
                "demo key until one is stored.\n"
            )
    elif lookup.source == "environment":
        out.write(
            f"Key from ${keystore.ENV_VAR}: {keystore.redact(lookup.key)} "
            "(overrides the keyring; never stored)\n"
        )
    else:
        out.write(f"Key stored in the keyring: {keystore.redact(lookup.key)}\n")
    if (
        not keystore.environment_serves(target.account)
        and os.environ.get(keystore.ENV_VAR, "").strip()
    ):
        out.write(
            f"${keystore.ENV_VAR} is set; it is xAI's key and is never sent to {target.label}.\n"
        )
