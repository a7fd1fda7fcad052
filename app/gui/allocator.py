"""Memory that large, short-lived buffers leave behind (glibc's malloc, on Linux).

Each turn sends the whole conversation again, so a request body grows with the images in the
history: megabytes, built and freed every turn. glibc raises its mmap threshold to the size of the
largest block freed (up to 32 MB); past that, such buffers come from the heap, whose free space
is seldom returned, and the process keeps growing by about their size every few turns (some
110 KB a turn over a 100-turn soak with small photos). Fixing the threshold at glibc's own
starting value keeps big buffers in their own mappings, which go back to the system when freed.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import platform
import sys

M_MMAP_THRESHOLD = -3  # mallopt() parameter, from glibc's malloc.h
MMAP_THRESHOLD = 128 * 1024  # glibc's default starting threshold


def fix_mmap_threshold(size: int = MMAP_THRESHOLD) -> bool:
    """Fix glibc's mmap threshold at `size` bytes; False where there is no glibc."""
    if not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc":
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return False
    mallopt = libc.mallopt
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    return bool(mallopt(M_MMAP_THRESHOLD, size))
