"""The HTML of one conversation turn for the view's QTextDocument, and its palette-driven style."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from html import escape
from urllib.parse import quote, unquote

from PySide6.QtGui import QPalette

from app.core.conversation import ImagePart, Message, Status, Usage
from app.core.markdown import CodeSink, render_markdown
from app.ui.structured_html import structured_body_html

ACTION_SCHEME = "action"
THUMB_SCHEME = "thumb"


@dataclass(frozen=True)
class Thumb:
    """A thumbnail the browser holds as a document resource, at its logical (device-free) size."""

    url: str
    width: int
    height: int


ThumbLookup = Callable[[str], Thumb | None]


@dataclass(frozen=True)
class ImageMark:
    """How a past image goes into the next request, and the switches offered for it."""

    sent: bool = True  # False: left out ("not sent")
    low: bool = False  # sent at low detail (one 448×448 tile)
    switchable: bool = True  # the detail can be switched (it was sent at full detail)
    restorable: bool = True  # left out on its own (not with its whole turn): can be sent


def _action_link(text: str, *action: str) -> str:
    return f'<a href="{escape(action_url(*action))}">{escape(text)}</a>'


def marks_html(message_id: str, marks: Sequence[ImageMark]) -> str:
    """ "Image 1: high detail — low detail · leave out" for each image, with action links."""
    items: list[str] = []
    link = _action_link
    for index, mark in enumerate(marks):
        ident = (message_id, str(index))
        if not mark.sent:
            items.append(
                f"Image {index + 1}: not sent"
                + (" — " + link("send again", "send", *ident, "1") if mark.restorable else "")
            )
            continue
        state = "low detail" if mark.low else "high detail"
        actions = [link("leave out", "send", *ident, "0")]
        if mark.switchable:
            actions.insert(
                0,
                link("high detail", "detail", *ident, "high")
                if mark.low
                else link("low detail", "detail", *ident, "low"),
            )
        items.append(f"Image {index + 1}: {state} — " + " · ".join(actions))
    return f'<p class="meta">{" &nbsp;|&nbsp; ".join(items)}</p>\n' if items else ""


def action_url(*parts: str) -> str:
    """``action:<verb>:<arg>...`` with each argument percent-encoded."""
    return ":".join([ACTION_SCHEME, *(quote(part, safe="") for part in parts)])


def parse_action(url: str) -> list[str]:
    """The verb and arguments of an action URL made by `action_url`; [] for anything else."""
    scheme, _, rest = url.partition(":")
    if scheme.lower() != ACTION_SCHEME or not rest:
        return []
    return [unquote(part) for part in rest.split(":")]


def style_sheet(palette: QPalette) -> str:
    """Default style sheet of the document: palette roles only (code tokens keep Pygments')."""

    def color(role: QPalette.ColorRole) -> str:
        return palette.color(QPalette.ColorGroup.Active, role).name()

    link = color(QPalette.ColorRole.Link)
    muted = color(QPalette.ColorRole.PlaceholderText)
    panel = color(QPalette.ColorRole.AlternateBase)
    return (
        f"a {{ color: {link}; text-decoration: none; }}\n"
        "p.role { font-weight: bold; margin-top: 14px; margin-bottom: 4px; }\n"
        f"p.meta, p.note, p.code-actions {{ color: {muted}; margin-top: 2px; margin-bottom: 6px; }}"
        "\n"
        "p.note { font-style: italic; }\n"
        "p.state { font-weight: bold; margin-top: 6px; margin-bottom: 2px; }\n"
        "p.user { white-space: pre-wrap; }\n"
        f"p.reasoning {{ color: {muted}; white-space: pre-wrap; margin-left: 12px; }}\n"
        f"pre {{ background-color: {panel}; margin-top: 6px; margin-bottom: 0px; }}\n"
        "table { margin-top: 6px; margin-bottom: 6px; }\n"
        f"td, th {{ border-color: {muted}; }}\n"
    )


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Base).lightness() < 128


def usage_text(usage: Usage) -> str:
    """ "1,234 prompt tokens (512 image) · 87 reply tokens"."""
    prompt = f"{usage.prompt_tokens:,} prompt tokens"
    if usage.image_tokens:
        prompt += f" ({usage.image_tokens:,} image)"
    return f"{prompt} · {usage.completion_tokens:,} reply tokens"


def header_html(message: Message) -> str:
    """The turn's first line; it holds the turn's anchor (for jumping to it: search hits)."""
    label = "You" if message.role == "user" else (message.model or "Assistant")
    anchor = f'<a name="{message_anchor(message.id)}"></a>'
    return f'<p class="role">{anchor}{escape(label)}</p>\n'


