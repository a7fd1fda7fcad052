"""Building the request each turn: turn 20 with 15 images in the history vs turn 1.

The stateless API needs the whole history every turn, so every earlier image is sent again;
the data-URI cache keeps turn 20 from re-encoding the images of turns 1-19.
"""

from __future__ import annotations

import io
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
for entry in (ROOT, ROOT / "tests"):
    if str(entry) not in sys.path:
        sys.path.insert(0, str(entry))

from PIL import Image, ImageDraw  # noqa: E402

from app.core.conversation import Conversation, ImagePart, Part, Status, TextPart  # noqa: E402
from app.core.images import DataUriCache, prepare_bytes  # noqa: E402
from app.core.imagetypes import PreparedImage  # noqa: E402
from app.core.limits import XAI_LIMITS  # noqa: E402
from tests.bench.common import BenchResult  # noqa: E402

TURNS = 20
IMAGES_IN_HISTORY = 15


def screenshot(seed: int) -> PreparedImage:
    """A 1920×1080 dashboard-like PNG, different for every seed."""
    rng = random.Random(seed)
    image = Image.new("RGB", (1920, 1080), (245, 246, 248))
    draw = ImageDraw.Draw(image)
    for x in range(60, 1860, 40):
        height = rng.randint(50, 900)
        draw.rectangle((x, 1040 - height, x + 28, 1040), fill=(rng.randint(0, 255), 90, 160))
    for y in range(0, 1080, 27):
        draw.text((8, y), f"row {y} value {rng.random():.6f}", fill=(20, 20, 20))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return prepare_bytes(buffer.getvalue(), f"dashboard-{seed}.png", XAI_LIMITS)


def conversation_at(turn: int, images: list[PreparedImage]) -> Conversation:
    """A conversation about to send its `turn`-th question; images spread over the turns."""
    conversation = Conversation(system_prompt="You read dashboards.")
    per_turn: dict[int, list[PreparedImage]] = {}
    for index, image in enumerate(images):
        per_turn.setdefault(index % max(1, turn - 1), []).append(image)
    for t in range(turn - 1):
        parts: list[Part] = [ImagePart(img) for img in per_turn.get(t, [])]
        conversation.add_user([*parts, TextPart(f"Question {t}: what does this show?")])
        reply = conversation.begin_reply("grok-4")
        reply.append_text(f"Answer {t}. " * 60)
        reply.status = Status.COMPLETE
    return conversation


def _median_ms(
    prepare: Callable[[], DataUriCache], build: Callable[[DataUriCache], object], repeat: int
) -> float:
    """Median time of `build`, each run with a cache fresh from `prepare` (not timed)."""
    times = []
    for _ in range(repeat):
        cache = prepare()
        start = time.perf_counter()
        build(cache)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def run() -> list[BenchResult]:
    images = [screenshot(seed) for seed in range(IMAGES_IN_HISTORY + 1)]
    earlier, new_image = images[:IMAGES_IN_HISTORY], images[-1]

    first = Conversation(system_prompt="You read dashboards.")
    first.add_user([ImagePart(new_image), TextPart("What does this show?")])
    history = conversation_at(TURNS, earlier)
    history.add_user([ImagePart(new_image), TextPart("And this one?")])

    def warm() -> DataUriCache:
        cache = DataUriCache()
        for image in earlier:  # what the earlier turns already sent
            cache.data_uri(image)
        return cache

    turn_one = _median_ms(DataUriCache, lambda c: first.to_api_messages(c.data_uri), 7)
    turn_twenty = _median_ms(warm, lambda c: history.to_api_messages(c.data_uri), 7)
    uncached = _median_ms(DataUriCache, lambda c: history.to_api_messages(c.data_uri), 5)
    return [
        BenchResult(
            figure=f"request build: turn {TURNS} with {IMAGES_IN_HISTORY} images in history",
            baseline_label="turn 1 (one new image)",
            baseline=turn_one,
            measured_label=f"turn {TURNS} (one new image, earlier ones cached)",
            measured=turn_twenty,
            unit="ms",
            target="≤ 2×",
            met=turn_twenty <= 2 * turn_one,
        ),
        BenchResult(
            figure=f"request build at turn {TURNS}: what the data-URI cache saves",
            baseline_label="re-encoding every image",
            baseline=uncached,
            measured_label="with the cache",
            measured=turn_twenty,
            unit="ms",
            target="≤ 0.25×",
            met=turn_twenty <= 0.25 * uncached,
        ),
    ]


if __name__ == "__main__":
    for result in run():
        sys.stdout.write(
            f"{result.figure}: {result.baseline:.2f} → {result.measured:.2f} "
            f"{result.unit} ({result.ratio:.2f}×, target {result.target})\n"
        )
