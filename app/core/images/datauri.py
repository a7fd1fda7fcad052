"""Data URIs of prepared images, cached by content hash so a long conversation encodes each once."""

from __future__ import annotations

import base64
import threading
from collections import OrderedDict

from ..imagetypes import PreparedImage


class DataUriCache:
    """`data:<mime>;base64,...` strings, least recently used dropped past `max_bytes`.

    Safe to share between threads. A URI larger than the whole budget is returned, not kept.
    """

    def __init__(self, max_bytes: int = 256 * 1024 * 1024) -> None:
        if max_bytes < 0:
            raise ValueError(f"max_bytes must not be negative, got {max_bytes}")
        self.max_bytes = max_bytes
        self.hits = 0
        self.misses = 0
        self._uris: OrderedDict[str, str] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def data_uri(self, image: PreparedImage) -> str:
        key = image.sha256
        with self._lock:
            cached = self._uris.get(key)
            if cached is not None:
                self._uris.move_to_end(key)
                self.hits += 1
                return cached
            self.misses += 1
        uri = f"data:{image.mime};base64,{base64.b64encode(image.data).decode('ascii')}"
        with self._lock:
            if len(uri) <= self.max_bytes and key not in self._uris:
                self._uris[key] = uri
                self._size += len(uri)
                while self._size > self.max_bytes:
                    _, dropped = self._uris.popitem(last=False)
                    self._size -= len(dropped)
        return uri

    @property
    def cached_bytes(self) -> int:
        """Characters (= bytes, ASCII) held by the cache."""
        with self._lock:
            return self._size

    def __len__(self) -> int:
        with self._lock:
            return len(self._uris)

    def clear(self) -> None:
        with self._lock:
            self._uris.clear()
            self._size = 0
