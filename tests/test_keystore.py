"""The API key in the keyring: real backends (in-memory, fail, null, keyrings.alt's plaintext
file, and the real Secret Service in a D-Bus session), never a mock."""

from __future__ import annotations

import os
import secrets
import uuid
from contextlib import closing
from pathlib import Path

import pytest
from keyring.backends import SecretService, chainer, fail, null
from keyring.errors import (
    InitError,
    KeyringLocked,
    NoKeyringError,
    PasswordDeleteError,
    PasswordSetError,
)
from keyrings.alt.file import PlaintextKeyring
from support.keyrings import (
    MemoryKeyring,
    RaisingKeyring,
    installed_keyring,
)

from app.keystore import (
    ENV_VAR,
    SERVICE,
    KeystoreError,
    backend_info,
    delete_key,
    get_key,
    redact,
    set_key,
)

KEY = "xai-" + "Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z" * 2 + "b14o"
SECRET_SERVICE_NAME = "Secret Service (GNOME Keyring / KWallet)"


def plaintext_keyring(directory: Path) -> PlaintextKeyring:
    backend = PlaintextKeyring()
    backend.file_path = str(directory / "keyring_pass.cfg")
    return backend


def fixed_chain(*members: object) -> chainer.ChainerBackend:
    """A ChainerBackend over the given members instead of every backend keyring detects."""

    class FixedChain(chainer.ChainerBackend):
        viable = False  # keep it out of keyring's detection
        backends = tuple(members)

    return FixedChain()


# --- round trip on the in-memory backend ----------------------------------------------------


def test_set_get_delete_round_trip(memory_keyring: MemoryKeyring) -> None:
    info = set_key(KEY)
    assert info.secure
    assert memory_keyring.passwords == {(SERVICE, "xai"): KEY}

    found = get_key()
    assert found.key == KEY
    assert found.source == "keyring"
    assert found.backend == info == backend_info()

    assert delete_key() is True
    assert memory_keyring.passwords == {}
    assert get_key().key is None
    assert get_key().source is None
    assert delete_key() is False


def test_accounts_are_separate(memory_keyring: MemoryKeyring) -> None:
    set_key(KEY, account="other")
    assert get_key().key is None
    assert get_key("other").key == KEY


def test_surrounding_whitespace_is_stripped(memory_keyring: MemoryKeyring) -> None:
    set_key(f"  \t{KEY}\r\n\n")
    assert memory_keyring.passwords[SERVICE, "xai"] == KEY
    assert get_key().key == KEY


@pytest.mark.parametrize("key", ["", "   ", "\n\t\r\n"])
def test_empty_key_is_refused(memory_keyring: MemoryKeyring, key: str) -> None:
    with pytest.raises(KeystoreError, match="empty"):
        set_key(key)
    assert memory_keyring.passwords == {}


@pytest.mark.parametrize("key", ["xai-abc def123456", "xai-abc\ndef123456", "xai-abc\x00def1234"])
def test_key_broken_inside_is_refused(memory_keyring: MemoryKeyring, key: str) -> None:
    with pytest.raises(KeystoreError, match="paste only the key") as caught:
        set_key(key)
    assert key.strip() not in str(caught.value)
    assert memory_keyring.passwords == {}


def test_empty_account_is_refused(memory_keyring: MemoryKeyring) -> None:
    with pytest.raises(KeystoreError, match="account"):
        set_key(KEY, account=" ")


# --- the environment ------------------------------------------------------------------------


def test_environment_overrides_and_is_never_stored(
    memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_key(KEY)
    monkeypatch.setenv(ENV_VAR, "  xai-from-the-environment-1234\n")

    found = get_key()
    assert found.key == "xai-from-the-environment-1234"
    assert found.source == "environment"
    assert found.backend.secure
    assert memory_keyring.passwords == {(SERVICE, "xai"): KEY}  # not written over

    assert get_key("other").key is None  # only the default account is overridden
    assert delete_key() is True
    assert memory_keyring.passwords == {}
    assert get_key().source == "environment"


def test_blank_environment_variable_is_ignored(
    memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_VAR, "  ")
    set_key(KEY)
    assert get_key().source == "keyring"


def test_environment_works_without_any_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_VAR, KEY)
    with installed_keyring(fail.Keyring()):
        found = get_key()
    assert (found.key, found.source, found.backend.secure) == (KEY, "environment", False)


