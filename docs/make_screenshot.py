"""Make docs/screenshot.png: the window mid-conversation in demo mode, on a real X server.

    python docs/make_screenshot.py [--out PATH] [--size 1000x780]

What it does, every time the same way:

1. starts a private Xvfb (1280x800x24, no TCP; needs the Debian package xvfb) unless --display
   names a running X server, and runs Qt on it through the xcb platform plugin, with empty,
   temporary config and data directories and no API key (the user's own settings are never
   read or written);
2. draws two dashboard-like PNGs with Pillow: a bar chart and a line chart;
3. opens the app's window in demo mode (`AppSession(demo=True)` on a qasync loop, as
   `grok-vision --demo` does), puts both images in the tray, asks a question with Send and
   waits until the simulated model's streamed answer is complete;
4. types a follow-up question into the composer without sending it (so the meter shows a
   draft estimate too), waits for the meter, and saves `QWidget.grab()` of the window.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for entry in (ROOT, ROOT / "tests"):
    if str(entry) not in sys.path:
        sys.path.insert(0, str(entry))

from PIL import Image, ImageDraw, ImageFont  # noqa: E402

QUESTION = ("Image 1 is our sign-ups dashboard, Image 2 the API latency panel. "
            "Which month stands out, and does latency rise with it?")
FOLLOW_UP = "Draft a two-line status note for the team from these two charts."
TIMEOUT_S = 120.0   # only so that a broken app cannot hang the script

# -- two dashboard-like charts -------------------------------------------------------------------

BG = (250, 251, 253)
INK = (33, 37, 41)
GRID = (222, 226, 230)
MUTED = (108, 117, 125)
BLUE = (13, 110, 253)
ORANGE = (253, 126, 20)
RED = (220, 53, 69)


def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    for folder in ("/usr/share/fonts/truetype/dejavu", ""):
        try:
            return ImageFont.truetype(os.path.join(folder, name) if folder else name, size)
        except OSError:
            continue
    return ImageFont.load_default(size)


def _frame(title: str, subtitle: str) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    image = Image.new("RGB", (1280, 720), BG)
    draw = ImageDraw.Draw(image)
    draw.text((60, 36), title, font=_font(40, bold=True), fill=INK)
    draw.text((60, 90), subtitle, font=_font(24), fill=MUTED)
    return image, draw


def _axes(draw: ImageDraw.ImageDraw, box: tuple[int, int, int, int], top: int, step: int,
          unit: str) -> Callable[[float], float]:
    """Horizontal grid lines with labels; returns value → y."""
    left, upper, right, lower = box
    label_font = _font(20)

    def y_of(value: float) -> float:
        return lower - (lower - upper) * value / top

    for value in range(0, top + 1, step):
        y = y_of(value)
        draw.line((left, y, right, y), fill=GRID, width=2)
        draw.text((left - 12, y), f"{value}{unit}", font=label_font, fill=MUTED, anchor="rm")
    return y_of


def bar_chart(path: Path) -> Path:
    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep"]
    signups = [12.4, 13.1, 14.0, 13.6, 15.2, 16.0, 24.8, 17.1, 17.9]  # thousands
    image, draw = _frame("Monthly sign-ups (thousands)", "Product dashboard · 2025 · all regions")
    box = (130, 160, 1220, 640)
    y_of = _axes(draw, box, 30, 5, "k")
    slot = (box[2] - box[0]) / len(months)
    label_font, value_font = _font(22), _font(20, bold=True)
    for index, (month, value) in enumerate(zip(months, signups, strict=True)):
        x0 = box[0] + index * slot + slot * 0.18
        x1 = box[0] + (index + 1) * slot - slot * 0.18
        colour = ORANGE if value == max(signups) else BLUE
        draw.rectangle((x0, y_of(value), x1, box[3]), fill=colour)
        draw.text(((x0 + x1) / 2, y_of(value) - 8), f"{value:.1f}", font=value_font,
                  fill=INK, anchor="mb")
        draw.text(((x0 + x1) / 2, box[3] + 14), month, font=label_font, fill=INK, anchor="mt")
    draw.line((box[0], box[3], box[2], box[3]), fill=INK, width=3)
    image.save(path)
    return path


def line_chart(path: Path) -> Path:
    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep"]
    p95 = [182, 176, 190, 185, 198, 205, 312, 221, 214]      # ms
    p50 = [88, 85, 91, 90, 94, 97, 131, 101, 99]
    image, draw = _frame("API latency (ms)", "Gateway · monthly p50 and p95 · SLO 250 ms")
    box = (130, 160, 1220, 640)
    y_of = _axes(draw, box, 350, 50, "")
    inset = 40
    step = (box[2] - box[0] - 2 * inset) / (len(months) - 1)
    xs = [box[0] + inset + i * step for i in range(len(months))]
    slo = y_of(250)
    for x in range(box[0], box[2], 24):
        draw.line((x, slo, min(x + 12, box[2]), slo), fill=RED, width=3)
    draw.text((box[2] - 4, slo - 8), "SLO 250", font=_font(20, bold=True), fill=RED, anchor="rb")
    for series, colour in ((p50, MUTED), (p95, BLUE)):
        points = [(x, y_of(v)) for x, v in zip(xs, series, strict=True)]
        draw.line(points, fill=colour, width=5, joint="curve")
        for x, y in points:
            draw.ellipse((x - 7, y - 7, x + 7, y + 7), fill=colour)
    peak = p95.index(max(p95))
    draw.text((xs[peak] + 14, y_of(p95[peak])), f"{p95[peak]} ms", font=_font(22, bold=True),
              fill=INK, anchor="lm")
    for x, month in zip(xs, months, strict=True):
        draw.text((x, box[3] + 14), month, font=_font(22), fill=INK, anchor="mt")
    draw.line((box[0], box[3], box[2], box[3]), fill=INK, width=3)
    legend = _font(22)
    draw.rectangle((900, 104, 930, 116), fill=BLUE)
    draw.text((940, 110), "p95", font=legend, fill=INK, anchor="lm")
    draw.rectangle((1020, 104, 1050, 116), fill=MUTED)
    draw.text((1060, 110), "p50", font=legend, fill=INK, anchor="lm")
    image.save(path)
    return path


# -- the window ------------------------------------------------------------------------------------

async def _until(condition: Callable[[], object], what: str) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + TIMEOUT_S
    while not condition():
        if loop.time() > deadline:
            raise TimeoutError(f"gave up waiting for {what}")
        await asyncio.sleep(0.05)


async def _settle(seconds: float) -> None:
    """Let the event loop run (debounced meter, batched repaints) for a moment."""
    await asyncio.sleep(seconds)


async def _stage(images: list[Path], out: Path, size: tuple[int, int]) -> None:
    from PySide6.QtWidgets import QApplication

    from app.core.conversation import Status
    from app.gui.session import AppSession

    session = AppSession(demo=True)
    run = asyncio.get_running_loop().create_task(session.run([]))
    try:
        window = session.window
        window.resize(*size)
        await _until(lambda: session.endpoint.has_key and session.models, "the demo endpoint")
        session.attachments.add_paths([str(p) for p in images])
        await _until(lambda: len(session.attachments.items()) == len(images)
                     and not any(i.pending for i in session.attachments.items()),
                     "the images to be prepared")
        window.composer.setPlainText(QUESTION)
        await _until(window.send_button.isEnabled, "Send to be enabled")
        session.send(QUESTION)
        await _until(lambda: len(session.chat.conversation.messages) == 2
                     and session.chat.conversation.messages[-1].status is Status.COMPLETE
                     and not session.chat.busy, "the streamed reply")
        window.view.flush()
        window.composer.setPlainText(FOLLOW_UP)
        window.composer.setFocus()
        await _settle(1.0)
        session.update_meter()
        await _settle(0.5)
        QApplication.processEvents()
        pixmap = window.grab()
        if pixmap.isNull() or not pixmap.save(str(out), "PNG"):
            raise RuntimeError(f"could not save the screenshot to {out}")
    finally:
        session.request_close()
        await run


def _isolate(scratch: Path, display: str) -> None:
    """Qt on the X server, and nothing of the user's own: settings, data, key, keyring."""
    os.environ.update({
        "DISPLAY": display,
        "QT_QPA_PLATFORM": "xcb",
        "GROK_VISION_CONFIG_DIR": str(scratch / "config"),
        "GROK_VISION_DATA_DIR": str(scratch / "data"),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
    })
    for name in ("XAI_API_KEY", "WAYLAND_DISPLAY", "QT_SCALE_FACTOR", "QT_QPA_PLATFORMTHEME"):
        os.environ.pop(name, None)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshot.png")
    parser.add_argument("--size", default="1000x780", help="window size, WIDTHxHEIGHT")
    parser.add_argument("--display", help="use this running X server instead of a private Xvfb")
    parser.add_argument("--images-to", type=Path, help="also keep the two chart PNGs here")
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.lower().split("x"))
    with ExitStack() as stack:
        scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="screenshot-")))
        if args.display:
            display = args.display
        else:
            from e2e import xserver

            display = stack.enter_context(xserver.xvfb()).display
        _isolate(scratch, display)
        folder = args.images_to or scratch
        folder.mkdir(parents=True, exist_ok=True)
        images = [bar_chart(folder / "signups-dashboard.png"),
                  line_chart(folder / "latency-panel.png")]

        import qasync
        from PySide6.QtGui import QGuiApplication
        from PySide6.QtWidgets import QApplication

        from app.gui.theme import apply_app_identity

        app = QApplication.instance() or QApplication(sys.argv[:1])
        assert isinstance(app, QApplication)
        apply_app_identity(app)
        QGuiApplication.setQuitOnLastWindowClosed(False)
        with asyncio.Runner(loop_factory=qasync.QEventLoop) as runner:
            runner.run(_stage(images, args.out, (width, height)))
    sys.stdout.write(f"wrote {args.out} ({width}x{height})\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
