"""The AsyncOpenAI client, configured deliberately: explicit timeouts, retries done by us."""

from __future__ import annotations

from dataclasses import dataclass

import openai


@dataclass(frozen=True)
class Timeouts:
    connect: float = 10.0
    read: float = 60.0  # the longest silence tolerated between two streamed events
    write: float = 60.0  # a request carries several MB of images
    pool: float = 10.0


def make_client(
    base_url: str, api_key: str, timeouts: Timeouts | None = None
) -> openai.AsyncOpenAI:
    """A client that never retries on its own: `stream_reply` retries and says so as it does."""
    t = timeouts or Timeouts()
    return openai.AsyncOpenAI(
        base_url=base_url,
        api_key=api_key,
        max_retries=0,
        timeout=openai.Timeout(connect=t.connect, read=t.read, write=t.write, pool=t.pool),
    )
