"""Drags over the image tray: a tile of this tray dragged to a new place (a line shows where it
will land), and files, addresses or image data dropped on it (its frame in the highlight colour
while over it). A base of `ImageTray`, whose state it uses."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt
from PySide6.QtGui import QDrag, QDragEnterEvent, QDragLeaveEvent, QDragMoveEvent, QDropEvent

from app.ui.tray_frame import TrayFrame
from app.ui.tray_mime import acceptable, tile_mime, tile_of
from app.ui.tray_strip import TileStrip
from app.ui.tray_tile import TrayTile

if TYPE_CHECKING:
    from PySide6.QtCore import SignalInstance


class TrayDrags(TrayFrame):
    """Drag and drop of the tray; the attributes are `ImageTray`'s."""

    moveRequested: SignalInstance
    _tiles: dict[str, TrayTile]
    _order: list[str]
    _strip: TileStrip
    _drag_token: str
    take_mime: Callable[[QMimeData], bool]

    def _dragged_id(self, mime: QMimeData) -> str | None:
        """The id of a tile of this tray being dragged, if that is what the drag carries."""
        item_id = tile_of(mime, self._drag_token)
        return item_id if item_id in self._tiles else None

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        self._drag_over(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        self._drag_over(event)

    def _drag_over(self, event: QDragMoveEvent) -> None:
        mime = event.mimeData()
        dragged = self._dragged_id(mime)
        if dragged is not None:
            self._strip.set_indicator(self._indicator_x(event.position(), dragged))
            event.setDropAction(Qt.DropAction.MoveAction)
            event.accept()
        elif acceptable(mime):
            self.set_drop_highlight(True)
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        self._strip.set_indicator(None)
        self.set_drop_highlight(False)
        super().dragLeaveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        self._strip.set_indicator(None)
        self.set_drop_highlight(False)
        mime = event.mimeData()
        dragged = self._dragged_id(mime)
        if dragged is not None:
            index = self._insert_index(event.position(), dragged)
            event.setDropAction(Qt.DropAction.MoveAction)
            event.accept()
            if index != self._order.index(dragged):
                self.moveRequested.emit(dragged, index)
        elif self.take_mime(mime):
            event.acceptProposedAction()
        else:
            event.ignore()

    def _others(self, dragged: str) -> list[TrayTile]:
        return [self._tiles[t] for t in self._order if t != dragged]

    def _insert_index(self, position: QPointF, dragged: str) -> int:
        x = self._strip.mapFrom(self, position.toPoint()).x()
        return self._strip.insert_index(x, self._others(dragged))

    def _indicator_x(self, position: QPointF, dragged: str) -> int:
        others = self._others(dragged)
        return self._strip.indicator_x(self._insert_index(position, dragged), others)

    def drag_mime(self, item_id: str) -> QMimeData:
        """What dragging one of this tray's tiles carries (only this tray accepts it)."""
        return tile_mime(self._drag_token, item_id)

    def _start_drag(self, item_id: str) -> None:
        tile = self._tiles.get(item_id)
        if tile is None:
            return
        drag = QDrag(tile)
        drag.setMimeData(self.drag_mime(item_id))
        drag.setPixmap(tile.grab())
        drag.setHotSpot(QPoint(tile.width() // 2, tile.height() // 2))
        # QDrag has only a blocking exec(); it runs from a mouse handler, never in a coroutine.
        drag.exec(Qt.DropAction.MoveAction)
        self._strip.set_indicator(None)
