"""Each message's finished HTML, kept by everything that changes how it looks, so that opening a
conversation again, a Fit choice or a theme switched back renders only what changed."""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Callable, Hashable

from app.core.conversation import Message
from app.ui.conversation_render import (
    RenderInputs,
    ThumbLookup,
    action_url,
    message_html,
    message_html_pieces,
)

KEEP = 600  # messages' HTML kept (a few conversations' worth; a few KB each)
CODES_KEEP = 5_000  # code blocks kept for "Copy code" before they are forgotten together

RenderKey = tuple[Hashable, ...]


def render_key(message: Message, thumb: ThumbLookup, look: RenderInputs) -> RenderKey:
    """Everything `message_html` reads, as one hashable key."""
    images = tuple(
        (
            part.image.sha256 if part.image else part.url,
            part.name,
            part.number,
            thumb(part.image.sha256) if part.image else None,
        )
        for part in message.images
    )
    return (
        message.id,
        message.role,
        message.text if look.text is None else look.text,
        message.status,
        message.error,
        message.usage,
        tuple(message.earlier_usage),
        message.model,
        message.created,
        tuple(message.tool_calls),
        message.expects_json,
        message.reasoning,
        message.thought_for,
        images,
        look,
    )


class RenderCache:
    """Finished messages' HTML by `render_key`, the most recently used kept; and the code
    blocks their "Copy code" links name, by a hash of the code (so cached HTML stays valid)."""

    def __init__(self) -> None:
        self._html: OrderedDict[RenderKey, str] = OrderedDict()
        self.codes: dict[str, str] = {}
        self.renders = 0  # messages rendered (not found here) so far

    def get(self, key: RenderKey) -> str | None:
        html = self._html.get(key)
        if html is not None:
            self._html.move_to_end(key)
        return html

    def put(self, key: RenderKey, html: str) -> None:
        self._html[key] = html
        self._html.move_to_end(key)
        while len(self._html) > KEEP:
            self._html.popitem(last=False)

    def clear(self) -> None:
        self._html.clear()
        self.codes.clear()

    def code_sink(self, code: str) -> str:
        """The "Copy code" URL of `code` (any thread may call this)."""
        key = hashlib.blake2b(code.encode("utf-8", "replace"), digest_size=8).hexdigest()
        if key not in self.codes and len(self.codes) >= CODES_KEEP:
            self.clear()  # cached HTML names codes: both go together
        self.codes[key] = code
        return action_url("copy-code", key)

    def maker(
        self, message: Message, thumb: ThumbLookup, look: RenderInputs, *, pieces: bool = False
    ) -> tuple[RenderKey, Callable[[], list[str]]]:
        """The key of `message` as it would show, and what renders it: its HTML as one piece, or
        with `pieces` cut at block boundaries (`message_html_pieces`). The maker may run on any
        thread; it counts the render but does not keep the result: `put` does, on the GUI
        thread, joined."""
        key = render_key(message, thumb, look)

        def make() -> list[str]:
            self.renders += 1
            if pieces:
                return message_html_pieces(message, thumb, self.code_sink, look)
            return [message_html(message, thumb, self.code_sink, look)]

        return key, make