# --- backends that are not secret stores ----------------------------------------------------


@pytest.mark.usefixtures("no_env_key")
def test_no_keyring_is_reported_and_refused() -> None:
    with installed_keyring(fail.Keyring()):
        info = backend_info()
        assert not info.secure
        assert "No system keyring is available" in info.detail
        assert "GNOME Keyring or KWallet" in info.detail
        assert ENV_VAR in info.detail
        with pytest.raises(KeystoreError, match="No system keyring is available") as caught:
            set_key(KEY)
        assert KEY not in str(caught.value)
        assert get_key().key is None
        assert get_key().backend == info
        assert delete_key() is False


@pytest.mark.usefixtures("no_env_key")
def test_null_keyring_is_refused() -> None:
    with installed_keyring(null.Keyring()):
        assert not backend_info().secure
        with pytest.raises(KeystoreError, match="switched off"):
            set_key(KEY)
        assert get_key().key is None


@pytest.mark.usefixtures("no_env_key")
def test_plaintext_keyring_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    with installed_keyring(plaintext_keyring(tmp_path)):
        info = backend_info()
        assert not info.secure
        assert "PlaintextKeyring" in info.name
        assert "keyrings.alt" in info.detail
        with pytest.raises(KeystoreError, match="not saved") as caught:
            set_key(KEY)
        assert KEY not in str(caught.value)
        assert delete_key() is False
    assert list(tmp_path.iterdir()) == []


@pytest.mark.usefixtures("no_env_key")
def test_plaintext_keyring_is_never_read(tmp_path: Path) -> None:
    backend = plaintext_keyring(tmp_path)
    backend.set_password(SERVICE, "xai", KEY)  # left there by some other program
    with installed_keyring(backend):
        found = get_key()
    assert (found.key, found.source, found.backend.secure) == (None, None, False)


@pytest.mark.usefixtures("no_env_key")
def test_chain_uses_its_secure_member_only(tmp_path: Path) -> None:
    memory, plaintext = MemoryKeyring(), plaintext_keyring(tmp_path)
    plaintext.set_password(SERVICE, "other", "xai-stale-plaintext-key")
    with installed_keyring(fixed_chain(memory, plaintext)):
        assert backend_info().secure
        set_key(KEY)
        assert get_key().key == KEY
        assert get_key("other").key is None  # the chain itself would have found this one
    assert memory.passwords == {(SERVICE, "xai"): KEY}
    assert plaintext.get_password(SERVICE, "xai") is None


@pytest.mark.usefixtures("no_env_key")
def test_chain_of_insecure_members_is_refused(tmp_path: Path) -> None:
    with installed_keyring(fixed_chain(plaintext_keyring(tmp_path), null.Keyring())):
        info = backend_info()
        assert not info.secure
        assert "PlaintextKeyring" in info.detail
        with pytest.raises(KeystoreError):
            set_key(KEY)
        assert get_key().key is None
    assert list(tmp_path.iterdir()) == []


@pytest.mark.usefixtures("no_env_key")
def test_backend_not_recommended_by_keyring_is_refused() -> None:
    class LowPriority(MemoryKeyring):
        priority = 0.5

    with installed_keyring(LowPriority()) as backend:
        assert not backend_info().secure
        with pytest.raises(KeystoreError, match="not recommended"):
            set_key(KEY)
    assert backend.passwords == {}


# --- failing backends -----------------------------------------------------------------------

FAILURES: list[Exception] = [
    KeyringLocked("Failed to unlock the collection!"),
    InitError("Failed to create the collection: no such object."),
    NoKeyringError("No recommended backend was available."),
    PasswordSetError("Can't store password on keychain"),
    PasswordDeleteError("Can't delete password"),
    ConnectionRefusedError(111, "Connection refused"),
]
try:
    from secretstorage.exceptions import LockedException, SecretServiceNotAvailableException
