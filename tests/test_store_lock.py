"""One writer per data directory: the instance lock, across real processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from app.store.lock import acquire_instance_lock, lock_holder, second_instance_notice

ROOT = Path(__file__).resolve().parents[1]

HOLDER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from app.store.lock import acquire_instance_lock
    lock = acquire_instance_lock(Path(sys.argv[1]))
    sys.stdout.write("held\\n" if lock else "refused\\n")
    sys.stdout.flush()
    time.sleep(60)
""")


def test_a_second_holder_in_the_same_process_is_refused(tmp_path: Path) -> None:
    first = acquire_instance_lock(tmp_path / "data")
    assert first is not None
    try:
        assert first.held
        assert acquire_instance_lock(tmp_path / "data") is None
        assert lock_holder(tmp_path / "data") == os.getpid()
        assert f"(process {os.getpid()})" in second_instance_notice(tmp_path / "data")
    finally:
        first.release()
    assert not first.held
    first.release()  # twice is harmless
    with acquire_instance_lock(tmp_path / "data") as again:
        assert again is not None


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_the_lock_of_a_killed_process_is_free_at_once(tmp_path: Path) -> None:
    data = tmp_path / "data"
    child = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(data)], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "held"
        assert acquire_instance_lock(data) is None
        assert lock_holder(data) == child.pid
        assert "read-only" in second_instance_notice(data)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
        if child.stdout is not None:
            child.stdout.close()
    lock = acquire_instance_lock(data)
    assert lock is not None
    lock.release()
