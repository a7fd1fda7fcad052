"""Benchmarks of the saved history: opening a long conversation, listing many conversations.

What the GUI thread goes through while a conversation opens is bench_open's (the longest pause
until the view is complete); this module measures the store and the sidebar's own parts.

Run: `python tests/bench/bench_history.py` (prints the table; offscreen Qt, about a minute).
The history is a real SQLite file and blob folder in a temporary directory: one empty
conversation, one of 1,000 messages (500 turns; 100 questions carry a ~300 KB image; replies
are ~1,500 characters of Markdown), and 5,000 short conversations for the list.
"""

from __future__ import annotations

import gc
import hashlib
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
for entry in (ROOT, ROOT / "tests"):
    if str(entry) not in sys.path:
        sys.path.insert(0, str(entry))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication  # noqa: E402

from app.core.conversation import Conversation, ImagePart, Message, TextPart, Usage  # noqa: E402
from app.core.history_rows import ConversationRow  # noqa: E402
from app.core.imagetypes import PreparedImage  # noqa: E402
from app.store.history import HistoryStore  # noqa: E402
from app.ui.sidebar import ConversationSidebar  # noqa: E402
from tests.bench.common import BenchResult, table  # noqa: E402

TURNS = 500
IMAGE_EVERY = 5  # 100 of the 500 questions carry an image
IMAGE_BYTES = 300_000
CONVERSATIONS = 5_000
PAGE = 40  # messages shown first when a conversation opens
REPEAT = 9
OPEN_TARGET = 3.0

REPLY = (
    "The screenshot shows a settings dialog with three tabs; the active one lists network "
    "options and a disabled **Apply** button.\n\n- The proxy field is empty.\n- The "
    "timeout is `30 s`.\n\n```python\ndef apply(settings):\n    store(settings)\n```\n\n"
)


def _image(number: int) -> PreparedImage:
    data = random.Random(number).randbytes(IMAGE_BYTES)
    return PreparedImage(
        f"screenshot-{number}.png",
        data,
        "image/png",
        1600,
        1000,
        hashlib.sha256(data).hexdigest(),
        (3200, 2000),
        "PNG",
        IMAGE_BYTES * 3,
        ("downscaled from 3200×2000",),
    )


def _long_conversation(turns: int = TURNS) -> Conversation:
    conv = Conversation(title="A long review", model="grok-4", system_prompt="Be precise.")
    for turn in range(turns):
        parts: list[TextPart | ImagePart] = [
            TextPart(f"Question {turn}: what changed in this part of the settings dialog, and why?")
        ]
        if turn % IMAGE_EVERY == 0:
            parts.append(ImagePart(image=_image(turn)))
        conv.messages.append(Message(role="user", parts=parts))
        conv.messages.append(
            Message(
                role="assistant",
                parts=[TextPart(REPLY * 5)],
                usage=Usage(900 + turn, 300, 1200 + turn),
                model="grok-4",
            )
        )
    return conv


