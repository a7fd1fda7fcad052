"""A stand-in for xdg-desktop-portal's Screenshot call, on a private D-Bus session bus.

Run as a process (jeepney, pure Python): `python fake_portal.py URI [CODE]`. It owns
org.freedesktop.portal.Desktop, answers Screenshot(parent_window, options) with the Request
path the portal specification gives (from the caller's unique name and its handle_token), then
emits that Request's Response(CODE, {"uri": URI}) as the real portal does once the user is
done. It prints "ready" once it owns the name, and "options <dict>" for every call.

`private_bus(tmp_path)` starts a dbus-daemon of the test's own (no service activation, so no
real portal can answer) and yields its address.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir={directory}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


def dbus_daemon() -> str | None:
    return shutil.which("dbus-daemon")


@contextlib.contextmanager
def private_bus(directory: Path) -> Iterator[str]:
    """A session bus of our own; yields its address."""
    daemon = dbus_daemon()
    assert daemon is not None
    config = directory / "bus.conf"
    config.write_text(_CONFIG.format(directory=directory))
    process = subprocess.Popen(
        [daemon, f"--config-file={config}", "--nofork", "--print-address=1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        address = process.stdout.readline().strip()
        assert address, "dbus-daemon printed no address"
        yield address
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()


@contextlib.contextmanager
def fake_portal(address: str, uri: str, code: int = 0) -> Iterator[subprocess.Popen[str]]:
    """The fake portal process on the bus at `address`, ready to answer."""
    env = {"DBUS_SESSION_BUS_ADDRESS": address, "PATH": "/usr/bin:/bin"}
    process = subprocess.Popen(
        [sys.executable, __file__, uri, str(code)], stdout=subprocess.PIPE, text=True, env=env
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "ready"
        yield process
    finally:
        process.kill()
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()


def _serve(uri: str, code: int) -> None:
    from jeepney import (
        DBusAddress,
        HeaderFields,
        MessageType,
        new_error,
        new_method_return,
        new_signal,
    )
    from jeepney.bus_messages import message_bus
    from jeepney.io.blocking import open_dbus_connection

    connection = open_dbus_connection("SESSION")
    connection.send_and_get_reply(message_bus.RequestName("org.freedesktop.portal.Desktop"))
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    while True:
        message = connection.receive()
        header = message.header
        if header.message_type != MessageType.method_call:
            continue
        if header.fields.get(HeaderFields.member) != "Screenshot":
            connection.send(new_error(message, "org.freedesktop.DBus.Error.UnknownMethod"))
            continue
        _parent, options = message.body
        sys.stdout.write(f"options {options}\n")
        sys.stdout.flush()
        token = options["handle_token"][1]
        sender = header.fields[HeaderFields.sender].lstrip(":").replace(".", "_")
        path = f"/org/freedesktop/portal/desktop/request/{sender}/{token}"
        connection.send(new_method_return(message, "o", (path,)))
        results = {"uri": ("s", uri)} if code == 0 else {}
        request = DBusAddress(path, interface="org.freedesktop.portal.Request")
        connection.send(new_signal(request, "Response", "ua{sv}", (code, results)))


if __name__ == "__main__":
    _serve(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 0)
