"""The PyInstaller bundle, built once per test session (about a minute on 2 cores), or taken
from GROK_VISION_BUNDLE when that names one already built."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from bundle_support import BUILD_SH, BUNDLE_ENV, NAME, Bundle

BUILD_TIMEOUT_S = 900


@pytest.fixture(scope="session")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Bundle:
    prebuilt = os.environ.get(BUNDLE_ENV, "").strip()
    if prebuilt:
        folder = Path(prebuilt).resolve()
        if not (folder / NAME).is_file():
            pytest.fail(f"{BUNDLE_ENV}={prebuilt} is not a bundle: {folder / NAME} is missing")
        return Bundle(folder, None, "")
    pytest.importorskip(
        "PyInstaller",
        reason="PyInstaller is not installed, so the bundle cannot be built: "
        "pip install -e '.[package]' (or set GROK_VISION_BUNDLE to a built bundle)",
    )
    if sys.platform != "linux":
        pytest.skip("the bundle tests run on Linux (build.sh + install-linux.sh)")
    out = tmp_path_factory.mktemp("bundle")
    started = time.perf_counter()
    result = subprocess.run(
        [
            "bash",
            str(BUILD_SH),
            "--python",
            sys.executable,
            "--dist",
            str(out / "dist"),
            "--work",
            str(out / "work"),
        ],
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT_S,
        check=False,
    )
    seconds = time.perf_counter() - started
    log = result.stdout + result.stderr
    if result.returncode != 0:
        pytest.fail(f"packaging/build.sh failed (exit {result.returncode}):\n{log[-4000:]}")
    return Bundle(out / "dist" / NAME, seconds, log)
