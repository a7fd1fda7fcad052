"""Where the preview's canvas puts the image: fitted to the widget, or zoomed and panned.

`CanvasZoom` holds the zoom (None: fit the image to the widget) and the point of the image, in
sent pixels, at the middle of the view. It answers the two questions every paint and every mouse
position asks: how many view pixels a sent pixel takes (`scale`), and where the image is drawn
(`image_rect`). An image smaller than the view is centred; a larger one is kept covering it, so
panning never shows more than the margin past an edge. It holds no widget: the canvas hands it
the view's size and device pixel ratio at each question.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, QSize, QSizeF

MARGIN = 8  # around the image inside the canvas, in view pixels
MAX_UPSCALE = 8.0  # when fitted, small images are enlarged to fill the view, up to this factor
# The zoom steps (a key press, a wheel notch), screen pixels per sent pixel.
LEVELS = (0.05, 0.1, 0.25, 0.33, 0.5, 0.67, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0, 12.0, 16.0)
MAX_ZOOM = LEVELS[-1]


@dataclass(frozen=True)
class ViewState:
    zoom: float | None  # screen pixels across the image's width; None: fitted
    x: float  # the middle of the view, as a share of the image's width
    y: float  # and of its height


class CanvasZoom:
    """See the module docstring."""

    def __init__(self) -> None:
        self._zoom: float | None = None  # screen (device) pixels per sent pixel; None: fit
        self._centre = QPointF()  # sent pixels at the middle of the view
        self._size = QSize()  # sent pixels

    def set_sent_size(self, size: QSize) -> None:
        self._size = QSize(size)
        self.fit()

    def fitted(self) -> bool:
        return self._zoom is None

    def fit(self) -> None:
        self._zoom = None
        self._centre = QPointF(self._size.width() / 2, self._size.height() / 2)

    def fit_scale(self, view: QSize) -> float:
        if self._size.isEmpty():
            return 1.0
        width = max(1, view.width() - 2 * MARGIN)
        height = max(1, view.height() - 2 * MARGIN)
        return min(width / self._size.width(), height / self._size.height(), MAX_UPSCALE)

    def scale(self, view: QSize, ratio: float) -> float:
        """View (logical) pixels per sent pixel."""
        if self._zoom is None:
            return self.fit_scale(view)
        return self._zoom / ratio

    def percent(self, view: QSize, ratio: float) -> int:
        """The zoom as a share of the image's own pixels on the screen's pixels."""
        return round(self.scale(view, ratio) * ratio * 100)

    def zoom_to(
        self, zoom: float, view: QSize, ratio: float, anchor: QPointF | None = None
    ) -> None:
        """Zoom to `zoom` screen pixels per sent pixel, keeping the view point `anchor` (by
        default the middle) over the same sent pixel. At or below the fitted size it fits."""
        if self._size.isEmpty():
            return
        fit = self.fit_scale(view) * ratio
        zoom = min(zoom, MAX_ZOOM)
        if zoom <= fit * 1.001:
            self.fit()
            return
        middle = QPointF(view.width() / 2, view.height() / 2)
        anchor = middle if anchor is None else anchor
        held = self.to_sent_f(anchor, view, ratio)
        self._zoom = zoom
        scale = zoom / ratio
        self._centre = QPointF(
            held.x() - (anchor.x() - middle.x()) / scale,
            held.y() - (anchor.y() - middle.y()) / scale,
        )
        self._clamp(view, ratio)

    def step(self, steps: int, view: QSize, ratio: float, anchor: QPointF | None = None) -> None:
        """Zoom in (`steps` > 0) or out by that many levels."""
        zoom = self.scale(view, ratio) * ratio
        for _ in range(abs(steps)):
            if steps > 0:
                zoom = next((z for z in LEVELS if z > zoom * 1.001), MAX_ZOOM)
            else:
                zoom = next((z for z in reversed(LEVELS) if z < zoom / 1.001), LEVELS[0])
        self.zoom_to(zoom, view, ratio, anchor)

    def pan(self, delta: QPointF, view: QSize, ratio: float) -> None:
        """Move the image by `delta` view pixels (as a hand dragging it)."""
        if self._zoom is None:
            return
        scale = self.scale(view, ratio)
        self._centre -= QPointF(delta.x() / scale, delta.y() / scale)
        self._clamp(view, ratio)

    def state(self) -> ViewState:
        """The zoom as screen pixels across the image's width (None: fitted) and the middle as
        shares of the image: what another canvas, with an image of another size or a view of
        another size, takes to show the same part as large."""
        if self._size.isEmpty() or self._zoom is None:
            return ViewState(None, 0.5, 0.5)
        width, height = self._size.width(), self._size.height()
        return ViewState(self._zoom * width, self._centre.x() / width, self._centre.y() / height)

    def set_state(self, state: ViewState, view: QSize, ratio: float) -> None:
        if self._size.isEmpty() or state.zoom is None:
            self.fit()
            return
        self._zoom = min(MAX_ZOOM, state.zoom / self._size.width())
        self._centre = QPointF(state.x * self._size.width(), state.y * self._size.height())
        self._clamp(view, ratio)

    def follow(self, view: QSize, ratio: float) -> None:
        """The view was resized: keep the image covering it."""
        if self._zoom is not None:
            self._clamp(view, ratio)

    def _clamp(self, view: QSize, ratio: float) -> None:
        scale = self.scale(view, ratio)
        half = QSizeF(max(0.0, view.width() / 2 - MARGIN), max(0.0, view.height() / 2 - MARGIN))
        x = _clamp_axis(self._centre.x(), half.width() / scale, self._size.width())
        y = _clamp_axis(self._centre.y(), half.height() / scale, self._size.height())
        self._centre = QPointF(x, y)

    def image_rect(self, view: QSize, ratio: float) -> QRectF:
        """Where the whole image is drawn, in view coordinates."""
        scale = self.scale(view, ratio)
        width, height = self._size.width() * scale, self._size.height() * scale
        if self._zoom is None:
            return QRectF((view.width() - width) / 2, (view.height() - height) / 2, width, height)
        # On whole screen pixels: at 100 % each sent pixel is one screen pixel, not two halves.
        left = round((view.width() / 2 - self._centre.x() * scale) * ratio) / ratio
        top = round((view.height() / 2 - self._centre.y() * scale) * ratio) / ratio
        return QRectF(left, top, width, height)

    def to_sent_f(self, point: QPointF, view: QSize, ratio: float) -> QPointF:
        rect = self.image_rect(view, ratio)
        scale = self.scale(view, ratio)
        return QPointF((point.x() - rect.left()) / scale, (point.y() - rect.top()) / scale)


def _clamp_axis(centre: float, half: float, length: int) -> float:
    """The centre along one axis: the middle when the image is shorter than the view, else
    within reach of both edges."""
    if 2 * half >= length:
        return length / 2
    return min(max(centre, half), length - half)
