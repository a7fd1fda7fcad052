"""Keys stay with their endpoint: `ask` and `models` send a server only the key stored for it
(or, on this computer, the demo's), never xAI's stored key nor XAI_API_KEY; `key` manages each
endpoint's key by its base URL. The servers here record the Authorization header of every
request; nothing is ever sent anywhere but 127.0.0.1."""

from __future__ import annotations

import io
import socket
from collections.abc import Iterator
from typing import Any

import keyring
import pytest
from support.recorder import MODEL, RecordingServer, openai_compatible

from app.cli import main
from app.demo import DEMO_API_KEY
from app.keystore import ENV_VAR, SERVICE, get_key

XAI_KEY = "xai-stored-for-xai-0123456789abcdef"
ENV_KEY = "xai-from-the-environment-0123456789"
LOCAL_KEY = "sk-local-server-key-0123456789"


@pytest.fixture
def server() -> Iterator[RecordingServer]:
    with RecordingServer(openai_compatible) as recording:
        yield recording


@pytest.fixture
def xai_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    """xAI's key stored in the keyring and another in XAI_API_KEY: neither may leave for
    another endpoint."""
    keyring.set_password(SERVICE, "xai", XAI_KEY)
    monkeypatch.setenv(ENV_VAR, ENV_KEY)


