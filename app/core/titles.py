"""A conversation's title from its content, once its first reply is in.

Three ways, chosen in Settings (`TITLE_MODES`): a short request to a small, cheap model of the
same endpoint ("auto"; :func:`title_model` picks it, :func:`title_request` writes it), a local
heuristic over the question, the images' names and the reply ("local", and whenever the
request is not possible or fails), or none ("off": the first question stays the title).
:func:`distinct_title` makes a title differ from the others; a title the user gave is never
replaced (the store only replaces the title the first question gave, :func:`default_title`).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from typing import Any

from app.core.catalog import ModelInfo, lookup, pricing_for

TITLE_MODES = ("auto", "local", "off")
TITLE_MAX_TOKENS = 24  # the reply is a few words: a cap keeps the request cheap
TITLE_LIMIT = 60  # characters shown
REPLY_EXCERPT = 1_200  # characters of the reply the model reads
TITLE_INSTRUCTION = (
    "Write a short title for this conversation: 2 to 6 words that say what it is about and "
    "set it apart from similar ones. Answer with the title only: no quotes, no final period."
)
_WORDS = 6
_STOP_WORDS = (
    "a an the please can could would you me my i is are was of to for in on at this that these "
    "those it its and or what whats how do does tell about with"
)
_STOP = frozenset(_STOP_WORDS.split())
_SIZE = re.compile(r"\b(\d{2,5})\s*[×x]\s*(\d{2,5})\s*px\b")


def default_title(question: str, limit: int = TITLE_LIMIT) -> str:
    """The title a conversation has before its first reply: its first question, shortened."""
    line = " ".join(question.split())
    if not line:
        return "Images"
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def clean_title(text: str) -> str | None:
    """A model's answer as a title: one line, no quotes or "Title:", not too long; None when
    nothing usable is left."""
    line = next((ln for ln in text.strip().splitlines() if ln.strip()), "")
    line = re.sub(r"^\s*(title\s*:\s*)", "", line, flags=re.IGNORECASE)
    line = " ".join(line.strip().strip("\"'“”‘’*#`").split()).rstrip(".")
    if not line:
        return None
    return line if len(line) <= TITLE_LIMIT else line[: TITLE_LIMIT - 1].rstrip() + "…"


def heuristic_title(question: str, reply: str, image_names: Sequence[str] = ()) -> str:
    """A title made here: the question's words that carry meaning, with what sets this
    conversation apart (its first image's name, else a size or heading the reply gives)."""
    words = [w for w in re.findall(r"[\w'’-]+", question) if w.casefold() not in _STOP]
    head = " ".join(words[:_WORDS])
    detail = _detail(reply, image_names)
    if not head:
        return clean_title(detail or "Images") or "Images"
    head = head[:1].upper() + head[1:]
    title = f"{head} — {detail}" if detail and detail.casefold() not in head.casefold() else head
    return clean_title(title) or head


def _detail(reply: str, image_names: Sequence[str]) -> str:
    if image_names:
        return image_names[0]
    size = _SIZE.search(reply)
    if size:
        return f"{size.group(1)}×{size.group(2)} image"
    heading = re.search(r"^#{1,3}\s+(.+)$", reply, flags=re.MULTILINE)
    return heading.group(1).strip() if heading else ""


def distinct_title(title: str, others: Collection[str]) -> str:
    """`title`, or `title (2)`, `(3)`… when another conversation has it already."""
    taken = {t.casefold() for t in others}
    if title.casefold() not in taken:
        return title
    number = 2
    while f"{title} ({number})".casefold() in taken:
        number += 1
    return f"{title} ({number})"


def title_model(models: Sequence[ModelInfo]) -> str | None:
    """The cheapest model the endpoint lists that does not reason (reasoning is slow and
    billed for a few words), by the catalogue's or the endpoint's prices; None when no listed
    model is known to be cheap and quick."""
    best: tuple[float, str] | None = None
    for info in models:
        known = lookup(info.id)
        if known is not None and known.reasoning.thinks:
            continue
        if known is None and re.search(r"reason|think", info.id, flags=re.IGNORECASE):
            continue
        pricing = pricing_for(info.id, models)
        if pricing is None:
            continue
        prices = pricing.for_prompt(0)
        cost = prices.usd(text_in=1_000, image_in=0, out=TITLE_MAX_TOKENS)
        if best is None or cost < best[0]:
            best = (cost, info.id)
    return best[1] if best is not None else None


def title_request(
    question: str, reply: str, image_names: Sequence[str] = ()
) -> list[dict[str, Any]]:
    """The messages of the title request (Chat Completions): the instruction, then the first
    question, the images' names and the start of the reply. Never the images themselves."""
    parts = [f"Question: {' '.join(question.split()) or '(no text: images only)'}"]
    if image_names:
        parts.append("Images: " + ", ".join(image_names))
    excerpt = reply.strip()
    if len(excerpt) > REPLY_EXCERPT:
        excerpt = excerpt[:REPLY_EXCERPT].rstrip() + "…"
    parts.append(f"Reply (start): {excerpt}")
    return [
        {"role": "system", "content": TITLE_INSTRUCTION},
        {"role": "user", "content": "\n".join(parts)},
    ]
