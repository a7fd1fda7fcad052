"""The desktop portal's screenshot call (org.freedesktop.portal.Screenshot) over D-Bus.

On Wayland an application cannot read the screen; it asks the desktop through
xdg-desktop-portal. `Screenshot(parent_window, options)` returns the path of a Request object
at once; the answer comes later as that Request's `Response(code, results)` signal, with the
saved image's address in `results["uri"]`. With `interactive` set, the desktop shows its own
screenshot interface, where the user picks the screen, a window or a region.

The subscription to the Response signal is made before the call, on the path the portal
specification predicts from our unique bus name and a `handle_token`, so an answer cannot be
missed; older portals that return another path are followed there too.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from PySide6.QtCore import SLOT, QObject, Slot

PORTAL_SERVICE = "org.freedesktop.portal.Desktop"
PORTAL_PATH = "/org/freedesktop/portal/desktop"
SCREENSHOT_INTERFACE = "org.freedesktop.portal.Screenshot"
REQUEST_INTERFACE = "org.freedesktop.portal.Request"
# PySide6 takes the slot as SLOT()'s string (its stubs say bytes, which it refuses).
_RESPONSE_SLOT: Any = SLOT("response(uint,QVariantMap)")
ANSWER_TIMEOUT = 600.0  # seconds the user may spend in the desktop's screenshot interface

# Response codes of org.freedesktop.portal.Request.
RESPONSE_SUCCESS = 0
RESPONSE_CANCELLED = 1


class PortalError(Exception):
    """The portal could not take a screenshot; the message says why, in plain words."""


class PortalCancelled(Exception):
    """The user cancelled the portal's screenshot."""


def session_bus_available() -> bool:
    """True when Qt's D-Bus module is present and a session bus is reachable."""
    try:
        from PySide6.QtDBus import QDBusConnection
    except ImportError:
        return False
    return QDBusConnection.sessionBus().isConnected()


class _Receiver(QObject):
    """Receives the Request's Response signal and resolves a future with it."""

    def __init__(self, future: asyncio.Future[tuple[int, dict[str, Any]]]) -> None:
        super().__init__()
        self._future = future

    @Slot("uint", "QVariantMap")
    def response(self, code: int, results: dict[str, Any]) -> None:
        if not self._future.done():
            self._future.set_result((int(code), dict(results)))


def request_path(unique_name: str, token: str) -> str:
    """The Request object path the portal uses for `token` ("/…/request/1_42/token")."""
    sender = unique_name.lstrip(":").replace(".", "_")
    return f"{PORTAL_PATH}/request/{sender}/{token}"


async def take_screenshot(*, interactive: bool = True, bus: Any = None) -> str:
    """Ask the portal for a screenshot and return its address (a file:// URI).

    `bus` is a `QDBusConnection` (the session bus when None). Raises `PortalCancelled` when
    the user cancels, `PortalError` for anything else.
    """
    from PySide6.QtDBus import (
        QDBusConnection,
        QDBusMessage,
        QDBusObjectPath,
        QDBusPendingCallWatcher,
    )

    connection: QDBusConnection = bus if bus is not None else QDBusConnection.sessionBus()
    if not connection.isConnected():
        raise PortalError("there is no D-Bus session bus to reach the desktop portal")
    loop = asyncio.get_running_loop()
    answer: asyncio.Future[tuple[int, dict[str, Any]]] = loop.create_future()
    receiver = _Receiver(answer)
    token = f"grokvision{uuid.uuid4().hex[:12]}"
    subscribed: list[str] = []

    def subscribe(path: str) -> None:
        if path not in subscribed and connection.connect(
            PORTAL_SERVICE, path, REQUEST_INTERFACE, "Response", receiver, _RESPONSE_SLOT
        ):
            subscribed.append(path)

    subscribe(request_path(connection.baseService(), token))
    try:
        call = QDBusMessage.createMethodCall(
            PORTAL_SERVICE, PORTAL_PATH, SCREENSHOT_INTERFACE, "Screenshot"
        )
        call.setArguments(["", {"handle_token": token, "interactive": interactive, "modal": True}])
        replied: asyncio.Future[QDBusMessage] = loop.create_future()
        watcher = QDBusPendingCallWatcher(connection.asyncCall(call))
        watcher.finished.connect(
            lambda w: None if replied.done() else replied.set_result(w.reply())
        )
        reply = await replied
        if reply.type() == QDBusMessage.MessageType.ErrorMessage:
            raise PortalError(_call_error(reply.errorName(), reply.errorMessage()))
        handle = reply.arguments()[0] if reply.arguments() else None
        if isinstance(handle, QDBusObjectPath):
            subscribe(handle.path())
        try:
            code, results = await asyncio.wait_for(answer, ANSWER_TIMEOUT)
        except TimeoutError:
            raise PortalError("the desktop portal did not answer in time") from None
    except asyncio.CancelledError:
        for path in subscribed:  # close the desktop's screenshot interface too
            connection.send(
                QDBusMessage.createMethodCall(PORTAL_SERVICE, path, REQUEST_INTERFACE, "Close")
            )
        raise
    finally:
        for path in subscribed:
            connection.disconnect(
                PORTAL_SERVICE, path, REQUEST_INTERFACE, "Response", receiver, _RESPONSE_SLOT
            )
        receiver.deleteLater()
    if code == RESPONSE_CANCELLED:
        raise PortalCancelled
    if code != RESPONSE_SUCCESS:
        raise PortalError("the desktop portal could not take the screenshot")
    uri = str(results.get("uri") or "")
    if not uri:
        raise PortalError("the desktop portal answered without an image")
    return uri


def _call_error(name: str, message: str) -> str:
    if name in {
        "org.freedesktop.DBus.Error.ServiceUnknown",
        "org.freedesktop.DBus.Error.NameHasNoOwner",
    }:
        return "the desktop portal (xdg-desktop-portal) is not running"
    if name in {
        "org.freedesktop.DBus.Error.UnknownMethod",
        "org.freedesktop.DBus.Error.UnknownInterface",
        "org.freedesktop.DBus.Error.UnknownObject",
    }:
        return "this desktop's portal offers no screenshot call"
    if name == "org.freedesktop.portal.Error.NotAllowed":
        return "the desktop did not allow this app to take screenshots"
    return f"the desktop portal refused: {message or name}"
