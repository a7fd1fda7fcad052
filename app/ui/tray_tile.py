"""One tile of the image tray: number badge, thumbnail, state, token cost and a remove button.

Keys on a focused tile: Left/Right (Home/End) walk the tiles, Ctrl+Left/Right move the image,
Enter or Space open its preview, D toggles low detail, Delete or Backspace removes it. The
tile's name is shown on two lines, elided in the middle; the tray asks colliding names to show
where they differ (`set_name_focus`), so two files never read the same.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QRect, QRectF, Qt, Signal
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
from app.ui.tray_names import name_lines
from app.ui.tray_palette import error_color
from app.ui.tray_thumbnail import THUMB_SIZE, Thumbnail

__all__ = ["FOCUS_RING_WIDTH", "THUMB_SIZE", "TILE_WIDTH", "TrayTile", "token_text"]

TILE_WIDTH = 140
FOCUS_RING_WIDTH = 3


def token_text(item: Attachment) -> str:
    """ "1,792 tok"; "? tok" when the cost cannot be known (remote address); "" if failed."""
    if item.failed:
        return ""
    if item.tokens is None:
        return "? tok" if item.kind is SourceKind.URL else "… tok"
    return f"{item.tokens:,} tok"


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
        self.setFixedWidth(TILE_WIDTH)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self._item = item
        self._number = number
        self._selected = False
        self._press: QPoint | None = None

        self._badge = QLabel(self)
        self._badge.setObjectName("trayTileBadge")
        self._badge.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._badge.setMinimumWidth(18)
        self._badge.setStyleSheet(
            "background: palette(highlight);"
            " color: palette(highlighted-text);"
            " border-radius: 8px; padding: 0 5px; font-weight: bold;"
        )
        self._name_focus: int | None = None
        self._name = QLabel(self)
        self._name.setObjectName("trayTileName")
        self._remove = QToolButton(self)
        self._remove.setObjectName("trayTileRemove")
        self._remove.setText("×")
        self._remove.setAutoRaise(True)
        self._remove.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._remove.clicked.connect(lambda: self.removeRequested.emit(self._item.id))
        self._thumb = Thumbnail(self)
        self._state = QLabel(self)
        self._state.setObjectName("trayTileState")
        self._state.setWordWrap(True)
        self._tokens = QLabel(self)
        self._tokens.setObjectName("trayTileTokens")

        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.setSpacing(4)
        top.addWidget(self._badge)
        top.addWidget(self._name, 1)
        top.addWidget(self._remove)
        column = QVBoxLayout(self)
        column.setContentsMargins(6, 4, 6, 6)
        column.setSpacing(3)
        column.addLayout(top)
        column.addWidget(self._thumb, 0, Qt.AlignmentFlag.AlignHCenter)
        column.addWidget(self._state)
        self._detail = self._detail_button()
        column.addLayout(self._tokens_row())
        column.addStretch(1)
        # One height for every tile: the name gets two lines, the state two more (the tooltip and
        # the accessible description carry all of a long name or failure message).
        line = self.fontMetrics().lineSpacing()
        self._state.setMaximumHeight(2 * line)
        self._name.setFixedHeight(2 * line)
        self.setFixedHeight(
            4
            + max(2 * line, 22)
            + 3
            + THUMB_SIZE.height()
            + 3
            + 2 * line
            + 3
            + max(line, self._detail.sizeHint().height())
            + 6
            + 4
        )
        self._render(force=True)

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
        return self._badge.text()

    def state_text(self) -> str:
        return self._state.text()

    def tokens_text(self) -> str:
        return self._tokens.text()

    def detail_button(self) -> QToolButton:
        """Checked: the image is sent at low detail (downscaled to one 448×448 tile)."""
        return self._detail

    def remove_button(self) -> QToolButton:
        return self._remove

    def has_thumbnail(self) -> bool:
        return self._thumb.has_image

    def _render(self, *, force: bool = False) -> None:
        item = self._item
        self._badge.setText(str(self._number))
        self._badge.setAccessibleName(f"Image {self._number}")
        self._render_name()
        self._remove.setAccessibleName(f"Remove {item.name}")
        self._remove.setToolTip(f"Remove {item.name} (Delete)")
        self._state.setText(item.status_text)
        sheet = f"color: {error_color(self.palette()).name()};" if item.failed else ""
        if force or sheet != self._state.styleSheet():
            self._state.setStyleSheet(sheet)
        self._tokens.setText(token_text(item))
        self._render_detail(item)
        placeholder = {AttachmentState.FAILED: "!", AttachmentState.READING: "…"}.get(
            item.state, "web image" if item.kind is SourceKind.URL else ""
        )
        self._thumb.set_content(item.thumbnail, placeholder, item.failed)
        tokens = token_text(item).replace("tok", "tokens")
        self.setAccessibleName(f"Image {self._number}: {item.name}")
        self.setAccessibleDescription(", ".join(p for p in (item.status_text, tokens) if p))
        self.setToolTip(self._tooltip())
        self.update()

    def shown_name(self, name: str, differ_at: int | None = None) -> str:
        """How this tile shows a name (two lines that fit beside the badge)."""
        width = TILE_WIDTH - 12 - 4 - 4 - max(18, self._badge.sizeHint().width())
        width -= self._remove.sizeHint().width()
        return name_lines(name, self._name.fontMetrics(), width, differ_at)

    def _render_name(self) -> None:
        self._name.setText(self.shown_name(self._item.name, self._name_focus))
        self._name.setToolTip(self._item.name)
        self._name.setAccessibleName(self._item.name)

    def _tokens_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(2)
        row.addWidget(self._tokens, 1)
        row.addWidget(self._detail)
        return row

    def _detail_button(self) -> QToolButton:
        button = QToolButton(self)
        button.setObjectName("trayTileDetail")
        button.setText("Low detail")
        button.setCheckable(True)
        # A raised, framed button that shows its checked state (sunken, with a tick), not a
        # label; D toggles it from the keyboard.
        button.setAutoRaise(False)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        button.toggled.connect(self._detail_toggled)
        return button

    def _detail_toggled(self, low: bool) -> None:
        if low != self._item.low_detail:
            self.detailToggled.emit(self._item.id, low)

    def _render_detail(self, item: Attachment) -> None:
        self._detail.setVisible(item.kind is not SourceKind.URL and not item.failed)
        self._detail.blockSignals(True)
        self._detail.setChecked(item.low_detail)
        self._detail.blockSignals(False)
        self._detail.setText("✓ Low detail" if item.low_detail else "Low detail")
        self._detail.setAccessibleName(f"Low detail for {item.name}")
        self._detail.setToolTip(
            "Sent at low detail: downscaled to one 448×448 tile, 512 tokens. Click (or press D "
            "on the tile) to send it at full detail."
            if item.low_detail
            else "Send at low detail: downscaled to one 448×448 tile, so it costs 512 tokens "
            "(D on the tile)."
        )

    def _tooltip(self) -> str:
        item = self._item
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
