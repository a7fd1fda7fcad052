"""Paths and helpers shared by the packaging tests (the bundle fixture is in conftest.py)."""

from __future__ import annotations

import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
BUILD_SH = PACKAGING / "build.sh"
INSTALL_SH = PACKAGING / "install-linux.sh"
WHEELHOUSE_SH = PACKAGING / "wheelhouse.sh"
RESOURCES = ROOT / "resources"
NAME = "grok-vision"
# Set to an existing bundle folder (e.g. dist/grok-vision after packaging/build.sh) to test that
# one instead of building a fresh one.
BUNDLE_ENV = "GROK_VISION_BUNDLE"


def size_budget_mib() -> int:
    """The budget that build.sh enforces (its default), so the tests and the docs cannot drift."""
    match = re.search(r"GROK_VISION_SIZE_BUDGET_MIB:-(\d+)", BUILD_SH.read_text())
    assert match, "build.sh no longer states its default size budget"
    return int(match.group(1))


def bundle_size(folder: Path) -> int:
    """Bytes of every file and symbolic link in `folder` (as build.sh counts them)."""
    total = 0
    for parent, dirs, files in os.walk(folder):
        links = [d for d in dirs if os.path.islink(os.path.join(parent, d))]
        total += sum(os.lstat(os.path.join(parent, name)).st_size for name in files + links)
    return total


class Bundle:
    def __init__(self, folder: Path, build_seconds: float | None, build_log: str) -> None:
        self.folder = folder
        self.program = folder / NAME
        self.internal = folder / "_internal"
        self.build_seconds = build_seconds
        self.build_log = build_log


def fake_bundle(folder: Path, version: str = "0.1.0") -> Path:
    """A stand-in with a bundle's layout (a `grok-vision` program, `_internal/resources/`), for
    testing the install script without building: the program only answers --version."""
    folder.mkdir(parents=True)
    program = folder / NAME
    program.write_text(f'#!/bin/sh\necho "grok-vision {version}"\n')
    program.chmod(0o755)
    resources = folder / "_internal" / "resources"
    resources.mkdir(parents=True)
    for name in (f"{NAME}.desktop", f"{NAME}.svg", f"{NAME}-256.png"):
        (resources / name).write_bytes((RESOURCES / name).read_bytes())
    return folder


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    """The environment for an install-script run with HOME moved into the test's tmp dir."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"PREFIX", "XDG_DATA_HOME", "XDG_CONFIG_HOME"}
    }
    env["HOME"] = str(home)
    env.update(extra)
    return env
