"""What every benchmark returns: a figure and the baseline measured in the same run."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class BenchResult:
    figure: str  # what is measured, e.g. "header probe vs full decode, 10 × 24-MP PNG"
    baseline_label: str  # what it is compared with
    baseline: float  # in `unit`
    measured_label: str
    measured: float
    unit: str  # "ms", "MB", "bytes", ...
    target: str  # the goal in words, e.g. "≤ 0.05×"
    met: bool  # whether `ratio` meets `target`
    note: str = ""

    @property
    def ratio(self) -> float:
        return self.measured / self.baseline if self.baseline else float("inf")


def best_of(fn: Callable[[], object], repeat: int = 5) -> float:
    """Median wall time of `fn` in ms over `repeat` runs (noisy machines: compare ratios)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def table(results: list[BenchResult], digits: int = 1) -> str:
    """`results` as a Markdown table, for a benchmark run on its own (run.py writes the doc's)."""
    lines = [
        "| figure | baseline | measured | ratio | target | met | note |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r.figure} | {r.baseline_label}: {r.baseline:.{digits}f} {r.unit} "
            f"| {r.measured_label}: {r.measured:.{digits}f} {r.unit} | {r.ratio:.2f}× "
            f"| {r.target} | {'yes' if r.met else 'NO'} | {r.note} |"
        )
    return "\n".join(lines)
