"""Capture region: the choice of method, the region overlay, and the whole flow.

The overlay gets a real screenshot-sized image (made with Pillow) and real mouse and key
events. The flow runs in the real window: on the offscreen platform the screen grab is black,
which must end in a clear message; with a picture of a screen as the grab, a dragged region
ends up in the tray. The Wayland path talks to a stand-in portal on a private D-Bus bus.
"""

from __future__ import annotations

import asyncio
import io
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QGuiApplication, QImage, QKeySequence, QScreen
from PySide6.QtWidgets import QToolBar
from pytestqt.qtbot import QtBot
from support.fake_portal import dbus_daemon, fake_portal, private_bus
from support.sessions import demo_session

from app.gui import capture_flow
from app.gui.capture_flow import (
    EMPTY_GRAB,
    HEADLESS,
    NO_PORTAL,
    capture_method,
    capture_name,
)
from app.gui.screenshot_portal import request_path
from app.gui.session import AppSession
from app.ui.region_selector import HINT, RegionSelector

TOP_LEFT = (200, 40, 40)
TOP_RIGHT = (40, 200, 40)
BOTTOM_LEFT = (40, 40, 200)
BOTTOM_RIGHT = (230, 230, 30)
CAPTURE_NAME = re.compile(r"^capture-\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}\.png$")


