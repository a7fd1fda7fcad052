"""Screenshots of the window for people (docs/screens/*.png); nothing compares them by pixels.

    .venv/bin/python tests/screens/make_screens.py [--out docs/screens] [--sizes 1024x700,...]

For each screen size it starts its own Xvfb (and openbox, when installed, for the window
frame), and in it one copy of the app in demo mode, driven in-process through the real session
and widgets (the tray takes files, the composer and Send send, the preset picker is keyed, the
preview and the Fit panel open as their buttons open them). Each state is taken in the light and
the dark theme, switched live through View → Theme. Files: <state>-<theme>-<W>x<H>.png, reduced
to 256 colours so that each stays small.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.ui.conversation_view import ConversationView

ROOT = Path(__file__).resolve().parents[2]
SIZES = ("1024x700", "1600x1000")
THEMES = ("light", "dark")
STATES = ("empty", "conversation", "preview", "fit", "invoice")
TIMEOUT_S = 30.0


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


# -- the outer process: one Xvfb per size --------------------------------------------------------
def start_xvfb(size: str) -> tuple[subprocess.Popen[bytes], str]:
    read, write = os.pipe()
    xvfb = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", f"{size}x24", "-nolisten", "tcp"],
        pass_fds=(write,),
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    with os.fdopen(read) as stream:
        number = stream.readline().strip()
    if not number:
        xvfb.kill()
        raise RuntimeError("Xvfb did not start")
    return xvfb, f":{number}"


def shoot_size(size: str, out: Path) -> int:
    xvfb, display = start_xvfb(size)
    env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"}
    for name in ("QT_SCALE_FACTOR", "WAYLAND_DISPLAY"):
        env.pop(name, None)
    wm = None
    if shutil.which("openbox"):
        wm = subprocess.Popen(["openbox"], env=env, stderr=subprocess.DEVNULL)
        time.sleep(0.5)
    try:
        with tempfile.TemporaryDirectory(prefix="screens-") as home:
            env["GROK_VISION_CONFIG_DIR"] = str(Path(home) / "config")
            env["GROK_VISION_DATA_DIR"] = str(Path(home) / "data")
            command = [sys.executable, __file__, "--inner", size, "--out", str(out)]
            return subprocess.run(command, env=env, cwd=ROOT, check=False).returncode
    finally:
        if wm is not None:
            wm.terminate()
            wm.wait()
        xvfb.terminate()
        xvfb.wait()


# -- the inner process: the app, driven -----------------------------------------------------------
def make_pictures(folder: Path) -> dict[str, Path]:
    """Two UI mockups and an invoice, drawn with Pillow."""
    from PIL import Image, ImageDraw

    def mockup(name: str, accent: str, cards: int) -> Path:
        image = Image.new("RGB", (1280, 800), "#f6f7f9")
        draw = ImageDraw.Draw(image)
        draw.rectangle((0, 0, 1280, 64), fill="#20242b")
        draw.rectangle((24, 20, 140, 44), fill=accent)
        draw.rectangle((0, 64, 240, 800), fill="#e9ecf0")
        for row in range(6):
            draw.rectangle((24, 100 + row * 48, 200, 124 + row * 48), fill="#c9ced6")
        for index in range(cards):
            x, y = 280 + (index % 3) * 320, 110 + (index // 3) * 300
            draw.rounded_rectangle((x, y, x + 290, y + 260), 14, fill="white", outline="#d5d9df")
            draw.rectangle((x + 20, y + 20, x + 270, y + 140), fill=accent)
            draw.rectangle((x + 20, y + 160, x + 220, y + 176), fill="#8a9099")
            draw.rectangle((x + 20, y + 190, x + 160, y + 204), fill="#b8bdc5")
        path = folder / name
        image.save(path)
        return path

    invoice = Image.new("RGB", (900, 1200), "white")
    draw = ImageDraw.Draw(invoice)
    draw.text((60, 60), "INVOICE  #2026-0142", fill="black")
    draw.text((60, 100), "Northwind Design Studio", fill="black")
    for row in range(6):
        y = 240 + row * 60
        draw.line((60, y, 840, y), fill="#cccccc")
        draw.text((70, y + 18), f"Design review, part {row + 1}", fill="black")
        draw.text((700, y + 18), f"{120 + row * 35}.00", fill="black")
    draw.text((600, 700), "Total  1,245.00", fill="black")
    invoice_path = folder / "invoice.png"
    invoice.save(invoice_path)
    return {
        "before": mockup("dashboard-before.png", "#4f7cff", 6),
        "after": mockup("dashboard-after.png", "#13a37b", 5),
        "invoice": invoice_path,
        "chart": mockup("wide-screenshot.png", "#e0822f", 6),
    }


async def until(check: Callable[[], object], what: str, limit_s: float = TIMEOUT_S) -> None:
    deadline = time.monotonic() + limit_s
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"waited {limit_s:.0f} s for {what}")
        await asyncio.sleep(0.05)


async def settle(seconds: float = 0.4) -> None:
    await asyncio.sleep(seconds)


async def drive(size: str, out: Path) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtTest import QTest

    from app.gui.session import AppSession

    session = AppSession(demo=True)
    run = asyncio.ensure_future(session.run([]))
    window = session.window
    await until(lambda: session.endpoint.has_key and bool(session.models), "the demo endpoint")
    session.demo_server.pace = 0.0
    window.showMaximized()
    await until(window.isActiveWindow, "the window to be active", 5)
    pictures = make_pictures(Path(os.environ["GROK_VISION_DATA_DIR"]))
    themes = window.menus.theme.actions

    async def shoot(state: str, after_theme: Callable[[], object] | None = None) -> None:
        for theme in THEMES:
            themes[theme].trigger()
            await settle()
            if after_theme is not None:
                after_theme()
                await settle()
            screen = QGuiApplication.primaryScreen()
            image = screen.grabWindow(0).toImage()
            path = out / f"{state}-{theme}-{size}.png"
            image.save(str(path))
            shrink(path)
            say(f"  {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")

    async def add(*paths: Path) -> None:
        before = len(session.attachments.items())
        session.attachments.add_paths([str(p) for p in paths])
        await until(
            lambda: (
                len(session.attachments.items()) == before + len(paths)
                and all(item.sendable for item in session.attachments.items())
            ),
            "the tray's images",
        )

    async def send(text: str) -> None:
        count = len(session.chat.conversation.messages)
        window.composer.setPlainText(text)
        await until(window.send_button.isEnabled, "Send to be enabled")
        QTest.mouseClick(window.send_button, Qt.MouseButton.LeftButton)
        await until(
            lambda: not session.chat.busy and len(session.chat.conversation.messages) >= count + 2,
            "the reply",
        )

    await shoot("empty")

    await add(pictures["before"], pictures["after"])
    await send("What changed between these two dashboard mockups? Which reads better?")
    # Regenerated once: the reply shows its versions ("‹ 2 / 2 ›").
    QTest.keyClick(window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    await until(
        lambda: (
            not session.chat.busy
            and session.chat.conversation.version(session.chat.conversation.messages[1].id)
            == (2, 2)
        ),
        "the regenerated reply",
    )
    await add(pictures["chart"])
    window.composer.setPlainText("And does this one follow the same grid?")
    await settle()
    await shoot("conversation", lambda: hover(window.view))

    item = session.attachments.items()[-1].id
    session.preview_flow.open(item)
    await until(
        lambda: (
            session.preview_flow.dialog is not None
            and session.preview_flow.dialog.canvas.has_image()
        ),
        "the preview",
    )
    await shoot("preview")
    dialog = session.preview_flow.dialog
    assert dialog is not None
    QTest.keyClick(dialog, Qt.Key.Key_Escape)
    await until(lambda: session.preview_flow.dialog is None, "the preview to close")

    session.budget.show_panel()
    await shoot("fit")

    QTest.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    await until(lambda: not session.chat.conversation.messages, "a new conversation")
    combo = window.preset_picker.combo
    combo.setFocus()
    target = combo.findData("invoice-json")
    while combo.currentIndex() != target:
        QTest.keyClick(combo, Qt.Key.Key_Down)
    await add(pictures["invoice"])
    await send("")
    await shoot("invoice")

    window.close()
    await run


def hover(view: ConversationView) -> None:
    """The pointer over the middle of the conversation, as a person reading it (the action bar
    of the message there shows)."""
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QCursor
    from PySide6.QtTest import QTest

    viewport = view.browser.viewport()
    centre = viewport.rect().center()
    QCursor.setPos(viewport.mapToGlobal(centre))  # the X server's pointer too
    QTest.mouseMove(viewport, centre + QPoint(0, 8))  # a move that Qt does not take for a repeat
    QTest.mouseMove(viewport, centre)


def shrink(path: Path) -> None:
    """256 colours, no metadata: a screenshot of flat colours stays sharp and small."""
    from PIL import Image

    with Image.open(path) as image:
        small = image.convert("RGB").quantize(256, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)


def inner(size: str, out: Path) -> int:
    import qasync
    from PySide6.QtWidgets import QApplication

    from app.gui.theme import apply_app_identity

    app = QApplication(sys.argv[:1])
    apply_app_identity(app)
    QApplication.setQuitOnLastWindowClosed(False)
    with asyncio.Runner(loop_factory=qasync.QEventLoop) as runner:
        runner.run(drive(size, out))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screens")
    parser.add_argument("--sizes", default=",".join(SIZES))
    parser.add_argument("--inner", metavar="SIZE", help=argparse.SUPPRESS)
    args = parser.parse_args()
    out = args.out.resolve()
    if args.inner:
        sys.path.insert(0, str(ROOT))
        return inner(args.inner, out)
    if not shutil.which("Xvfb"):
        sys.stderr.write("Xvfb is needed (apt install xvfb)\n")
        return 2
    out.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    failed = 0
    for size in args.sizes.split(","):
        say(f"{size}:")
        failed += shoot_size(size, out) != 0
    say(f"done in {time.monotonic() - started:.0f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
