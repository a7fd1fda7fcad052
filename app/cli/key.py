"""`grok-vision key set|status|delete`: the API key in the system keyring."""

from __future__ import annotations

import getpass
import sys

from app import keystore


def _read_key() -> str:
    """The key from standard input only: a hidden prompt on a terminal, else one line piped in."""
    if sys.stdin.isatty():
        return getpass.getpass("API key (input hidden): ")
    return sys.stdin.readline()


def run_key(action: str, account: str = "xai") -> int:
    try:
        if action == "set":
            backend = keystore.set_key(_read_key(), account)
            sys.stdout.write(f"Key stored in {backend.name}.\n")
        elif action == "delete":
            deleted = keystore.delete_key(account)
            sys.stdout.write("Key deleted.\n" if deleted else "No key was stored.\n")
        else:
            _status(account)
    except keystore.KeystoreError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 1
    return 0


def _status(account: str) -> None:
    lookup = keystore.get_key(account)
    backend = lookup.backend
    security = "a secure store" if backend.secure else f"NOT a secure store: {backend.detail}"
    sys.stdout.write(f"Keyring backend: {backend.name} ({security})\n")
    if lookup.key is None:
        sys.stdout.write("No key stored. Store one with: grok-vision key set\n")
    elif lookup.source == "environment":
        sys.stdout.write(f"Key from ${keystore.ENV_VAR}: {keystore.redact(lookup.key)} "
                         "(overrides the keyring; never stored)\n")
    else:
        sys.stdout.write(f"Key stored in the keyring: {keystore.redact(lookup.key)}\n")
