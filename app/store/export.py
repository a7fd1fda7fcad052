"""Conversations out of the app: Markdown to read and share, JSON to import again.

Markdown holds the versions shown (the conversation as it reads in the window); JSON holds every
version of every turn: each message names its ``parent`` (the message before it in its branch,
null for a first message) and whether it is the version ``shown``; messages come after their
parent. A version 1 file (no ``parent``) is one branch.

Markdown: ``<title>-<id8>.md`` with the images actually sent saved beside it in
``<title>-<id8>_images/`` and linked by relative paths, so the folder can be moved or zipped
as a whole. Remote (https) images are linked by their address.

JSON (``<title>-<id8>.json``, read back by :mod:`app.store.importer`): one self-contained file;
every image — the version sent and, where kept, the original file and the thumbnail — is in it
once, base64, in
``blobs`` by SHA-256 (a screenshot sent twice is stored once). The layout::

    {"format": "grok-vision-conversation", "version": 2, "exported": "<ISO 8601 UTC>",
     "conversation": {"id", "title", "model", "system_prompt", "created", "updated", "pinned"},
     "messages": [{"id", "role", "status", "error", "model", "created", "usage", "parent",
                   "shown", "earlier_usage" (a continued reply's earlier requests, when any),
                   "parts": [{"kind": "text", "text"}
                             | {"kind": "image", "detail", "sha256", "original_sha256",
                                "thumbnail_sha256", "name", "mime", "width", "height",
                                "original_size", "original_format", "original_bytes", "notes"}
                             | {"kind": "image", "detail", "url"}]}],
     "blobs": {"<sha256>": "<base64>"}}

Neither format ever holds an API key: the store has none, and as a second guard anything shaped
like one ("xai-…", "sk-…") in titles, prompts or messages is replaced by ``[redacted key]``.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime
import json
import os
import re
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from app.core.conversation import ImagePart, Message, Status, TextPart
from app.store.blobs import sha256_of
from app.store.history import ConversationMeta, HistoryStore

FORMAT_NAME = "grok-vision-conversation"
FORMAT_VERSION = 2  # 2: every version of every turn (parent, shown)
REDACTED = "[redacted key]"

# The shape of an API key (as app.store.settings refuses them): "xai-"/"sk-" and a long run.
_KEY_LIKE = re.compile(r"(?<![A-Za-z0-9])(?:xai|sk)-[A-Za-z0-9_-]{20,}")
_EXTENSIONS = {
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
    "image/webp": ".webp",
}
_STATUS_NOTES = {
    Status.STOPPED: "Reply stopped before it was complete.",
    Status.INTERRUPTED: "Reply interrupted: the app ended while it was arriving.",
    Status.STREAMING: "Reply still arriving when exported.",
}


def redact_keys(text: str) -> str:
    return _KEY_LIKE.sub(REDACTED, text)


def base_name(meta: ConversationMeta) -> str:
    """A file name stem from the title, unique per conversation: ``screenshot-review-1a2b3c4d``."""
    slug = re.sub(r"[^\w]+", "-", redact_keys(meta.title).casefold(), flags=re.UNICODE)
    slug = slug.strip("-_")[:48].rstrip("-_") or "conversation"
    return f"{slug}-{meta.id[:8]}"


def _write_text(path: Path, text: str) -> None:
    """Write atomically (a reader never sees half an export), with the user's usual file
    permissions (the umask), as any file they save."""
    temp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:12]}.tmp")
    handle = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def _local_time(timestamp: float) -> str:
    return datetime.datetime.fromtimestamp(timestamp).astimezone().strftime("%Y-%m-%d %H:%M %Z")


# -- Markdown ------------------------------------------------------------------------------


def export_markdown(store: HistoryStore, conv_id: str, out_dir: Path) -> Path:
    """Write the conversation as Markdown with its images beside it; the .md file's path."""
    meta = store.conversation_meta(conv_id)
    conv = store.load_conversation(conv_id)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = base_name(meta)
    images_dir = out_dir / f"{stem}_images"
    lines = [f"# {_one_line(redact_keys(meta.title)) or 'Conversation'}", ""]
    lines.append(f"- Created: {_local_time(meta.created)}")
    lines.append(f"- Last updated: {_local_time(meta.updated)}")
    if meta.model:
        lines.append(f"- Model: {meta.model}")
    lines.append("- Exported from grok-vision")
    lines.append("")
    if conv.system_prompt.strip():
        lines += ["**System prompt:**", ""]
        lines += [
            f"> {line}" if line else ">" for line in redact_keys(conv.system_prompt).splitlines()
        ]
        lines.append("")
    for number, message in enumerate(conv.messages, start=1):
        lines += _markdown_message(message, number, images_dir, stem)
    target = out_dir / f"{stem}.md"
    _write_text(target, "\n".join(lines).rstrip("\n") + "\n")
    return target


