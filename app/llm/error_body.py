"""What an error response says, in one line a person can read.

Servers answer errors in many shapes: xAI's `{"code": "<status text>", "error": "<message>"}`,
OpenAI's `{"error": {"message", "type", "code"}}`, LiteLLM's message nested one level deeper,
FastAPI's `{"detail": "Not Found"}`, a bare string, plain text, or (from a proxy or a web server
in front of the API) a whole HTML page. :func:`read_body` reduces each to the server's own words,
on one line, with anything shaped like a key redacted, and keeps the machine-readable fields
(`code`, `type`) apart so that the kinds of failure can be told apart by them.
An HTML page is never shown: only its `<title>` (or first heading) is kept.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from typing import Any

import openai

from app.core.redact import redact_secrets

MAX_MESSAGE = 400  # characters kept of a message from a JSON body
MAX_LINE = 200  # characters kept of a plain-text body (its first line)

_HTML_START = re.compile(r"\s*<(?:!doctype\s+html|html|head|body|title|!--)", re.IGNORECASE)
_TITLE = re.compile(r"<title[^>]*>(.*?)</title\s*>", re.IGNORECASE | re.DOTALL)
_HEADING = re.compile(r"<h1[^>]*>(.*?)</h1\s*>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]*>")
# LiteLLM's proxy wraps the upstream error: "400: {'error': '/chat/completions: Invalid …'}".
_WRAPPED = re.compile(
    r"""^\d{3}: \{\s*['"]error['"]\s*:\s*['"](?P<inner>.*)['"]\s*\}$""", re.DOTALL
)
_MESSAGE_KEYS = ("error", "message", "detail", "msg")
_CODE_KEYS = ("code", "type", "status")


@dataclass(frozen=True)
class ErrorBody:
    message: str  # the server's words: one line, keys redacted ("" when it said nothing)
    codes: str  # the machine-readable fields ("code", "type"), lowercased, space-separated
    html: bool  # the body was a web page (a proxy's or a web server's), not an API answer

    @property
    def text(self) -> str:
        """Everything in the body that can say what went wrong, lowercased."""
        return f"{self.message} {self.codes}".lower()


def read_body(exc: openai.APIStatusError) -> ErrorBody:
    """The error body of ``exc``'s response, reduced to one readable line and its codes."""
    raw = _raw_text(exc)
    if raw is None:  # the response could not be read again: what the client kept
        return _from_value(exc.body)
    content_type = exc.response.headers.get("content-type", "").lower()
    if "html" in content_type or is_html(raw):
        return ErrorBody(html_summary(raw), "", True)
    try:
        value: Any = json.loads(raw)
    except ValueError:
        return ErrorBody(one_line(raw, MAX_LINE), "", False)
    return _from_value(value)


def is_html(text: str) -> bool:
    """Whether ``text`` is (the start of) an HTML page."""
    return _HTML_START.match(text[:2000]) is not None


def html_summary(page: str) -> str:
    """A web page in a few words: its title, else its first heading, never its markup."""
    for pattern in (_TITLE, _HEADING):
        found = pattern.search(page)
        if found:
            words = one_line(html.unescape(_TAG.sub(" ", found.group(1))), MAX_LINE)
            if words:
                return redact_secrets(words)
    return "a web page without a title instead of an API answer"


def one_line(text: str, limit: int) -> str:
    """The first non-blank line of ``text``, its spaces collapsed, cut to ``limit`` characters."""
    line = next((line for line in text.splitlines() if line.strip()), "")
    words = " ".join(line.split())
    return redact_secrets(words if len(words) <= limit else words[: limit - 1].rstrip() + "…")


def _raw_text(exc: openai.APIStatusError) -> str | None:
    try:
        return exc.response.text
    except (UnicodeDecodeError, RuntimeError):  # RuntimeError: httpx2's "response not read"
        return None


def _from_value(value: object) -> ErrorBody:
    """An error body already parsed from JSON (or the string the client kept)."""
    if isinstance(value, dict):
        return ErrorBody(_clean(_message_of(value)), " ".join(_codes_of(value)).lower(), False)
    if isinstance(value, str):
        if is_html(value):
            return ErrorBody(html_summary(value), "", True)
        return ErrorBody(one_line(value, MAX_LINE), "", False)
    return ErrorBody("", "", False)


def _message_of(body: dict[str, Any], depth: int = 0) -> str:
    """The human message in a JSON error object of any common shape."""
    for key in _MESSAGE_KEYS:
        value = body.get(key)
        if isinstance(value, str) and value.strip():
            return value
        if isinstance(value, dict) and depth < 3:
            found = _message_of(value, depth + 1)
            if found:
                return found
        if isinstance(value, list):  # FastAPI's validation errors: [{"msg": …}, …]
            found = next(
                (
                    _message_of(item, depth + 1)
                    for item in value
                    if isinstance(item, dict) and depth < 3
                ),
                "",
            )
            if found:
                return found
    code = body.get("code")
    return code if isinstance(code, str) else ""


def _codes_of(body: dict[str, Any], depth: int = 0) -> list[str]:
    """The machine-readable fields of a JSON error object and of the object nested in it."""
    codes = [
        str(body[key])
        for key in _CODE_KEYS
        if isinstance(body.get(key), str | int) and not isinstance(body.get(key), bool)
    ]
    nested = body.get("error")
    if isinstance(nested, dict) and depth < 3:
        codes += _codes_of(nested, depth + 1)
    return codes


def _clean(message: str) -> str:
    """A JSON body's message as shown: unwrapped, one paragraph, not too long, never markup."""
    wrapped = _WRAPPED.match(message.strip())
    if wrapped:
        message = wrapped.group("inner")
    if is_html(message):
        return html_summary(message)
    words = " ".join(message.split())
    if len(words) > MAX_MESSAGE:
        words = words[: MAX_MESSAGE - 1].rstrip() + "…"
    return redact_secrets(words)
