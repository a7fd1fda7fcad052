"""Dialogs the session opens: settings (key, endpoint, model) and a full-size image view."""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable
from types import ModuleType
from typing import cast

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QDialog, QLabel, QScrollArea, QVBoxLayout, QWidget

from app.controllers.endpoint import EndpointController
from app.core.catalog import ModelInfo
from app.core.notices import Notices
from app.gui.services import Preferences, Work
from app.store.settings import Settings
from app.ui.settings_dialog import SettingsDialog


class SettingsFlow(QObject):
    """Opens the settings dialog (with open(), never exec()) and carries out what it asks."""

    def __init__(
        self,
        *,
        window: QWidget,
        prefs: Preferences,
        endpoint: EndpointController,
        work: Work,
        notices: Notices,
        apply: Callable[[Settings, str | None], None],
        reconnect: Callable[[], Awaitable[None]],
        key_account: Callable[[], str],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._window = window
        self._prefs = prefs
        self._endpoint = endpoint
        self._work = work
        self._notices = notices
        self._apply = apply
        self._reconnect = reconnect
        self._key_account = key_account
        self._dialog: SettingsDialog | None = None

    @property
    def dialog(self) -> SettingsDialog | None:
        """The settings dialog while it is open."""
        return self._dialog

    def open(self) -> None:
        if self._dialog is not None:
            self._dialog.raise_()
            return
        dialog = SettingsDialog(self._prefs.settings, self._prefs.models, self._window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saveRequested.connect(self._apply)
        dialog.checkKeyRequested.connect(self._endpoint.check_key)
        dialog.deleteKeyRequested.connect(self._delete_key)
        self._endpoint.keyChecked.connect(dialog.set_check_result)
        dialog.destroyed.connect(self._closed)
        self._dialog = dialog
        dialog.open()
        self._work.start(self._show_backend(), "keyring-status")

    def _closed(self) -> None:
        self._dialog = None

    async def _show_backend(self) -> None:
        keystore = await self._keystore()
        try:
            lookup = await self._work.in_thread(keystore.get_key, self._key_account())
        except keystore.KeystoreError as exc:
            if self._dialog is not None:
                self._dialog.set_backend("unavailable", False, str(exc), False)
            return
        if self._dialog is not None:
            backend = lookup.backend
            detail = backend.detail
            if lookup.source == "environment":
                detail = (
                    f"{detail} The key in use comes from ${keystore.ENV_VAR}, which "
                    "overrides the stored one."
                ).strip()
            self._dialog.set_backend(
                backend.name, backend.secure, detail, lookup.source == "keyring"
            )

    async def store_key_and_reconnect(self, key: str | None) -> None:
        """Store the key given in the dialog (if any), then connect with the settings saved."""
        keystore = await self._keystore()
        if key:
            try:
                backend = await self._work.in_thread(keystore.set_key, key, self._key_account())
                self._notices.info(f"Key saved in {backend.name}.")
            except keystore.KeystoreError as exc:
                self._notices.error(f"The key was not saved: {exc}")
        await self._reconnect()

    async def _keystore(self) -> ModuleType:
        """`app.keystore`, imported on the I/O thread the first time (keyring is slow to load)."""
        return cast(ModuleType, await self._work.in_thread(importlib.import_module, "app.keystore"))

    def _delete_key(self) -> None:
        self._work.start(self._delete(), "delete-key")

    async def _delete(self) -> None:
        keystore = await self._keystore()
        try:
            deleted = await self._work.in_thread(keystore.delete_key, self._key_account())
        except keystore.KeystoreError as exc:
            self._notices.error(f"The key was not deleted: {exc}")
            return
        self._notices.info("Key deleted." if deleted else "No key was stored.")
        await self._show_backend()
        await self._reconnect()

    def models_changed(self, models: list[ModelInfo]) -> None:
        if self._dialog is not None:
            self._dialog.set_models(models)


def show_image(parent: QWidget, name: str, image: QImage) -> None:
    """A non-modal window with the image at full size, scrollable."""
    dialog = QDialog(parent)
    dialog.setObjectName("imageViewer")
    dialog.setWindowTitle(f"{name} — {image.width()}×{image.height()} px as sent")
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    label = QLabel()
    label.setPixmap(QPixmap.fromImage(image))
    label.setAccessibleName(name)
    scroll = QScrollArea()
    scroll.setWidget(label)
    scroll.setAlignment(Qt.AlignmentFlag.AlignCenter)
    layout = QVBoxLayout(dialog)
    layout.addWidget(scroll)
    screen = parent.screen().availableGeometry() if parent.screen() else None
    width = min(image.width() + 40, screen.width() - 80 if screen else 1200)
    height = min(image.height() + 40, screen.height() - 80 if screen else 900)
    dialog.resize(max(300, width), max(200, height))
    dialog.open()
