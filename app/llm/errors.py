"""Failures of a request, mapped to a few kinds that each say what happened and what to do.

xAI's error body is `{"code": "<status text>", "error": "<message>"}`, so the `openai` package's
`str(exc)` is only "Error code: 400"; the server's own message is taken from the body instead.
"""

from __future__ import annotations

import enum
import json
import re
import socket
import ssl
from dataclasses import dataclass

import httpx2
import openai

from app.core.redact import redact_secrets
from app.llm.error_body import read_body


class ErrorKind(enum.Enum):
    BAD_KEY = "bad_key"
    NO_KEY = "no_key"
    FORBIDDEN = "forbidden"
    CREDITS_EXHAUSTED = "credits_exhausted"
    MODEL_NOT_FOUND = "model_not_found"
    ENDPOINT_NOT_FOUND = "endpoint_not_found"
    TOO_LONG = "too_long"
    BAD_IMAGE = "bad_image"
    BAD_REQUEST = "bad_request"
    RATE_LIMITED = "rate_limited"
    SERVER_ERROR = "server_error"
    NETWORK_DOWN = "network_down"
    TIMEOUT = "timeout"
    STREAM_INTERRUPTED = "stream_interrupted"


_TITLES = {
    ErrorKind.BAD_KEY: "The API key was not accepted",
    ErrorKind.NO_KEY: "No API key was sent",
    ErrorKind.FORBIDDEN: "The key may not use this service",
    ErrorKind.CREDITS_EXHAUSTED: "The credits are used up or the spending limit is reached",
    ErrorKind.MODEL_NOT_FOUND: "Model not found",
    ErrorKind.ENDPOINT_NOT_FOUND: "This address has no such endpoint",
    ErrorKind.TOO_LONG: "The conversation is too long for the model",
    ErrorKind.BAD_IMAGE: "The server refused an image",
    ErrorKind.BAD_REQUEST: "The server refused the request",
    ErrorKind.RATE_LIMITED: "The server is busy or the rate limit was reached",
    ErrorKind.SERVER_ERROR: "The server had an error",
    ErrorKind.NETWORK_DOWN: "Could not reach the server",
    ErrorKind.TIMEOUT: "The server took too long to answer",
    ErrorKind.STREAM_INTERRUPTED: "The reply was cut off",
}

_HINTS = {
    ErrorKind.BAD_KEY: "Check the key in Settings (a new one can be made at console.x.ai).",
    ErrorKind.NO_KEY: "Add this endpoint's API key in Settings (for xAI, XAI_API_KEY also works).",
    ErrorKind.FORBIDDEN: "Check that the key is active and the team has credits at console.x.ai.",
    ErrorKind.CREDITS_EXHAUSTED: "Retrying will not help: add credits or raise the monthly "
    "spending limit on the provider's billing page (for xAI: "
    "console.x.ai), then send again.",
    ErrorKind.MODEL_NOT_FOUND: "Pick a current model that takes images from the model list.",
    ErrorKind.ENDPOINT_NOT_FOUND: "Check the base URL in Settings — does it end in /v1?",
    ErrorKind.TOO_LONG: "Remove images or earlier turns, or start a new conversation.",
    ErrorKind.BAD_IMAGE: "Send JPEG or PNG images within the size limit.",
    ErrorKind.BAD_REQUEST: "Check the settings (model, max tokens, temperature) and try again.",
    ErrorKind.RATE_LIMITED: "Wait a moment and retry.",
    ErrorKind.SERVER_ERROR: "Retry in a moment.",
    ErrorKind.NETWORK_DOWN: "Check the network connection and the base URL, then retry.",
    ErrorKind.TIMEOUT: "Retry; if it keeps happening, check the network.",
    ErrorKind.STREAM_INTERRUPTED: "The text received so far is kept. Retry to ask again.",
}

