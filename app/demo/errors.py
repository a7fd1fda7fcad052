"""Errors shaped as xAI sends them: `{"code": "<status text>", "error": "<message>"}`.

The `code` texts for 400, 403, 404 and 429 and the messages marked *confirmed* come from real
responses (see XAI_API.md). Every other wording is the demo's own and is marked *unconfirmed*.
"""

from __future__ import annotations

from typing import Any

DEMO_API_KEY = "xai-demo-local-key"  # the only key the demo endpoint accepts
DEMO_TEAM_ID = "demo-team"  # the team that key belongs to

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
NO_SUCH_PATH_MESSAGE = (
    "The requested resource was not found. Please check the URL and try "
    "again. Documentation is available at https://docs.x.ai/"
)
# What a proxy in front of the API answers when the API behind it fails (XAI_API.md: an HTML
# page; this one is the demo's own).
BAD_GATEWAY_PAGE = """<!DOCTYPE html>
<html>
<head><title>502 Bad Gateway</title></head>
<body>
<h1>502 Bad Gateway</h1>
<p>The proxy could not get a valid answer from the server behind it.</p>
</body>
</html>
"""
# Unconfirmed wording: the real text for an inline image of another format was not recorded.
UNSUPPORTED_IMAGE_MESSAGE = "Unsupported image format: only JPEG and PNG images are accepted."


class DemoError(Exception):
    """An HTTP error the endpoint answers with, in xAI's body shape unless it says otherwise:
    `code` replaces the status text, `payload` the whole JSON body, and `page` (an HTML page,
    as a proxy in front of the API sends) replaces JSON altogether."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        headers: dict[str, str] | None = None,
        close_connection: bool = False,
        code: str | None = None,
        payload: Any = None,
        page: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = dict(headers or {})
        self.close_connection = close_connection
        self.code = code
        self.payload = payload
        self.page = page

    def body(self) -> Any:
        if self.payload is not None:
            return self.payload
        if self.code is not None:
            return {"code": self.code, "error": self.message}
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
    return DemoError(
        400,
        f"Incorrect API key provided: {redact_key(key)}. "
        "You can obtain an API key from https://console.x.ai.",
    )


def missing_key() -> DemoError:
    # Confirmed body (2026).
    return DemoError(401, "No credentials presented.", code="unauthenticated:no-credentials")


def model_not_found(model: str, status: int = 400) -> DemoError:
    # Confirmed for chat requests since 2026: 400 and "Model not found"; the id after it is the
    # demo's. Looking a model up by id (GET /v1/models/{id}) answers 404.
    return DemoError(status, f"Model not found: {model}")


def unknown_path() -> DemoError:
    # The body api.x.ai sent for a path it does not serve (recorded in public issue reports).
    return DemoError(
        404, NO_SUCH_PATH_MESSAGE, payload={"error": {"code": 404, "message": NO_SUCH_PATH_MESSAGE}}
    )


def credits_exhausted_message(team_id: str) -> str:
    # The words "has either used all available credits or reached its monthly spending limit"
    # are confirmed (XAI_API.md); the sentences around them are the demo's.
    return (
        f"Your team {team_id} has either used all available credits or reached its monthly "
        "spending limit. To continue making API requests, please purchase more credits or "
        "raise your spending limit."
    )


def prompt_too_long(window: int, tokens: int) -> DemoError:
    # Confirmed wording.
    return DemoError(
        400,
        f"This model's maximum prompt length is {window} but the request contains {tokens} tokens.",
    )


def invalid_field(message: str) -> DemoError:
    # 422 is confirmed for malformed fields; the message wording is the demo's own.
    return DemoError(422, message)


def invalid_argument(message: str) -> DemoError:
    return DemoError(400, message)
