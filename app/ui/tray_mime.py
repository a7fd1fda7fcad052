"""What a drop or the clipboard offers the image tray: files, web addresses, or image data."""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QByteArray, QMimeData, QUrl
from PySide6.QtGui import QImage

# A tile of the tray being dragged to another place: "<tray token>\n<attachment id>".
TILE_MIME = "application/x-grok-vision-tray-tile"
# Encoded image formats a clipboard or drag may carry, passed on as they are (no re-encoding).
ENCODED_IMAGE_FORMATS = (
    ("image/png", ".png"),
    ("image/jpeg", ".jpg"),
    ("image/webp", ".webp"),
    ("image/gif", ".gif"),
    ("image/bmp", ".bmp"),
)
WEB_SCHEMES = ("http", "https")


@dataclass
class Offer:
    """The useful part of a QMimeData, in the order the tray prefers it."""

    paths: list[str] = field(default_factory=list)  # local files and folders
    urls: list[str] = field(default_factory=list)  # web addresses (the controller checks https)
    image: tuple[bytes, str] | None = None  # encoded bytes and a file suffix
    picture: QImage | None = None  # a decoded picture, not encoded yet

    def __bool__(self) -> bool:
        return bool(self.paths or self.urls or self.image or self.picture)


def web_url(text: str) -> str | None:
    """The text as a web address if it is exactly one (http or https), else None."""
    text = text.strip()
    if not text or any(c.isspace() for c in text):
        return None
    url = QUrl(text, QUrl.ParsingMode.StrictMode)
    if url.isValid() and url.scheme().lower() in WEB_SCHEMES and url.host():
        return text
    return None


def acceptable(mime: QMimeData) -> bool:
    """Whether a drag may carry something for the tray (checked cheaply, nothing decoded)."""
    if mime.hasUrls() or mime.hasImage():
        return True
    if any(mime.hasFormat(fmt) for fmt, _ in ENCODED_IMAGE_FORMATS):
        return True
    return mime.hasText() and web_url(mime.text()) is not None


def read_offer(mime: QMimeData) -> Offer:
    """Files and addresses first; else image data; else text that is an address or a file URL."""
    offer = Offer()
    for url in mime.urls() if mime.hasUrls() else []:
        if url.isLocalFile():
            offer.paths.append(url.toLocalFile())
        elif url.scheme().lower() in WEB_SCHEMES:
            offer.urls.append(url.toString())
    if offer:
        return offer
    offer.image = encoded_image(mime)
    if offer.image is None:
        offer.picture = picture(mime)
    if not offer and mime.hasText():
        text = mime.text().strip()
        address = web_url(text)
        if address is not None:
            offer.urls.append(address)
        elif "\n" not in text and QUrl(text).isLocalFile():
            offer.paths.append(QUrl(text).toLocalFile())
    return offer


def encoded_image(mime: QMimeData) -> tuple[bytes, str] | None:
    """Image bytes as carried (PNG, JPEG…), if the data carries any."""
    for fmt, suffix in ENCODED_IMAGE_FORMATS:
        if mime.hasFormat(fmt):
            data = mime.data(fmt).data()
            if data:
                return bytes(data), suffix
    return None


def picture(mime: QMimeData) -> QImage | None:
    """The picture the data carries as pixels only (a screenshot tool's clipboard). It is
    encoded later, off the GUI thread: a 60-MP screenshot takes seconds to encode."""
    if not mime.hasImage():
        return None
    image = mime.imageData()
    return image if isinstance(image, QImage) and not image.isNull() else None


def tile_mime(token: str, item_id: str) -> QMimeData:
    mime = QMimeData()
    mime.setData(TILE_MIME, QByteArray(f"{token}\n{item_id}".encode()))
    return mime


def tile_of(mime: QMimeData, token: str) -> str | None:
    """The attachment id a tile drag carries, if it came from the tray with this token."""
    if not mime.hasFormat(TILE_MIME):
        return None
    sender, _, item_id = bytes(mime.data(TILE_MIME).data()).decode().partition("\n")
    return item_id if sender == token and item_id else None
