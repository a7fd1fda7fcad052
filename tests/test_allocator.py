"""Large buffers go back to the system once freed (glibc's mmap threshold, app.gui.allocator)."""

from __future__ import annotations

import platform
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# A request body of 20 MB built and freed, then five turns that each build and free 8 MB in
# 1 MB pieces, as JSON encoding a long conversation's images does. Prints the MB kept.
TURNS = """
import sys
from app.gui.allocator import fix_mmap_threshold

def rss_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) // 1024

if sys.argv[1] == "fixed":
    assert fix_mmap_threshold()
before = rss_mb()
body = bytearray(20 << 20)
del body
for turn in range(5):
    pieces = [bytearray(b"x" * (1 << 20)) for _ in range(8)]
    small = bytearray(1000)
    del pieces
print(rss_mb() - before)
"""

glibc_only = pytest.mark.skipif(
    not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc",
    reason="the threshold is glibc's",
)


def _kept_mb(mode: str) -> int:
    done = subprocess.run(
        [sys.executable, "-c", TURNS, mode], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return int(done.stdout)


@glibc_only
def test_freed_buffers_are_returned_with_the_threshold_fixed() -> None:
    assert _kept_mb("as-is") >= 6  # glibc as it comes keeps most of the 8 MB
    assert _kept_mb("fixed") <= 2


def test_elsewhere_it_does_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    from app.gui import allocator

    monkeypatch.setattr(allocator.sys, "platform", "darwin")
    assert allocator.fix_mmap_threshold() is False
