"""The request body as it goes to the connection: JSON text with each image's data URI written
as it is sent, a piece at a time.

The messages hold a short placeholder where a data URI goes (`ImageSlots.placeholder`); the
body's JSON is made with those (kilobytes, not hundreds of megabytes) and cut at them. While it
is sent, each image's base64 is made from its bytes a slice at a time, on the encoding thread:
no data URI is kept, no copy of the whole body exists, and no step holds the GIL for long.
Its length is known before a byte is sent, so it goes with a Content-Length, not chunked.
"""

from __future__ import annotations

import asyncio
import base64
import re
import secrets
import threading
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import Executor
from dataclasses import dataclass

from app.core.imagetypes import PreparedImage

CHUNK_BYTES = 1024 * 1024  # one write to the connection
_RAW_SLICE = CHUNK_BYTES // 4 * 3  # image bytes whose base64 is one chunk (a multiple of 3)


@dataclass(frozen=True)
class ImageSlot:
    """Where an image's data URI goes: made from `data` as it is sent."""

    mime: str
    data: bytes

    @property
    def prefix(self) -> bytes:
        return f"data:{self.mime};base64,".encode("ascii")

    @property
    def size(self) -> int:
        return len(self.prefix) + 4 * ((len(self.data) + 2) // 3)

    def pieces(self) -> Iterator[bytes]:
        yield self.prefix
        view = memoryview(self.data)
        for start in range(0, len(view), _RAW_SLICE):
            yield base64.b64encode(view[start : start + _RAW_SLICE])


class ImageSlots:
    """The images of one request, each written in the messages as a placeholder (an
    `ImageEncoder`: `conversation.to_api_messages(slots.placeholder)`). The placeholder carries a
    random tag, so no text a person typed can be taken for one."""

    def __init__(self) -> None:
        self._tag = secrets.token_hex(12)
        self._slots: list[ImageSlot] = []
        self._index: dict[str, int] = {}
        self._lock = threading.Lock()
        self.pattern = re.compile(rb"@img-" + self._tag.encode() + rb"-(\d+)@")

    def placeholder(self, image: PreparedImage) -> str:
        with self._lock:
            index = self._index.get(image.sha256)
            if index is None:
                index = self._index[image.sha256] = len(self._slots)
                self._slots.append(ImageSlot(image.mime, image.data))
        return f"@img-{self._tag}-{index}@"

    def __getitem__(self, index: int) -> ImageSlot:
        return self._slots[index]

    def __len__(self) -> int:
        return len(self._slots)


Segment = bytes | ImageSlot


@dataclass(frozen=True)
class RequestBody:
    """The body as text segments and image slots, in order; `length` bytes in all."""

    segments: tuple[Segment, ...]

    @classmethod
    def cut(cls, json_text: bytes, slots: ImageSlots | None) -> RequestBody:
        """The body whose JSON (with placeholders) is `json_text`."""
        if slots is None or not len(slots):
            return cls((json_text,))
        segments: list[Segment] = []
        start = 0
        for found in slots.pattern.finditer(json_text):
            segments.append(json_text[start : found.start()])
            segments.append(slots[int(found.group(1))])
            start = found.end()
        segments.append(json_text[start:])
        return cls(tuple(s for s in segments if not isinstance(s, bytes) or s))

    @property
    def length(self) -> int:
        return sum(len(s) if isinstance(s, bytes) else s.size for s in self.segments)

    @property
    def image_count(self) -> int:
        return sum(isinstance(s, ImageSlot) for s in self.segments)

    def chunks(self, size: int = CHUNK_BYTES) -> Iterator[bytes]:
        """The body's bytes in chunks of at most 1.5 × `size`: a large piece as it is (never
        copied), small ones joined."""
        buffer = bytearray()
        for piece in self._pieces(size):
            if len(piece) >= size // 2:
                if buffer:
                    yield bytes(buffer)
                    buffer.clear()
                yield piece
                continue
            buffer += piece
            if len(buffer) >= size:
                yield bytes(buffer)
                buffer.clear()
        if buffer:
            yield bytes(buffer)

    def _pieces(self, size: int) -> Iterator[bytes]:
        for segment in self.segments:
            if isinstance(segment, ImageSlot):
                yield from segment.pieces()
            else:
                for start in range(0, len(segment), size):
                    yield segment[start : start + size]

    def joined(self) -> bytes:
        """The whole body at once (tests and small requests: the app streams `chunks`)."""
        return b"".join(self.chunks())

    async def stream(self, worker: Executor | None = None) -> AsyncIterator[bytes]:
        """The chunks, each made on `worker` while the one before is being sent (inline when
        there is no worker)."""
        chunks = self.chunks()
        if worker is None:
            for chunk in chunks:
                yield chunk
                await asyncio.sleep(0)
            return
        loop = asyncio.get_running_loop()
        ahead = loop.run_in_executor(worker, next, chunks, b"")
        try:
            while chunk := await ahead:
                ahead = loop.run_in_executor(worker, next, chunks, b"")
                yield chunk
        finally:
            if not ahead.cancel() and not ahead.cancelled():
                ahead.exception()  # retrieved: a failure here is the request's, not the loop's
