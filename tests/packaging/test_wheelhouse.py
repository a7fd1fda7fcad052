"""packaging/wheelhouse.sh for real: download every wheel into a folder (this needs the package
index), then install from that folder alone into a fresh venv, in a network namespace with no
network at all where this machine allows one, and run the installed program."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from bundle_support import WHEELHOUSE_SH
from PIL import Image

import app

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform != "linux", reason="the script is for Linux"),
]

# What pip says when it cannot reach the index: then there is nothing to test here.
OFFLINE_SIGNS = (
    "NewConnectionError",
    "Temporary failure in name resolution",
    "Network is unreachable",
    "No matching distribution found",
)


def offline_prefix() -> list[str]:
    """`unshare --net` (no network, not even loopback) where possible, else nothing."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return []
    prefix = [unshare, "--net"] if os.geteuid() == 0 else [unshare, "--net", "--map-root-user"]
    probe = subprocess.run([*prefix, "true"], capture_output=True, check=False, timeout=30)
    return prefix if probe.returncode == 0 else []


@pytest.fixture(scope="module")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("wheelhouse")
    env = {**os.environ, "PYTHON": sys.executable}
    result = subprocess.run(
        ["bash", str(WHEELHOUSE_SH), "download", str(folder)],
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
        check=False,
    )
    if result.returncode != 0:
        output = result.stdout + result.stderr
        if any(sign in output for sign in OFFLINE_SIGNS):
            pytest.skip(f"the package index cannot be reached: {output.strip()[-500:]}")
        pytest.fail(f"wheelhouse.sh download failed (exit {result.returncode}):\n{output}")
    return folder


def test_download_gathers_every_wheel(wheelhouse: Path) -> None:
    wheels = {path.name.split("-")[0].lower() for path in wheelhouse.glob("*.whl")}
    assert {
        "grok_vision",
        "pyside6_essentials",
        "shiboken6",
        "openai",
        "pillow",
        "keyring",
        "qasync",
        "platformdirs",
        "markdown_it_py",
        "pygments",
        "secretstorage",
        "jeepney",
        "pypdfium2",
        "pi_heif",
    } <= wheels
    assert "pillow_heif" not in wheels  # GPL (x265) wheels: a test dependency only
    assert not list(wheelhouse.glob("*.tar.gz")), "only wheels: the target needs no compiler"
    assert "keyrings.alt" not in wheels
    sums = (wheelhouse / "SHA256SUMS").read_text().splitlines()
    assert len(sums) == len(list(wheelhouse.glob("*.whl")))


def test_install_from_the_wheelhouse_alone(wheelhouse: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    # pip must find everything in the folder: no index, no find-links but the folder, no
    # network (where a namespace can be made), whatever pip configuration this machine has.
    env = {**os.environ, "PYTHON": sys.executable, "HOME": str(tmp_path)}
    result = subprocess.run(
        [*offline_prefix(), "bash", str(WHEELHOUSE_SH), "install", str(wheelhouse), str(venv)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"grok-vision {app.__version__}" in result.stdout
    # Installed compiled: no start compiles the app's source (nor tries to write .pyc files).
    package = next(venv.glob("lib/python3.*/site-packages/app"))
    sources = sorted(package.rglob("*.py"))
    assert len(sources) > 100
    uncompiled = [
        str(source.relative_to(package))
        for source in sources
        if not list((source.parent / "__pycache__").glob(f"{source.stem}.*.pyc"))
    ]
    assert uncompiled == []

    program = venv / "bin" / "grok-vision"
    version = subprocess.run(
        [str(program), "--version"], capture_output=True, text=True, check=False, timeout=60
    )
    assert version.stdout == f"grok-vision {app.__version__}\n"
    png = tmp_path / "shot.png"
    Image.new("RGB", (448, 448), (10, 200, 90)).save(png)
    tokens = subprocess.run(
        [str(program), "tokens", "--json", str(png)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert tokens.returncode == 0, tokens.stderr
    assert json.loads(tokens.stdout)["total_tokens"] == 512


def test_a_damaged_wheel_is_refused(wheelhouse: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(wheelhouse, copy)
    victim = next(copy.glob("qasync-*.whl"))
    victim.write_bytes(victim.read_bytes()[:-10])
    result = subprocess.run(
        ["bash", str(WHEELHOUSE_SH), "install", str(copy), str(tmp_path / "venv")],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHON": sys.executable},
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    assert "does not match SHA256SUMS" in result.stderr
    assert not (tmp_path / "venv").exists()
