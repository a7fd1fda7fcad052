"""Adding files, folders, pasted images and https addresses to the tray (a controller mixin)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from PySide6.QtGui import QImage

from app.controllers.attachment_entry import AttachmentEntry
from app.controllers.attachment_parts import ControllerParts
from app.core import images
from app.core.attachment import (
    Attachment,
    AttachmentState,
    SourceKind,
    list_folder_images,
    name_list,
    plural,
)

if TYPE_CHECKING:
    pass


def path_key(path: str) -> str:
    """The key two paths of the same file share (case and relative parts folded)."""
    return os.path.normcase(os.path.abspath(path))


class AddingMixin(ControllerParts):
    """The controller's ``add_*`` methods (its entries, order, limits, signals and ``_start``)."""

    def add_paths(self, paths: Sequence[str]) -> list[str]:
        """Add files, and the image files of folders (sorted, up to the per-message limit)."""
        if self._closed:
            return []
        added: list[str] = []
        duplicates: list[str] = []
        messages: list[str] = []
        keys = {
            path_key(e.view.location)
            for e in self._entries.values()
            if e.view.kind is SourceKind.FILE
        }
        for raw in paths:
            path = os.fspath(raw)
            if os.path.isdir(path):
                messages.append(self._add_folder(path, keys, added, duplicates))
                continue
            key = path_key(path)
            if key in keys:
                duplicates.append(os.path.basename(path) or path)
                continue
            keys.add(key)
            added.append(self._add(SourceKind.FILE, os.path.basename(path) or path, path))
        if duplicates:
            messages.append(f"Skipped {name_list(duplicates)}: already in the tray.")
        if added:
            self.changed.emit()
        if messages:
            self.notice.emit(" ".join(messages))
        return added

    def _add_folder(
        self, folder: str, keys: set[str], added: list[str], duplicates: list[str]
    ) -> str:
        label = os.path.basename(os.path.normpath(folder)) or folder
        try:
            listing = list_folder_images(folder, images.IMAGE_SUFFIXES)
        except OSError as exc:
            return f"Could not open the folder {label}: {exc.strerror or exc}."
        others = listing.others
        over: list[str] = []
        count = 0
        for name, path in listing.images:
            key = path_key(path)
            if key in keys:
                duplicates.append(name)
                continue
            if len(self._order) >= self._limits.max_images_per_message:
                over.append(name)
                continue
            keys.add(key)
            added.append(self._add(SourceKind.FILE, name, path))
            count += 1
        parts = [f"Added {plural(count, 'image')} from the folder {label}."]
        if others:
            parts.append(
                "Skipped 1 file that is not an image."
                if others == 1
                else f"Skipped {others} files that are not images."
            )
        if over:
            parts.append(
                f"Left out {plural(len(over), 'image')} ({name_list(over)}): a message"
                f" takes at most {self._limits.max_images_per_message}."
            )
        return " ".join(parts)

    def add_image_data(self, data: bytes, name: str) -> str | None:
        """Add image bytes (a paste from the clipboard, or image data dropped)."""
        if self._closed:
            return None
        for entry in self._entries.values():
            if entry.data is not None and entry.data == data:
                self.notice.emit(
                    f"Skipped {name}: the same image is already in the tray ({entry.view.name})."
                )
                return None
        item_id = self._add(SourceKind.DATA, name, "", data=data)
        self.changed.emit()
        return item_id

    def add_picture(self, picture: QImage, name: str) -> str | None:
        """Add a pasted picture (pixels only); it is encoded as PNG on the worker thread."""
        if self._closed:
            return None
        item_id = self._add(SourceKind.DATA, name, "", picture=picture)
        self.changed.emit()
        return item_id

    def add_url(self, url: str) -> str | None:
        """Add a public https image address; the server downloads it, its cost is unknown."""
        if self._closed:
            return None
        url = url.strip()
        parts = urlsplit(url)
        if parts.scheme.lower() != "https" or not parts.hostname:
            self.notice.emit(
                f"Not added: {url or 'the address'} is not an https:// address."
                " Only public https image addresses can be sent; save the image"
                " and add the file instead."
            )
            return None
        if any(
            e.view.kind is SourceKind.URL and e.view.location == url for e in self._entries.values()
        ):
            self.notice.emit(f"Skipped {url}: already in the tray.")
            return None
        name = unquote(parts.path.rstrip("/").rpartition("/")[2]) or parts.hostname
        item_id = uuid.uuid4().hex
        self._entries[item_id] = AttachmentEntry(
            Attachment(
                id=item_id,
                name=name,
                kind=SourceKind.URL,
                location=url,
                state=AttachmentState.READY,
            )
        )
        self._order.append(item_id)
        self.changed.emit()
        return item_id

    def _add(
        self,
        kind: SourceKind,
        name: str,
        location: str,
        *,
        data: bytes | None = None,
        picture: QImage | None = None,
    ) -> str:
        item_id = uuid.uuid4().hex
        entry = AttachmentEntry(
            Attachment(id=item_id, name=name, kind=kind, location=location),
            data=data,
            picture=picture,
        )
        self._entries[item_id] = entry
        self._order.append(item_id)
        self._start(entry)
        return item_id
