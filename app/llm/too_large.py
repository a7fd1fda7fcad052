"""A request body the server will not take: said with its size and what to do, whether the
server answers 413 or cuts the connection while the body is still being sent."""

from __future__ import annotations

import re

import httpx2
import openai

from app.llm.error_body import read_body
from app.llm.errors import ChatError, ErrorKind

MB = 1000 * 1000
# A connection cut while a body this large is sent is more likely its size than the network.
SUSPECT_BYTES = 64 * MB
_LIMIT = re.compile(
    r"(?:limit(?: is| of)?|at most|maximum(?: of| is)?|max(?:imum)?\s+body\s+size(?: is)?)"
    r"[\s:]*(\d[\d,.]*\s*(?:[kmgt]i?b|bytes))",
    re.IGNORECASE,
)
ADVICE = "leave out images or send them at low detail"


class RequestTooLarge(ChatError):
    """The body is over what the server takes; retrying the same request will not help."""

    @property
    def title(self) -> str:
        return "The request is too large for the server"

    @property
    def hint(self) -> str:
        return ""

    def describe(self) -> str:
        status = f" (HTTP {self.status})" if self.status else ""
        return f"{self.title}{status}: {self.message}."


def megabytes(length: int) -> str:
    return f"{length / MB:,.0f} MB" if length >= 10 * MB else f"{length / MB:,.1f} MB"


def too_large(exc: BaseException, length: int, *, all_sent: bool) -> ChatError | None:
    """The error to show when `exc` says a body of `length` bytes was too large, else None.
    `all_sent`: the connection took the whole body before `exc`."""
    if isinstance(exc, openai.APIStatusError) and exc.status_code == 413:
        said = read_body(exc).message
        found = _LIMIT.search(said)
        limit = f"at most {found.group(1)}" if found else "less than that"
        text = f"The request is {megabytes(length)}; the server takes {limit}: {ADVICE}"
        return RequestTooLarge(ErrorKind.BAD_REQUEST, text, 413)
    if (
        isinstance(exc, openai.APIConnectionError)
        and not all_sent
        and length >= SUSPECT_BYTES
        and _cut_mid_request(exc)
    ):
        text = (
            f"The request is {megabytes(length)} and the server closed the connection "
            f"while it was being sent; it may not take requests that large: {ADVICE}"
        )
        return RequestTooLarge(ErrorKind.NETWORK_DOWN, text)
    return None


def _cut_mid_request(exc: BaseException) -> bool:
    cut = (httpx2.ReadError, httpx2.WriteError, httpx2.RemoteProtocolError)
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and all(current is not s for s in seen):
        if isinstance(current, cut):
            return True
        seen.append(current)
        current = current.__cause__ or current.__context__
    return False