RETRYABLE = frozenset({ErrorKind.RATE_LIMITED, ErrorKind.SERVER_ERROR, ErrorKind.TIMEOUT})


@dataclass
class ChatError(Exception):
    kind: ErrorKind
    message: str  # the server's own words where it gave any
    status: int | None = None
    retry_after: float | None = None

    def __post_init__(self) -> None:
        super().__init__(self.describe())

    @property
    def title(self) -> str:
        return _TITLES[self.kind]

    @property
    def hint(self) -> str:
        return _HINTS[self.kind]

    @property
    def retryable(self) -> bool:
        return self.kind in RETRYABLE

    def describe(self) -> str:
        """One paragraph for the user: what happened, the server's words, what to do."""
        status = f" (HTTP {self.status})" if self.status else ""
        detail = f": {self.message}" if self.message else ""
        return f"{self.title}{status}{detail}. {self.hint}".replace("..", ".")


def server_message(exc: openai.APIStatusError) -> str:
    """The server's message from an error body of any common shape, on one line; for an HTML
    page only its title."""
    return read_body(exc).message


def _retry_after(exc: openai.APIStatusError) -> float | None:
    value = exc.response.headers.get("retry-after")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


# How servers word each kind (matched on the message and the code fields, lowercased).
# xAI 401 "No credentials presented." (code "unauthenticated:no-credentials"); OpenAI 401
# "You didn't provide an API key."; the demo's "No API key provided."
_NO_KEY = re.compile(
    r"no[ -]credentials|(?:didn't|did not|not) provide an? api key|"
    r"no api key|missing (?:api key|bearer|authorization)|api key is missing"
)
# xAI 429 (and 403) "Your team … has either used all available credits or reached its monthly
# spending limit."; OpenAI 429 "You exceeded your current quota, please check your plan and
# billing details." (type "insufficient_quota"); OpenRouter 402 "Insufficient credits. …".
# Not "quota" or "billing" alone: a per-minute quota is a rate limit, worth retrying, and
# OpenAI's rate-limit message points to its billing page too.
_CREDITS = re.compile(
    r"credits|spending limit|spend limit|insufficient_quota|"
    r"exceeded your current quota|insufficient balance"
)
# xAI "Model not found"; OpenAI "The model `x` does not exist or you do not have access to it."
# (code "model_not_found"); LiteLLM 400 "Invalid model name passed in model=x"; Ollama
# 'model "x" not found, try pulling it first'; vLLM "The model `x` does not exist.".
_MODEL_NOT_FOUND = re.compile(
    r"model[_ ]not[_ ]found|invalid model name|unknown model|"
    r"no such model|\bmodel\b.{0,120}?\b(?:not found|does not exist|"
    r"doesn't exist)"
)
_TOO_LONG = re.compile(r"prompt length|context length|context window|too long")


def _status_kind(status: int, text: str) -> ErrorKind:
    """The kind of an HTTP error, from its status and what the body says (lowercased)."""
    if status in (400, 401) and _NO_KEY.search(text):
        return ErrorKind.NO_KEY
    if status == 401 or (status == 400 and "api key" in text):
        return ErrorKind.BAD_KEY  # a key was sent (the client always sends one)
    if status == 402 or (status in (403, 429) and _CREDITS.search(text)):
        return ErrorKind.CREDITS_EXHAUSTED
    if status == 403:
        return ErrorKind.FORBIDDEN
    if status in (400, 404) and _MODEL_NOT_FOUND.search(text):
        return ErrorKind.MODEL_NOT_FOUND
    if status in (404, 405):  # the path itself is not there: a wrong base URL
        return ErrorKind.ENDPOINT_NOT_FOUND
    if _TOO_LONG.search(text):
        return ErrorKind.TOO_LONG
    if status == 412 or (status == 400 and "image" in text):
        return ErrorKind.BAD_IMAGE
    if status == 429:
        return ErrorKind.RATE_LIMITED
    if status >= 500:
        return ErrorKind.SERVER_ERROR
    return ErrorKind.BAD_REQUEST


