"""Error bodies seen from xAI in 2026 and from other OpenAI-compatible servers and the proxies in
front of them, served as they are from 127.0.0.1 and read through the real `openai` client.

Sources of the bodies: XAI_API.md (xAI's own, 2026), and public issue threads quoting real
responses: openai/openai-agents-python#458 (OpenAI's model_not_found), BerriAI/litellm#8821 and
#3142 (LiteLLM's invalid model name), netease-youdao/QAnything#555 (Ollama's model not found),
continuedev/continue#10373 and warpdotdev/warp#14863 (xAI's spent credits, as 429 and as 403),
ChatGPTNextWeb/NextChat#3123 (OpenAI's insufficient_quota), Gitlawb/openclaude#43
(OpenRouter's 402). The HTML pages are nginx's stock error pages; the plain-text ones are Go's
net/http (Ollama's unknown path), aiohttp's and Envoy's.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from support.demo import user_message
from support.recorder import RecordingServer, Reply, Seen

from app.llm.client import make_client
from app.llm.errors import ChatError, ErrorKind
from app.llm.events import ReplyEvent, Retrying
from app.llm.models import discover_models
from app.llm.stream import ReplyRequest, RetryPolicy, stream_reply

FAST_RETRY = RetryPolicy(max_retries=2, base_delay=0.01, max_delay=0.05)
KEY = "xai-test-key-abcdefghijklmnop"


def nginx_page(status: str) -> str:
    """nginx's stock error page, as a proxy in front of an API serves it."""
    return (
        f"<html>\r\n<head><title>{status}</title></head>\r\n<body>\r\n"
        f"<center><h1>{status}</h1></center>\r\n<hr><center>nginx</center>\r\n"
        "</body>\r\n</html>\r\n"
    )


def serving(reply: Reply) -> RecordingServer:
    return RecordingServer(lambda _request: reply)


def chat(server: RecordingServer, model: str = "grok-4.3") -> tuple[list[ReplyEvent], ChatError]:
    """One streamed reply that must fail: the events before the failure, and the error."""
    events: list[ReplyEvent] = []

    async def main() -> ChatError:
        client = make_client(server.base_url, KEY)
        try:
            async for event in stream_reply(
                client, ReplyRequest(model, [user_message("hi")]), FAST_RETRY
            ):
                events.append(event)
        except ChatError as error:
            return error
        finally:
            await client.close()
        raise AssertionError("the reply did not fail")

    return events, asyncio.run(main())


def models_error(server: RecordingServer) -> ChatError:
    async def main() -> ChatError:
        client = make_client(server.base_url, KEY)
        try:
            await discover_models(client)
        except ChatError as error:
            return error
        finally:
            await client.close()
        raise AssertionError("the model list did not fail")

    return asyncio.run(main())


def assert_readable(error: ChatError, *words: str) -> None:
    """The user-facing text carries the server's words, and no markup, no key, no 'Error code'."""
    shown = error.describe()
    for word in words:
        assert word in error.message, (word, error.message)
        assert word in shown
    assert "<" not in shown, shown
    assert ">" not in shown, shown
    assert "Error code" not in shown
    assert KEY not in shown
    assert "\n" not in shown
    assert error.hint in shown


# -- a 404 on a path is a wrong address, not a missing model --------------------------------------


def test_an_nginx_404_page_means_the_base_url_is_wrong() -> None:
    with serving(Reply.text(404, nginx_page("404 Not Found"), "text/html")) as server:
        error = models_error(server)
    assert error.kind is ErrorKind.ENDPOINT_NOT_FOUND
    assert error.status == 404
    assert error.message == "404 Not Found"
    assert_readable(error, "404 Not Found")
    assert "nginx" not in error.describe()
    assert error.title == "This address has no such endpoint"
    assert "/v1" in error.hint


def test_a_plain_text_404_is_endpoint_not_found() -> None:
    # Go's net/http (Ollama without the /v1 in the base URL): "404 page not found".
    with serving(Reply.text(404, "404 page not found\n")) as server:
        _, error = chat(server)
    assert error.kind is ErrorKind.ENDPOINT_NOT_FOUND
    assert error.message == "404 page not found"
    assert_readable(error, "404 page not found")


def test_a_fastapi_detail_404_is_endpoint_not_found() -> None:
    # FastAPI-based servers (vLLM, many proxies) on an unknown path.
    with serving(Reply.json(404, {"detail": "Not Found"})) as server:
        _, error = chat(server)
    assert error.kind is ErrorKind.ENDPOINT_NOT_FOUND
    assert_readable(error, "Not Found")


def test_an_xai_not_found_without_a_model_is_endpoint_not_found() -> None:
    # xAI's 2026 code, with its confirmed 404 status text as the message: nothing about a model.
    body = {"code": "not-found", "error": "Some requested entity was not found"}
    with serving(Reply.json(404, body)) as server:
        _, error = chat(server)
    assert error.kind is ErrorKind.ENDPOINT_NOT_FOUND
    assert_readable(error, "Some requested entity was not found")


