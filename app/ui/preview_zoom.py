"""The preview's zoom controls: zoom out, the zoom shown as a percentage, zoom in, Fit and
100 %, with their keys anywhere in the preview (Ctrl+minus, Ctrl+plus, Ctrl+0, Ctrl+1). The
controls only ask the canvas; they follow what it says its zoom is."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QWidget

from app.ui.tile_canvas import TileCanvas

PAN_HINT = "Drag with the middle button, or hold Space and drag, to move around; or scroll"


class PreviewZoom(QWidget):
    """See the module docstring."""

    def __init__(self, canvas: TileCanvas, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("previewZoom")
        self._canvas = canvas
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        out = self._button("−", "zoomOut", "Zoom out", ("Ctrl+-",), lambda: canvas.zoom_step(-1))
        self.label = QLabel(self)
        self.label.setObjectName("previewZoomLevel")
        self.label.setMinimumWidth(self.label.fontMetrics().horizontalAdvance("1600 %") + 8)
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setToolTip(PAN_HINT)
        zoom_in = self._button(
            "+", "zoomIn", "Zoom in", ("Ctrl++", "Ctrl+="), lambda: canvas.zoom_step(1)
        )
        fit = self._button(
            "Fit", "zoomFit", "Fit the image to the window", ("Ctrl+0",), canvas.zoom_fit
        )
        actual = self._button(
            "100 %",
            "zoomActual",
            "One image pixel to one screen pixel",
            ("Ctrl+1",),
            canvas.zoom_actual,
        )
        for widget in (out, self.label, zoom_in, fit, actual):
            layout.addWidget(widget)
        canvas.zoomChanged.connect(self._follow)
        self._follow()

    def _button(
        self, text: str, name: str, tip: str, keys: tuple[str, ...], act: Callable[[], None]
    ) -> QToolButton:
        button = QToolButton(self)
        button.setText(text)
        button.setObjectName(f"preview{name[0].upper()}{name[1:]}")
        button.setAccessibleName(tip)
        shown = QKeySequence(keys[0]).toString(QKeySequence.SequenceFormat.NativeText)
        button.setToolTip(f"{tip} ({shown})")
        button.clicked.connect(act)
        for keys_text in keys:
            shortcut = QShortcut(QKeySequence(keys_text), self)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(act)
        return button

    def _follow(self) -> None:
        canvas = self._canvas
        text = f"{canvas.zoom_percent()} %"
        self.label.setText(text)
        fitted = " (fitted to the window)" if canvas.fitted() else ""
        self.label.setAccessibleName(f"Zoom: {text}{fitted}")
        self.label.setToolTip(f"{text}{fitted}. {PAN_HINT}")