def map_error(exc: BaseException) -> ChatError:
    """The ChatError for anything the client or the stream raised."""
    if isinstance(exc, ChatError):
        return exc
    if isinstance(exc, openai.APIStatusError):
        body = read_body(exc)
        return ChatError(
            _status_kind(exc.status_code, body.text),
            body.message,
            exc.status_code,
            _retry_after(exc),
        )
    if isinstance(exc, openai.APITimeoutError):
        return ChatError(ErrorKind.TIMEOUT, f"no answer from {_address(exc)} within the time limit")
    if isinstance(exc, openai.APIConnectionError):
        return ChatError(ErrorKind.NETWORK_DOWN, redact_secrets(_connection_detail(exc)))
    if isinstance(exc, httpx2.TimeoutException):
        return ChatError(ErrorKind.TIMEOUT, "no answer within the time limit")
    if isinstance(exc, httpx2.HTTPError):
        return ChatError(ErrorKind.NETWORK_DOWN, redact_secrets(f"{type(exc).__name__}: {exc}"))
    if isinstance(exc, json.JSONDecodeError):
        return ChatError(ErrorKind.STREAM_INTERRUPTED, "the server sent a malformed event")
    return ChatError(ErrorKind.STREAM_INTERRUPTED, redact_secrets(f"{type(exc).__name__}: {exc}"))


def _causes(exc: BaseException) -> list[BaseException]:
    """`exc` and what caused it, outermost first."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and all(current is not seen for seen in chain):
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def _address(exc: openai.APIConnectionError) -> str:
    """host:port of the request that failed ("the server" when unknown)."""
    request = getattr(exc, "request", None)
    url = getattr(request, "url", None)
    host = str(getattr(url, "host", "") or "")
    port = getattr(url, "port", None)
    if not host:
        return "the server"
    return f"{host}:{port}" if isinstance(port, int) else host


def _connection_detail(exc: openai.APIConnectionError) -> str:
    """What stopped the connection, in plain words, naming where it was going: a refused
    connection, a host name that does not resolve, a failed TLS handshake; else the cause as
    the network library words it."""
    causes = _causes(exc)
    where = _address(exc)
    for cause in causes:
        if isinstance(cause, ssl.SSLCertVerificationError):
            return (
                f"the certificate of {where} was not accepted "
                f"({cause.verify_message or cause.reason})"
            )
        if isinstance(cause, ssl.SSLError):
            return (
                f"the secure connection (TLS) to {where} failed ({cause.reason or cause}); "
                "if the server does not use TLS, its address starts with http://"
            )
        if isinstance(cause, socket.gaierror):
            return f"the host name of {where} was not found ({cause.strerror or cause})"
        if isinstance(cause, ConnectionRefusedError):
            return f"{where} refused the connection (nothing is listening there)"
    cause = causes[1] if len(causes) > 1 else exc
    return f"{type(cause).__name__}: {cause}"


# Codes a failed stream event carries (`response.failed`, `error`), as the HTTP status that
# would have said the same before the stream began.
_CODE_STATUS = (
    ("rate_limit", 429),
    ("resource-exhausted", 429),
    ("resource_exhausted", 429),
    ("unauthenticated", 401),
    ("permission-denied", 403),
    ("permission_denied", 403),
    ("not-found", 404),
    ("not_found", 404),
    ("invalid", 400),
    ("context_length", 400),
)


def stream_failure(code: object, message: object) -> ChatError:
    """The error a stream reported in one of its events, in the kinds a status maps to; an
    unknown code is a server error (worth a retry), never silence."""
    code_text = str(code or "").lower()
    words = str(message or "").strip() or "the server reported a failure mid-reply"
    status = next((s for key, s in _CODE_STATUS if key in code_text), 500)
    return ChatError(_status_kind(status, f"{code_text} {words.lower()}"), words)
