"""The HTML of one conversation turn for the view's QTextDocument, and its palette-driven style."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from html import escape
from urllib.parse import quote, unquote

from app.core.continuation import reply_usage
from app.core.conversation import ImagePart, Message, Status, Usage
from app.core.json_reply import looks_like_json
from app.core.markdown import CodeSink, render_markdown
from app.ui.conversation_stream import StreamSplitter
from app.ui.structured_html import structured_body_html

ACTION_SCHEME = "action"
THUMB_SCHEME = "thumb"
STRIP_COLUMNS = 3  # images a row in a message's strip (a narrow window still fits them)


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


@dataclass(frozen=True)
class RenderInputs:
    """Everything besides the message that changes how a finished turn looks: the palette,
    the text shown (None: the message's own), how each image of a user turn goes into the next
    request, one more note for the line under the turn (its cost, "not sent"), whether the
    reply's reasoning is expanded, and the turn's versions / Continue links (HTML)."""

    dark: bool
    text: str | None = None
    marks: tuple[ImageMark, ...] | None = None
    extra: str = ""
    reasoning_shown: bool = False
    links: str = ""


def _action_link(text: str, *action: str, quiet: bool = True) -> str:
    """A link that runs `action`; quiet ones (most) are small and muted, secondary to the text."""
    cls = ' class="act"' if quiet else ""
    return f'<a{cls} href="{escape(action_url(*action))}">{escape(text)}</a>'


def image_state(mark: ImageMark | None) -> str:
    if mark is None:
        return ""
    if not mark.sent:
        return "not sent"
    return "low detail" if mark.low else "high detail"


def image_actions(message_id: str, index: int, mark: ImageMark | None) -> list[str]:
    """The switches offered for one past image: detail and whether it is sent at all."""
    if mark is None:
        return []
    ident = (message_id, str(index))
    if not mark.sent:
        return [_action_link("Send again", "send", *ident, "1")] if mark.restorable else []
    actions = [_action_link("Leave out", "send", *ident, "0")]
    if mark.switchable:
        level = "high" if mark.low else "low"
        actions.insert(0, _action_link(f"{level.title()} detail", "detail", *ident, level))
    return actions


def action_url(*parts: str) -> str:
    """``action:<verb>:<arg>...`` with each argument percent-encoded."""
    return ":".join([ACTION_SCHEME, *(quote(part, safe="") for part in parts)])


def parse_action(url: str) -> list[str]:
    """The verb and arguments of an action URL made by `action_url`; [] for anything else."""
    scheme, _, rest = url.partition(":")
    if scheme.lower() != ACTION_SCHEME or not rest:
        return []
    return [unquote(part) for part in rest.split(":")]


def usage_text(usage: Usage) -> str:
    """ "1,234 prompt tokens (512 image) · 87 reply tokens"."""
    prompt = f"{usage.prompt_tokens:,} prompt tokens"
    if usage.image_tokens:
        prompt += f" ({usage.image_tokens:,} image)"
    return f"{prompt} · {usage.completion_tokens:,} reply tokens"


def header_html(message: Message) -> str:
    """The turn's first line, who and when ("grok-4.3 · 14:02"); it holds the turn's anchor (for
    jumping to it: search hits)."""
    user = message.role == "user"
    label = "You" if user else (message.model or "Assistant")
    anchor = f'<a name="{message_anchor(message.id)}"></a>'
    when = clock(message.created)
    cls = "role-user" if user else "role"
    return f'<p class="{cls}">{anchor}<b>{escape(label)}</b>{" · " + when if when else ""}</p>\n'


def clock(created: float, now: float | None = None) -> str:
    """ "14:02" today, "12 Mar 14:02" on another day of this year, "12 Mar 2025 14:02" before."""
    if created <= 0:
        return ""
    moment = datetime.fromtimestamp(created)
    today = datetime.fromtimestamp(time.time() if now is None else now)
    if moment.date() == today.date():
        return moment.strftime("%H:%M")
    if moment.year == today.year:
        return f"{moment.day} {moment.strftime('%b %H:%M')}"
    return f"{moment.day} {moment.strftime('%b %Y %H:%M')}"


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
    """The question in a tinted block that stands in from the left, its images as a strip."""
    inner: list[str] = []
    if message.text.strip():
        inner.append(f'<p class="user">{escape(message.text)}</p>')
    if message.images:
        inner.append(image_strip_html(message, thumb, marks))
    if not inner:
        return ""
    return (
        '<table class="user" width="100%" cellpadding="10" cellspacing="0"><tr><td>'
        + "".join(inner)
        + "</td></tr></table>\n"
    )


def image_strip_html(
    message: Message, thumb: ThumbLookup, marks: Sequence[ImageMark] | None
) -> str:
    """The message's images, `STRIP_COLUMNS` a row, each with its number, how it goes into the
    next request and the switches for that."""
    cells: list[str] = []
    for index, part in enumerate(message.images):
        mark = marks[index] if marks is not None and index < len(marks) else None
        state = image_state(mark)
        caption = f"Image {part.number or index + 1}" + (f": {state}" if state else "")
        actions = " · ".join(image_actions(message.id, index, mark))
        cells.append(
            f'<td class="shot" valign="top">{_image_html(message.id, index, part, thumb)}'
            f"<br>{escape(caption)}{'<br>' + actions if actions else ''}</td>"
        )
    rows = [cells[i : i + STRIP_COLUMNS] for i in range(0, len(cells), STRIP_COLUMNS)]
    body = "".join(f"<tr>{''.join(row)}</tr>" for row in rows)
    return f'<table class="strip" cellspacing="0" cellpadding="4">{body}</table>'


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


def footer_html(message: Message, text: str, extra: str = "", links: str = "") -> str:
    """What became of a reply (stopped, failed with Retry), then one quiet line: the turn's
    versions and Continue (`links`, HTML) and the figures (usage, cost). Copy, Edit and the rest
    are the action bar's icon buttons (message_actions.py), shown over the message under the
    pointer or the keyboard's."""
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
            retry = _action_link("Retry", "retry", message.id, quiet=False)
            out.append(f'<p class="failed">{error} {retry}</p>\n')
        elif message.error:  # a note on a finished reply (cut at max tokens, JSON problems…)
            out.append(f'<p class="note">{escape(message.error)}</p>\n')
    meta: list[str] = [links] if links else []
    if (usage := reply_usage(message)) is not None:  # a continued reply's requests summed
        meta.append(escape(usage_text(usage)))
    if extra:
        meta.append(escape(extra))
    if meta:
        cls = "user-actions" if message.role == "user" else "actions"
        out.append(f'<p class="{cls}">{" · ".join(meta)}</p>\n')
    return "".join(out)


def message_html(
    message: Message, thumb: ThumbLookup, code_sink: CodeSink | None, look: RenderInputs
) -> str:
    """The whole turn as it shows once finished."""
    body_text = message.text if look.text is None else look.text
    if message.role == "user":
        body = user_body_html(message, thumb, look.marks)
    else:
        body = structured_body_html(message, body_text, code_sink, dark=look.dark) or (
            render_markdown(body_text, code_sink, dark=look.dark) if body_text.strip() else ""
        )
    return (
        header_html(message)
        + reasoning_html(message, look.reasoning_shown)
        + body
        + footer_html(message, body_text, look.extra, look.links)
    )


def message_html_pieces(
    message: Message, thumb: ThumbLookup, code_sink: CodeSink | None, look: RenderInputs
) -> list[str]:
    """`message_html` in pieces that end at block boundaries (a long reply's Markdown cut where
    a streaming reply is cut), so that the view can put it in a few pieces at a time."""
    body_text = message.text if look.text is None else look.text
    structured = message.tool_calls or (
        body_text.strip() and (message.expects_json or looks_like_json(body_text))
    )
    if message.role == "user" or structured:
        return [message_html(message, thumb, code_sink, look)]
    splitter = StreamSplitter(len(body_text) + 1, len(body_text) + 1)  # at paragraphs alone
    sources = [*splitter.feed(body_text), splitter.tail]
    pieces = [render_markdown(s, code_sink, dark=look.dark) for s in sources if s.strip()]
    pieces = pieces or [""]
    pieces[0] = header_html(message) + reasoning_html(message, look.reasoning_shown) + pieces[0]
    pieces[-1] += footer_html(message, body_text, look.extra, look.links)
    return pieces


def message_anchor(message_id: str) -> str:
    return f"m-{message_id}"


def thumbs_of(message: Message, thumbnails: Mapping[str, bytes]) -> dict[str, bytes]:
    """The thumbnails among `thumbnails` that `message` shows."""
    return {
        part.image.sha256: thumbnails[part.image.sha256]
        for part in message.images
        if part.image is not None and part.image.sha256 in thumbnails
    }
