"""Errors shaped as xAI sends them: `{"code": "<status text>", "error": "<message>"}`.

The `code` texts for 400, 403, 404 and 429 and the messages marked *confirmed* come from real
responses (see XAI_API.md). Every other wording is the demo's own and is marked *unconfirmed*.
"""

from __future__ import annotations

from typing import Any

DEMO_API_KEY = "xai-demo-local-key"  # the only key the demo endpoint accepts

STATUS_CODE_TEXT: dict[int, str] = {
    400: "Client specified an invalid argument",  # confirmed
    401: "The request does not have valid authentication credentials",  # unconfirmed
    403: "The caller does not have permission to execute the specified operation",  # confirmed
    404: "Some requested entity was not found",  # confirmed
    405: "Method not allowed",  # unconfirmed
    411: "Length required",  # unconfirmed
    412: "The system is not in a state required for the operation's execution",  # unconfirmed
    413: "Request entity too large",  # unconfirmed
    415: "Unsupported media type",  # unconfirmed
    422: "Unprocessable entity",  # unconfirmed
    429: "Some resource has been exhausted",  # confirmed
    500: "Internal error",  # unconfirmed
    503: "The service is currently unavailable",  # unconfirmed
}

# Confirmed wordings (XAI_API.md).
CAPACITY_MESSAGE = "The service is temporarily at capacity. Please retry your request shortly."
DOWNLOAD_NOT_IMAGE_MESSAGE = "Downloaded response does not contain a valid JPG or PNG image."
# Unconfirmed wording: the real text for an inline image of another format was not recorded.
UNSUPPORTED_IMAGE_MESSAGE = "Unsupported image format: only JPEG and PNG images are accepted."


class DemoError(Exception):
    """An HTTP error the endpoint answers with, in xAI's body shape."""

    def __init__(self, status: int, message: str, *, headers: dict[str, str] | None = None,
                 close_connection: bool = False) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = dict(headers or {})
        self.close_connection = close_connection

    def body(self) -> dict[str, Any]:
        return error_body(self.status, self.message)


def error_body(status: int, message: str) -> dict[str, Any]:
    return {"code": STATUS_CODE_TEXT.get(status, "Unknown error"), "error": message}


def redact_key(key: str) -> str:
    """The key as xAI echoes it in errors: first two and last two characters ("xa***ey")."""
    if len(key) <= 4:
        return "***"
    return f"{key[:2]}***{key[-2:]}"


def incorrect_key(key: str) -> DemoError:
    # Confirmed wording and status (400, not 401).
    return DemoError(400, f"Incorrect API key provided: {redact_key(key)}. "
                          "You can obtain an API key from https://console.x.ai.")


def missing_key() -> DemoError:
    # Unconfirmed wording: the documented 401 body was never seen.
    return DemoError(401, "No API key provided. Send it as a bearer token: "
                          "'Authorization: Bearer <key>'.")


def model_not_found(model: str) -> DemoError:
    # Status and the words "Model not found" are confirmed; the rest of the sentence is not.
    return DemoError(404, f"Model not found: {model}. The model {model} does not exist or your "
                          "team does not have access to it. GET /v1/language-models lists the "
                          "models you can use.")


def prompt_too_long(window: int, tokens: int) -> DemoError:
    # Confirmed wording.
    return DemoError(400, f"This model's maximum prompt length is {window} but the request "
                          f"contains {tokens} tokens.")


def invalid_field(message: str) -> DemoError:
    # 422 is confirmed for malformed fields; the message wording is the demo's own.
    return DemoError(422, message)


def invalid_argument(message: str) -> DemoError:
    return DemoError(400, message)
