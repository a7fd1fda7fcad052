"""The few Xlib calls the end-to-end test and the start-up benchmark need, through ctypes.

Enough to list the top-level windows of an X server with their titles, map state and size, to
wait for a window to be mapped (MapNotify on the root window, no polling), and to close a
window as a window manager's close button does (a WM_DELETE_WINDOW client message).

Only libX11 is needed (Debian: libx11-6, which Qt's xcb plugin pulls in anyway); no xdotool.
X errors (a window that vanished between two calls) are counted, never fatal: the default
Xlib handler would end the process.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import select
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

# From X.h
MAP_NOTIFY = 19
CLIENT_MESSAGE = 33
SUBSTRUCTURE_NOTIFY_MASK = 1 << 19
IS_VIEWABLE = 2
ANY_PROPERTY_TYPE = 0
SUCCESS = 0

Window = ctypes.c_ulong
Atom = ctypes.c_ulong


class XWindowAttributes(ctypes.Structure):
    _fields_ = [
        ("x", ctypes.c_int),
        ("y", ctypes.c_int),
        ("width", ctypes.c_int),
        ("height", ctypes.c_int),
        ("border_width", ctypes.c_int),
        ("depth", ctypes.c_int),
        ("visual", ctypes.c_void_p),
        ("root", Window),
        ("class_", ctypes.c_int),
        ("bit_gravity", ctypes.c_int),
        ("win_gravity", ctypes.c_int),
        ("backing_store", ctypes.c_int),
        ("backing_planes", ctypes.c_ulong),
        ("backing_pixel", ctypes.c_ulong),
        ("save_under", ctypes.c_int),
        ("colormap", ctypes.c_ulong),
        ("map_installed", ctypes.c_int),
        ("map_state", ctypes.c_int),
        ("all_event_masks", ctypes.c_long),
        ("your_event_mask", ctypes.c_long),
        ("do_not_propagate_mask", ctypes.c_long),
        ("override_redirect", ctypes.c_int),
        ("screen", ctypes.c_void_p),
    ]


class XMapEvent(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int),
        ("serial", ctypes.c_ulong),
        ("send_event", ctypes.c_int),
        ("display", ctypes.c_void_p),
        ("event", Window),
        ("window", Window),
        ("override_redirect", ctypes.c_int),
    ]


class _ClientData(ctypes.Union):
    _fields_ = [("b", ctypes.c_char * 20), ("s", ctypes.c_short * 10), ("l", ctypes.c_long * 5)]


class XClientMessageEvent(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int),
        ("serial", ctypes.c_ulong),
        ("send_event", ctypes.c_int),
        ("display", ctypes.c_void_p),
        ("window", Window),
        ("message_type", Atom),
        ("format", ctypes.c_int),
        ("data", _ClientData),
    ]


class XEvent(ctypes.Union):
    _fields_ = [
        ("type", ctypes.c_int),
        ("xmap", XMapEvent),
        ("xclient", XClientMessageEvent),
        ("pad", ctypes.c_long * 24),
    ]


_ERROR_HANDLER = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p)


class _Lib:
    """libX11 with the prototypes of the functions used here, loaded once."""

    def __init__(self) -> None:
        name = ctypes.util.find_library("X11") or "libX11.so.6"
        lib = ctypes.CDLL(name)
        display, win = ctypes.c_void_p, Window
        signatures: dict[str, tuple[object, list[object]]] = {
            "XOpenDisplay": (display, [ctypes.c_char_p]),
            "XCloseDisplay": (ctypes.c_int, [display]),
            "XDefaultRootWindow": (win, [display]),
            "XConnectionNumber": (ctypes.c_int, [display]),
            "XQueryTree": (
                ctypes.c_int,
                [
                    display,
                    win,
                    ctypes.POINTER(Window),
                    ctypes.POINTER(Window),
                    ctypes.POINTER(ctypes.POINTER(Window)),
                    ctypes.POINTER(ctypes.c_uint),
                ],
            ),
            "XGetWindowAttributes": (
                ctypes.c_int,
                [display, win, ctypes.POINTER(XWindowAttributes)],
            ),
            "XInternAtom": (Atom, [display, ctypes.c_char_p, ctypes.c_int]),
            "XGetWindowProperty": (
                ctypes.c_int,
                [
                    display,
                    win,
                    Atom,
                    ctypes.c_long,
                    ctypes.c_long,
                    ctypes.c_int,
                    Atom,
                    ctypes.POINTER(Atom),
                    ctypes.POINTER(ctypes.c_int),
                    ctypes.POINTER(ctypes.c_ulong),
                    ctypes.POINTER(ctypes.c_ulong),
                    ctypes.POINTER(ctypes.POINTER(ctypes.c_ubyte)),
                ],
            ),
            "XSendEvent": (
                ctypes.c_int,
                [display, win, ctypes.c_int, ctypes.c_long, ctypes.POINTER(XEvent)],
            ),
            "XSelectInput": (ctypes.c_int, [display, win, ctypes.c_long]),
            "XPending": (ctypes.c_int, [display]),
            "XNextEvent": (ctypes.c_int, [display, ctypes.POINTER(XEvent)]),
            "XSync": (ctypes.c_int, [display, ctypes.c_int]),
            "XFlush": (ctypes.c_int, [display]),
            "XFree": (ctypes.c_int, [ctypes.c_void_p]),
            "XSetErrorHandler": (ctypes.c_void_p, [_ERROR_HANDLER]),
        }
        for fn_name, (restype, argtypes) in signatures.items():
            fn = getattr(lib, fn_name)
            fn.restype = restype
            fn.argtypes = argtypes
        self.lib = lib
        self.errors = 0
        # Kept referenced for as long as the library is: Xlib calls it on any X error.
        self._handler = _ERROR_HANDLER(self._on_error)
        lib.XSetErrorHandler(self._handler)

    def _on_error(self, _display: object, _event: object) -> int:
        self.errors += 1
        return 0


_lib: _Lib | None = None


def libx11() -> _Lib:
    global _lib  # noqa: PLW0603 (one loaded library per process)
    if _lib is None:
        _lib = _Lib()
    return _lib


def available() -> str | None:
    """None if libX11 can be used here, else why not."""
    try:
        libx11()
    except OSError as exc:
        return f"libX11 cannot be loaded ({exc}); Debian: apt-get install libx11-6"
    return None


@dataclass(frozen=True)
class WindowInfo:
    id: int
    title: str
    viewable: bool
    width: int
    height: int
    override_redirect: bool


class Display:
    """A connection to one X server (`name` like ":7")."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._x = libx11()
        self._d = self._x.lib.XOpenDisplay(name.encode())
        if not self._d:
            raise OSError(f"cannot open X display {name}")
        self.root = int(self._x.lib.XDefaultRootWindow(self._d))
        self._atoms: dict[str, int] = {}

    def close(self) -> None:
        if self._d:
            self._x.lib.XCloseDisplay(self._d)
            self._d = None

    def __enter__(self) -> Display:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def atom(self, name: str) -> int:
        if name not in self._atoms:
            self._atoms[name] = int(self._x.lib.XInternAtom(self._d, name.encode(), 0))
        return self._atoms[name]

    # -- reading -------------------------------------------------------------------------------
    def top_level_windows(self) -> list[int]:
        """Children of the root window (the top-level windows: no window manager runs)."""
        root, parent = Window(), Window()
        children = ctypes.POINTER(Window)()
        count = ctypes.c_uint()
        if not self._x.lib.XQueryTree(
            self._d,
            self.root,
            ctypes.byref(root),
            ctypes.byref(parent),
            ctypes.byref(children),
            ctypes.byref(count),
        ):
            return []
        try:
            return [int(children[i]) for i in range(count.value)]
        finally:
            if children:
                self._x.lib.XFree(children)

    def title(self, window: int) -> str:
        """_NET_WM_NAME (UTF-8), else WM_NAME; "" if the window has none or is gone."""
        for prop, encoding in (("_NET_WM_NAME", "utf-8"), ("WM_NAME", "latin-1")):
            data = self._property(window, self.atom(prop))
            if data:
                return data.decode(encoding, errors="replace")
        return ""

    def _property(self, window: int, prop: int) -> bytes:
        actual_type, actual_format = Atom(), ctypes.c_int()
        nitems, after = ctypes.c_ulong(), ctypes.c_ulong()
        data = ctypes.POINTER(ctypes.c_ubyte)()
        status = self._x.lib.XGetWindowProperty(
            self._d,
            window,
            prop,
            0,
            4096,
            0,
            ANY_PROPERTY_TYPE,
            ctypes.byref(actual_type),
            ctypes.byref(actual_format),
            ctypes.byref(nitems),
            ctypes.byref(after),
            ctypes.byref(data),
        )
        if status != SUCCESS or not data:
            return b""
        try:
            if actual_format.value != 8:
                return b""
            return ctypes.string_at(data, nitems.value)
        finally:
            self._x.lib.XFree(data)

    def info(self, window: int) -> WindowInfo | None:
        attributes = XWindowAttributes()
        if not self._x.lib.XGetWindowAttributes(self._d, window, ctypes.byref(attributes)):
            return None
        return WindowInfo(
            id=window,
            title=self.title(window),
            viewable=attributes.map_state == IS_VIEWABLE,
            width=attributes.width,
            height=attributes.height,
            override_redirect=bool(attributes.override_redirect),
        )

    def windows(self) -> list[WindowInfo]:
        found = (self.info(w) for w in self.top_level_windows())
        return [w for w in found if w is not None]

    def find_window(
        self, matches: Callable[[str], bool], *, timeout: float, viewable: bool = True
    ) -> WindowInfo | None:
        """The first top-level window whose title `matches` (and is mapped), waiting for it."""
        deadline = time.monotonic() + timeout
        while True:
            for window in self.windows():
                if matches(window.title) and (window.viewable or not viewable):
                    return window
            if time.monotonic() > deadline:
                return None
            time.sleep(0.05)

    # -- events --------------------------------------------------------------------------------
    @contextmanager
    def watching_maps(self) -> Iterator[Callable[[Callable[[str], bool], float], float | None]]:
        """Listen for windows being mapped; yields `wait(matches, timeout)`, which returns the
        `time.perf_counter()` at which a top-level window whose title `matches` was mapped
        (None on timeout). Start listening before starting the process that maps it."""
        lib = self._x.lib
        lib.XSelectInput(self._d, self.root, SUBSTRUCTURE_NOTIFY_MASK)
        lib.XSync(self._d, 0)
        fd = lib.XConnectionNumber(self._d)
        event = XEvent()

        def wait(matches: Callable[[str], bool], timeout: float) -> float | None:
            deadline = time.monotonic() + timeout
            while True:
                while lib.XPending(self._d):
                    lib.XNextEvent(self._d, ctypes.byref(event))
                    if event.type != MAP_NOTIFY or event.xmap.override_redirect:
                        continue
                    seen = time.perf_counter()
                    if matches(self.title(int(event.xmap.window))):
                        return seen
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                select.select([fd], [], [], min(remaining, 1.0))

        try:
            yield wait
        finally:
            lib.XSelectInput(self._d, self.root, 0)
            lib.XSync(self._d, 1)  # and drop what is still queued

    # -- acting --------------------------------------------------------------------------------
    def request_close(self, window: int) -> None:
        """What a window manager's close button sends: WM_PROTOCOLS / WM_DELETE_WINDOW."""
        event = XEvent()
        message = event.xclient
        message.type = CLIENT_MESSAGE
        message.window = window
        message.message_type = self.atom("WM_PROTOCOLS")
        message.format = 32
        message.data.l[0] = self.atom("WM_DELETE_WINDOW")
        message.data.l[1] = 0  # CurrentTime
        self._x.lib.XSendEvent(self._d, window, 0, 0, ctypes.byref(event))
        self._x.lib.XFlush(self._d)