def test_a_404_on_the_model_list_is_endpoint_not_found() -> None:
    with serving(Reply.json(404, {"detail": "Not Found"})) as server:
        error = models_error(server)
        paths = [seen.path for seen in server.requests]
    assert error.kind is ErrorKind.ENDPOINT_NOT_FOUND
    assert paths == ["/v1/language-models", "/v1/models"]


# -- a missing model is recognised from the body, at 400 or 404 ----------------------------------

MODEL_NOT_FOUND_BODIES = {
    "xai-404": (404, {"code": "not-found", "error": "Model not found"}, "Model not found"),
    "xai-400": (400, {"code": "invalid-argument", "error": "Model not found"}, "Model not found"),
    "openai": (
        404,
        {
            "error": {
                "message": "The model `grok-2-vision-1212` does not exist or you do not have "
                "access to it.",
                "type": "invalid_request_error",
                "param": None,
                "code": "model_not_found",
            }
        },
        "The model `grok-2-vision-1212` does not exist",
    ),
    "litellm": (
        400,
        {
            "error": {
                "message": {
                    "error": "/chat/completions: Invalid model name passed in "
                    "model=grok-2-vision-1212. Call `/v1/models` to view available "
                    "models for your key."
                },
                "type": "None",
                "param": "None",
                "code": "400",
            }
        },
        "Invalid model name passed in model=grok-2-vision-1212",
    ),
    "litellm-wrapped": (
        400,
        {
            "error": {
                "message": (
                    "400: {'error': 'Invalid model name passed in model=grok-2-vision-1212'}"
                ),
                "type": "None",
                "param": "None",
                "code": 400,
            }
        },
        "Invalid model name passed in model=grok-2-vision-1212",
    ),
    "ollama": (
        404,
        {
            "error": {
                "message": 'model "llava" not found, try pulling it first',
                "type": "api_error",
                "param": None,
                "code": None,
            }
        },
        'model "llava" not found, try pulling it first',
    ),
}


@pytest.mark.parametrize("case", MODEL_NOT_FOUND_BODIES)
def test_model_not_found_is_read_from_the_body(case: str) -> None:
    status, body, words = MODEL_NOT_FOUND_BODIES[case]
    with serving(Reply.json(status, body)) as server:
        events, error = chat(server, model="grok-2-vision-1212")
        sent = len(server.requests)
    assert error.kind is ErrorKind.MODEL_NOT_FOUND
    assert error.status == status
    assert_readable(error, words)
    assert (sent, events) == (1, [])


# -- proxies' pages and plain text ----------------------------------------------------------------


@pytest.mark.parametrize("status", ["502 Bad Gateway", "503 Service Temporarily Unavailable"])
def test_a_proxys_html_page_is_reduced_to_its_status_and_title(status: str) -> None:
    code = int(status.split(maxsplit=1)[0])
    with serving(Reply.text(code, nginx_page(status), "text/html")) as server:
        events, error = chat(server)
        sent = len(server.requests)
    assert error.kind is ErrorKind.SERVER_ERROR
    assert error.status == code
    assert error.message == status
    assert_readable(error, status)
    assert f"(HTTP {code})" in error.describe()
    assert "nginx" not in error.describe()
    assert "center" not in error.describe()
    assert sent == 3  # a server error is retried
    assert all("<" not in e.error.describe() for e in events if isinstance(e, Retrying))


def test_an_html_page_without_the_html_content_type_is_still_not_shown() -> None:
    page = (
        "<!DOCTYPE html>\n<html lang=en>\n<head><meta charset=utf-8>\n"
        "<title>Error 502 (Server Error)!!1</title>\n<style>body{margin:0}</style></head>\n"
        "<body><p><b>502.</b> That’s an error.</p></body></html>\n"
    )
    with serving(Reply.text(502, page)) as server:
        _, error = chat(server)
    assert error.message == "Error 502 (Server Error)!!1"
    assert_readable(error, "Error 502 (Server Error)!!1")
    assert "style" not in error.describe()


@pytest.mark.parametrize(
    ("body", "line"),
    [
        ("500 Internal Server Error\n\nServer got itself in trouble", "500 Internal Server Error"),
        (
            "upstream connect error or disconnect/reset before headers. reset reason: connection "
            "failure",
            "upstream connect error or disconnect/reset before headers. reset reason: "
            "connection failure",
        ),
    ],
)
def test_plain_text_is_cut_to_its_first_line(body: str, line: str) -> None:
    with serving(Reply.text(503 if "upstream" in body else 500, body)) as server:
        _, error = chat(server)
    assert error.kind is ErrorKind.SERVER_ERROR
    assert error.message == line
    assert_readable(error, line)


def test_a_long_plain_text_line_is_cut() -> None:
    trace = "Traceback (most recent call last): " + 'File "server.py", line 1, in x; ' * 40
    with serving(Reply.text(500, trace + "\nValueError: boom\n")) as server:
        _, error = chat(server)
    assert error.message.startswith("Traceback (most recent call last):")
    assert error.message.endswith("…")
    assert len(error.message) <= 200
    assert "ValueError" not in error.message


