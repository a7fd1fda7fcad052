"""packaging/install-linux.sh into a HOME inside the test's tmp dir: where the files land, the
desktop entry, and --uninstall. A stand-in bundle keeps these fast; the last test installs the
real bundle (slow)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from bundle_support import INSTALL_SH, NAME, RESOURCES, Bundle, clean_env, fake_bundle

import app

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="a Linux desktop install")

IMAGE_TYPES = ["image/png", "image/jpeg", "image/webp", "image/gif", "image/bmp", "image/tiff"]


def install(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(INSTALL_SH), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def desktop_entry(path: Path) -> dict[str, str]:
    entry: dict[str, str] = {}
    for line in path.read_text().splitlines():
        if "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            entry[key] = value
    return entry


STRING_ESCAPES = {"s": " ", "n": "\n", "t": "\t", "r": "\r", "\\": "\\"}


def unescape(value: str) -> str:
    """A desktop entry's string value as meant (its backslash escapes undone)."""
    text, i = "", 0
    while i < len(value):
        if value[i] == "\\":
            text += STRING_ESCAPES[value[i + 1]]
            i += 2
        else:
            text += value[i]
            i += 1
    return text


def exec_argv(value: str) -> list[str]:
    """The argument vector of a desktop entry's Exec value, by the Desktop Entry spec: the
    string escapes first, then words split on spaces, double quotes grouping, and inside them
    a backslash escaping one of " ` $ \\."""
    text = unescape(value)
    argv: list[str] = []
    word: str | None = None
    quoted = False
    i = 0
    while i < len(text):
        char = text[i]
        i += 1
        if quoted and char == "\\":
            assert text[i] in '"`$\\', f"{text[i]!r} may not be escaped in Exec"
            word = (word or "") + text[i]
            i += 1
        elif char == '"':
            quoted = not quoted
            word = word or ""
        elif char == " " and not quoted:
            if word is not None:
                argv.append(word)
            word = None
        else:
            word = (word or "") + char
    assert not quoted, f"unbalanced quotes in Exec={value}"
    if word is not None:
        argv.append(word)
    return [arg.replace("%%", "%") for arg in argv]


class Layout:
    def __init__(self, home: Path, prefix: Path | None = None) -> None:
        self.prefix = prefix or home / ".local"
        self.opt = self.prefix / "opt" / NAME
        self.launcher = self.prefix / "bin" / NAME
        share = self.prefix / "share"
        self.desktop = share / "applications" / f"{NAME}.desktop"
        self.svg = share / "icons" / "hicolor" / "scalable" / "apps" / f"{NAME}.svg"
        self.png = share / "icons" / "hicolor" / "256x256" / "apps" / f"{NAME}.png"
        self.mime_cache = share / "applications" / "mimeinfo.cache"

    def files(self) -> list[Path]:
        return [self.opt, self.launcher, self.desktop, self.svg, self.png]


def check_installed(layout: Layout) -> None:
    assert (layout.opt / NAME).is_file()
    assert (layout.opt / "install-linux.sh").is_file(), "the installer stays for --uninstall"
    assert layout.launcher.is_symlink()
    assert Path(os.readlink(layout.launcher)) == layout.opt / NAME
    version = subprocess.run(
        [str(layout.launcher), "--version"], capture_output=True, text=True, check=True, timeout=60
    )
    assert version.stdout == f"grok-vision {app.__version__}\n"
    entry = desktop_entry(layout.desktop)
    assert exec_argv(entry["Exec"]) == [str(layout.launcher), "%F"]
    assert unescape(entry["TryExec"]) == str(layout.launcher)
    assert entry["Icon"] == NAME
    assert entry["MimeType"].rstrip(";").split(";") == IMAGE_TYPES
    assert layout.svg.read_bytes() == (RESOURCES / f"{NAME}.svg").read_bytes()
    assert layout.png.read_bytes() == (RESOURCES / f"{NAME}-256.png").read_bytes()


def check_removed(layout: Layout) -> None:
    left = [path for path in layout.files() if path.exists() or path.is_symlink()]
    assert not left


