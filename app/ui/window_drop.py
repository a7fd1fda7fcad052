"""Dropping images anywhere on the main window: an overlay while a drag is over it.

A drag that carries images (files, a folder, image data, an https address) shows an overlay
over the whole window ("Drop images to add them", the tray outlined), and a drop anywhere adds
them to the tray. A drag of files that are not images shows the overlay too, saying they are
refused, and the drop is not taken. Other drags (text into the composer, a tray tile being
moved) pass through untouched.

The overlay is shown from an event filter on the window's `QWindow`, before Qt picks the widget
under the cursor: the overlay is then that widget, so the composer and the conversation never
see the drag.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath

from PySide6.QtCore import QEvent, QMimeData, QObject, QRect, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QDragEnterEvent,
    QDragLeaveEvent,
    QDragMoveEvent,
    QDropEvent,
    QFont,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import QWidget

from app.core.attachment import name_list
from app.core.images import IMAGE_SUFFIXES
from app.ui.tray_mime import acceptable, read_offer
from app.ui.tray_palette import error_color, mix, readable

ADDED = "Added to the tray, after the images already there"


@dataclass(frozen=True)
class Verdict:
    """What the overlay says about a drag, and whether a drop would be taken."""

    accepted: bool
    title: str
    detail: str


def judge(mime: QMimeData) -> Verdict | None:
    """The overlay's verdict on a drag, or None when the drag is not for the tray. Nothing is
    read from disk: a file is refused only when its suffix names a format that is not an image
    (a name without one may be a folder, and the tray says what it found in it)."""
    if not acceptable(mime):
        return None
    offer = read_offer(mime)
    if not offer.paths:
        if offer.urls or offer.image is not None or offer.picture is not None:
            return Verdict(
                True, "Drop images to add them", "Added to the tray, after the images already there"
            )
        return None
    names = [PurePath(p).name or p for p in offer.paths]
    refused = [
        name
        for name in names
        if PurePath(name).suffix and PurePath(name).suffix.lower() not in IMAGE_SUFFIXES
    ]
    if len(refused) == len(names):
        verb = "is not an image" if len(refused) == 1 else "are not images"
        return Verdict(False, "Only images can be added", f"{name_list(refused)} {verb}")
    taken = len(names) - len(refused)
    title = "Drop images to add them" if taken != 1 else "Drop the image to add it"
    detail = ADDED
    if refused:
        detail = f"{name_list(refused)} will be skipped: not an image"
    return Verdict(True, title, detail)


class DropOverlay(QWidget):
    """Covers the window while a drag is over it; see the module docstring."""

    def __init__(
        self,
        window: QWidget,
        take: Callable[[QMimeData], bool],
        target: Callable[[], QWidget | None],
    ) -> None:
        super().__init__(window)
        self.setObjectName("dropOverlay")
        self.setAccessibleName("Drop images to add them")
        self.setAcceptDrops(True)
        self.hide()
        self._window = window
        self._take = take
        self._target = target  # the tray, outlined as where the images go
        self._verdict: Verdict | None = None
        window.installEventFilter(self)
        self._hooked = False
        self._hook()

    # -- state ---------------------------------------------------------------------------------

    def verdict(self) -> Verdict | None:
        """What the overlay says while it shows; None when hidden."""
        return self._verdict if self.isVisible() else None

    def _show(self, verdict: Verdict) -> None:
        self._verdict = verdict
        self.setAccessibleName(verdict.title)
        self.setAccessibleDescription(verdict.detail)
        self.setGeometry(self._window.rect())
        self.raise_()
        self.show()
        self._highlight_target(verdict.accepted)
        self.update()

    def _finish(self) -> None:
        self._highlight_target(False)
        self.hide()
        self._verdict = None

    def _highlight_target(self, on: bool) -> None:
        target = self._target()
        highlight = getattr(target, "set_drop_highlight", None)
        if callable(highlight):
            highlight(on)

    # -- events --------------------------------------------------------------------------------

    def _hook(self) -> None:
        handle = self._window.windowHandle()
        if handle is not None and not self._hooked:
            handle.installEventFilter(self)
            self._hooked = True

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if watched is self._window:
            if kind in (QEvent.Type.WinIdChange, QEvent.Type.Show):
                self._hook()
            elif kind == QEvent.Type.Resize and self.isVisible():
                self.setGeometry(self._window.rect())
        elif kind == QEvent.Type.DragEnter and isinstance(event, QDragEnterEvent):
            verdict = judge(event.mimeData())
            if verdict is not None:
                self._show(verdict)  # before Qt looks for the widget under the cursor
        elif kind == QEvent.Type.DragLeave:
            self._finish()
        elif kind == QEvent.Type.Drop and self._verdict is not None and not self._verdict.accepted:
            self._finish()  # refused: nothing under the overlay takes it either
            event.ignore()
            return True
        return False

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        self._answer(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        self._answer(event)

    def _answer(self, event: QDragMoveEvent) -> None:
        if self._verdict is not None and self._verdict.accepted:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        self._finish()

    def dropEvent(self, event: QDropEvent) -> None:
        accepted = self._verdict is not None and self._verdict.accepted
        self._finish()
        if accepted and self._take(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    # -- painting ------------------------------------------------------------------------------

    def colors(self) -> dict[str, QColor]:
        """The colours painted: the card and its title and detail text, and the outline."""
        palette = self.palette()
        card = palette.color(QPalette.ColorRole.Base)
        text = palette.color(QPalette.ColorRole.Text)
        refused = self._verdict is not None and not self._verdict.accepted
        accent = error_color(palette) if refused else palette.color(QPalette.ColorRole.Highlight)
        return {
            "card": card,
            "title": readable(accent if refused else text, card),
            "detail": readable(mix(card, text, 0.75), card),
            "outline": accent,
        }

    def target_rect(self) -> QRect | None:
        target = self._target()
        if target is None or not target.isVisible():
            return None
        return QRect(target.mapTo(self._window, target.rect().topLeft()), target.size())

    def paintEvent(self, event: QPaintEvent) -> None:
        if self._verdict is None:
            return
        colours = self.colors()
        palette = self.palette()
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        wash = QColor(palette.color(QPalette.ColorRole.Window))
        wash.setAlpha(200)
        painter.fillRect(self.rect(), wash)
        painter.setPen(QPen(colours["outline"], 3, Qt.PenStyle.DashLine))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(QRectF(self.rect()).adjusted(6, 6, -6, -6), 10, 10)
        target = self.target_rect()
        if target is not None and self._verdict.accepted:
            painter.setPen(QPen(colours["outline"], 2))
            painter.drawRoundedRect(QRectF(target).adjusted(-2, -2, 2, 2), 8, 8)
        self._paint_card(painter, colours)
        painter.end()

    def _paint_card(self, painter: QPainter, colours: dict[str, QColor]) -> None:
        assert self._verdict is not None
        title_font = QFont(self.font())
        title_font.setPointSizeF(max(self.font().pointSizeF(), 9.0) * 1.4)
        title_font.setBold(True)
        painter.setFont(title_font)
        title_size = painter.fontMetrics().boundingRect(self._verdict.title).size()
        painter.setFont(self.font())
        detail_size = painter.fontMetrics().boundingRect(self._verdict.detail).size()
        width = min(self.width() - 40, max(title_size.width(), detail_size.width()) + 48)
        height = title_size.height() + detail_size.height() + 36
        card = QRectF((self.width() - width) / 2, (self.height() - height) / 2, width, height)
        painter.setPen(QPen(colours["outline"], 2))
        painter.setBrush(colours["card"])
        painter.drawRoundedRect(card, 10, 10)
        title_box = QRectF(card.left(), card.top() + 14, card.width(), title_size.height())
        painter.setFont(title_font)
        painter.setPen(colours["title"])
        painter.drawText(title_box, Qt.AlignmentFlag.AlignCenter, self._verdict.title)
        painter.setFont(self.font())
        painter.setPen(colours["detail"])
        detail_box = QRectF(
            card.left() + 8, title_box.bottom() + 6, card.width() - 16, detail_size.height()
        )
        detail = painter.fontMetrics().elidedText(
            self._verdict.detail, Qt.TextElideMode.ElideMiddle, round(detail_box.width())
        )
        painter.drawText(detail_box, Qt.AlignmentFlag.AlignCenter, detail)
