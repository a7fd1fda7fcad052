"""Capture region: take a part of the screen into the tray.

The window steps aside (hidden, and given a moment to leave the screen), then:
- on X11, Windows, macOS and the like, the screen under the mouse is grabbed
  (`QScreen.grabWindow(0)`) and shown full screen in a `RegionSelector`, where the user drags
  out the region (Esc cancels);
- on Wayland, where an application cannot read the screen, the desktop portal is asked
  (org.freedesktop.portal.Screenshot, interactive: the desktop's own interface picks the
  region);
then the window comes back and the region joins the tray as a PNG named after the time.
A platform without a screen (offscreen, minimal), Wayland without D-Bus, or an empty grab
(a null image, or a single colour: a refused permission, a display that keeps no picture) get
a message saying what to do instead: the system's screenshot tool and Ctrl+V.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Literal
from urllib.parse import unquote, urlsplit

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QObject, Qt
from PySide6.QtGui import QAction, QCursor, QGuiApplication, QImage, QKeySequence, QScreen
from PySide6.QtWidgets import QToolBar

from app.controllers.attachments import AttachmentController
from app.core.notices import Notices
from app.gui import screenshot_portal
from app.gui.services import Work
from app.ui.main_window import MainWindow
from app.ui.region_selector import RegionSelector

CaptureMethod = Literal["grab", "portal", "unavailable", "headless"]

SHORTCUT = "Ctrl+Shift+S"
HIDE_DELAY = 0.3  # seconds for the window to leave the screen before the grab
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_INSTEAD = (
    "Take the screenshot with your system's screenshot tool, copy it, and paste it "
    "into the tray with Ctrl+V."
)

EMPTY_GRAB = (
    "Capture region got an empty picture of the screen (the “{platform}” display "
    "does not let applications read the screen, or the permission to record the "
    "screen was not given). " + _INSTEAD
)
NO_PORTAL = (
    "Capture region is not available on Wayland without the desktop portal over D-Bus. " + _INSTEAD
)
HEADLESS = (
    "Capture region needs a screen, and the “{platform}” display has none to capture. " + _INSTEAD
)
# Qt platforms that draw into memory only: there is no screen to read.
HEADLESS_PLATFORMS = frozenset({"offscreen", "minimal", "minimalegl"})


def capture_method(
    platform_name: str, *, dbus_available: bool, environ: Mapping[str, str] | None = None
) -> CaptureMethod:
    """How to capture the screen on this platform.

    Wayland (a platform name starting with "wayland", or X11 through XWayland inside a
    Wayland session, where a grab sees only X11 windows) goes through the desktop portal when
    D-Bus is there, and is unavailable otherwise; the platforms that only draw into memory
    (offscreen, minimal) have no screen; every other platform grabs the screen.
    """
    env = os.environ if environ is None else environ
    platform = platform_name.lower()
    if platform in HEADLESS_PLATFORMS:
        return "headless"
    xwayland = platform == "xcb" and (
        env.get("XDG_SESSION_TYPE", "").lower() == "wayland" or bool(env.get("WAYLAND_DISPLAY"))
    )
    if platform.startswith("wayland") or xwayland:
        return "portal" if dbus_available else "unavailable"
    return "grab"


def capture_name(now: datetime | None = None) -> str:
    """ "capture-2026-11-22-14-03-05.png"."""
    return f"capture-{(now or datetime.now()):%Y-%m-%d-%H-%M-%S}.png"


def is_blank(image: QImage) -> bool:
    """True for a null image or one of a single colour (what a refused grab gives; worker)."""
    if image.isNull() or image.width() == 0 or image.height() == 0:
        return True
    pixels = image.convertToFormat(QImage.Format.Format_RGB32)
    data = bytes(pixels.constBits())
    first = data[:4]
    return data == first * (len(data) // 4)


def png_bytes(image: QImage) -> bytes:
    """The image encoded as PNG (call from a worker thread)."""
    array = QByteArray()
    buffer = QBuffer(array)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):  # type: ignore[call-overload]
        raise ValueError("the captured image could not be encoded as PNG")
    buffer.close()
    return bytes(array.data())


def read_as_png(path: str) -> bytes:
    """The file's bytes, converted to PNG when they are another format (worker thread)."""
    with open(path, "rb") as file:
        data = file.read()
    if data.startswith(_PNG_MAGIC):
        return data
    image = QImage.fromData(data)
    if image.isNull():
        raise ValueError("the desktop portal's screenshot is not an image this app can read")
    return png_bytes(image)


def grab_screen(screen: QScreen) -> QImage:
    """The whole screen, in its physical pixels (GUI thread)."""
    return screen.grabWindow(0).toImage()