# -- spent credits are final; a busy server is retried ------------------------------------------

XAI_CREDITS = (
    "Your team 16f2151a-40f4-4a80-8ad0-cae00c27e8dd has either used all available "
    "credits or reached its monthly spending limit. To continue making API requests, "
    "please purchase more credits or raise your spending limit."
)

CREDITS_BODIES: dict[str, tuple[int, Any, str]] = {
    "xai-429": (
        429,
        {"code": "Some resource has been exhausted", "error": XAI_CREDITS},
        "monthly spending limit",
    ),
    "xai-429-2026-code": (
        429,
        {"code": "resource-exhausted", "error": XAI_CREDITS},
        "used all available credits",
    ),
    "xai-403": (403, {"code": "permission-denied", "error": XAI_CREDITS}, "monthly spending limit"),
    "openai-quota": (
        429,
        {
            "error": {
                "message": "You exceeded your current quota, please check your plan and billing "
                "details.",
                "type": "insufficient_quota",
                "param": None,
                "code": "insufficient_quota",
            }
        },
        "You exceeded your current quota",
    ),
    "openrouter-402": (
        402,
        {
            "error": {
                "message": "Insufficient credits. This account never purchased credits. Make sure "
                "your key is on the correct account or org, and if so, purchase more at "
                "https://openrouter.ai/settings/credits",
                "code": 402,
            }
        },
        "Insufficient credits",
    ),
}


@pytest.mark.parametrize("case", CREDITS_BODIES)
def test_spent_credits_are_final_after_one_request(case: str) -> None:
    status, body, words = CREDITS_BODIES[case]
    with serving(Reply.json(status, body, retry_after="0")) as server:
        events, error = chat(server)
        sent = len(server.requests)
    assert error.kind is ErrorKind.CREDITS_EXHAUSTED
    assert not error.retryable
    assert sent == 1
    assert not [e for e in events if isinstance(e, Retrying)]
    assert_readable(error, words)
    assert "console.x.ai" in error.hint
    assert "credits" in error.hint
    assert "spending limit" in error.hint


def test_an_ordinary_429_is_retried() -> None:
    body = {
        "code": "Some resource has been exhausted",
        "error": "The service is temporarily at capacity. Please retry your request shortly.",
    }
    with serving(Reply.json(429, body, retry_after="0")) as server:
        events, error = chat(server)
        sent = len(server.requests)
    assert error.kind is ErrorKind.RATE_LIMITED
    assert error.retryable
    assert sent == 3  # the first try and FAST_RETRY's two retries
    assert [e.attempt for e in events if isinstance(e, Retrying)] == [1, 2]
    assert_readable(error, "temporarily at capacity")


def test_an_openai_rate_limit_pointing_at_billing_is_still_a_rate_limit() -> None:
    message = (
        "Rate limit reached for gpt-4o in organization org-abc on requests per min "
        "(RPM): Limit 3, Used 3, Requested 1. Please try again in 20s. You can increase "
        "your rate limit by adding a payment method to your account at "
        "https://platform.openai.com/account/billing."
    )
    body = {
        "error": {
            "message": message,
            "type": "requests",
            "param": None,
            "code": "rate_limit_exceeded",
        }
    }
    with serving(Reply.json(429, body, retry_after="0")) as server:
        _, error = chat(server)
        sent = len(server.requests)
    assert error.kind is ErrorKind.RATE_LIMITED
    assert sent == 3


# -- keys ----------------------------------------------------------------------------------------


def test_xai_no_credentials_reads_as_no_key() -> None:
    body = {"code": "unauthenticated:no-credentials", "error": "No credentials presented."}
    with serving(Reply.json(401, body)) as server:
        _, error = chat(server)
    assert error.kind is ErrorKind.NO_KEY
    assert error.title == "No API key was sent"
    assert_readable(error, "No credentials presented.")


def test_an_incorrect_key_at_400_stays_bad_key() -> None:
    body = {
        "code": "Client specified an invalid argument",
        "error": "Incorrect API key provided: xa***en. You can obtain an API key from "
        "https://console.x.ai.",
    }
    with serving(Reply.json(400, body)) as server:
        _, error = chat(server)
    assert error.kind is ErrorKind.BAD_KEY
    assert_readable(error, "Incorrect API key provided: xa***en")


def test_a_403_is_forbidden() -> None:
    body = {"code": "The caller does not have permission to execute the specified operation"}
    with serving(Reply.json(403, body)) as server:
        _, error = chat(server)
        sent = len(server.requests)
    assert error.kind is ErrorKind.FORBIDDEN
    assert sent == 1
    assert_readable(error, "The caller does not have permission")


def test_requests_carry_the_key_the_client_was_given() -> None:
    # The server saw the bearer key (these tests would mean nothing if the requests were not
    # the client's real ones).
    def answer(request: Seen) -> Reply:
        return Reply.json(404, {"detail": "Not Found"})

    with RecordingServer(answer) as server:
        chat(server)
        assert server.authorizations == [f"Bearer {KEY}"]
