"""What the bundle leaves out of Qt: used by the PySide6 hooks beside this file.

PyInstaller's own hooks collect, for each Qt module the app imports, every plugin of the
associated kinds and every translation. Filtering here, before PyInstaller analyses the
plugins' shared-library dependencies, also keeps out the libraries that only those plugins
link (QtNetwork through the VNC platform, QtPdf through the PDF image format, the whole GTK 3
stack through the GTK platform theme, and so on).
"""

from __future__ import annotations

import os

from PyInstaller.utils.hooks.qt import add_qt6_dependencies

# Plugins by "kind/file-name prefix" (or "kind/" for the whole kind) under PySide6/Qt/plugins.
UNUSED_PLUGINS = (
    "platforms/libqvnc",          # VNC server platform: links QtNetwork
    "platforms/libqeglfs",        # full-screen embedded platforms
    "platforms/libqlinuxfb",
    "platforms/libqminimalegl",
    "platforms/libqvkkhrdisplay",
    "platformthemes/libqgtk3",    # would copy GTK 3 (~20 MB of libraries) from the build host
    "egldeviceintegrations/",
    "generic/",                   # evdev/TUIO input for embedded platforms; TUIO links QtNetwork
    "imageformats/libqpdf",       # links QtPdf, which PySide6-Essentials does not ship
    "platforminputcontexts/libqtvirtualkeyboardplugin",  # links QtVirtualKeyboard/Qml
    "wayland-graphics-integration-server/",  # compositor side
    # QtNetwork is there for QLocalSocket alone (a second launch hands its files over): no TLS
    # backends, and no network-reachability plugins (libqglib would copy GIO, GObject, libmount…)
    "tls/",
    "networkinformation/",
)


def _unused(dest_dir: str, source: str) -> bool:
    dest_dir = dest_dir.replace(os.sep, "/")
    if "/translations" in dest_dir or dest_dir.endswith("translations"):
        return True   # the app installs no QTranslator: Qt's own strings stay in English
    marker = "/plugins/"
    where = dest_dir + "/"
    if marker not in where:
        return False
    kind = where.split(marker, 1)[1]
    name = kind + os.path.basename(source)
    return name.startswith(UNUSED_PLUGINS)


def collect_trimmed(hook_file: str) -> tuple[list[str], list[tuple[str, str]],
                                             list[tuple[str, str]]]:
    hiddenimports, binaries, datas = add_qt6_dependencies(hook_file)
    binaries = [(src, dest) for src, dest in binaries if not _unused(dest, src)]
    datas = [(src, dest) for src, dest in datas if not _unused(dest, src)]
    return hiddenimports, binaries, datas