def quadrants(width: int, height: int) -> Image.Image:
    """A picture of a screen: four quadrants of distinct colours."""
    im = Image.new("RGB", (width, height), TOP_LEFT)
    im.paste(TOP_RIGHT, (width // 2, 0, width, height // 2))
    im.paste(BOTTOM_LEFT, (0, height // 2, width // 2, height))
    im.paste(BOTTOM_RIGHT, (width // 2, height // 2, width, height))
    return im


def as_qimage(im: Image.Image) -> QImage:
    buffer = io.BytesIO()
    im.save(buffer, "PNG")
    image = QImage.fromData(buffer.getvalue())
    assert not image.isNull()
    return image


def rgb(image: QImage, x: int, y: int) -> tuple[int, int, int]:
    colour = image.pixelColor(x, y)
    return colour.red(), colour.green(), colour.blue()


# -- choosing how to capture -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("platform", "dbus", "environ", "method"),
    [
        ("wayland", True, {}, "portal"),
        ("wayland-egl", True, {"XDG_SESSION_TYPE": "wayland"}, "portal"),
        ("wayland", False, {}, "unavailable"),
        ("xcb", True, {"XDG_SESSION_TYPE": "x11"}, "grab"),
        ("xcb", False, {}, "grab"),
        # X11 through XWayland sees only X11 windows: the portal is the way there too.
        ("xcb", True, {"XDG_SESSION_TYPE": "wayland"}, "portal"),
        ("xcb", True, {"WAYLAND_DISPLAY": "wayland-0"}, "portal"),
        ("xcb", False, {"WAYLAND_DISPLAY": "wayland-0"}, "unavailable"),
        ("windows", False, {}, "grab"),
        ("cocoa", False, {}, "grab"),
        # Platforms that draw into memory only have no screen to read.
        ("offscreen", True, {"WAYLAND_DISPLAY": "wayland-0"}, "headless"),
        ("minimal", False, {}, "headless"),
    ],
)
def test_capture_method(platform: str, dbus: bool, environ: dict[str, str], method: str) -> None:
    assert capture_method(platform, dbus_available=dbus, environ=environ) == method


def test_capture_names() -> None:
    from datetime import datetime

    assert capture_name(datetime(2026, 11, 22, 14, 3, 5)) == "capture-2026-11-22-14-03-05.png"
    assert CAPTURE_NAME.match(capture_name())


def test_request_path_follows_the_portal_specification() -> None:
    assert request_path(":1.42", "grokvision1") == (
        "/org/freedesktop/portal/desktop/request/1_42/grokvision1"
    )


# -- the region overlay ----------------------------------------------------------------------


@pytest.fixture
def selector(qtbot: QtBot) -> RegionSelector:
    # A 1600×1200 grab shown on an 800×600 overlay: a screen at a device pixel ratio of 2.
    overlay = RegionSelector(as_qimage(quadrants(1600, 1200)))
    qtbot.addWidget(overlay)
    overlay.resize(800, 600)
    overlay.show()
    qtbot.waitExposed(overlay)
    return overlay


def test_a_dragged_region_comes_back_in_screen_pixels(
    qtbot: QtBot, selector: RegionSelector
) -> None:
    assert selector.objectName() == "regionSelector"
    assert selector.accessibleName() == "Select a region of the screen"
    assert selector.label_text() == HINT
    # From view (300, 200) to (500, 350): screenshot pixels (600, 400) to (1000, 700).
    qtbot.mousePress(selector, Qt.MouseButton.LeftButton, pos=QPoint(300, 200))
    qtbot.mouseMove(selector, QPoint(424, 424))
    assert selector.label_text() == "248×448 px · 1 tile → 512 tokens"
    qtbot.mouseMove(selector, QPoint(500, 350))
    assert selector.label_text() == "400×300 px · 1 tile → 512 tokens"
    with qtbot.waitSignal(selector.regionSelected) as selected:
        qtbot.mouseRelease(selector, Qt.MouseButton.LeftButton, pos=QPoint(500, 350))
    region = selected.args[0]
    assert isinstance(region, QImage)
    assert (region.width(), region.height()) == (400, 300)
    # The region straddles the centre (800, 600): each quadrant's colour where it should be.
    assert rgb(region, 0, 0) == TOP_LEFT
    assert rgb(region, 399, 0) == TOP_RIGHT
    assert rgb(region, 0, 299) == BOTTOM_LEFT
    assert rgb(region, 399, 299) == BOTTOM_RIGHT
    assert rgb(region, 199, 199) == TOP_LEFT  # (799, 599)
    assert rgb(region, 200, 200) == BOTTOM_RIGHT  # (800, 600)
    qtbot.waitUntil(lambda: not selector.isVisible())


def test_a_drag_upwards_and_leftwards_works_too(qtbot: QtBot, selector: RegionSelector) -> None:
    qtbot.mousePress(selector, Qt.MouseButton.LeftButton, pos=QPoint(700, 500))
    qtbot.mouseMove(selector, QPoint(500, 400))
    with qtbot.waitSignal(selector.regionSelected) as selected:
        qtbot.mouseRelease(selector, Qt.MouseButton.LeftButton, pos=QPoint(500, 400))
    region = selected.args[0]
    assert (region.width(), region.height()) == (400, 200)
    assert rgb(region, 10, 10) == BOTTOM_RIGHT


def test_escape_cancels_and_a_click_selects_nothing(qtbot: QtBot, selector: RegionSelector) -> None:
    picked: list[QImage] = []
    selector.regionSelected.connect(picked.append)
    qtbot.mouseClick(selector, Qt.MouseButton.LeftButton, pos=QPoint(100, 100))
    assert selector.isVisible()
    assert selector.selection() is None
    qtbot.mousePress(selector, Qt.MouseButton.LeftButton, pos=QPoint(100, 100))
    qtbot.mouseMove(selector, QPoint(200, 200))
    assert selector.selection() == QRect(200, 200, 200, 200)
    with qtbot.waitSignal(selector.cancelled):
        qtbot.keyClick(selector, Qt.Key.Key_Escape)
    assert picked == []
    qtbot.waitUntil(lambda: not selector.isVisible())


def test_enter_takes_the_whole_screen(qtbot: QtBot, selector: RegionSelector) -> None:
    with qtbot.waitSignal(selector.regionSelected) as selected:
        qtbot.keyClick(selector, Qt.Key.Key_Return)
    assert selected.args[0].size() == QImage(1600, 1200, QImage.Format.Format_RGB32).size()


# -- the flow in the window ------------------------------------------------------------------


@pytest.fixture
def session(qtbot: QtBot, qloop: asyncio.AbstractEventLoop) -> Iterator[AppSession]:
    with demo_session(qtbot, qloop) as app_session:
        yield app_session


@pytest.fixture
def flow(session: AppSession) -> capture_flow.CaptureFlow:
    return session.capture_flow


def notice(session: AppSession) -> str:
    return session.window.notice_banner.label.text()


def test_the_action_is_in_the_toolbar_with_a_shortcut(
    session: AppSession, flow: capture_flow.CaptureFlow
) -> None:
    action = flow.action
    assert action.text() == "Capture region"
    assert action.shortcut() == QKeySequence("Ctrl+Shift+S")
    toolbar = session.window.findChild(QToolBar, "mainToolbar")
    assert toolbar is not None
    assert action in toolbar.actions()
    assert action in session.window.actions()


def test_on_the_offscreen_platform_capture_says_what_to_do(
    qtbot: QtBot, session: AppSession, flow: capture_flow.CaptureFlow
) -> None:
    assert QGuiApplication.platformName() == "offscreen"
    qtbot.keySequence(session.window, QKeySequence("Ctrl+Shift+S"))
    assert not flow.busy
    assert session.window.isVisible()
    assert notice(session) == HEADLESS.format(platform="offscreen")
    assert "screenshot tool" in notice(session)
    assert "Ctrl+V" in notice(session)
    assert session.attachments.items() == ()


def black_screen(screen: QScreen) -> QImage:
    """What the offscreen platform's grab gives of an empty screen: all black."""
    image = QImage(screen.geometry().size(), QImage.Format.Format_RGB32)
    image.fill(Qt.GlobalColor.black)
    return image


def test_an_empty_grab_gives_a_clear_message(
    qtbot: QtBot, session: AppSession, flow: capture_flow.CaptureFlow
) -> None:
    window = session.window
    hidden: list[bool] = []
    flow.grab = lambda screen: (hidden.append(not window.isVisible()), black_screen(screen))[1]
    flow.start(method="grab")
    assert flow.busy
    qtbot.waitUntil(lambda: not flow.busy, timeout=5000)
    assert hidden == [True]  # the window was out of the way while the screen was read
    assert window.isVisible()  # and is back
    assert flow.selector is None
    assert notice(session) == EMPTY_GRAB.format(platform="offscreen")
    assert "screenshot tool" in notice(session)
    assert "Ctrl+V" in notice(session)
    assert session.attachments.items() == ()


def test_a_null_grab_gives_the_same_message(
    qtbot: QtBot, session: AppSession, flow: capture_flow.CaptureFlow
) -> None:
    flow.grab = lambda _screen: QImage()
    flow.start(method="grab")
    qtbot.waitUntil(lambda: not flow.busy, timeout=5000)
    assert notice(session) == EMPTY_GRAB.format(platform="offscreen")
    assert session.attachments.items() == ()


def test_no_portal_on_wayland_says_what_to_do(
    session: AppSession, flow: capture_flow.CaptureFlow
) -> None:
    flow.start(method="unavailable")
    assert not flow.busy
    assert notice(session) == NO_PORTAL
    assert "Ctrl+V" in NO_PORTAL


def screen_picture(screen: QScreen) -> QImage:
    """What a grab of `screen` gives on a real desktop: its size in physical pixels."""
    size = screen.geometry().size() * 2
    image = as_qimage(quadrants(size.width(), size.height()))
    image.setDevicePixelRatio(2.0)
    return image


def test_a_region_of_the_screen_goes_into_the_tray(
    qtbot: QtBot, session: AppSession, flow: capture_flow.CaptureFlow
) -> None:
    window = session.window
    flow.grab = screen_picture
    flow.start(method="grab")
    qtbot.waitUntil(lambda: flow.selector is not None and flow.selector.isVisible(), timeout=5000)
    overlay = flow.selector
    assert overlay is not None
    assert not window.isVisible()
    screen = overlay.screen().geometry()
    assert overlay.geometry() == screen
    centre = QPoint(screen.width() // 2, screen.height() // 2)
    # 100×50 view pixels either side of the centre: 400×200 physical pixels.
    start, end = centre - QPoint(100, 50), centre + QPoint(100, 50)
    qtbot.mousePress(overlay, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(overlay, end)
    qtbot.mouseRelease(overlay, Qt.MouseButton.LeftButton, pos=end)
    qtbot.waitUntil(lambda: not flow.busy, timeout=5000)
    assert window.isVisible()
    qtbot.waitUntil(lambda: any(i.sendable for i in session.attachments.items()), timeout=10_000)
    (item,) = session.attachments.items()
    assert CAPTURE_NAME.match(item.name)
    assert item.size == (400, 200)
    assert item.tokens == 512
    assert item.prepared is not None
    assert item.prepared.mime == "image/png"
    with Image.open(io.BytesIO(item.prepared.data)) as sent:
        assert sent.format == "PNG"
        picture = sent.convert("RGB")
        assert picture.getpixel((0, 0)) == TOP_LEFT
        assert picture.getpixel((399, 0)) == TOP_RIGHT
        assert picture.getpixel((0, 199)) == BOTTOM_LEFT
        assert picture.getpixel((399, 199)) == BOTTOM_RIGHT
    assert session.window.tray.tiles()[0].item.name == item.name


def test_escape_on_the_overlay_cancels_the_capture(
    qtbot: QtBot, session: AppSession, flow: capture_flow.CaptureFlow
) -> None:
    flow.grab = screen_picture
    flow.start(method="grab")
    qtbot.waitUntil(lambda: flow.selector is not None and flow.selector.isVisible(), timeout=5000)
    overlay = flow.selector
    assert overlay is not None
    qtbot.keyClick(overlay, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not flow.busy, timeout=5000)
    assert session.window.isVisible()
    assert session.attachments.items() == ()
    assert not session.window.notice_banner.isVisible()  # cancelling is not an error


def test_closing_the_app_during_a_capture_closes_the_overlay(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    app_session = AppSession(demo=True)
    qtbot.addWidget(app_session.window)
    task = qloop.create_task(app_session.run([]))
    qtbot.waitUntil(lambda: app_session.endpoint.has_key, timeout=10_000)
    flow = app_session.capture_flow
    flow.grab = screen_picture
    flow.start(method="grab")
    qtbot.waitUntil(lambda: flow.selector is not None and flow.selector.isVisible(), timeout=5000)
    overlay = flow.selector
    assert overlay is not None
    app_session.request_close()
    qtbot.waitUntil(task.done, timeout=10_000)
    assert task.result() == 0
    qtbot.waitUntil(lambda: flow.selector is None, timeout=5000)
    assert not app_session.window.isVisible()  # not shown again on the way out


# -- Wayland: the desktop portal -------------------------------------------------------------


@pytest.fixture
def portal_bus(tmp_path: Path) -> Iterator[tuple[str, object]]:
    pytest.importorskip("jeepney")
    from PySide6.QtDBus import QDBusConnection

    if dbus_daemon() is None:
        pytest.skip("dbus-daemon is not installed")
    with private_bus(tmp_path) as address:
        name = f"grok-vision-test-{uuid.uuid4().hex}"
        connection = QDBusConnection.connectToBus(address, name)
        assert connection.isConnected()
        try:
            yield address, connection
        finally:
            QDBusConnection.disconnectFromBus(name)


def test_the_portal_screenshot_goes_into_the_tray(
    qtbot: QtBot,
    session: AppSession,
    flow: capture_flow.CaptureFlow,
    portal_bus: tuple[str, object],
    tmp_path: Path,
) -> None:
    address, connection = portal_bus
    shot = tmp_path / "Screenshot from 2026-11-22.png"
    quadrants(640, 480).save(shot)
    flow.portal_bus = connection
    with fake_portal(address, shot.as_uri()):
        flow.start(method="portal")
        qtbot.waitUntil(lambda: not flow.busy, timeout=10_000)
    assert session.window.isVisible()
    qtbot.waitUntil(lambda: any(i.sendable for i in session.attachments.items()), timeout=10_000)
    (item,) = session.attachments.items()
    assert CAPTURE_NAME.match(item.name)
    assert item.size == (640, 480)
    assert item.tokens == 256 * (2 * 2 + 1)


def test_a_portal_screenshot_in_another_format_is_converted_to_png(
    qtbot: QtBot,
    session: AppSession,
    flow: capture_flow.CaptureFlow,
    portal_bus: tuple[str, object],
    tmp_path: Path,
) -> None:
    address, connection = portal_bus
    shot = tmp_path / "shot.jpg"
    quadrants(500, 300).save(shot, "JPEG", quality=95)
    flow.portal_bus = connection
    with fake_portal(address, shot.as_uri()):
        flow.start(method="portal")
        qtbot.waitUntil(lambda: not flow.busy, timeout=10_000)
    qtbot.waitUntil(lambda: any(i.sendable for i in session.attachments.items()), timeout=10_000)
    (item,) = session.attachments.items()
    assert item.prepared is not None
    assert item.prepared.data.startswith(b"\x89PNG")
    assert item.size == (500, 300)


def test_cancelling_in_the_portal_adds_nothing(
    qtbot: QtBot,
    session: AppSession,
    flow: capture_flow.CaptureFlow,
    portal_bus: tuple[str, object],
) -> None:
    address, connection = portal_bus
    flow.portal_bus = connection
    with fake_portal(address, "", code=1):
        flow.start(method="portal")
        qtbot.waitUntil(lambda: not flow.busy, timeout=10_000)
    assert session.window.isVisible()
    assert session.attachments.items() == ()
    assert not session.window.notice_banner.isVisible()


def test_without_a_portal_the_message_says_what_to_do(
    qtbot: QtBot,
    session: AppSession,
    flow: capture_flow.CaptureFlow,
    portal_bus: tuple[str, object],
) -> None:
    _, connection = portal_bus
    flow.portal_bus = connection  # a bus on which no portal runs
    flow.start(method="portal")
    qtbot.waitUntil(lambda: not flow.busy, timeout=10_000)
    assert session.window.isVisible()
    assert notice(session).startswith(
        "Capture region did not work: the desktop portal (xdg-desktop-portal) is not running."
    )
    assert "Ctrl+V" in notice(session)
    assert session.attachments.items() == ()
