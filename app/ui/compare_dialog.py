"""Two tray images compared: side by side with one zoom and pan for both, the second over the
first up to a slider, and the difference view (changed pixels highlighted).

The pictures are screen-sized copies and the difference view made elsewhere (on a worker) and
handed over; the dialog only shows them. All the canvases show the same part: a zoom or a pan
in one (Ctrl+wheel, the zoom keys, a middle or Space drag) is followed by the others. "Send the
difference view too" is offered while the "Spot the differences" preset is chosen; it asks
(`sendDifferenceToggled`) for the difference view to go with the message as an extra image.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.attachment import Attachment
from app.ui.compare_overlay import CompareOverlay
from app.ui.preview_picture import PreviewPicture
from app.ui.preview_zoom import PreviewZoom
from app.ui.tile_canvas import TileCanvas

SEND_TIP = "Adds the difference view to the tray, after the two images, to be sent with them"
NOT_SPOT = "Choose the “Spot the differences” preset to send the difference view too"


def _canvas(parent: QWidget, name: str, accessible: str) -> TileCanvas:
    canvas = TileCanvas(parent)
    canvas.setObjectName(name)
    canvas.setAccessibleName(accessible)
    canvas.grid = False
    canvas.selectable = False
    canvas.set_image(None, "Decoding…")
    return canvas


class CompareDialog(QDialog):
    """See the module docstring. Open it with `open()`."""

    sendDifferenceToggled = Signal(bool)

    def __init__(self, first: Attachment, second: Attachment, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("compareDialog")
        self.setWindowTitle(f"Compare — {first.name} and {second.name}")
        self.setAccessibleName(f"Comparing {first.name} and {second.name}")
        self.setSizeGripEnabled(True)
        self.ids = (first.id, second.id)
        self.names = (first.name, second.name)
        self.modes = QTabWidget(self)
        self.modes.setObjectName("compareModes")
        self.first = _canvas(self, "compareFirst", f"First image: {first.name}")
        self.second = _canvas(self, "compareSecond", f"Second image: {second.name}")
        self.difference = _canvas(self, "compareDifference", "Changed pixels highlighted")
        self.overlay = CompareOverlay(self)
        self.slider = QSlider(Qt.Orientation.Horizontal, self)
        self.slider.setObjectName("compareOverlaySlider")
        self.slider.setAccessibleName("How much of the second image covers the first")
        self.slider.setRange(0, 100)
        self.slider.setValue(50)
        self.slider.valueChanged.connect(self.overlay.set_share)
        self.summary = QLabel("Finding the differences…", self)
        self.summary.setObjectName("compareSummary")
        self.summary.setWordWrap(True)
        self.send = QCheckBox("Send the difference view too", self)
        self.send.setObjectName("compareSendDifference")
        self.send.toggled.connect(self.sendDifferenceToggled)
        self.zoom = PreviewZoom(self.first, self)
        self._syncing = False
        for canvas in (self.first, self.second, self.difference):
            canvas.zoomChanged.connect(lambda c=canvas: self._follow(c))
        self._lay_out()
        self.set_send_allowed(False)
        self.resize(1000, 680)

    def _lay_out(self) -> None:
        side = QWidget(self)
        grid = QGridLayout(side)
        grid.addWidget(QLabel(f"1: {self.names[0]}", side), 0, 0)
        grid.addWidget(QLabel(f"2: {self.names[1]}", side), 0, 1)
        grid.addWidget(self.first, 1, 0)
        grid.addWidget(self.second, 1, 1)
        grid.setRowStretch(1, 1)
        over = QWidget(self)
        over_layout = QVBoxLayout(over)
        over_layout.addWidget(self.overlay, 1)
        over_layout.addWidget(self.slider)
        self.modes.addTab(side, "Side by side")
        self.modes.addTab(over, "Overlay")
        self.modes.addTab(self.difference, "Difference")
        close = QPushButton("Close", self)
        close.setObjectName("compareClose")
        close.setDefault(True)
        close.clicked.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(self.send)
        bottom.addStretch(1)
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.zoom)
        layout.addLayout(top)
        layout.addWidget(self.modes, 1)
        layout.addLayout(bottom)

    def _follow(self, source: TileCanvas) -> None:
        """One canvas zoomed or panned: the others show the same part."""
        if self._syncing:
            return
        self._syncing = True
        try:
            state = source.view_state()
            for canvas in (self.first, self.second, self.difference):
                if canvas is not source and canvas.view_state() != state:
                    canvas.set_view_state(state)
        finally:
            self._syncing = False

    def set_pictures(self, first: PreviewPicture, second: PreviewPicture) -> None:
        for canvas, result, name in (
            (self.first, first, self.names[0]),
            (self.second, second, self.names[1]),
        ):
            canvas.set_sent_size(result.full_size.width(), result.full_size.height())
            if result.picture is None:
                canvas.set_image(None, f"{name} cannot be shown: {result.error}.")
            else:
                canvas.set_image(result.picture, full_size=result.full_size)
        self.overlay.set_images(first.picture, second.picture)

    def set_difference(self, summary: str, picture: PreviewPicture | None) -> None:
        self.summary.setText(summary)
        self.difference.setAccessibleDescription(summary)
        if picture is None or picture.picture is None:
            self.difference.set_image(None, summary)
            return
        self.difference.set_sent_size(picture.full_size.width(), picture.full_size.height())
        self.difference.set_image(picture.picture, full_size=picture.full_size)

    def set_send_allowed(self, allowed: bool) -> None:
        """Offer the difference view to be sent (while "Spot the differences" is chosen)."""
        self.send.setEnabled(allowed)
        self.send.setToolTip(SEND_TIP if allowed else NOT_SPOT)
        self.send.setAccessibleDescription(SEND_TIP if allowed else NOT_SPOT)
