"""What a tray tile says: its token cost, its state in a word or two, and its tooltip."""

from __future__ import annotations

from app.core.attachment import Attachment, AttachmentState, SourceKind
from app.ui.tray_badge import Tone


def token_text(item: Attachment) -> str:
    """ "1,792 tok"; "? tok" when the cost cannot be known (remote address); "" if failed."""
    if item.failed:
        return ""
    if item.tokens is None:
        return "? tok" if item.kind is SourceKind.URL else "… tok"
    return f"{item.tokens:,} tok"


def state_badge(item: Attachment) -> tuple[str, Tone]:
    """The state in a word or two: Reading…, Ready, Downscaled, Converted, Cropped, Failed."""
    if item.state is AttachmentState.FAILED:
        return "Failed", "bad"
    if item.state is AttachmentState.READING:
        return "Reading…", "neutral"
    if item.kind is SourceKind.URL:
        return "Web", "neutral"
    if item.state is AttachmentState.FITTED and item.notes:
        words: list[str] = []
        for note in item.notes:
            word = note.split(" ", 1)[0].capitalize()
            if word not in words:
                words.append(word)
        return (words[0] if len(words) == 1 else f"{words[0]} +{len(words) - 1}"), "info"
    return "Ready", "good"


def tile_tooltip(item: Attachment) -> str:
    """Everything about the image: where from, sizes, encoding, state, cost, and the keys."""
    lines = [item.location or item.name]
    if item.original_size and item.size and item.original_size != item.size:
        lines.append(
            f"{item.original_size[0]}×{item.original_size[1]} px, "
            f"sent as {item.size[0]}×{item.size[1]}"
        )
    elif item.size:
        lines.append(f"{item.size[0]}×{item.size[1]} px")
    if item.prepared is not None:
        lines.append(f"{item.prepared.mime}, {len(item.prepared.data) / 1024:,.0f} KiB")
    lines.append(item.status_text)
    if item.tokens is not None:
        lines.append(f"{item.tokens:,} tokens")
    elif item.kind is SourceKind.URL:
        lines.append("Token cost unknown: the server downloads it (counted at the most)")
    lines.append(
        "Double-click (or Enter, Space) to preview and crop; D: low detail; drag (or "
        "Ctrl+Left, Ctrl+Right) to reorder; Delete removes it."
    )
    return "\n".join(lines)
