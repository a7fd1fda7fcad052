"""One app, one window: a second launch hands its files to the running window and ends.

The first instance listens on a local socket named per user and data directory
(:func:`app.gui.instance_claim.socket_name`) from just after its first paint. A later launch
(``grok-vision a.png b.png``, or "Open with" from a file manager) connects, sends one JSON
line ``{"files": [absolute paths]}`` and waits for ``ok``; the running window adds the files
to its tray and comes to the front. When nobody answers in time (the first instance is hung),
the launch goes on as before: the history lock (:mod:`app.store.lock`) makes it a read-only
window. A socket left by a crash is replaced.

QtNetwork is imported here only, after the first paint (or before it only when a socket
exists to connect to: see `app.gui.instance_claim`).
"""

from __future__ import annotations

import enum
import json
import logging
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket
from PySide6.QtWidgets import QWidget

log = logging.getLogger(__name__)

ANSWER_MS = 2_000  # how long a launch waits for the running window to say it took the files
MAX_MESSAGE = 1 << 20


class HandOff(enum.Enum):
    TAKEN = "taken"  # the running window took the files: this launch ends
    NOBODY = "nobody"  # no running window: this launch is the one
    HUNG = "hung"  # a window holds the socket but does not answer


def hand_off(files: Sequence[str], name: str, answer_ms: int = ANSWER_MS) -> HandOff:
    """Offer `files` (made absolute here: the running app has another working folder) to the
    window listening on `name`."""
    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(answer_ms):
        return HandOff.NOBODY
    paths = [str(Path(f).expanduser().absolute()) for f in files]
    socket.write(json.dumps({"files": paths}).encode() + b"\n")
    answer = b""
    while b"\n" not in answer and socket.waitForReadyRead(answer_ms):
        answer += socket.readAll().data()
    socket.abort()
    if answer.startswith(b"ok"):
        return HandOff.TAKEN
    log.warning("the running grok-vision did not answer on %s: opening another window", name)
    return HandOff.HUNG


class InstanceServer(QObject):
    """The running app's end of the socket: files from a later launch arrive in
    `filesReceived`, and :meth:`serve` adds them to the tray and raises the window."""

    filesReceived = Signal(list)

    def __init__(self, name: str, *, listen: bool = True, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._connected)
        if listen and not self._server.listen(name):
            QLocalServer.removeServer(name)  # nobody answered on it: a crashed run's socket
            if not self._server.listen(name):
                log.warning("not listening for later launches: %s", self._server.errorString())

    @property
    def listening(self) -> bool:
        return self._server.isListening()

    def serve(self, window: QWidget, add_files: Callable[[list[str]], object]) -> None:
        def receive(files: list[str]) -> None:
            if files:
                add_files(files)
            bring_to_front(window)

        self.filesReceived.connect(receive)

    def close(self) -> None:
        self._server.close()

    def _connected(self) -> None:
        while (socket := self._server.nextPendingConnection()) is not None:
            socket.setParent(self)
            buffer = bytearray()
            socket.readyRead.connect(lambda s=socket, b=buffer: self._read(s, b))
            socket.disconnected.connect(socket.deleteLater)

    def _read(self, socket: QLocalSocket, buffer: bytearray) -> None:
        buffer += socket.readAll().data()
        if len(buffer) > MAX_MESSAGE:
            socket.abort()
            return
        if b"\n" not in buffer:
            return
        try:
            files = json.loads(bytes(buffer).split(b"\n", 1)[0]).get("files", [])
        except (ValueError, AttributeError):
            files = None
        if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
            socket.write(b"bad\n")
            socket.disconnectFromServer()
            return
        socket.write(b"ok\n")
        socket.flush()
        socket.disconnectFromServer()
        self.filesReceived.emit(files)


def bring_to_front(window: QWidget) -> None:
    window.setWindowState(window.windowState() & ~Qt.WindowState.WindowMinimized)
    window.show()
    window.raise_()
    window.activateWindow()
