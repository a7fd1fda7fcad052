"""Benchmarks of the conversation view: GUI cost of a streamed chunk as the reply and the
conversation grow.

Run: `python tests/bench/bench_view.py` (prints the table; offscreen Qt, about half a minute).
A chunk's cost is `append_delta` plus its share of the batch paint it causes (flush, layout and
the viewport repaint), measured over batches of eight chunks, as at ~50 tokens/s and ~8
repaints/s.
"""

from __future__ import annotations

import gc
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
for entry in (ROOT, ROOT / "tests"):
    if str(entry) not in sys.path:
        sys.path.insert(0, str(entry))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEvent  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from app.core.conversation import Message, Status, TextPart, Usage  # noqa: E402
from app.ui.conversation_view import ConversationView  # noqa: E402
from tests.bench.common import BenchResult, table  # noqa: E402

CHUNK = 4  # characters per streamed delta (about a token)
CHUNKS_PER_BATCH = 8
BATCHES = 40
REPEAT = 7
TARGET = 1.5

# What a reply grows by while it is measured: prose, a list, a code block, a table.
STREAM = (
    "The screenshot shows a settings dialog with three tabs; the active one lists network "
    "options and a disabled **Apply** button.\n\n"
    "- The proxy field is empty.\n- The timeout is `30 s`.\n- A warning icon sits beside "
    "*Certificates*.\n\n"
    "```python\ndef apply(settings: dict[str, str]) -> None:\n    for key, value in "
    "settings.items():\n        store(key, value)\n```\n\n"
    "| field | value |\n|---|---|\n| proxy | none |\n| timeout | 30 s |\n\n"
    "In short, nothing is wrong with the layout itself; the disabled button only means that "
    "no field has changed yet.\n\n"
)


def _reply_text(length: int) -> str:
    """Markdown of about `length` characters that ends at a block boundary."""
    text = ""
    while len(text) < length:
        text += STREAM
    return text[:length].rsplit("\n\n", 1)[0] + "\n\n"


def _code_text(length: int) -> str:
    """An open code fence already `length` characters long."""
    lines = []
    size = 10
    index = 0
    while size < length:
        line = f"    result_{index} = compute(result_{index - 1}, factor={index % 7})"
        lines.append(line)
        size += len(line) + 1
        index += 1
    return "Here is the code:\n\n```python\n" + "\n".join(lines) + "\n"


CODE_STREAM = "".join(f"    extra_{i} = combine(extra_{i - 1}, {i})\n" for i in range(60))


def _turns(count: int) -> list[Message]:
    turns = []
    for index in range(count):
        if index % 2 == 0:
            turns.append(Message(role="user", parts=[TextPart(f"Question {index}: what changed?")]))
        else:
            turns.append(
                Message(
                    role="assistant",
                    parts=[TextPart(_reply_text(1_200))],
                    usage=Usage(900 + index, 300, 1200 + index),
                    model="grok-4",
                )
            )
    return turns


def _per_chunk_ms(app: QApplication, prefill: str, stream: str, turns: int) -> float:
    """ms per chunk over BATCHES batches streamed into a fresh view."""
    view = ConversationView()
    view.resize(900, 700)
    view.show()
    view.set_messages(_turns(turns), {})
    reply = Message(role="assistant", parts=[], status=Status.STREAMING, model="grok-4")
    view.add_message(reply)
    view.append_delta(reply.id, prefill)
    view.flush()
    for _settle in range(3):
        app.processEvents()
    chunks = [stream[i : i + CHUNK] for i in range(0, len(stream), CHUNK)]
    gc.collect()
    position = 0
    start = time.perf_counter()
    for _batch in range(BATCHES):
        for _chunk in range(CHUNKS_PER_BATCH):
            view.append_delta(reply.id, chunks[position % len(chunks)])
            position += 1
        view.flush()
        app.processEvents()  # layout and repaint of the viewport
    elapsed = (time.perf_counter() - start) * 1000 / (BATCHES * CHUNKS_PER_BATCH)
    view.close()
    view.deleteLater()
    app.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    return elapsed


def _measure(app: QApplication, scenarios: dict[str, tuple[str, str, int]]) -> dict[str, float]:
    """Median per scenario over REPEAT rounds, the scenarios interleaved within each round so
    that a noisy machine slows them alike."""
    samples: dict[str, list[float]] = {name: [] for name in scenarios}
    for _round in range(REPEAT):
        for name, (prefill, stream, turns) in scenarios.items():
            samples[name].append(_per_chunk_ms(app, prefill, stream, turns))
    return {name: statistics.median(values) for name, values in samples.items()}


def _result(
    figure: str,
    baseline_label: str,
    baseline: float,
    measured_label: str,
    measured: float,
    note: str,
) -> BenchResult:
    ratio = measured / baseline if baseline else float("inf")
    return BenchResult(
        figure=figure,
        baseline_label=baseline_label,
        baseline=baseline,
        measured_label=measured_label,
        measured=measured,
        unit="ms",
        target=f"≤ {TARGET}×",
        met=ratio <= TARGET,
        note=note,
    )


def run() -> list[BenchResult]:
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    _per_chunk_ms(app, _reply_text(1_000), STREAM, 0)  # warm up (imports, lexers, fonts)
    ms = _measure(
        app,
        {
            "short": (_reply_text(1_000), STREAM, 0),
            "long": (_reply_text(20_000), STREAM, 0),
            "crowded": (_reply_text(1_000), STREAM, 300),
            "code short": (_code_text(1_000), CODE_STREAM, 0),
            "code long": (_code_text(20_000), CODE_STREAM, 0),
        },
    )
    note = (
        f"{CHUNK}-char chunks, {CHUNKS_PER_BATCH} per batch, {BATCHES} batches; "
        f"median of {REPEAT} interleaved rounds"
    )
    return [
        _result(
            "GUI cost per streamed chunk vs reply length",
            "reply at 1k chars",
            ms["short"],
            "reply at 20k chars",
            ms["long"],
            note,
        ),
        _result(
            "GUI cost per streamed chunk vs conversation length",
            "empty conversation",
            ms["short"],
            "300 turns above",
            ms["crowded"],
            note,
        ),
        _result(
            "GUI cost per streamed chunk inside one long code block",
            "open fence of 1k chars",
            ms["code short"],
            "open fence of 20k chars",
            ms["code long"],
            note,
        ),
    ]


if __name__ == "__main__":
    sys.stdout.write(table(run(), digits=3) + "\n")
