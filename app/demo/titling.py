"""The simulated model asked for a conversation's title (a system message that asks for a
"title" of a "conversation"): a few title-cased words of the question it is shown, and what
sets the conversation apart in the reply it is shown (an image's size), as a real small model
would answer — never a description of the request."""

from __future__ import annotations

import re

from .chat_request import ChatRequest

_SKIP_WORDS = (
    "a an the please can could would you me my i is are was of to for in on at this that it "
    "and or what how do does tell about with"
)
_SKIP = frozenset(_SKIP_WORDS.split())
_SIZE = re.compile(r"(\d{2,5})×(\d{2,5}) px")


def asks_for_title(request: ChatRequest) -> bool:
    system = request.system_text.lower()
    return "title" in system and "conversation" in system


def title_reply(request: ChatRequest) -> str:
    text = request.last_user_text
    found = re.search(r"^Question:\s*(.*)$", text, flags=re.MULTILINE)
    question = found.group(1) if found else text
    words = [w for w in re.findall(r"[A-Za-z0-9'-]+", question) if w.lower() not in _SKIP]
    title = " ".join(w[:1].upper() + w[1:] for w in words[:4]) or "Image Review"
    size = _SIZE.search(text)
    return f"{title} ({size.group(1)}×{size.group(2)})" if size else title
