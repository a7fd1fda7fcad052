"""One tile of the image tray, compact: the thumbnail (its number on the corner) beside the
name on two lines, badges for the token cost and the state, and the High/Low detail switch.

Keys on a focused tile: Left/Right (Home/End) walk the tiles, Ctrl+Left/Right move the image,
Enter or Space open its preview, D toggles low detail, Delete or Backspace removes it. The
tile's name is shown on two lines, elided in the middle; the tray asks colliding names to show
where they differ (`set_name_focus`), so two files never read the same.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QFocusEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.core.attachment import Attachment, AttachmentState, SourceKind
from app.ui.tray_badge import Badge, small_font
from app.ui.tray_detail import DetailToggle
from app.ui.tray_names import name_lines
from app.ui.tray_palette import error_color, readable
from app.ui.tray_texts import state_badge, tile_tooltip, token_text
from app.ui.tray_thumbnail import THUMB_SIZE, Thumbnail

__all__ = ["FOCUS_RING_WIDTH", "THUMB_SIZE", "TILE_WIDTH", "TrayTile", "token_text"]

TILE_WIDTH = 236
FOCUS_RING_WIDTH = 3
MARGIN = 6
GAP = 8


class TrayTile(QFrame):
    """Renders one `Attachment`; forwards the user's intent as signals carrying its id."""

    removeRequested = Signal(str)
    activated = Signal(str)  # got focus: the tray selects it
    stepRequested = Signal(str, int)  # arrow keys: select the neighbour
    edgeRequested = Signal(bool)  # Home (False) or End (True): select the first or last
    moveStepRequested = Signal(str, int)  # Ctrl+arrow keys: move it one place
    dragStarted = Signal(str)
    previewRequested = Signal(str)  # double-click, Enter or Space: open the preview
    detailToggled = Signal(str, bool)  # id, True: send at low detail (one tile, 512 tokens)

    def __init__(self, item: Attachment, number: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("trayTile")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self._item = item
        self._number = number
        self._selected = False
        self._press: QPoint | None = None
        self._name_focus: int | None = None

        line = self.fontMetrics().lineSpacing()
        self._name = QLabel(self)
        self._name.setObjectName("trayTileName")
        self._name.setFixedHeight(2 * line)
        self._name.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self._remove = QToolButton(self)
        self._remove.setObjectName("trayTileRemove")
        self._remove.setText("×")
        self._remove.setAutoRaise(True)
        self._remove.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._remove.setFixedSize(QSize(line + 2, line + 2))
        self._remove.clicked.connect(lambda: self.removeRequested.emit(self._item.id))
        self._tokens = Badge("neutral", self)
        self._tokens.setObjectName("trayTileTokens")
        self._state = Badge("good", self)
        self._state.setObjectName("trayTileState")
        self._reason = QLabel(self)  # a failure's reason, where the detail switch would be
        self._reason.setObjectName("trayTileReason")
        self._reason.setFont(small_font(self.font()))
        self._detail = DetailToggle(self)
        self._detail_label = QLabel("Detail", self)
        self._detail_label.setFont(small_font(self.font()))
        self._detail.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # D on the tile toggles it
        self._detail.toggled.connect(self._detail_toggled)

        self._thumb = Thumbnail(self, QSize(THUMB_SIZE.width(), self._column_height(line)))
        self._lay_out()
        self._render(force=True)

    def _column_height(self, line: int) -> int:
        """The text column's height: two lines of name, the badges, the detail switch."""
        badge = self._tokens.sizeHint().height()
        return max(THUMB_SIZE.height(), 2 * line + 3 + badge + 3 + self._detail.sizeHint().height())

    def _lay_out(self) -> None:
        badges = QHBoxLayout()
        badges.setSpacing(4)
        badges.addWidget(self._tokens)
        badges.addWidget(self._state)
        badges.addStretch(1)
        switch = QHBoxLayout()
        switch.setSpacing(4)
        switch.addWidget(self._detail_label)
        switch.addWidget(self._detail)
        switch.addWidget(self._reason, 1)
        switch.addStretch(1)
        name_row = QHBoxLayout()
        name_row.setSpacing(2)
        name_row.addWidget(self._name, 1, Qt.AlignmentFlag.AlignTop)
        name_row.addWidget(self._remove, 0, Qt.AlignmentFlag.AlignTop)
        column = QVBoxLayout()
        column.setSpacing(3)
        column.addLayout(name_row)
        column.addLayout(badges)
        column.addLayout(switch)
        row = QHBoxLayout(self)
        row.setContentsMargins(MARGIN, MARGIN, MARGIN - 2, MARGIN)
        row.setSpacing(GAP)
        row.addWidget(self._thumb, 0, Qt.AlignmentFlag.AlignVCenter)
        row.addLayout(column, 1)
        self._name_width = TILE_WIDTH - 2 * MARGIN + 2 - THUMB_SIZE.width() - GAP
        self._name_width -= self._remove.width() + name_row.spacing()
        self.setFixedSize(TILE_WIDTH, 2 * MARGIN + self._thumb.height())

    # -- content -------------------------------------------------------------------------------

    @property
    def item(self) -> Attachment:
        return self._item

    @property
    def number(self) -> int:
        return self._number

    def set_item(self, item: Attachment, number: int) -> None:
        if item == self._item and number == self._number:
            return
        self._item = item
        self._number = number
        self._render()

    def set_name_focus(self, differ_at: int | None) -> None:
        """Show the name around index `differ_at`, where it differs from another tile's name."""
        if differ_at != self._name_focus:
            self._name_focus = differ_at
            self._render_name()

    def name_text(self) -> str:
        """The name as shown (two lines, elided); the full name is in the tooltip."""
        return self._name.text()

    def set_selected(self, selected: bool) -> None:
        if selected != self._selected:
            self._selected = selected
            self.update()

    @property
    def selected(self) -> bool:
        return self._selected

    def badge_text(self) -> str:
        """The image's number, on the thumbnail's corner."""
        return self._thumb.number()

    def state_text(self) -> str:
        """The whole state ("Ready", "Downscaled from 12000×8000", "Failed: <reason>")."""
        return self._item.status_text

    def state_badge(self) -> Badge:
        """The state in a word or two, as a badge."""
        return self._state

    def tokens_text(self) -> str:
        return self._tokens.text()

    def tokens_badge(self) -> Badge:
        return self._tokens

    def reason_label(self) -> QLabel:
        """A failed image's reason, elided (all of it in the tooltip)."""
        return self._reason

    def detail_button(self) -> DetailToggle:
        """Checked: the image is sent at low detail (downscaled to one 448×448 tile)."""
        return self._detail

    def remove_button(self) -> QToolButton:
        return self._remove

    def has_thumbnail(self) -> bool:
        return self._thumb.has_image

    def _render(self, *, force: bool = False) -> None:
        item = self._item
        self._thumb.set_number(str(self._number))
        self._render_name()
        self._remove.setAccessibleName(f"Remove {item.name}")
        self._remove.setToolTip(f"Remove {item.name} (Delete)")
        state, tone = state_badge(item)
        self._state.set_badge(state, tone)
        self._state.setToolTip(item.status_text)
        self._state.setAccessibleName(item.status_text)
        tokens = token_text(item)
        self._tokens.set_badge(tokens)
        self._tokens.setVisible(bool(tokens))
        self._tokens.setAccessibleName(tokens.replace("tok", "tokens"))
        self._render_reason(item, force=force)
        self._render_detail(item)
        placeholder = {AttachmentState.FAILED: "!", AttachmentState.READING: "…"}.get(
            item.state, "web" if item.kind is SourceKind.URL else ""
        )
        self._thumb.set_content(item.thumbnail, placeholder, item.failed)
        self.setAccessibleName(f"Image {self._number}: {item.name}")
        spoken = tokens.replace("tok", "tokens")
        detail = "low detail" if item.low_detail else ""
        self.setAccessibleDescription(", ".join(p for p in (item.status_text, spoken, detail) if p))
        self.setToolTip(tile_tooltip(self._item))
        self.update()

    def _render_reason(self, item: Attachment, *, force: bool) -> None:
        self._reason.setVisible(item.failed)
        if not item.failed:
            return
        reason = item.error or "unknown reason"
        metrics = self._reason.fontMetrics()
        self._reason.setText(
            metrics.elidedText(reason, Qt.TextElideMode.ElideRight, self._name_width)
        )
        self._reason.setToolTip(reason)
        colour = error_color(self.palette())
        palette = self._reason.palette()
        if force or palette.color(QPalette.ColorRole.WindowText) != colour:
            base = self.palette().color(QPalette.ColorRole.Base)
            palette.setColor(QPalette.ColorRole.WindowText, readable(colour, base))
            self._reason.setPalette(palette)

    def shown_name(self, name: str, differ_at: int | None = None) -> str:
        """How this tile shows a name (two lines that fit beside the thumbnail)."""
        return name_lines(name, self._name.fontMetrics(), self._name_width, differ_at)

    def _render_name(self) -> None:
        self._name.setText(self.shown_name(self._item.name, self._name_focus))
        self._name.setToolTip(self._item.name)
        self._name.setAccessibleName(self._item.name)

    def _detail_toggled(self, low: bool) -> None:
        if low != self._item.low_detail:
            self.detailToggled.emit(self._item.id, low)

    def _render_detail(self, item: Attachment) -> None:
        self._detail.setVisible(item.kind is not SourceKind.URL and not item.failed)
        self._detail_label.setVisible(self._detail.isVisibleTo(self))
        self._detail.blockSignals(True)
        self._detail.setChecked(item.low_detail)
        self._detail.blockSignals(False)
        self._detail.update()
        self._detail.setAccessibleName(f"Low detail for {item.name}")
        self._detail.setToolTip(
            "Sent at low detail: downscaled to one 448×448 tile, 512 tokens. Click (or press D "
            "on the tile) to send it at high detail."
            if item.low_detail
            else "Sent at high detail. Click (or press D on the tile) to send it at low "
            "detail: downscaled to one 448×448 tile, 512 tokens."
        )

    # -- interaction ---------------------------------------------------------------------------

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._render(force=True)  # the error colour follows the palette

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self.activated.emit(self._item.id)
        self.update()  # the focus ring

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self.update()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        control = modifiers == Qt.KeyboardModifier.ControlModifier
        plain = modifiers == Qt.KeyboardModifier.NoModifier
        if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and plain:
            self.removeRequested.emit(self._item.id)
        elif key in (Qt.Key.Key_Left, Qt.Key.Key_Right) and (plain or control):
            step = -1 if key == Qt.Key.Key_Left else 1
            signal = self.moveStepRequested if control else self.stepRequested
            signal.emit(self._item.id, step)
        elif key in (Qt.Key.Key_Home, Qt.Key.Key_End) and plain:
            self.edgeRequested.emit(key == Qt.Key.Key_End)
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space) and plain:
            self.previewRequested.emit(self._item.id)
        elif key == Qt.Key.Key_D and plain and self._detail.isVisibleTo(self):
            self._detail.toggle()
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._press = event.position().toPoint()
            self.activated.emit(self._item.id)
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if (
            self._press is not None
            and event.buttons() & Qt.MouseButton.LeftButton
            and (event.position().toPoint() - self._press).manhattanLength()
            >= QApplication.startDragDistance()
        ):
            self._press = None
            self.dragStarted.emit(self._item.id)
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._press = None
        super().mouseReleaseEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._press = None
            self.previewRequested.emit(self._item.id)
            event.accept()
            return
        super().mouseDoubleClickEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        painter.setBrush(palette.color(QPalette.ColorRole.Base))
        focused = self.hasFocus()
        if focused:
            pen = QPen(palette.color(QPalette.ColorRole.Highlight), FOCUS_RING_WIDTH)
        elif self._selected:
            pen = QPen(palette.color(QPalette.ColorRole.Highlight), 1)
        elif self._item.failed:
            pen = QPen(error_color(palette), 1)
        else:
            pen = QPen(palette.color(QPalette.ColorRole.Mid), 1)
        painter.setPen(pen)
        inset = pen.widthF() / 2 + 0.5
        painter.drawRoundedRect(
            QRectF(QRect(QPoint(0, 0), self.size())).adjusted(inset, inset, -inset, -inset), 6, 6
        )
        if focused:
            # A thin line of the base colour inside the ring keeps it distinct from the content.
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(QPen(palette.color(QPalette.ColorRole.Base), 1))
            inner = FOCUS_RING_WIDTH + 0.5
            painter.drawRoundedRect(
                QRectF(QRect(QPoint(0, 0), self.size())).adjusted(inner, inner, -inner, -inner),
                4,
                4,
            )
        painter.end()

    def has_focus_ring(self) -> bool:
        """Whether the tile draws its focus ring (it has the keyboard focus)."""
        return self.hasFocus()
