"""The context menu of a tray tile (right click, or the Menu key on the selected tile): Preview,
and Compare with each other image of the tray. It only asks; the tray forwards the requests."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QMenu, QWidget

from app.core.attachment import Attachment, SourceKind


def comparable(item: Attachment) -> bool:
    return item.sendable and item.kind is not SourceKind.URL and item.prepared is not None


def tile_menu(
    parent: QWidget,
    item: Attachment,
    items: Sequence[Attachment],
    *,
    preview: Callable[[str], None],
    compare: Callable[[str, str], None],
) -> QMenu:
    menu = QMenu(parent)
    menu.setObjectName("trayTileMenu")
    menu.addAction("Preview", lambda: preview(item.id)).setObjectName("trayPreview")
    others = [other for other in items if other.id != item.id and comparable(other)]
    compare_menu = menu.addMenu("Compare with")
    compare_menu.setObjectName("trayCompareWith")
    for other in others:
        action = compare_menu.addAction(other.name, partial(compare, item.id, other.id))
        action.setObjectName("trayCompare")
    compare_menu.setEnabled(comparable(item) and bool(others))
    return menu


def popup_tile_menu(
    tile: QWidget,
    item: Attachment,
    items: Sequence[Attachment],
    at: QPoint,
    *,
    preview: Callable[[str], None],
    compare: Callable[[str, str], None],
) -> QMenu:
    """Show the tile's menu at `at` (tile coordinates); it deletes itself once closed."""
    menu = tile_menu(tile, item, items, preview=preview, compare=compare)
    menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    menu.popup(tile.mapToGlobal(at))
    return menu
