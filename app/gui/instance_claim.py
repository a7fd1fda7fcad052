"""Before the first paint: is this launch the app's one window, or does a running one take its
files? (See `app.gui.single_instance`.)

Only light modules are imported here. When no socket of a running window exists, which is
every ordinary start, the answer needs no QtNetwork: the server that listens for later
launches is made after the first paint. Only a socket that exists is connected to.
"""

from __future__ import annotations

import os
import sys
import zlib
from collections.abc import Sequence
from pathlib import Path

from app.store.paths import data_directory


def socket_name(data_dir: Path | None = None) -> str:
    """The socket of this user's app on this data directory (two data directories, as the
    tests use, are two apps)."""
    folder = str((data_dir or data_directory()).expanduser().resolve())
    user = os.environ.get("USER") or os.environ.get("USERNAME") or str(os.getuid())
    key = f"{user}\0{folder}".encode()
    digest = f"{zlib.crc32(key):08x}{zlib.adler32(key):08x}"  # no hashlib before the paint
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    if sys.platform != "win32" and runtime and Path(runtime).is_dir():
        return str(Path(runtime) / f"grok-vision-{digest}.sock")
    return f"grok-vision-{digest}"


def socket_present(name: str) -> bool:
    """Whether a local socket `name` exists where QLocalServer puts it: the path itself, a
    file in the temporary folder (Unix, a bare name) or a named pipe (Windows)."""
    if sys.platform == "win32":
        return os.path.exists(rf"\\.\pipe\{name}")
    if os.path.isabs(name):
        return os.path.exists(name)
    temp = os.environ.get("TMPDIR", "").rstrip("/") or "/tmp"  # noqa: S108 (QDir::tempPath)
    return os.path.exists(os.path.join(temp, name))


def claim(files: Sequence[str], name: str | None = None) -> bool | None:
    """At start-up: None when a running window took `files` (this launch ends); else whether
    this app is to listen on the socket (False: a hung first instance keeps it, and this launch
    opens read-only)."""
    name = name or socket_name()
    if not socket_present(name):
        return True
    from app.gui.single_instance import HandOff, hand_off

    result = hand_off(files, name)
    if result is HandOff.TAKEN:
        return None
    return result is HandOff.NOBODY