def reasoning_html(message: Message, shown: bool) -> str:
    """ "▸ Thought for 12 s · show reasoning": collapsed unless `shown`, then the reasoning in
    muted text. Nothing for a reply that did not reason."""
    if message.role != "assistant" or not (message.reasoning or message.thought_for is not None):
        return ""
    seconds = message.thought_for
    took = (
        "Reasoning"
        if seconds is None
        else ("Thought for a moment" if seconds < 1 else f"Thought for {seconds:.0f} s")
    )
    if not message.reasoning.strip():
        return f'<p class="meta">{escape(took)}</p>\n'
    toggle = _action_link("hide reasoning" if shown else "show reasoning", "reasoning", message.id)
    out = f'<p class="meta">{"▾" if shown else "▸"} {escape(took)} · {toggle}</p>\n'
    if shown:
        out += f'<p class="reasoning">{escape(message.reasoning.strip())}</p>\n'
    return out


def note_html(note: str) -> str:
    return f'<p class="note">{escape(note)}</p>\n' if note else ""


def user_body_html(
    message: Message, thumb: ThumbLookup, marks: Sequence[ImageMark] | None = None
) -> str:
    out: list[str] = []
    if message.text.strip():
        out.append(f'<p class="user">{escape(message.text)}</p>\n')
    images = [
        _image_html(message.id, index, part, thumb) for index, part in enumerate(message.images)
    ]
    if images:
        out.append(f"<p>{'&nbsp;&nbsp;'.join(images)}</p>\n")
    if marks:
        out.append(marks_html(message.id, marks))
    return "".join(out)


def _image_html(message_id: str, index: int, part: ImagePart, thumb: ThumbLookup) -> str:
    href = escape(action_url("image", message_id, str(index)))
    found = thumb(part.image.sha256) if part.image is not None else None
    name = escape(part.name)
    if found is None:
        missing = "not loaded" if part.image is None else "no preview"
        return f'<a href="{href}">[image: {name} — {missing}]</a>'
    return (
        f'<a href="{href}"><img src="{escape(found.url)}" width="{found.width}" '
        f'height="{found.height}" alt="{name}" title="{name}"></a>'
    )


def footer_html(message: Message, text: str, extra: str = "") -> str:
    """State marker, usage and the Copy (and Retry) links under a finished turn."""
    out: list[str] = []
    if message.role == "assistant":
        if message.status is Status.STOPPED:
            out.append('<p class="state">Stopped</p>\n')
        elif message.status is Status.INTERRUPTED:
            out.append(
                '<p class="state">Interrupted — the app closed before the reply finished</p>\n'
            )
        elif message.status is Status.FAILED:
            error = escape(message.error or "The request failed.")
            retry = escape(action_url("retry", message.id))
            out.append(f'<p class="state">{error} <a href="{retry}">Retry</a></p>\n')
        elif message.error:  # a note on a finished reply (cut at max tokens, JSON problems…)
            out.append(f'<p class="note">{escape(message.error)}</p>\n')
    meta: list[str] = []
    if message.usage is not None:
        meta.append(escape(usage_text(message.usage)))
    if extra:
        meta.append(escape(extra))
    if text.strip():
        meta.append(f'<a href="{escape(action_url("copy", message.id))}">Copy</a>')
    if message.role == "user":
        meta.append(f'<a href="{escape(action_url("edit", message.id))}">Edit</a>')
    if meta:
        out.append(f'<p class="meta">{" · ".join(meta)}</p>\n')
    return "".join(out)


def message_html(
    message: Message,
    thumb: ThumbLookup,
    code_sink: CodeSink | None,
    *,
    dark: bool,
    text: str | None = None,
    marks: Sequence[ImageMark] | None = None,
    extra: str = "",
    reasoning_shown: bool = False,
) -> str:
    """The whole turn as it shows once finished; `text` overrides the message's own text;
    `marks` (user turns) say how each image goes into the next request; `extra` is one more
    note for the line under the turn (its cost, "not sent"); `reasoning_shown`: the reply's
    reasoning is expanded."""
    body_text = message.text if text is None else text
    if message.role == "user":
        body = user_body_html(message, thumb, marks)
    else:
        body = structured_body_html(message, body_text, code_sink, dark=dark) or (
            render_markdown(body_text, code_sink, dark=dark) if body_text.strip() else ""
        )
    return (
        header_html(message)
        + reasoning_html(message, reasoning_shown)
        + body
        + footer_html(message, body_text, extra)
    )


def message_anchor(message_id: str) -> str:
    return f"m-{message_id}"


def thumbs_of(message: Message, thumbnails: Mapping[str, bytes]) -> dict[str, bytes]:
    """The thumbnails among `thumbnails` that `message` shows."""
    return {
        part.image.sha256: thumbnails[part.image.sha256]
        for part in message.images
        if part.image is not None and part.image.sha256 in thumbnails
    }