class CaptureFlow(QObject):
    """The "Capture region" action and what it does; see the module docstring."""

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
        self.grab: Callable[[QScreen], QImage] = grab_screen  # the screen source
        self.portal_bus: Any = None  # a QDBusConnection for the portal; None: the session bus
        self._busy = False
        self._selector: RegionSelector | None = None
        action = QAction("Capture region", window)
        action.setObjectName("captureRegionAction")
        action.setShortcut(QKeySequence(SHORTCUT))
        action.setToolTip(f"Capture a region of the screen into the tray ({SHORTCUT})")
        action.triggered.connect(self._triggered)
        window.addAction(action)
        window.menu("file").insertAction(window.file_end, action)
        toolbar = window.findChild(QToolBar, "mainToolbar")
        if toolbar is not None:
            toolbar.addAction(action)
        self.action = action

    @property
    def busy(self) -> bool:
        return self._busy

    @property
    def selector(self) -> RegionSelector | None:
        """The full-screen overlay while the user picks a region."""
        return self._selector

    def _triggered(self) -> None:
        self.start()

    def start(self, method: CaptureMethod | None = None) -> None:
        if self._busy:
            return
        if method is None:
            method = capture_method(
                QGuiApplication.platformName(),
                dbus_available=screenshot_portal.session_bus_available(),
            )
        if method == "unavailable":
            self._notices.warning(NO_PORTAL)
            return
        if method == "headless":
            self._notices.warning(HEADLESS.format(platform=QGuiApplication.platformName()))
            return
        self._busy = True
        self._work.start(self._capture(method), "capture-region")

    async def _capture(self, method: CaptureMethod) -> None:
        window = self._window
        visible = window.isVisible()
        data: bytes | None = None
        message = ""
        closing = False
        try:
            if visible:
                window.hide()
                await asyncio.sleep(HIDE_DELAY)
            if method == "portal":
                data, message = await self._from_portal()
            else:
                data, message = await self._from_grab()
        except asyncio.CancelledError:
            closing = True  # the session is ending: the window stays hidden
            raise
        finally:
            self._busy = False
            if self._selector is not None:
                self._selector.cancel()
            if visible and not closing:
                window.show()
                window.raise_()
                window.activateWindow()
        if message:
            self._notices.warning(message)
        if data is not None:
            self._attachments.add_image_data(data, capture_name())

    async def _from_grab(self) -> tuple[bytes | None, str]:
        screen = (
            QGuiApplication.screenAt(QCursor.pos())
            or self._window.screen()
            or QGuiApplication.primaryScreen()
        )
        platform = QGuiApplication.platformName()
        if screen is None:
            return None, EMPTY_GRAB.format(platform=platform)
        image = self.grab(screen)
        if image.isNull() or await self._work.in_thread(is_blank, image):
            return None, EMPTY_GRAB.format(platform=platform)
        region = await self._select(screen, image)
        if region is None:
            return None, ""  # cancelled: nothing to say
        return await self._work.in_thread(png_bytes, region), ""

    async def _select(self, screen: QScreen, image: QImage) -> QImage | None:
        chosen: asyncio.Future[QImage | None] = asyncio.get_running_loop().create_future()

        def settle(result: QImage | None) -> None:
            if not chosen.done():
                chosen.set_result(result)

        selector = RegionSelector(image)
        selector.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        selector.regionSelected.connect(settle)
        selector.cancelled.connect(lambda: settle(None))
        selector.destroyed.connect(self._selector_gone)
        self._selector = selector
        selector.setGeometry(screen.geometry())
        selector.showFullScreen()
        selector.raise_()
        selector.activateWindow()
        selector.setFocus()
        return await chosen

    def _selector_gone(self) -> None:
        self._selector = None

    async def _from_portal(self) -> tuple[bytes | None, str]:
        try:
            uri = await screenshot_portal.take_screenshot(bus=self.portal_bus)
        except screenshot_portal.PortalCancelled:
            return None, ""
        except screenshot_portal.PortalError as exc:
            return None, f"Capture region did not work: {exc}. {_INSTEAD}"
        parts = urlsplit(uri)
        if parts.scheme != "file":
            return None, (
                f"Capture region did not work: the desktop portal gave an address "
                f"this app cannot open ({uri}). {_INSTEAD}"
            )
        path = unquote(parts.path)
        try:
            return await self._work.in_thread(read_as_png, path), ""
        except OSError as exc:
            return None, (
                f"Capture region could not read the screenshot {path}: "
                f"{exc.strerror or exc}. {_INSTEAD}"
            )
        except ValueError as exc:
            return None, f"Capture region did not work: {exc}. {_INSTEAD}"