def test_install_then_uninstall(tmp_path: Path) -> None:
    bundle = fake_bundle(tmp_path / "bundle")
    home = tmp_path / "home"
    layout = Layout(home)
    env = clean_env(home)

    result = install("--bundle", str(bundle), env=env)
    assert result.returncode == 0, result.stderr
    check_installed(layout)
    assert f"Installed grok-vision {app.__version__}" in result.stdout
    if shutil.which("update-desktop-database"):
        cache = layout.mime_cache.read_text()
        for mime in IMAGE_TYPES:
            assert f"{mime}={NAME}.desktop;" in cache

    again = install("--bundle", str(bundle), env=env)  # an update over the top
    assert again.returncode == 0, again.stderr
    check_installed(layout)

    removed = install("--uninstall", env=env)
    assert removed.returncode == 0, removed.stderr
    check_removed(layout)
    if layout.mime_cache.exists():
        assert NAME not in layout.mime_cache.read_text()
    assert bundle.exists(), "uninstall touches only the installed copy"
    nothing = install("--uninstall", env=env)
    assert nothing.returncode == 0
    assert "was not installed" in nothing.stdout


def test_the_installed_copy_uninstalls_itself(tmp_path: Path) -> None:
    home = tmp_path / "home"
    layout = Layout(home)
    env = clean_env(home)
    assert install("--bundle", str(fake_bundle(tmp_path / "b")), env=env).returncode == 0
    result = subprocess.run(
        ["bash", str(layout.opt / "install-linux.sh"), "--uninstall"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    check_removed(layout)


def test_prefix_and_a_home_with_odd_characters(tmp_path: Path) -> None:
    home = tmp_path / "my home"
    prefix = tmp_path / """a prefix $with 'odd' "chars" \\ 100%"""
    layout = Layout(home, prefix)
    env = clean_env(home, PREFIX=str(prefix))
    result = install("--bundle", str(fake_bundle(tmp_path / "bundle")), env=env)
    assert result.returncode == 0, result.stderr
    check_installed(layout)
    assert not (home / ".local").exists()
    assert install("--uninstall", env=env).returncode == 0
    check_removed(layout)


def test_the_desktop_entry_validates(tmp_path: Path) -> None:
    validate = shutil.which("desktop-file-validate")
    if validate is None:
        pytest.skip("desktop-file-validate is not installed (Debian: desktop-file-utils)")
    for home in (tmp_path / "home", tmp_path / "home with space"):
        layout = Layout(home)
        result = install("--bundle", str(fake_bundle(home / "bundle")), env=clean_env(home))
        assert result.returncode == 0, result.stderr
        checked = subprocess.run(
            [validate, str(layout.desktop)], capture_output=True, text=True, check=False, timeout=30
        )
        assert checked.returncode == 0, checked.stdout + checked.stderr
        assert checked.stdout + checked.stderr == ""  # not even a hint


def test_it_refuses_to_replace_a_program_it_did_not_install(tmp_path: Path) -> None:
    home = tmp_path / "home"
    layout = Layout(home)
    layout.launcher.parent.mkdir(parents=True)
    layout.launcher.write_text("#!/bin/sh\necho someone else's\n")
    result = install("--bundle", str(fake_bundle(tmp_path / "bundle")), env=clean_env(home))
    assert result.returncode != 0
    assert "remove it first" in result.stderr
    assert layout.launcher.read_text() == "#!/bin/sh\necho someone else's\n"
    assert not layout.opt.exists()


def test_it_refuses_what_is_not_a_bundle(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = install("--bundle", str(tmp_path / "empty"), env=clean_env(tmp_path / "home"))
    assert result.returncode == 2
    assert "is not a grok-vision bundle" in result.stderr


@pytest.mark.slow
def test_the_real_bundle_installs_and_runs(bundle: Bundle, tmp_path: Path) -> None:
    home = tmp_path / "home"
    layout = Layout(home)
    env = clean_env(home)
    result = install("--bundle", str(bundle.folder), env=env)
    assert result.returncode == 0, result.stderr
    check_installed(layout)  # runs the installed launcher through its symbolic link
    assert install("--uninstall", env=env).returncode == 0
    check_removed(layout)