def _markdown_message(message: Message, number: int, images_dir: Path, stem: str) -> list[str]:
    who = (
        "You"
        if message.role == "user"
        else (f"Assistant ({message.model})" if message.model else "Assistant")
    )
    lines = [f"## {who} · {_local_time(message.created)}", ""]
    for index, part in enumerate(message.parts, start=1):
        if isinstance(part, TextPart):
            if part.text:
                lines += [redact_keys(part.text), ""]
            continue
        lines += [_markdown_image(part, number, index, images_dir, stem), ""]
    note = _STATUS_NOTES.get(message.status)
    if message.status is Status.FAILED:
        note = f"Request failed: {message.error or 'no reason given'}"
    elif message.error:
        note = f"{note + ' ' if note else ''}{message.error}"
    if note:
        lines += [f"*{redact_keys(note)}*", ""]
    return lines


def _markdown_image(part: ImagePart, number: int, index: int, images_dir: Path, stem: str) -> str:
    if part.image is None:
        url = part.url or ""
        alt = _alt(unquote(urlsplit(url).path.rstrip("/").rpartition("/")[2]) or "image")
        return f"![{alt}]({url.replace(')', '%29').replace(' ', '%20')})"
    alt = _alt(part.name)
    image = part.image
    name = Path(image.name).stem or "image"
    safe = re.sub(r"[^\w.-]+", "_", name, flags=re.UNICODE)[:60] or "image"
    file_name = f"{number:03d}-{index}-{safe}{_EXTENSIONS.get(image.mime, '.bin')}"
    images_dir.mkdir(parents=True, exist_ok=True)
    (images_dir / file_name).write_bytes(image.data)
    link = quote(f"{stem}_images/{file_name}")
    caption = f"{image.width}×{image.height}"
    if image.notes:
        caption += ", " + "; ".join(image.notes)
    return f"![{alt}]({link})  \n*{alt} ({caption})*"


def _alt(text: str) -> str:
    return re.sub(r"([\[\]\\*_`])", r"\\\1", _one_line(text))


def _one_line(text: str) -> str:
    return " ".join(text.split())


# -- JSON ----------------------------------------------------------------------------------


def conversation_document(store: HistoryStore, conv_id: str) -> dict[str, Any]:
    """The JSON document of one conversation (see the module's docstring)."""
    meta = store.conversation_meta(conv_id)
    conv = store.load_conversation(conv_id)
    originals = store.image_originals(conv_id)
    thumbnails = store.load_thumbnails(conv_id)
    blobs: dict[str, str] = {}
    messages = []
    shown = conv.shown_ids()
    for message in conv.all_messages():
        parts: list[dict[str, Any]] = []
        for position, part in enumerate(message.parts):
            if isinstance(part, TextPart):
                parts.append({"kind": "text", "text": redact_keys(part.text)})
                continue
            parts.append(
                _json_image(store, part, originals.get((message.id, position)), thumbnails, blobs)
            )
        messages.append(
            {
                "id": message.id,
                "role": message.role,
                "status": message.status.value,
                "error": redact_keys(message.error) if message.error else None,
                "model": message.model,
                "created": message.created,
                "usage": dataclasses.asdict(message.usage) if message.usage else None,
                "parent": message.parent,
                "shown": message.id in shown,
                "parts": parts,
            }
        )
        if message.earlier_usage:
            messages[-1]["earlier_usage"] = [dataclasses.asdict(u) for u in message.earlier_usage]
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "exported": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "conversation": {
            "id": meta.id,
            "title": redact_keys(meta.title),
            "model": meta.model,
            "system_prompt": redact_keys(meta.system_prompt),
            "created": meta.created,
            "updated": meta.updated,
            "pinned": meta.pinned,
        },
        "messages": messages,
        "blobs": blobs,
    }


def _json_image(
    store: HistoryStore,
    part: ImagePart,
    original: str | None,
    thumbnails: dict[str, bytes],
    blobs: dict[str, str],
) -> dict[str, Any]:
    if part.image is None:
        return {"kind": "image", "detail": part.detail, "url": part.url}
    image = part.image
    if image.sha256 not in blobs:
        blobs[image.sha256] = base64.b64encode(image.data).decode("ascii")
    if original is not None and original not in blobs:
        path = store.blob_path(original)
        if path is None:
            original = None
        else:
            blobs[original] = base64.b64encode(path.read_bytes()).decode("ascii")
    thumbnail = thumbnails.get(image.sha256)
    thumbnail_sha = sha256_of(thumbnail) if thumbnail else None
    if thumbnail and thumbnail_sha not in blobs:
        blobs[str(thumbnail_sha)] = base64.b64encode(thumbnail).decode("ascii")
    return {
        "kind": "image",
        "detail": part.detail,
        "sha256": image.sha256,
        "original_sha256": original,
        "thumbnail_sha256": thumbnail_sha,
        "name": image.name,
        "mime": image.mime,
        "width": image.width,
        "height": image.height,
        "original_size": list(image.original_size),
        "original_format": image.original_format,
        "original_bytes": image.original_bytes,
        "notes": list(image.notes),
    }


def export_json(store: HistoryStore, conv_id: str, out_dir: Path) -> Path:
    """Write the conversation as one self-contained JSON file; its path."""
    document = conversation_document(store, conv_id)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{base_name(store.conversation_meta(conv_id))}.json"
    _write_text(target, json.dumps(document, ensure_ascii=False, indent=1) + "\n")
    return target
