"""The PyInstaller spec's exclusions against what the app imports: a module the app starts to
use must not be left out of the bundle (found here in a second, not after a bundle build)."""

from __future__ import annotations

import ast
from pathlib import Path

from bundle_support import PACKAGING, ROOT

SPEC = PACKAGING / "grok-vision.spec"


def spec_list(name: str) -> list[str]:
    for node in ast.parse(SPEC.read_text()).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == name for target in node.targets
        ):
            value = ast.literal_eval(node.value)
            assert isinstance(value, list)
            return [str(item) for item in value]
    raise AssertionError(f"{SPEC.name} no longer defines {name}")


def app_imports() -> dict[str, set[str]]:
    """Every absolute module name imported anywhere in app/, with the files importing it."""
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / "app").rglob("*.py")):
        where = str(path.relative_to(ROOT))
        for node in ast.walk(ast.parse(path.read_text(), filename=where)):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
            for name in names:
                found.setdefault(name, set()).add(where)
    return found


def excluded(module: str, exclusions: list[str]) -> bool:
    return any(module == item or module.startswith(item + ".") for item in exclusions)


def test_the_app_imports_no_qt_module_the_spec_leaves_out() -> None:
    exclusions = [f"PySide6.{module}" for module in spec_list("UNUSED_QT_MODULES")]
    clashes = {name: files for name, files in app_imports().items() if excluded(name, exclusions)}
    assert not clashes, (
        f"the app imports Qt modules that {SPEC.name} excludes (UNUSED_QT_MODULES): {clashes}"
    )


def test_the_app_imports_no_package_the_spec_leaves_out() -> None:
    exclusions = spec_list("UNUSED_PACKAGES")
    clashes = {name: files for name, files in app_imports().items() if excluded(name, exclusions)}
    assert not clashes, (
        f"the app imports packages that {SPEC.name} excludes (UNUSED_PACKAGES): {clashes}"
    )


def test_the_qt_modules_the_app_uses() -> None:
    """A new Qt module in the app is fine once the bundle test's expectations know it."""
    used = {name.split(".")[1] for name in app_imports() if name.startswith("PySide6.Qt")}
    assert used <= {"QtCore", "QtGui", "QtWidgets", "QtDBus", "QtNetwork"}, used


def test_the_spec_is_python() -> None:
    compile(SPEC.read_text(), str(SPEC), "exec")
    assert Path(PACKAGING / "launcher.py").is_file()