def _fill(store: HistoryStore) -> tuple[str, str, str]:
    """The ids of an empty conversation, one of exactly one page and the long one."""
    empty = Conversation(title="Empty")
    store.save_conversation_meta(empty)
    one_page = _long_conversation(PAGE // 2)
    store.save_conversation(one_page)
    long = _long_conversation()
    store.save_conversation(long)
    now = time.time()
    for number in range(CONVERSATIONS):
        conv = Conversation(title=f"Conversation {number} about a screenshot")
        conv.messages = [
            Message(role="user", parts=[TextPart(f"question {number}")]),
            Message(role="assistant", parts=[TextPart(f"answer {number}")]),
        ]
        store.save_conversation(
            conv, created=now - number * 600, updated=now - number * 600, pinned=number % 700 == 0
        )
    return empty.id, one_page.id, long.id


def _median_ms(fn: Callable[[], object], repeat: int = REPEAT) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def _pair(a: Callable[[], object], b: Callable[[], object]) -> tuple[float, float]:
    """Medians of two measurements taken in alternation, so a noisy machine slows both."""
    a(), b()  # warm up
    first, second = [], []
    for _ in range(REPEAT):
        first.append(_median_ms(a, 1))
        second.append(_median_ms(b, 1))
    return statistics.median(first), statistics.median(second)


def _result(
    figure: str,
    baseline_label: str,
    baseline: float,
    measured_label: str,
    measured: float,
    target: str,
    met: bool,
    note: str = "",
) -> BenchResult:
    return BenchResult(
        figure=figure,
        baseline_label=baseline_label,
        baseline=baseline,
        measured_label=measured_label,
        measured=measured,
        unit="ms",
        target=target,
        met=met,
        note=note,
    )


def _ratio_result(
    figure: str,
    baseline_label: str,
    baseline: float,
    measured_label: str,
    measured: float,
    target: float,
    note: str = "",
) -> BenchResult:
    met = baseline > 0 and measured / baseline <= target
    return _result(
        figure, baseline_label, baseline, measured_label, measured, f"≤ {target}×", met, note
    )


def _bench_store(store: HistoryStore, empty: str, one_page: str, long: str) -> list[BenchResult]:
    whole_empty, whole_long = _pair(
        lambda: store.load_conversation(empty), lambda: store.load_conversation(long)
    )
    page_one, page_long = _pair(
        lambda: store.load_page(one_page, PAGE), lambda: store.load_page(long, PAGE)
    )
    list_50, list_all = _pair(lambda: store.list_conversations(50), store.list_conversations)
    return [
        _result(
            "open a conversation: load_conversation (all messages, all image bytes)",
            "empty conversation",
            whole_empty,
            "1,000 messages, 100 images",
            whole_long,
            "≤ 100 ms",
            whole_long <= 100,
            "store only, worker thread (what the GUI thread feels is bench_open's row); "
            "images read from ~30 MB of blobs",
        ),
        _ratio_result(
            f"open a conversation: load_page (the last {PAGE} messages shown first)",
            f"a conversation of one page ({PAGE} messages)",
            page_one,
            "1,000 messages, 100 images",
            page_long,
            OPEN_TARGET,
            "store only, worker thread: the first page costs the same however long the "
            "conversation",
        ),
        _result(
            "list conversations for the sidebar: list_conversations()",
            "50 conversations",
            list_50,
            f"all {CONVERSATIONS + 2:,}",
            list_all,
            "≤ 100 ms",
            list_all <= 100,
            "worker thread; with message counts",
        ),
    ]


def _bench_sidebar(app: QApplication, store: HistoryStore) -> list[BenchResult]:
    rows = store.list_conversations()
    few = rows[:50]
    sidebar = ConversationSidebar()
    sidebar.resize(300, 700)
    sidebar.show()
    app.processEvents()
    set_few, set_all = _pair(lambda: sidebar.set_rows(few), lambda: sidebar.set_rows(rows))

    def scroll(batch: list[ConversationRow]) -> float:
        sidebar.set_rows(batch)
        app.processEvents()
        bar = sidebar.list_view.verticalScrollBar()
        steps = list(range(0, bar.maximum(), 40))[:60] or [0]
        start = time.perf_counter()
        for value in steps:
            bar.setValue(value)
            sidebar.list_view.viewport().repaint()
        return (time.perf_counter() - start) * 1000 / len(steps)

    scroll(rows)
    few_steps, all_steps = [], []
    for _ in range(REPEAT):
        few_steps.append(scroll(few))
        all_steps.append(scroll(rows))
    sidebar.close()
    sidebar.deleteLater()
    return [
        _result(
            "sidebar: set_rows (GUI thread, after each refresh)",
            "50 conversations",
            set_few,
            f"{len(rows):,} conversations",
            set_all,
            "≤ 50 ms",
            set_all <= 50,
        ),
        _ratio_result(
            "sidebar: one scroll step and repaint",
            "50 conversations",
            statistics.median(few_steps),
            f"{len(rows):,} conversations",
            statistics.median(all_steps),
            1.5,
            "model/view, uniform row heights",
        ),
    ]


def run() -> list[BenchResult]:
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    with tempfile.TemporaryDirectory(prefix="bench-history-") as tmp:
        data = Path(tmp)
        with HistoryStore(data) as store:
            empty, one_page, long = _fill(store)
            results = _bench_store(store, empty, one_page, long)
            results += _bench_sidebar(app, store)
    return results


if __name__ == "__main__":
    sys.stdout.write(table(run(), digits=3) + "\n")
