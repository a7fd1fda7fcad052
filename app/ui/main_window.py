"""The main window: conversation above, tray, composer and meter below.

It is built in two steps, so that a window is on screen as soon as Qt can show one: the frame
(menus, toolbar, banners, composer, Send) from light modules, with empty places where the
conversation, the tray, the meter and the conversations list go; then `complete()` imports and
builds those parts in their places. `MainWindow()` does both; the app's start (`app.gui`) shows
the frame first and completes it after its first paint."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QRect, Qt, Signal
from PySide6.QtGui import (
    QCloseEvent,
    QGuiApplication,
    QScreen,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.ui.banner import Banner
from app.ui.composer import Composer
from app.ui.composer_panel import ComposerPanel
from app.ui.effort_picker import EffortPicker
from app.ui.model_picker import ModelPicker
from app.ui.window_commands import build_commands
from app.ui.window_fit import (
    MINIMUM_SIZE,
    clamped_geometry,
    default_geometry,
    minimum_size,
)
from app.ui.window_menus import show_shortcuts
from app.ui.window_places import Places, conversations_dock, tab_after

if TYPE_CHECKING:
    from app.core.catalog import ModelInfo
    from app.ui.conversation_view import ConversationView
    from app.ui.image_tray import ImageTray
    from app.ui.token_meter import TokenMeter
    from app.ui.window_drop import DropOverlay

__all__ = ["MINIMUM_SIZE", "MainWindow", "clamped_geometry", "default_geometry", "minimum_size"]


# How long a notice stays: an error waits until it is dismissed (0: no timeout).
NOTICE_TIMEOUTS_MS = {"info": 8000, "warning": 15000, "error": 0}


class MainWindow(QMainWindow):
    sendRequested = Signal(str)  # the draft text; the images are in the tray
    stopRequested = Signal()
    newConversationRequested = Signal()
    settingsRequested = Signal()
    modelChosen = Signal(str)
    systemPromptEdited = Signal(str)
    closing = Signal()

    view: ConversationView
    tray: ImageTray
    meter: TokenMeter
    drop_overlay: DropOverlay

    def __init__(self, *, demo: bool = False, complete: bool = True) -> None:
        """`complete=False` builds the frame only (see the module's doc): `complete()` later."""
        super().__init__()
        self.setObjectName("mainWindow")
        self.setWindowTitle("Grok Vision — demo" if demo else "Grok Vision")
        self.setAccessibleName("Grok Vision")
        self.is_complete = False
        self._places = Places()  # what `complete()` fills
        self.conversations_dock = conversations_dock(self)
        self.composer = Composer()
        self.send_button = QPushButton("Send")
        self.stop_button = QPushButton("Stop")
        self.model_picker = ModelPicker()
        self.effort_picker = EffortPicker()
        self.system_prompt_edit = QLineEdit()
        self.model_banner = Banner(kind="error")
        self.notice_banner = Banner(kind="info")
        self.send_reason = QLabel()
        self.settings_button = QPushButton("Open Settings…")
        self._build(demo)
        self._busy = False
        self._send_block: str | None = None
        self.set_busy(False)
        if complete:
            self.complete()

    def complete(self) -> None:
        """Build the conversation, the tray and the meter in their places (once)."""
        if self.is_complete:
            return
        from app.ui.conversation_view import ConversationView
        from app.ui.image_tray import ImageTray
        from app.ui.token_meter import TokenMeter
        from app.ui.window_drop import DropOverlay

        self.is_complete = True
        updates = self.updatesEnabled()
        self.setUpdatesEnabled(False)  # one repaint with everything in place
        self.view = ConversationView()
        self.tray = ImageTray()
        self.meter = TokenMeter()
        self._places.fill(
            splitter=self._splitter,
            view=self.view,
            bottom=self._bottom_layout,
            tray=self.tray,
            central=self._central_layout,
            meter=self.meter,
        )
        self.drop_overlay = DropOverlay(self, self.tray.take_mime, lambda: self.tray)
        # Tab reads the window as it is laid out: the conversation and the tray, built last,
        # before the system prompt, the composer and Send (and the meter after them).
        bottom = (self.system_prompt_edit, self.composer, self.send_button, self.stop_button)
        tab_after(self.tray, (*bottom, self.send_reason, self.settings_button))
        for picker in self._pickers:
            picker.setVisible(True)
        self.setUpdatesEnabled(updates)

    # -- construction -----------------------------------------------------------------------
    def _build(self, demo: bool) -> None:
        commands = build_commands(self, stop=self._stop_if_busy)
        self.menus, self.file_end = commands.menus, commands.file_end
        self.preset_picker = commands.preset_picker
        self._pickers, self._effort_action = commands.pickers, commands.effort_action
        self._stop_action = commands.stop_action
        self.model_picker.activated.connect(self._model_activated)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(6, 6, 6, 6)
        if demo:
            demo_banner = Banner(kind="info")
            demo_banner.setObjectName("demoBanner")
            demo_banner.show_message(
                "Demo — simulated model, no network. Replies come from a "
                "local endpoint that describes what it received."
            )
            layout.addWidget(demo_banner)
        self.model_banner.setObjectName("modelBanner")
        self.notice_banner.setObjectName("noticeBanner")
        layout.addWidget(self.model_banner)
        layout.addWidget(self.notice_banner)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.setObjectName("mainSplitter")
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(self._places.view)
        self._splitter = splitter
        self._build_bottom().place_in(splitter)
        splitter.setStretchFactor(0, 1)  # a taller window gives the conversation the room
        splitter.setStretchFactor(1, 0)
        layout.addWidget(splitter, 1)
        layout.addWidget(self._places.meter)
        self._central_layout = layout
        self.setCentralWidget(central)
        self.composer.sendRequested.connect(self._send_clicked)
        self.composer.escapePressed.connect(self._stop_if_busy)
        self.composer.setFocus()
        self.fit_to_screen()

    def _build_bottom(self) -> ComposerPanel:
        bottom = ComposerPanel()
        bottom.setObjectName("composerPanel")
        layout = QVBoxLayout(bottom)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._places.tray)
        self._bottom_layout = layout
        self.system_prompt_edit.setObjectName("systemPromptEdit")
        self.system_prompt_edit.setAccessibleName("System prompt for this conversation")
        self.system_prompt_edit.setPlaceholderText("System prompt for this conversation (optional)")
        self.system_prompt_edit.editingFinished.connect(
            lambda: self.systemPromptEdited.emit(self.system_prompt_edit.text())
        )
        layout.addWidget(self.system_prompt_edit)
        row = QHBoxLayout()
        self.composer.setMinimumHeight(56)
        row.addWidget(self.composer, 1)
        buttons = QVBoxLayout()
        self.send_button.setObjectName("sendButton")
        self.send_button.setAccessibleName("Send")
        # A click does not take the focus from the composer; Tab still reaches the buttons.
        self.send_button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.stop_button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.send_button.clicked.connect(self._send_clicked)
        self.stop_button.setObjectName("stopButton")
        self.stop_button.setAccessibleName("Stop")
        self.stop_button.setToolTip("Stop the reply (Esc)")
        self.stop_button.clicked.connect(self.stopRequested.emit)
        buttons.addWidget(self.send_button)
        buttons.addWidget(self.stop_button)
        buttons.addStretch(1)
        row.addLayout(buttons)
        layout.addLayout(row)
        self.send_reason.setObjectName("sendReason")
        self.send_reason.setWordWrap(True)
        self.send_reason.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.settings_button.setObjectName("sendReasonSettingsButton")
        self.settings_button.clicked.connect(self.settingsRequested.emit)
        self.settings_button.hide()  # offered with a reason only (set_send_blocked)
        reason_row = QHBoxLayout()
        reason_row.addWidget(self.send_reason, 1)
        reason_row.addWidget(self.settings_button)
        layout.addLayout(reason_row)
        return bottom

    # -- state shown ------------------------------------------------------------------------
    def set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._stop_action.setEnabled(busy)
        self._set_button_enabled(self.stop_button, busy)
        self._update_send_button()

    def _set_button_enabled(self, button: QPushButton, enabled: bool) -> None:
        """Disabling the focused button would pass the focus on down the chain (to the
        sidebar's search box): it goes back to the composer instead."""
        if not enabled and button.hasFocus():
            self.composer.setFocus(Qt.FocusReason.OtherFocusReason)
        button.setEnabled(enabled)

    def set_send_blocked(self, reason: str | None, *, offer_settings: bool = False) -> None:
        """Why Send is refused right now (no key, a failed image, over the window…), or None;
        `offer_settings` adds a button to the settings where the fix is made."""
        self._send_block = reason
        self.send_reason.setText(reason or "")
        self.send_reason.setVisible(bool(reason))
        self.settings_button.setVisible(bool(reason) and offer_settings)
        self._update_send_button()

    def _update_send_button(self) -> None:
        self._set_button_enabled(self.send_button, not self._busy and self._send_block is None)
        self.send_button.setToolTip(self._send_block or "Send (Enter or Ctrl+Enter)")

    def set_models(self, models: Sequence[ModelInfo], current: str) -> None:
        self.model_picker.set_models(models, current)

    def set_efforts(self, efforts: Sequence[str], default: str | None, current: str | None) -> None:
        """The reasoning efforts the current model takes (none: the picker is hidden)."""
        self.effort_picker.set_choices(efforts, default, current)
        self._effort_action.setVisible(bool(efforts))
        if not efforts:  # also when the toolbar overflows (its layout may have shown it)
            self.effort_picker.hide()

    def current_model(self) -> str:
        data = self.model_picker.currentData()
        return str(data) if data else ""

    def show_model_not_found(self, model: str, candidates: Sequence[str]) -> None:
        if candidates:
            self.model_banner.show_choices(
                f"The model “{model}” was not found on this endpoint (xAI retired the "
                "grok-2-vision models). Switch to a current model that takes images:",
                candidates,
                self._choose_model,
            )
        else:
            self.model_banner.show_message(
                f"The model “{model}” was not found on this endpoint. Open Settings to pick "
                "another model or check the base URL."
            )

    def _choose_model(self, model: str) -> None:
        self.model_banner.hide()
        self.modelChosen.emit(model)

    def show_notice(self, text: str, level: str = "info") -> None:
        """A non-blocking notice (what was skipped in a folder, a saved setting…): "info"
        passes after 8 s, a "warning" after 15 s, an "error" stays until dismissed."""
        self.notice_banner.set_kind(level)
        self.notice_banner.show_message(text, timeout_ms=NOTICE_TIMEOUTS_MS.get(level, 8000))

    def copy_last_reply(self) -> None:
        self.notice_banner.set_kind("info")
        if self.view.copy_last_reply():
            self.notice_banner.show_message("Copied the last reply.", timeout_ms=2500)
        else:
            self.notice_banner.show_message("There is no reply to copy yet.", timeout_ms=2500)

    def take_draft(self) -> str:
        text = self.composer.toPlainText().strip()
        self.composer.clear()
        return text

    def show_shortcuts(self) -> None:
        show_shortcuts(self)

    def menu(self, key: str) -> QMenu:
        """The menu bar's menu `key` ("file", "edit", "view", "conversation", "help")."""
        return self.menus.menu(key)

    def _available(self, screen: QScreen | None = None) -> QRect:
        screen = screen or self.screen() or QGuiApplication.primaryScreen()
        return screen.availableGeometry() if screen is not None else QRect(0, 0, 1024, 700)

    def fit_to_screen(self, screen: QScreen | None = None) -> None:
        """The default size and place on the screen the window opens on, and a minimum size
        that leaves Send and the meter on it at any scale."""
        available = self._available(screen)
        self.setMinimumSize(minimum_size(available))
        self.setGeometry(default_geometry(available))

    def restore_geometry_b64(self, value: str) -> None:
        """The geometry saved at the last close, kept inside the current screen (which may be
        smaller, or scaled, since)."""
        if value and self.restoreGeometry(QByteArray.fromBase64(value.encode("ascii"))):
            self.setMinimumSize(minimum_size(self._available()))
            self._keep_on_screen()

    def _keep_on_screen(self) -> None:
        """Shrink and move the window so that its frame (title bar included) lies inside the
        available geometry of its screen."""
        if self.isMaximized() or self.isFullScreen():
            return
        available = self._available()
        frame, inner = self.frameGeometry(), self.geometry()
        clamped = clamped_geometry(frame, available)
        if clamped == frame:
            return
        dw, dh = frame.width() - inner.width(), frame.height() - inner.height()
        self.setGeometry(
            QRect(
                clamped.x() + (inner.x() - frame.x()),
                clamped.y() + (inner.y() - frame.y()),
                max(1, clamped.width() - dw),
                max(1, clamped.height() - dh),
            )
        )

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._keep_on_screen()  # the frame's size is known once the window is shown

    def geometry_b64(self) -> str:
        return bytes(self.saveGeometry().toBase64().data()).decode("ascii")

    # -- intent -----------------------------------------------------------------------------
    def _send_clicked(self) -> None:
        """Enter, Ctrl+Enter or Send: the session checks at once whether the turn can go (the
        button's state may lag a keystroke behind the meter) and says why not if it cannot."""
        if not self._busy:
            self.composer.setFocus(Qt.FocusReason.OtherFocusReason)  # the next words go there
            self.sendRequested.emit(self.composer.toPlainText().strip())

    def _stop_if_busy(self) -> None:
        if self._busy:
            self.stopRequested.emit()

    def _model_activated(self, index: int) -> None:
        data = self.model_picker.itemData(index)
        if data:
            self.modelChosen.emit(str(data))

    def closeEvent(self, event: QCloseEvent) -> None:
        self.closing.emit()
        super().closeEvent(event)
