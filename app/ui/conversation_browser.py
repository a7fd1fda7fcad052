"""The read-only text browser under the conversation view: resources and in-place edits.

It loads nothing it was not given (only the thumbnails registered with `add_thumbnail`; every
other resource request is refused and recorded), and edits its document by ranges of whole
blocks so that a streaming reply can replace just its own open tail.

Thumbnails are kept encoded (a few KB each) and decoded when painted, with only the most recently
painted ones kept decoded: a QTextDocument would otherwise keep every image of a long
conversation decoded for as long as it is shown (64 KB or more each).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from PySide6.QtCore import QSize, Qt, QUrl
from PySide6.QtGui import (
    QImage,
    QResizeEvent,
    QTextCursor,
    QTextDocument,
    QTextDocumentFragment,
)
from PySide6.QtWidgets import QTextBrowser, QWidget

from app.ui.conversation_render import THUMB_SCHEME, Thumb
from app.ui.conversation_style import MEASURE_CHARS

THUMB_BOX = QSize(144, 108)  # logical size a thumbnail fits in
GUTTER = 20  # pixels at each side of the conversation's column, at the least
DECODED_KEEP = 48  # decoded thumbnails kept for painting (a few screens' worth)

Resolver = Callable[[int, QUrl], QImage | None]


class _UncachedDocument(QTextDocument):
    """A document that asks `resolve` for a resource each time it needs one. (QTextDocument's
    own loadResource keeps whatever it loads until the document is cleared.)"""

    def __init__(self, resolve: Resolver, parent: QWidget) -> None:
        super().__init__(parent)
        self._resolve = resolve

    def loadResource(self, resource_type: int, name: QUrl | str) -> Any:
        return self._resolve(resource_type, name if isinstance(name, QUrl) else QUrl(name))


class ConversationBrowser(QTextBrowser):
    """QTextBrowser that never fetches a resource and edits its document by block ranges."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("conversationBrowser")
        self.setAccessibleName("Conversation messages")
        self.setReadOnly(True)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.setDocument(_UncachedDocument(self._resource, self))
        self.setUndoRedoEnabled(False)
        self.document().setUndoRedoEnabled(False)
        self.refused_loads: list[str] = []  # every resource request refused, by URL
        self._thumbs: dict[str, Thumb] = {}  # by sha256
        self._encoded: dict[str, tuple[Thumb, bytes]] = {}  # by resource URL
        self._decoded: OrderedDict[str, QImage] = OrderedDict()  # least recently painted first
        self._scratch = QTextDocument(self)  # where HTML becomes a fragment
        self._scratch.setUndoRedoEnabled(False)

    # -- resources -------------------------------------------------------------------------

    def loadResource(self, resource_type: int, name: QUrl | str) -> Any:
        return self._resource(resource_type, name if isinstance(name, QUrl) else QUrl(name))

    def thumbnail(self, sha256: str) -> Thumb | None:
        return self._thumbs.get(sha256)

    def add_thumbnail(self, sha256: str, data: bytes) -> Thumb | None:
        """Register a thumbnail (PNG or JPEG bytes) for ``thumb:`` URLs; None when it does not
        decode."""
        if sha256 in self._thumbs:
            return self._thumbs[sha256]
        image = QImage.fromData(data)
        if image.isNull():
            return None
        logical = image.size().scaled(THUMB_BOX, Qt.AspectRatioMode.KeepAspectRatio)
        logical = logical.boundedTo(image.size()).expandedTo(QSize(1, 1))
        thumb = Thumb(f"{THUMB_SCHEME}:{quote(sha256, safe='')}", logical.width(), logical.height())
        self._thumbs[sha256] = thumb
        self._encoded[thumb.url] = (thumb, data)
        self._keep_decoded(thumb.url, self._sharp(image, thumb))
        return thumb

    def forget_thumbnails(self) -> None:
        self._thumbs.clear()
        self._encoded.clear()
        self._decoded.clear()

    @property
    def decoded_thumbnails(self) -> int:
        """How many thumbnails are held decoded right now."""
        return len(self._decoded)

    def _resource(self, resource_type: int, name: QUrl) -> QImage | None:
        url = name.toString()
        known = self._encoded.get(url)
        if known is None or resource_type != QTextDocument.ResourceType.ImageResource.value:
            self.refused_loads.append(url)
            return None
        image = self._decoded.get(url)
        if image is not None:
            self._decoded.move_to_end(url)
            return image
        thumb, data = known
        return self._keep_decoded(url, self._sharp(QImage.fromData(data), thumb))

    def _sharp(self, image: QImage, thumb: Thumb) -> QImage:
        """`image` scaled to the thumbnail's logical size at the screen's pixel ratio."""
        ratio = max(1.0, self.devicePixelRatioF())
        sharp = image.scaled(
            round(thumb.width * ratio),
            round(thumb.height * ratio),
            Qt.AspectRatioMode.IgnoreAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
        sharp.setDevicePixelRatio(ratio)
        return sharp

    def _keep_decoded(self, url: str, image: QImage) -> QImage:
        self._decoded[url] = image
        self._decoded.move_to_end(url)
        while len(self._decoded) > DECODED_KEEP:
            self._decoded.popitem(last=False)
        return image

    # -- the column ------------------------------------------------------------------------

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._apply_measure()

    def _apply_measure(self) -> None:
        """Centre a column of about `MEASURE_CHARS` characters (a readable measure) in the view:
        the side margins of the document's root frame take the rest of the width."""
        column = self.fontMetrics().averageCharWidth() * MEASURE_CHARS
        side = max(GUTTER, (self.viewport().width() - column) // 2)
        root = self.document().rootFrame()
        frame = root.frameFormat()
        if (frame.leftMargin(), frame.rightMargin(), frame.bottomMargin()) != (side, side, 24):
            frame.setLeftMargin(side)
            frame.setRightMargin(side)
            frame.setBottomMargin(24)
            root.setFrameFormat(frame)

    @property
    def column_margin(self) -> float:
        """The document's margin at each side of the conversation's column, in pixels."""
        return self.document().rootFrame().frameFormat().leftMargin()

    # -- document edits --------------------------------------------------------------------

    def set_style(self, css: str) -> None:
        self.document().setDefaultStyleSheet(css)
        self._scratch.setDefaultStyleSheet(css)

    @property
    def end(self) -> int:
        """Position at the end of the last block's text."""
        return self.document().characterCount() - 1

    def anchor_position(self, name: str) -> int | None:
        """Position of the start of the first block that holds the anchor `name`."""
        block = self.document().begin()
        while block.isValid():
            fragments = block.begin()
            while not fragments.atEnd():
                if name in fragments.fragment().charFormat().anchorNames():
                    return block.position()
                fragments += 1
            block = block.next()
        return None

    def anchor_starts(self, prefix: str = "m-", until: int | None = None) -> list[tuple[str, int]]:
        """The anchors named `prefix`… that open a block (the turns' headers), with the start of
        their block, in document order, in blocks that start before `until` (all by default):
        one pass over the blocks' first fragments."""
        found: list[tuple[str, int]] = []
        block = self.document().begin()
        while block.isValid() and (until is None or block.position() < until):
            fragments = block.begin()
            if not fragments.atEnd():
                for name in fragments.fragment().charFormat().anchorNames():
                    if name.startswith(prefix):
                        found.append((name, block.position()))
            block = block.next()
        return found

    def remove_leading(self, position: int) -> None:
        """Remove everything before `position`, the start of a block. The block there takes the
        first block's format: call this only when the two are alike (two turn headers)."""
        cursor = QTextCursor(self.document())
        cursor.setPosition(position, QTextCursor.MoveMode.KeepAnchor)
        cursor.removeSelectedText()

    def set_document_html(self, html: str) -> None:
        document = self.document()
        document.clear()
        document.setHtml(html.strip())
        self._apply_measure()  # a new document has a new root frame

    def replace(self, start: int, end: int, html: str) -> int:
        """Replace the blocks in [start, end) with those of `html`; return the new end.

        `start` is the end of a block's text (or 0) and `end` the end of a later block's text,
        so the range holds whole blocks; each block of `html` keeps its own format.
        """
        document = self.document()
        before = document.characterCount()
        cursor = QTextCursor(document)
        cursor.setPosition(start)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        html = html.strip()
        if html:
            cursor.insertFragment(self._fragment(html, opening_block=start > 0))
        else:
            cursor.removeSelectedText()
        return end + document.characterCount() - before

    def _fragment(self, html: str, *, opening_block: bool) -> QTextDocumentFragment:
        """`html` as a fragment; with `opening_block` it begins with a block break, so that
        inserted at the end of a block it starts a new block with its own first format
        (Qt merges a fragment's first block into the block it lands in)."""
        self._scratch.setHtml(html)
        if opening_block:
            QTextCursor(self._scratch).insertBlock()
        return QTextDocumentFragment(self._scratch)
