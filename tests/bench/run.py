"""Run every benchmark and write the table to docs/BENCHMARKS.md.

    python tests/bench/run.py                 # all of them
    python tests/bench/run.py bench_images    # some of them

Each benchmark module runs in its own process (Qt and memory figures stay independent) and
returns `BenchResult`s: a figure, the baseline measured in the same run, and their ratio.
Every module's latest results are kept in docs/benchmarks.json, so running some of them
updates their rows and leaves the others' (which say when they were measured).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import importlib
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BENCH = Path(__file__).resolve().parent
OUT = ROOT / "docs" / "BENCHMARKS.md"
RESULTS = ROOT / "docs" / "benchmarks.json"
ORDER = [
    "bench_startup",
    "bench_view",
    "bench_tray",
    "bench_requests",
    "bench_images",
    "bench_history",
    "bench_open",
    "bench_paint",
    "bench_sidebar_fill",
    "bench_memory",
    "bench_send",
    "bench_soak",
    "bench_batch",
    "bench_bundle",
]


def _run_one(name: str) -> None:
    """Child mode: run one module and print its results as JSON."""
    for entry in (ROOT, ROOT / "tests"):
        sys.path.insert(0, str(entry))
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    module = importlib.import_module(f"tests.bench.{name}")
    results = module.run()
    sys.stdout.write("BENCH-JSON " + json.dumps([dataclasses.asdict(r) for r in results]) + "\n")


def _collect(name: str) -> tuple[list[dict[str, object]], str]:
    proc = subprocess.run(
        [sys.executable, str(Path(__file__)), "--one", name],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    for line in proc.stdout.splitlines():
        if line.startswith("BENCH-JSON "):
            return json.loads(line.removeprefix("BENCH-JSON ")), ""
    tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
    return [], f"{name} did not finish (exit {proc.returncode}): {' / '.join(tail)}"


def _fmt(value: float, unit: str) -> str:
    return f"{value:,.2f} {unit}" if value < 100 else f"{value:,.0f} {unit}"


def _table(rows: list[dict[str, object]]) -> str:
    lines = [
        "| figure | baseline (same run) | measured | ratio | target | met |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        baseline, measured = float(r["baseline"]), float(r["measured"])  # type: ignore[arg-type]
        unit = str(r["unit"])
        ratio = measured / baseline if baseline else float("inf")
        met = "yes" if r["met"] else "**no**"
        note = f" ({r['note']})" if r.get("note") else ""
        lines.append(
            f"| {r['figure']}{note} | {r['baseline_label']}: {_fmt(baseline, unit)} | "
            f"{r['measured_label']}: {_fmt(measured, unit)} | {ratio:.2f}× | "
            f"{r['target']} | {met} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("modules", nargs="*", help="benchmark modules (default: all)")
    args = parser.parse_args()
    if args.one:
        _run_one(args.one)
        return 0
    available = [n for n in ORDER if (BENCH / f"{n}.py").exists()]
    chosen = args.modules or available
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    kept: dict[str, dict[str, object]] = (
        json.loads(RESULTS.read_text(encoding="utf-8")) if RESULTS.exists() else {}
    )
    problems: list[str] = []
    for name in chosen:
        sys.stderr.write(f"running {name}…\n")
        results, problem = _collect(name)
        if results:
            kept[name] = {"measured": stamp, "rows": results}
        if problem:
            problems.append(problem)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(kept, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    rows: list[dict[str, object]] = []
    for name in [n for n in ORDER if n in kept]:
        when = str(kept[name]["measured"])
        for row in kept[name]["rows"]:  # type: ignore[attr-defined]
            earlier = f"measured {when}" if when != stamp else None
            rows.append({**row, "note": "; ".join(filter(None, [row.get("note"), earlier]))})
    missed = [r for r in rows if not r["met"]]
    text = [
        "# Benchmarks",
        "",
        f"Measured {stamp} on {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, by `python tests/bench/run.py` (rows from an earlier "
        "run say when). Every figure is a ratio "
        "to a baseline measured in the same run on the same machine, because these machines "
        "are shared and noisy: compare ratios, not absolute times.",
        "",
        _table(rows),
        "",
    ]
    if missed:
        text += ["Figures that miss their target:", ""]
        text += [
            f"- {r['figure']}: {float(r['measured']) / float(r['baseline']):.2f}× "  # type: ignore[arg-type]
            f"against {r['target']}."
            for r in missed
        ]
        text.append("")
    if problems:
        text += ["Benchmarks that did not run:", ""] + [f"- {p}" for p in problems] + [""]
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text("\n".join(text), encoding="utf-8")
    sys.stdout.write("\n".join(text) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
