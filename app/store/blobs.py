"""Content-addressed image files: ``blobs/ab/cdef…`` named by the SHA-256 of their bytes.

A blob is written once, atomically (a temporary file in the same folder, flushed to disk, then
renamed), and never changed: the same bytes always land at the same name, so writing twice is a
no-op and two messages that send the same screenshot share one file. Which blobs are still in
use is the database's business (:meth:`app.store.history.HistoryStore.gc_blobs`).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

_SHA256 = re.compile(r"[0-9a-f]{64}")
_CHUNK = 1 << 20
TEMP_PREFIX = ".tmp-"
STALE_TEMP_SECONDS = 3600.0


@dataclass(frozen=True)
class GcReport:
    """What :meth:`app.store.history.HistoryStore.gc_blobs` removed."""

    blobs_removed: int
    bytes_freed: int
    orphan_files_removed: int


def is_sha256(text: str) -> bool:
    return _SHA256.fullmatch(text) is not None


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class BlobStore:
    """The blob folder of one data directory."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, sha256: str) -> Path:
        if not is_sha256(sha256):
            raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
        return self.root / sha256[:2] / sha256[2:]

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def read(self, sha256: str) -> bytes:
        """The blob's bytes. Raises FileNotFoundError when it is missing."""
        return self.path(sha256).read_bytes()

    def put(self, data: bytes, sha256: str | None = None) -> str:
        """Store ``data`` (unless already stored) and return its SHA-256.

        A given ``sha256`` is trusted only if it matches the bytes; otherwise ValueError.
        """
        digest = sha256_of(data)
        if sha256 is not None and sha256 != digest:
            raise ValueError(f"the image bytes do not match their SHA-256 ({sha256[:12]}…)")
        target = self.path(digest)
        if target.is_file() and target.stat().st_size == len(data):
            return digest
        self._write(target, [data])
        return digest

    def put_file(self, source: Path) -> tuple[str, int]:
        """Copy a file into the store (read once, hashed as it is read); its SHA-256 and size.

        Raises OSError when the file cannot be read.
        """
        digest = hashlib.sha256()
        chunks: list[bytes] = []
        with source.open("rb") as stream:
            while chunk := stream.read(_CHUNK):
                digest.update(chunk)
                chunks.append(chunk)
        sha = digest.hexdigest()
        size = sum(len(c) for c in chunks)
        target = self.path(sha)
        if not (target.is_file() and target.stat().st_size == size):
            self._write(target, chunks)
        return sha, size

    def _write(self, target: Path, chunks: list[bytes]) -> None:
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle, temp_name = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=target.parent)
        temp = Path(temp_name)
        try:
            with os.fdopen(handle, "wb") as stream:
                for chunk in chunks:
                    stream.write(chunk)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temp, target)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise

    def delete(self, sha256: str) -> bool:
        """Remove a blob file; whether it was there."""
        path = self.path(sha256)
        try:
            path.unlink()
        except FileNotFoundError:
            return False
        with contextlib.suppress(OSError):
            path.parent.rmdir()  # only when it was the folder's last file
        return True

    def stored(self) -> Iterator[str]:
        """The SHA-256 of every blob file present."""
        if not self.root.is_dir():
            return
        for folder in self.root.iterdir():
            if len(folder.name) != 2 or not folder.is_dir():
                continue
            for file in folder.iterdir():
                name = folder.name + file.name
                if is_sha256(name):
                    yield name

    def remove_orphans(self, known: set[str], grace: float) -> int:
        """Delete blob files not in ``known`` and older than ``grace`` seconds; how many."""
        limit = time.time() - grace
        removed = 0
        for sha in list(self.stored()):
            if sha in known:
                continue
            try:
                if self.path(sha).stat().st_mtime < limit and self.delete(sha):
                    removed += 1
            except FileNotFoundError:
                continue
        return removed

    def remove_stale_temporaries(self, older_than: float = STALE_TEMP_SECONDS) -> int:
        """Delete temporary files a crash left mid-write; how many."""
        if not self.root.is_dir():
            return 0
        limit = time.time() - older_than
        removed = 0
        for temp in self.root.glob(f"*/{TEMP_PREFIX}*"):
            try:
                if temp.stat().st_mtime < limit:
                    temp.unlink()
                    removed += 1
            except FileNotFoundError:
                continue
        return removed