@pytest.fixture
def no_lookups(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every host name look-up attempted (each refused): a request to a named host starts
    with one."""
    attempts: list[Any] = []

    def refuse(host: Any, *args: Any, **kwargs: Any) -> Any:
        attempts.append(host)
        raise socket.gaierror(socket.EAI_NONAME, "look-ups are refused in this test")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    return attempts


def sent_keys(server: RecordingServer) -> list[str | None]:
    headers = server.authorizations
    assert headers, "the server got no request"
    for header in headers:
        assert XAI_KEY not in (header or "")
        assert ENV_KEY not in (header or "")
    return headers


# -- ask and models send the endpoint its own key -------------------------------------------------


@pytest.mark.usefixtures("xai_keys")
def test_ask_sends_the_key_stored_for_the_server(
    server: RecordingServer, capsys: pytest.CaptureFixture[str]
) -> None:
    keyring.set_password(SERVICE, "custom:127.0.0.1", LOCAL_KEY)
    code = main(["ask", "--base-url", server.base_url, "--model", MODEL, "What is this?"])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert "A red square." in out.out
    assert set(sent_keys(server)) == {f"Bearer {LOCAL_KEY}"}
    assert any(seen.path == "/v1/chat/completions" for seen in server.requests)


@pytest.mark.usefixtures("xai_keys")
def test_ask_sends_a_local_server_the_demo_key_when_it_has_none(
    server: RecordingServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["ask", "--base-url", server.base_url, "--model", MODEL, "What is this?"])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert set(sent_keys(server)) == {f"Bearer {DEMO_API_KEY}"}


@pytest.mark.usefixtures("xai_keys")
def test_models_sends_the_key_stored_for_the_server(
    server: RecordingServer, capsys: pytest.CaptureFixture[str]
) -> None:
    keyring.set_password(SERVICE, "custom:127.0.0.1", LOCAL_KEY)
    code = main(["models", "--all", "--base-url", server.base_url])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert MODEL in out.out
    assert set(sent_keys(server)) == {f"Bearer {LOCAL_KEY}"}


@pytest.mark.usefixtures("xai_keys")
def test_models_sends_a_local_server_the_demo_key_when_it_has_none(
    server: RecordingServer, capsys: pytest.CaptureFixture[str]
) -> None:
    keyring.set_password(SERVICE, "custom:localhost", LOCAL_KEY)  # another endpoint's key
    code = main(["models", "--all", "--base-url", server.base_url])
    capsys.readouterr()
    assert code == 0
    assert set(sent_keys(server)) == {f"Bearer {DEMO_API_KEY}"}


@pytest.mark.usefixtures("xai_keys")
@pytest.mark.parametrize("command", ["ask", "models"])
@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://llm.example.invalid/v1", "llm.example.invalid"),
        ("https://openrouter.ai/api/v1", "openrouter.ai"),
    ],
)
def test_a_remote_endpoint_without_a_key_of_its_own_is_refused_before_sending(
    command: str, url: str, host: str, no_lookups: list[Any], capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["ask", "--base-url", url, "hi"] if command == "ask" else ["models", "--base-url", url]
    code = main(args)
    err = capsys.readouterr().err
    assert code == 2
    assert err == f"error: no key stored for {host}: grok-vision key set --endpoint {url}\n"
    assert no_lookups == []  # no connection was even attempted
    assert XAI_KEY not in err
    assert ENV_KEY not in err


def test_xai_without_any_key_names_both_ways_to_give_one(
    no_lookups: list[Any], capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["ask", "hi"])
    err = capsys.readouterr().err
    assert code == 2
    assert err == (
        "error: no key stored for api.x.ai: grok-vision key set --endpoint "
        f"https://api.x.ai/v1 (or set {ENV_VAR})\n"
    )
    assert no_lookups == []


def test_the_environment_key_serves_xai_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_VAR, ENV_KEY)
    assert get_key("xai").key == ENV_KEY
    for account in ("openrouter", "custom:127.0.0.1", "custom:api.x.ai.evil.example"):
        assert get_key(account).key is None


# -- grok-vision key --endpoint ----------------------------------------------------------------


def key(args: list[str], monkeypatch: pytest.MonkeyPatch, stdin: str = "") -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return main(["key", *args])


def test_key_set_status_delete_by_endpoint(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = "http://127.0.0.1:8000/v1"
    assert key(["set", "--endpoint", url], monkeypatch, f"{LOCAL_KEY}\n") == 0
    assert capsys.readouterr().out.startswith("Key for 127.0.0.1 stored in ")
    assert keyring.get_password(SERVICE, "custom:127.0.0.1") == LOCAL_KEY
    assert keyring.get_password(SERVICE, "xai") is None

    assert key(["status", "--endpoint", url], monkeypatch) == 0
    out = capsys.readouterr().out
    assert "Endpoint: 127.0.0.1 (keyring account custom:127.0.0.1)" in out
    assert "Key stored in the keyring: sk-…6789" in out
    assert LOCAL_KEY not in out

    assert key(["delete", "--endpoint", url], monkeypatch) == 0
    assert capsys.readouterr().out == "Key for 127.0.0.1 deleted.\n"
    assert keyring.get_password(SERVICE, "custom:127.0.0.1") is None
    assert key(["status", "--endpoint", url], monkeypatch) == 0
    out = capsys.readouterr().out
    assert (
        f"No key stored for 127.0.0.1. Store one with: grok-vision key set --endpoint {url}" in out
    )
    assert "local demo key" in out


def test_key_without_endpoint_is_xais(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert key(["set"], monkeypatch, f"{XAI_KEY}\n") == 0
    assert capsys.readouterr().out.startswith("Key for api.x.ai stored in ")
    assert keyring.get_password(SERVICE, "xai") == XAI_KEY
    assert key(["status", "--endpoint", "https://api.x.ai/v1"], monkeypatch) == 0
    assert "Endpoint: api.x.ai (keyring account xai)" in capsys.readouterr().out


def test_key_status_for_another_endpoint_says_the_environment_key_is_not_its(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(ENV_VAR, ENV_KEY)
    assert key(["status", "--endpoint", "https://openrouter.ai/api/v1"], monkeypatch) == 0
    out = capsys.readouterr().out
    assert "Endpoint: openrouter.ai (keyring account openrouter)" in out
    assert "No key stored for openrouter.ai" in out
    assert f"${ENV_VAR} is set; it is xAI's key and is never sent to openrouter.ai." in out
    assert "xai-…" not in out


def test_the_hidden_account_option_still_works(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert key(["set", "--account", "other"], monkeypatch, f"{LOCAL_KEY}\n") == 0
    assert capsys.readouterr().out.startswith("Key stored in ")
    assert keyring.get_password(SERVICE, "other") == LOCAL_KEY
    assert key(["delete", "--account", "other"], monkeypatch) == 0
    assert capsys.readouterr().out == "Key deleted.\n"


def test_key_options_refused(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert key(["status", "--endpoint", "localhost:8000"], monkeypatch) == 2
    assert "https://" in capsys.readouterr().err
    assert key(["status", "--endpoint", "http://127.0.0.1/v1", "--account", "x"], monkeypatch) == 2
    assert "not both" in capsys.readouterr().err


def test_key_help_documents_endpoint_not_account(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["key", "--help"])
    out = capsys.readouterr().out
    assert "--endpoint URL" in out
    assert "--account" not in out
