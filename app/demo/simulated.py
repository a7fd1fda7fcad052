"""The simulated model: a deterministic, honest description of what the endpoint received.

It never pretends to see: the reply opens by saying it is simulated, then reports the images of
the last user message (size, tiles, tokens, dominant colours), the history, and the question.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from app.core.budget import image_tiles

from .chat_request import ChatRequest, ImageTokensFn
from .images import ReceivedImage
from .schema_value import sample, schema_in_text
from .titling import asks_for_title, title_reply

DISCLAIMER = "Simulated reply from the local demo endpoint: no real model saw your images."
_QUESTION_LIMIT = 200  # characters of the question quoted back


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _short_question(text: str) -> str:
    text = " ".join(text.split())
    if len(text) > _QUESTION_LIMIT:
        return text[: _QUESTION_LIMIT - 1] + "…"
    return text


def _image_line(
    number: int, image: ReceivedImage, tokens_fn: ImageTokensFn, label: str = ""
) -> str:
    """One image as received; named by the label the client sent with it, if any."""
    tiles = image_tiles(image.width, image.height)
    colours = ", ".join(f"{c.hex} ({c.percent:g} %)" for c in image.colours) or "none found"
    head = f"{label}," if label else f"Image {number}:"
    return (
        f"- {head} {image.width}×{image.height} px, {_plural(tiles, 'tile')} → "
        f"{tokens_fn(image.width, image.height)} tokens, dominant colours {colours}"
    )


def _label(request: ChatRequest, index: int) -> str:
    labels = request.last_user_labels
    return labels[index] if index < len(labels) else ""


def markdown_reply(request: ChatRequest, tokens_fn: ImageTokensFn) -> str:
    lines = [f"*{DISCLAIMER}*", ""]
    if request.last_user_images:
        lines.append(f"**Images in your message** ({len(request.last_user_images)}):")
        lines.extend(
            _image_line(n, im, tokens_fn, _label(request, n - 1))
            for n, im in enumerate(request.last_user_images, start=1)
        )
    else:
        lines.append("**No image in your message.**")
    lines += [
        "",
        f"The conversation holds {_plural(len(request.images), 'image')} in "
        f"{_plural(request.user_turns, 'user turn')} ({_plural(len(request.roles), 'message')}).",
        "",
    ]
    question = _short_question(request.last_user_text)
    lines.append(f"> {question}" if question else "> (no question text)")
    lines += [
        "",
        f"- Model: `{request.model.id}`",
        f"- Prompt: {request.prompt_tokens} tokens, {request.image_tokens} of them for images",
        "- Add an xAI API key in Settings for real answers.",
    ]
    if "table" in request.last_user_text.lower():
        lines += ["", *_image_table(request, tokens_fn)]
    if "code" in request.last_user_text.lower():
        sizes = [(im.width, im.height) for im in request.last_user_images]
        lines += [
            "",
            "```python",
            "import math",
            "",
            f"sizes = {sizes!r}",
            "tiles = [math.ceil(w / 448) * math.ceil(h / 448) for w, h in sizes]",
            "tokens = [256 * (min(6, t) + 1) for t in tiles]",
            "```",
        ]
    return "\n".join(lines)


def _image_table(request: ChatRequest, tokens_fn: ImageTokensFn) -> list[str]:
    """The images of the last message as a Markdown table (asked for by a question that says
    "table"): one row per image, or one row saying there is none."""
    rows = [
        f"| {n} | {im.width}×{im.height} | {image_tiles(im.width, im.height)} | "
        f"{tokens_fn(im.width, im.height)} |"
        for n, im in enumerate(request.last_user_images, start=1)
    ]
    return [
        "| Image | Size (px) | Tiles | Tokens |",
        "|---:|---|---:|---:|",
        *(rows or ["| – | no image | 0 | 0 |"]),
    ]


def json_reply(request: ChatRequest, tokens_fn: ImageTokensFn) -> str:
    body: dict[str, Any] = {
        "simulated": True,
        "note": DISCLAIMER,
        "model": request.model.id,
        "images": [
            {
                "index": n,
                "width": im.width,
                "height": im.height,
                "tiles": image_tiles(im.width, im.height),
                "tokens": tokens_fn(im.width, im.height),
                "dominant_colours": [{"hex": c.hex, "percent": c.percent} for c in im.colours],
            }
            for n, im in enumerate(request.last_user_images, start=1)
        ],
        "history": {
            "images": len(request.images),
            "user_turns": request.user_turns,
            "messages": len(request.roles),
        },
        "question": _short_question(request.last_user_text),
    }
    return json.dumps(body, ensure_ascii=False)


def _items(request: ChatRequest) -> int:
    """How many entries the simulated model puts in a list: one per image, at least three."""
    return min(6, max(3, len(request.last_user_images)))


def structured_reply(request: ChatRequest) -> str | None:
    """JSON shaped by the schema the request gives (as `response_format`, or in JSON mode
    written into the system prompt); None when there is no schema to follow."""
    fmt = request.response_format or {}
    schema: Any = None
    if fmt.get("type") == "json_schema":
        schema = (fmt.get("json_schema") or {}).get("schema")
    elif fmt.get("type") == "json_object":
        schema = schema_in_text(request.system_text)
    if not isinstance(schema, dict):
        return None
    return json.dumps(sample(schema, items=_items(request)), ensure_ascii=False)


@dataclass(frozen=True)
class SimulatedCall:
    id: str
    name: str
    arguments: str


def tool_call_reply(request: ChatRequest) -> SimulatedCall | None:
    """A call of the chosen (else the first) function when tools are offered and the last
    message is the user's; its arguments are sampled from the function's parameters."""
    if not request.tools or request.tool_choice == "none" or request.last_role != "user":
        return None
    choice = request.tool_choice
    wanted = choice.get("function", {}).get("name") if isinstance(choice, dict) else None
    function = next(
        (t["function"] for t in request.tools if wanted is None or t["function"]["name"] == wanted),
        request.tools[0]["function"],
    )
    arguments = sample(function.get("parameters") or {"type": "object"}, items=_items(request))
    return SimulatedCall(
        f"call_{uuid.uuid4().hex[:24]}", function["name"], json.dumps(arguments, ensure_ascii=False)
    )


def thinking_text(request: ChatRequest, tokens_fn: ImageTokensFn) -> str:
    """What a thinking model says to itself before answering: a few plain sentences about what
    it received, and no claim to have seen anything."""
    count = len(request.last_user_images)
    question = _short_question(request.last_user_text)
    lines = [f'The user asks: "{question}".' if question else "The user sent no question text."]
    if count:
        lines.append(f"Their message holds {_plural(count, 'image')}.")
        for number, image in enumerate(request.last_user_images, start=1):
            colour = image.colours[0].hex if image.colours else "no clear colour"
            lines.append(
                f"Image {number} is {image.width}×{image.height} px, "
                f"{tokens_fn(image.width, image.height)} tokens, mostly {colour}."
            )
    else:
        lines.append("There is no image in their message.")
    lines.append(
        "I am a simulation and cannot see pictures, so I should say that first, then "
        "report sizes, tiles and colours, and quote the question back."
    )
    return " ".join(lines)


def simulated_reply(request: ChatRequest, tokens_fn: ImageTokensFn) -> str:
    """The whole reply, before any max_tokens cut. Asked to continue a reply it wrote (cut at
    the token limit, or stopped), the rest of that reply; asked for a title, a title."""
    if asks_for_title(request):
        return title_reply(request)
    if request.continues is not None:
        whole = simulated_reply(request.continues, tokens_fn)
        if len(whole) > len(request.continued_text) and whole.startswith(request.continued_text):
            return whole[len(request.continued_text) :]
    structured = structured_reply(request)
    if structured is not None:
        return structured
    if request.json_mode:
        return json_reply(request, tokens_fn)
    return markdown_reply(request, tokens_fn)
