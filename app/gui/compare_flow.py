"""Comparing two tray images: the compare dialog, its pictures and the difference view.

The tray asks (`compareRequested`: a tile's menu, "Compare with"); this flow opens the
`CompareDialog` with `open()`, decodes screen-sized copies of both prepared images and makes the
difference view (`app.core.images.difference`) in the session's I/O thread, and hands them
over. "Send the difference view too" (offered while the "Spot the differences" preset is
chosen) adds the difference view to the tray as an extra image, priced and sent like any
other; unticking it, or choosing another preset, takes it out again.
"""

from __future__ import annotations

import asyncio
from typing import Any

from PySide6.QtCore import QObject, QSize, Qt

from app.controllers.attachments import AttachmentController
from app.core.images.difference import HIGHLIGHT, Difference, difference, difference_name
from app.core.imagetypes import ImageError, PreparedImage
from app.core.notices import Notices
from app.gui.services import Work
from app.ui.compare_dialog import CompareDialog
from app.ui.main_window import MainWindow
from app.ui.preview_picture import decode_for_screen, screen_bound
from app.ui.tray_menu import comparable

SPOT_THE_DIFFERENCES = "spot-differences"


def summary_text(found: Difference) -> str:
    if found.box is None:
        text = "No pixel changed (beyond compression noise)."
    else:
        left, top, right, bottom = found.box
        text = (
            f"{found.share:.1%} of the pixels changed, within x {left}–{right}, y {top}–{bottom}"
            f" (highlighted in magenta, #{''.join(f'{c:02x}' for c in HIGHLIGHT)})."
        )
    if found.rescaled:
        text += f" The second image was scaled to {found.size[0]}×{found.size[1]} to compare."
    return text


class CompareFlow(QObject):
    """See the module docstring."""

    def __init__(
        self,
        *,
        window: MainWindow,
        attachments: AttachmentController,
        work: Work,
        notices: Notices,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._window = window
        self._attachments = attachments
        self._work = work
        self._notices = notices
        self._dialog: CompareDialog | None = None
        self._task: asyncio.Task[Any] | None = None
        self._difference: Difference | None = None
        self._added = ""  # the tray item of the difference view, when sent too
        window.tray.compareRequested.connect(self.open)
        window.preset_picker.presetChosen.connect(self._preset_chosen)

    @property
    def dialog(self) -> CompareDialog | None:
        return self._dialog

    def added_id(self) -> str:
        """The tray item of the difference view being sent too ("" for none)."""
        return self._added

    def _spot(self) -> bool:
        return self._window.preset_picker.current_name() == SPOT_THE_DIFFERENCES

    def open(self, first_id: str, second_id: str) -> None:
        first = self._attachments.item(first_id)
        second = self._attachments.item(second_id)
        if first is None or second is None or first_id == second_id:
            return
        if not (comparable(first) and comparable(second)):
            self._notices.info("Compare images once both are ready (web addresses cannot be).")
            return
        assert first.prepared is not None
        assert second.prepared is not None
        if self._dialog is not None:
            self._dialog.close()
        dialog = CompareDialog(first, second, self._window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.sendDifferenceToggled.connect(self._send_toggled)
        dialog.finished.connect(lambda _result: self._closed(dialog))
        self._dialog = dialog
        self._difference = None
        dialog.open()
        self._task = self._work.start(
            self._make(dialog, first.prepared, second.prepared, screen_bound(dialog)), "compare"
        )

    async def _make(
        self, dialog: CompareDialog, first: PreparedImage, second: PreparedImage, bound: QSize
    ) -> None:
        shown_first = await self._work.in_thread(decode_for_screen, first.data, bound)
        shown_second = await self._work.in_thread(decode_for_screen, second.data, bound)
        if dialog is not self._dialog:
            return
        dialog.set_pictures(shown_first, shown_second)
        names = (first.name, second.name)
        try:
            found = await self._work.in_thread(difference, first.data, second.data, names)
        except ImageError as exc:
            dialog.set_difference(f"No difference view: {exc.reason}.", None)
            return
        picture = await self._work.in_thread(decode_for_screen, found.png, bound)
        if dialog is not self._dialog:
            return
        self._difference = found
        dialog.set_difference(summary_text(found), picture)
        dialog.set_send_allowed(self._spot())

    def _closed(self, dialog: CompareDialog) -> None:
        if self._dialog is dialog:
            self._dialog = None
            if self._task is not None:
                self._task.cancel()
            self._task = None

    def _preset_chosen(self, _name: str) -> None:
        dialog = self._dialog
        if dialog is not None:
            dialog.set_send_allowed(self._spot() and self._difference is not None)
            if not self._spot():
                dialog.send.setChecked(False)
        elif not self._spot():
            self._take_back()

    def _send_toggled(self, on: bool) -> None:
        dialog, found = self._dialog, self._difference
        if not on:
            self._take_back()
            return
        if dialog is None or found is None:
            return
        if self._added and self._attachments.item(self._added) is not None:
            return  # already in the tray
        name = difference_name(*dialog.names)
        self._added = self._attachments.add_image_data(found.png, name) or ""

    def _take_back(self) -> None:
        if self._added and self._attachments.item(self._added) is not None:
            self._attachments.remove(self._added)
        self._added = ""
