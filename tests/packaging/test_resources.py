"""The icon and the desktop entry in resources/, as the app, the bundle and the installer read
them."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import xml.etree.ElementTree as ET
from importlib import resources
from pathlib import Path
from types import ModuleType

import pytest
from bundle_support import NAME, PACKAGING, RESOURCES
from PIL import Image, ImageChops, ImageStat

IMAGE_TYPES = ["image/png", "image/jpeg", "image/webp", "image/gif", "image/bmp", "image/tiff"]


def desktop_entry() -> dict[str, str]:
    lines = (RESOURCES / f"{NAME}.desktop").read_text().splitlines()
    assert lines[0] == "[Desktop Entry]"
    return dict(line.split("=", 1) for line in lines[1:] if line and not line.startswith("#"))


def render_icon_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("render_icon", PACKAGING / "render_icon.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_desktop_entry_opens_images_with_the_app() -> None:
    entry = desktop_entry()
    assert entry["Type"] == "Application"
    assert entry["Name"] == "Grok Vision"
    assert entry["Exec"] == "grok-vision %F"
    assert entry["Icon"] == NAME
    assert entry["Terminal"] == "false"
    assert entry["MimeType"].rstrip(";").split(";") == IMAGE_TYPES
    # Matches the app's desktop file name (QGuiApplication.setDesktopFileName) and WM class.
    assert entry["StartupWMClass"] == NAME


def test_the_desktop_entry_validates() -> None:
    validate = shutil.which("desktop-file-validate")
    if validate is None:
        pytest.skip("desktop-file-validate is not installed (Debian: desktop-file-utils)")
    result = subprocess.run(
        [validate, str(RESOURCES / f"{NAME}.desktop")],
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout + result.stderr == ""


def test_the_icon_files() -> None:
    root = ET.fromstring((RESOURCES / f"{NAME}.svg").read_bytes())
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("viewBox") == "0 0 256 256"
    with Image.open(RESOURCES / f"{NAME}-256.png") as png:
        assert png.format == "PNG"
        assert png.size == (256, 256)
        assert png.mode == "RGBA"
        corner = png.getpixel((0, 0))
        assert isinstance(corner, tuple)
        assert corner[3] == 0  # a transparent margin around the rounded square


def test_the_png_is_the_svg_rendered(qapp: object, tmp_path: Path) -> None:
    """After an edit of the SVG, `python packaging/render_icon.py` renders the PNG again."""
    fresh = render_icon_module().render(png=tmp_path / "fresh.png")
    with Image.open(fresh) as new, Image.open(RESOURCES / f"{NAME}-256.png") as old:
        difference = ImageChops.difference(new.convert("RGBA"), old.convert("RGBA"))
        # Qt versions may anti-alias an edge differently; the picture itself must not change.
        assert max(ImageStat.Stat(difference).mean) < 1.0


def test_the_app_loads_its_icon_from_the_resources_package(qapp: object) -> None:
    from app.gui.theme import app_icon

    assert (resources.files("resources") / f"{NAME}.svg").is_file()
    icon = app_icon()
    assert not icon.isNull()
    assert not icon.pixmap(64, 64).isNull()
