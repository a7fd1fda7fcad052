"""The links under a turn that has versions ("‹ 2 / 3 ›") or can be continued ("Continue").

They go into the line under the turn (the view's `turn_links` hook); clicking one sends the
view's `versionRequested(message id, number)` or `continueRequested(message id)`.
"""

from __future__ import annotations

from html import escape

from app.core.conversation import Message
from app.ui.conversation_render import action_url


def version_links(message_id: str, number: int, count: int) -> str:
    """ "‹ 2 / 3 ›": the arrows are links to the previous and next version (plain text at the
    ends); nothing for a turn with one version."""
    if count <= 1:
        return ""
    back = _arrow("‹", message_id, number - 1, "Previous version") if number > 1 else _end("‹")
    forward = _arrow("›", message_id, number + 1, "Next version") if number < count else _end("›")
    return f"{back}<b>{number} / {count}</b>{forward}"


def _end(text: str) -> str:
    """An arrow with no version beyond it: the line's own muted text, nothing to click."""
    return f"&nbsp;{text}&nbsp;"


def _arrow(text: str, message_id: str, number: int, title: str) -> str:
    """A bold arrow with room around it, so that it is easy to hit."""
    href = escape(action_url("version", message_id, str(number)))
    return (
        f'<a href="{href}" title="{escape(title)}" style="text-decoration: none">'
        f"<b>&nbsp;{text}&nbsp;</b></a>"
    )


def continue_link(message_id: str) -> str:
    href = escape(action_url("continue", message_id))
    return f'<a href="{href}" title="Ask the model to go on with this reply">Continue</a>'


def turn_links(message: Message, version: tuple[int, int], *, can_continue: bool) -> str:
    """The turn's version switch, then Continue when it is offered."""
    links = [version_links(message.id, *version)]
    if can_continue:
        links.append(continue_link(message.id))
    return " · ".join(link for link in links if link)
