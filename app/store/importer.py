"""A conversation exported as JSON (:mod:`app.store.export`) back into the history.

An import is always a new conversation, with new ids for it and its messages, so importing a
file twice (or into the history it came from) never clashes with what is there. Everything else
comes back as it was: title, model, system prompt, times, pin, every message (every version of
every turn, and which one is shown; a file of format 1 is one branch) with its status,
error and usage, and every image (the version sent, the original and the thumbnail) — each checked
against its SHA-256. A reply that was still streaming when exported comes back as interrupted.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from app.core.conversation import Conversation, Detail, ImagePart, Message, Part, Status, TextPart
from app.core.imagetypes import PreparedImage
from app.core.versions import VersionTree
from app.store.blobs import is_sha256, sha256_of
from app.store.db import HistoryError
from app.store.export import FORMAT_NAME, FORMAT_VERSION
from app.store.history import HistoryStore
from app.store.message_extras import usage_from_json, usage_list
from app.store.records import status_from

T = TypeVar("T")
_DETAILS: dict[str, Detail] = {"auto": "auto", "low": "low", "high": "high"}


class ImportFormatError(HistoryError):
    """The file is not a conversation this version can import; the message says why."""


@dataclass
class Imported:
    conversation: Conversation
    created: float
    updated: float
    pinned: bool
    originals: dict[str, bytes] = field(default_factory=dict)  # by the sent image's sha256
    thumbnails: dict[str, bytes] = field(default_factory=dict)  # by the sent image's sha256


def import_json(store: HistoryStore, path: Path) -> str:
    """Import one exported conversation as a new one; its new id."""
    imported = parse_document(read_document(path), str(path))
    store.save_conversation(
        imported.conversation,
        created=imported.created,
        updated=imported.updated,
        pinned=imported.pinned,
        originals=imported.originals,
        thumbnails=imported.thumbnails,
    )
    return imported.conversation.id


def read_document(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ImportFormatError(f"{path}: no such file.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportFormatError(f"{path} cannot be read ({exc}).") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFormatError(
            f"{path} is not valid JSON (line {exc.lineno}, column {exc.colno})."
        ) from None
    if not isinstance(document, dict):
        raise ImportFormatError(f"{path} is not a grok-vision conversation export.")
    return document


def parse_document(document: dict[str, Any], label: str = "the file") -> Imported:
    """The conversation in an export document. Raises ImportFormatError naming the problem."""
    if document.get("format") != FORMAT_NAME:
        raise ImportFormatError(
            f"{label} is not a grok-vision conversation export "
            f"(exported with: grok-vision export --format json)."
        )
    version = document.get("version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise ImportFormatError(
            f"{label} was exported by a newer version of grok-vision "
            f"(format version {version}); update grok-vision to import it."
        )
    reader = _Reader(label, _get(document, "blobs", dict, label))
    meta = _get(document, "conversation", dict, label)
    tree = _versions(reader, _get(document, "messages", list, label), label)
    conv = Conversation(
        system_prompt=_get(meta, "system_prompt", str, label),
        model=_get(meta, "model", str, label),
        title=_get(meta, "title", str, label),
        messages=tree.branch(),
        id=uuid.uuid4().hex,
        versions=tree,
    )
    return Imported(
        conv,
        created=_number(meta, "created", label),
        updated=_number(meta, "updated", label),
        pinned=meta.get("pinned") is True,
        originals=reader.originals,
        thumbnails=reader.thumbnails,
    )


def _versions(reader: _Reader, raws: list[Any], label: str) -> VersionTree:
    """Every version of every turn, with new ids; a message names its parent by the id it had
    in the file (a file without parents is one branch)."""
    tree = VersionTree()
    new_ids: dict[str, str] = {}
    previous: str | None = None
    for index, raw in enumerate(raws, start=1):
        where = f"{label}, message {index}"
        message = reader.message(raw, where)
        old_parent = raw.get("parent", previous)
        if old_parent is not None and old_parent not in new_ids:
            raise ImportFormatError(
                f"{where}: its parent {str(old_parent)[:12]}… is not a message before it."
            )
        tree.add(message, new_ids[old_parent] if old_parent is not None else None, shown=False)
        if raw.get("shown", True) is True:
            tree.choose(message.id)
        old_id = raw.get("id")
        if isinstance(old_id, str):
            new_ids[old_id] = message.id
        previous = old_id if isinstance(old_id, str) else None
    return tree


class _Reader:
    def __init__(self, label: str, blobs: dict[str, Any]) -> None:
        self.label = label
        self.blobs = blobs
        self.originals: dict[str, bytes] = {}
        self.thumbnails: dict[str, bytes] = {}

    def message(self, raw: object, where: str) -> Message:
        if not isinstance(raw, dict):
            raise ImportFormatError(f"{where} is not an object.")
        role = raw.get("role")
        if role not in ("user", "assistant"):
            raise ImportFormatError(f"{where} has an unknown role {role!r}.")
        status = status_from(_get(raw, "status", str, where))
        if status is Status.STREAMING:
            status = Status.INTERRUPTED
        usage = raw.get("usage")
        parts = [
            self.part(p, f"{where}, part {i}")
            for i, p in enumerate(_get(raw, "parts", list, where), start=1)
        ]
        error, model = raw.get("error"), raw.get("model")
        return Message(
            role="assistant" if role == "assistant" else "user",
            parts=parts,
            status=status,
            usage=usage_from_json(json.dumps(usage)) if isinstance(usage, dict) else None,
            error=error if isinstance(error, str) else None,
            model=model if isinstance(model, str) else None,
            created=_number(raw, "created", where),
            earlier_usage=usage_list(raw.get("earlier_usage")),
        )

    def part(self, raw: object, where: str) -> Part:
        if not isinstance(raw, dict):
            raise ImportFormatError(f"{where} is not an object.")
        kind = raw.get("kind")
        if kind == "text":
            return TextPart(_get(raw, "text", str, where))
        if kind != "image":
            raise ImportFormatError(f"{where} has an unknown kind {kind!r}.")
        detail = _DETAILS.get(str(raw.get("detail")), "high")
        if isinstance(raw.get("url"), str):
            return ImagePart(url=raw["url"], detail=detail)
        sha = _get(raw, "sha256", str, where)
        data = self.blob(sha, where)
        original = raw.get("original_sha256")
        if isinstance(original, str):
            self.originals[sha] = self.blob(original, where)
        thumbnail = raw.get("thumbnail_sha256")
        if isinstance(thumbnail, str):
            self.thumbnails[sha] = self.blob(thumbnail, where)
        size = raw.get("original_size")
        if not (
            isinstance(size, list) and len(size) == 2 and all(isinstance(n, int) for n in size)
        ):
            raise ImportFormatError(f"{where}: original_size must be two whole numbers.")
        notes = raw.get("notes")
        return ImagePart(
            image=PreparedImage(
                name=_get(raw, "name", str, where),
                data=data,
                mime=_get(raw, "mime", str, where),
                width=_get(raw, "width", int, where),
                height=_get(raw, "height", int, where),
                sha256=sha,
                original_size=(size[0], size[1]),
                original_format=_get(raw, "original_format", str, where),
                original_bytes=_get(raw, "original_bytes", int, where),
                notes=tuple(str(n) for n in notes) if isinstance(notes, list) else (),
            ),
            detail=detail,
        )

    def blob(self, sha: str, where: str) -> bytes:
        encoded = self.blobs.get(sha)
        if not is_sha256(sha) or not isinstance(encoded, str):
            raise ImportFormatError(f"{where}: the image {sha[:12]}… is missing from the file.")
        try:
            data = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            raise ImportFormatError(
                f"{where}: the image {sha[:12]}… is not valid base64."
            ) from None
        if sha256_of(data) != sha:
            raise ImportFormatError(
                f"{where}: the image {sha[:12]}… is damaged (its bytes do not match its SHA-256)."
            )
        return data


def _get(mapping: dict[str, Any], key: str, kind: type[T], where: str) -> T:
    value = mapping.get(key)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ImportFormatError(f"{where}: “{key}” is missing or not a {kind.__name__}.")
    return value


def _number(mapping: dict[str, Any], key: str, where: str) -> float:
    value = mapping.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ImportFormatError(f"{where}: “{key}” is missing or not a number.")
    return float(value)
