"""What the chat controller keeps of the images it sent: their bytes (in the conversation) and
nothing more; no request body or data URI outlives its turn, however many turns go by."""

from __future__ import annotations

import asyncio
import gc

from pytestqt.qtbot import QtBot
from support.images import encoded, noise_rgb

from app.controllers.chat import ChatController
from app.core.conversation import ImagePart, Status, TextPart
from app.core.images import prepare_bytes
from app.core.imagetypes import PreparedImage
from app.core.limits import XAI_LIMITS
from app.demo import DEMO_API_KEY, DemoServer
from app.llm.body import ImageSlots, RequestBody
from app.llm.client import make_client
from app.llm.stream import ReplyRequest

TURNS = 4
PER_TURN = 2


def noisy_image(seed: int) -> PreparedImage:
    im = noise_rgb(300 + seed, 300)  # a PNG that does not compress
    return prepare_bytes(encoded(im, "PNG"), f"noise-{seed}.png", XAI_LIMITS)


def alive(kind: type) -> int:
    gc.collect()
    return sum(isinstance(o, kind) for o in gc.get_objects())


def data_uris_held() -> int:
    """Data URIs referenced from any list or dict alive (a cache, a request, a body)."""
    gc.collect()
    count = 0
    for o in gc.get_objects():
        values = o.values() if isinstance(o, dict) else o if isinstance(o, list) else ()
        count += sum(isinstance(v, str) and v.startswith("data:image/") for v in values)
    return count


def finish(qtbot: QtBot, loop: asyncio.AbstractEventLoop, coro: object) -> None:
    task = loop.create_task(coro)  # type: ignore[arg-type]
    qtbot.waitUntil(task.done, timeout=10_000)
    task.result()


def test_no_request_outlives_its_turn(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, demo_server: DemoServer
) -> None:
    images = [noisy_image(seed) for seed in range(TURNS * PER_TURN)]
    client = make_client(demo_server.base_url, DEMO_API_KEY)
    chat = ChatController(lambda: client)
    chat.model = "grok-4"
    held: list[tuple[int, int, int, int]] = []
    image_counts: list[int] = []
    try:
        for turn in range(TURNS):
            pictures = images[turn * PER_TURN : (turn + 1) * PER_TURN]
            chat.send([TextPart(f"Turn {turn + 1}?"), *map(ImagePart, pictures)])
            qtbot.waitUntil(lambda: not chat.busy, timeout=30_000)
            assert chat.conversation.messages[-1].status is Status.COMPLETE
            image_counts += [r.image_count for r in demo_server.model_requests]
            demo_server.requests.clear()  # the endpoint keeps the bodies it got, not the app
            objects = alive(ReplyRequest), alive(RequestBody), alive(ImageSlots)
            held.append((*objects, data_uris_held()))
    finally:
        finish(qtbot, qloop, chat.aclose())
        finish(qtbot, qloop, client.close())
    assert image_counts == [PER_TURN * (t + 1) for t in range(TURNS)]
    # Each request is made for its turn and let go after it, and no data URI is kept (a cache
    # of them held one per image sent): what is held does not grow with the turns.
    assert held == [(0, 0, 0, 0)] * TURNS