except ImportError:  # not Linux
    pass
else:
    FAILURES += [LockedException("Item is locked!"), SecretServiceNotAvailableException("gone")]


@pytest.mark.usefixtures("no_env_key")
@pytest.mark.parametrize("error", FAILURES, ids=lambda error: type(error).__name__)
def test_keyring_failures_become_keystore_errors(error: Exception) -> None:
    with installed_keyring(RaisingKeyring(error)):
        for call in (lambda: set_key(KEY), get_key, delete_key):
            with pytest.raises(KeystoreError) as caught:
                call()
            message = str(caught.value)
            assert KEY not in message
            assert ENV_VAR in message
            assert caught.value.__cause__ is None
            if "ocked" in type(error).__name__:
                assert "is locked" in message


@pytest.mark.usefixtures("no_env_key")
def test_backend_error_quoting_the_key_is_redacted() -> None:
    class Leaky(MemoryKeyring):
        def set_password(self, service: str, username: str, password: str) -> None:
            raise PasswordSetError(f"cannot store {password!r} for {username}")

    with installed_keyring(Leaky()), pytest.raises(KeystoreError) as caught:
        set_key(KEY)
    assert KEY not in str(caught.value)
    assert redact(KEY) in str(caught.value)


def test_locked_keyring_does_not_hide_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_VAR, KEY)
    with installed_keyring(RaisingKeyring(KeyringLocked("locked"))):
        assert get_key().key == KEY


# --- redact ---------------------------------------------------------------------------------


def test_redact() -> None:
    assert redact(KEY) == "xai-…b14o"
    assert redact(f" {KEY}\n") == "xai-…b14o"
    assert redact("sk-proj-abcdefghijklmnop7890") == "sk-…7890"
    assert redact("abcdefghijklmnop7890") == "abc…7890"
    assert redact("short-key") == "…"
    assert redact("") == ""


# --- the real Secret Service ----------------------------------------------------------------


def secret_service_unavailable() -> str | None:
    """Why the real Secret Service cannot be used here, or None when it can."""
    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        return (
            "no D-Bus session (DBUS_SESSION_BUS_ADDRESS is unset); run the tests inside "
            "dbus-run-session with an unlocked gnome-keyring-daemon, as .ci/run does"
        )
    try:
        SecretService.Keyring.priority  # noqa: B018  # raises when not viable
    except RuntimeError as exc:
        return f"the Secret Service backend is not viable: {exc}"
    import secretstorage

    try:
        with closing(secretstorage.dbus_init()) as connection:
            if secretstorage.get_default_collection(connection).is_locked():
                return "the Secret Service's default collection is locked"
    except secretstorage.exceptions.SecretStorageException as exc:
        return f"the Secret Service has no usable default collection: {exc}"
    return None


@pytest.mark.secret_service
@pytest.mark.usefixtures("no_env_key")
def test_real_secret_service_round_trip() -> None:
    reason = secret_service_unavailable()
    if reason is not None:
        if os.environ.get("REQUIRE_SECRET_SERVICE") == "1":
            pytest.fail(f"REQUIRE_SECRET_SERVICE=1 but {reason}")
        pytest.skip(reason)
    account = f"pytest-{uuid.uuid4().hex}"
    key = "xai-" + secrets.token_urlsafe(48)
    backend = SecretService.Keyring()
    with installed_keyring(backend):
        try:
            info = set_key(f"{key}\n", account)
            assert (info.name, info.secure) == (SECRET_SERVICE_NAME, True)
            assert SecretService.Keyring().get_password(SERVICE, account) == key
            found = get_key(account)
            assert (found.key, found.source, found.backend) == (key, "keyring", info)
            assert delete_key(account) is True
            assert SecretService.Keyring().get_password(SERVICE, account) is None
            assert get_key(account).key is None
            assert delete_key(account) is False
        finally:
            if backend.get_password(SERVICE, account) is not None:
                backend.delete_password(SERVICE, account)
    # keyring's own chain of every detected backend (keyrings.alt's file too, when installed)
    # resolves to the Secret Service.
    with installed_keyring(chainer.ChainerBackend()):
        assert backend_info() == info
