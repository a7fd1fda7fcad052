"""HEIC/HEIF photos (phones) through libheif, loaded only when such a file is met.

The plugin comes from pi-heif, the decode-only build of pillow-heif (libheif and libde265,
LGPL-3.0, no HEVC encoder): the app only reads HEIC. pillow-heif itself (which also writes,
and whose wheels link the GPL x265 encoder) is used when it is the one installed.
libheif applies the file's own rotation and mirroring while decoding and resets the EXIF
orientation to 1, so a HEIC arrives upright and is not turned a second time.
AVIF comes from Pillow itself (`PIL.features.check("avif")`), with no extra library.
"""

from __future__ import annotations

import functools
import importlib
import threading

from .formats import is_heif

_MODULES = ("pi_heif", "pillow_heif")
_lock = threading.Lock()


@functools.cache
def _register() -> bool:
    for module_name in _MODULES:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        module.register_heif_opener()
        return True
    return False


def heif_opener_for(head: bytes) -> bool:
    """Register the HEIF plugin with Pillow if `head` starts a HEIC/HEIF file; True when the
    plugin is (now) there to read it."""
    if not is_heif(head):
        return False
    with _lock:
        return _register()
