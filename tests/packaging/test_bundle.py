"""The PyInstaller bundle as a user gets it: built by packaging/build.sh with the interpreter
that runs the tests, then run as a program with no Python and no network.

Slow: the session builds the bundle once (about a minute on 2 cores; GROK_VISION_BUNDLE=DIR
tests a bundle already built instead). Skipped when PyInstaller is not installed.
"""

from __future__ import annotations

import ipaddress
import json
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from bundle_support import NAME, RESOURCES, Bundle, bundle_size, size_budget_mib
from PIL import Image
from support.documents import write_heic, write_pdf

import app

pytestmark = pytest.mark.slow

START_TIMEOUT_S = 60.0
STAY_UP_S = 3.0
EXIT_TIMEOUT_S = 30.0
MIB = 1024 * 1024
PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")
NO_PROXY_VARS = ("NO_PROXY", "no_proxy")


def run_bundle(
    bundle: Bundle,
    *args: str,
    stdin: str | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 60,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(bundle.program), *args],
        input=stdin,
        text=True,
        capture_output=True,
        env={**os.environ, **(env or {})},
        timeout=timeout,
        check=False,
    )


# --- what is in it --------------------------------------------------------------------------


def test_version_runs_without_python(bundle: Bundle, tmp_path: Path) -> None:
    # No interpreter on PATH and no PYTHONPATH or PYTHONHOME to lean on.
    env = {"PATH": str(tmp_path), "PYTHONPATH": "", "PYTHONHOME": ""}
    result = run_bundle(bundle, "--version", env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"grok-vision {app.__version__}\n"


def test_tokens_json_prices_a_generated_png(bundle: Bundle, tmp_path: Path) -> None:
    png = tmp_path / "chart.png"
    Image.new("RGB", (1000, 700), (30, 120, 200)).save(png)
    result = run_bundle(bundle, "tokens", "--json", str(png))
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    # ceil(1000/448) × ceil(700/448) = 3 × 2 tiles → 256 × (6 + 1) tokens
    assert report == {
        "images": [{"path": str(png), "width": 1000, "height": 700, "tiles": 6, "tokens": 1792}],
        "total_tokens": 1792,
        "errors": [],
    }


def test_pdf_pages_and_heic_photos_are_read_in_the_bundle(bundle: Bundle, tmp_path: Path) -> None:
    """PDFium (pypdfium2) and libheif (pi-heif) are imported by name on first use: bundled."""
    doc = write_pdf(tmp_path / "doc.pdf", pages=2)
    photo = write_heic(tmp_path / "IMG_0001.HEIC", (64, 32), orientation=6)
    result = run_bundle(bundle, "tokens", "--json", str(doc), str(photo))
    assert result.returncode == 0, result.stderr
    images = json.loads(result.stdout)["images"]
    assert [(i.get("page"), i["width"], i["height"]) for i in images] == [
        (1, 1039, 1344),
        (2, 1039, 1344),
        (None, 32, 64),
    ]
    assert not list(bundle.internal.glob("pillow_heif*")), "GPL pillow-heif wheels are bundled"


def test_size_is_within_the_budget(bundle: Bundle) -> None:
    size = bundle_size(bundle.folder)
    budget = size_budget_mib()
    assert size <= budget * MIB, (
        f"the bundle is {size / MIB:.1f} MiB, over its budget of {budget} MiB"
    )


def test_it_carries_the_resources_and_the_keyring_metadata(bundle: Bundle) -> None:
    internal = bundle.internal
    for name in (f"{NAME}.svg", f"{NAME}-256.png", f"{NAME}.desktop"):
        assert (internal / "resources" / name).read_bytes() == (RESOURCES / name).read_bytes()
    # keyring finds its backends through the entry points in its metadata.
    entry_points = next(internal.glob("keyring-*.dist-info")) / "entry_points.txt"
    assert "keyring.backends.SecretService" in entry_points.read_text()
    assert list(internal.glob("[Ss]ecret[Ss]torage-*.dist-info"))


def test_it_leaves_out_what_the_app_does_not_use(bundle: Bundle) -> None:
    internal = bundle.internal
    assert not (internal / "keyrings").exists(), "keyrings.alt (plaintext keyring) is bundled"
    assert not list(internal.glob("keyrings.alt-*.dist-info"))
    qt = internal / "PySide6" / "Qt"
    assert not (qt / "translations").exists()
    modules = {path.name.split(".")[0] for path in (internal / "PySide6").glob("Qt*.so")}
    assert modules == {"QtCore", "QtGui", "QtWidgets", "QtDBus", "QtNetwork"}
    names = {path.name for path in internal.rglob("*") if path.is_file() or path.is_symlink()}
    for unwanted in (
        "libQt6Qml",
        "libQt6Quick",
        "libQt6Pdf",
        "libgtk-3",
        "libqvnc",
        "libqgtk3",
        "libqpdf",
        "libqopensslbackend",  # QtNetwork is there for its local socket alone
        "libqnetworkmanager",
        "libqglib",
        "libgio-2.0",
    ):
        assert not [n for n in names if n.startswith(unwanted)], f"{unwanted} is bundled"


def test_no_link_dangles(bundle: Bundle) -> None:
    dangling = [
        path for path in bundle.folder.rglob("*") if path.is_symlink() and not path.exists()
    ]
    assert not dangling


def test_every_shared_object_finds_its_libraries(bundle: Bundle) -> None:
    """What was left out of Qt was not needed by what stayed in."""
    ldd = shutil.which("ldd")
    if ldd is None:
        pytest.skip("ldd is not installed")
    objects = [
        bundle.program,
        *(
            path
            for path in bundle.internal.rglob("*.so*")
            if path.is_file() and not path.is_symlink()
        ),
    ]
    # The bundle's program puts _internal first on the library path, as done here.
    env = {**os.environ, "LD_LIBRARY_PATH": str(bundle.internal)}
    missing = {}
    for path in objects:
        result = subprocess.run(
            [ldd, str(path)], capture_output=True, text=True, env=env, check=False, timeout=30
        )
        lost = [line.strip() for line in result.stdout.splitlines() if "not found" in line]
        if lost:
            missing[str(path.relative_to(bundle.folder))] = lost
    assert not missing


# --- the window -----------------------------------------------------------------------------


class ProxyRecorder:
    """A TCP listener on 127.0.0.1 named as the HTTP(S) proxy of a process: every request that
    honours the proxy variables lands here, and the target of each one is recorded."""

    def __init__(self) -> None:
        self._server = socket.create_server(("127.0.0.1", 0))
        self._server.settimeout(0.1)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="proxy-recorder")
        self.requests: list[str] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.getsockname()[1]}"

    def __enter__(self) -> ProxyRecorder:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._server.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(2)
                try:
                    head = conn.recv(4096)
                except OSError:
                    head = b""
            first = head.split(b"\r\n", 1)[0].decode("latin-1")
            self.requests.append(first or "(connection with no request)")

    def targets(self) -> list[str]:
        """The host each recorded request was for ("CONNECT host:port" or an absolute URL)."""
        hosts = []
        for line in self.requests:
            parts = line.split()
            target = parts[1] if len(parts) >= 2 else ""
            if parts and parts[0] == "CONNECT":
                hosts.append(target.rsplit(":", 1)[0].strip("[]"))
            else:
                hosts.append(urlsplit(target).hostname or "?")
        return hosts


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def window_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    from app.gui import REPORT_SHOWN_ENV

    env = {
        key: value for key, value in os.environ.items() if key not in (*PROXY_VARS, *NO_PROXY_VARS)
    }
    env.update(
        {
            "QT_QPA_PLATFORM": "offscreen",
            REPORT_SHOWN_ENV: "1",
            "GROK_VISION_LOG_DIR": str(tmp_path / "logs"),
            "XDG_RUNTIME_DIR": str(tmp_path),
        }
    )
    env.update(extra)
    return env


def run_window(command: list[str], env: dict[str, str]) -> tuple[int, str]:
    """Start the window, wait until it says it is shown, check that it stays up, then end it
    with SIGTERM (which closes it as the close button does). Returns (exit status, stderr)."""
    from app.gui import SHOWN_LINE

    process = subprocess.Popen(
        command,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    lines: list[str] = []
    shown = threading.Event()

    def read() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            lines.append(line)
            if line.strip() == SHOWN_LINE:
                shown.set()

    reader = threading.Thread(target=read, name="bundle-stderr")
    reader.start()
    try:
        shown.wait(START_TIMEOUT_S)
        if not shown.is_set():
            pytest.fail(
                f"no window within {START_TIMEOUT_S:.0f} s "
                f"(exit {process.poll()}):\n{''.join(lines)[-3000:]}"
            )
        time.sleep(STAY_UP_S)
        assert process.poll() is None, f"the window went away:\n{''.join(lines)[-3000:]}"
        process.send_signal(signal.SIGTERM)
        status = process.wait(timeout=EXIT_TIMEOUT_S)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        reader.join(timeout=10)
        process.stderr.close()
    return status, "".join(lines)


def assert_clean_run(status: int, stderr: str, log_dir: Path) -> None:
    assert "Traceback" not in stderr, stderr
    logged = "".join(path.read_text() for path in sorted(log_dir.glob("*.log*")))
    assert " ERROR " not in logged, logged
    assert " CRITICAL " not in logged, logged
    assert status == 0, stderr


def test_the_window_starts_and_requests_nothing_but_loopback(
    bundle: Bundle, tmp_path: Path
) -> None:
    """Every HTTP client that honours the proxy variables (httpx does) is sent to a recorder;
    with no NO_PROXY, even the demo endpoint's loopback requests go there. Only loopback
    targets may appear."""
    with ProxyRecorder() as proxy:
        env = window_env(tmp_path, **dict.fromkeys(PROXY_VARS, proxy.url))
        status, stderr = run_window([str(bundle.program), "--demo"], env)
    assert_clean_run(status, stderr, tmp_path / "logs")
    outside = [
        request
        for request, host in zip(proxy.requests, proxy.targets(), strict=True)
        if not is_loopback(host)
    ]
    assert not outside, f"requests beyond this machine at start: {outside}"


def test_the_bundle_honours_the_proxy_variables(bundle: Bundle) -> None:
    """The check above is not vacuous: the bundle's HTTP stack does go through the proxy."""
    with socket.create_server(("127.0.0.1", 0)) as closed:
        dead_port = closed.getsockname()[1]
    with ProxyRecorder() as proxy:
        env = {key: value for key, value in os.environ.items() if key not in NO_PROXY_VARS}
        env.update(dict.fromkeys(PROXY_VARS, proxy.url))
        result = run_bundle(
            bundle, "models", "--base-url", f"http://127.0.0.1:{dead_port}/v1", env=env
        )
    assert result.returncode != 0
    assert proxy.requests, "the bundle ignored HTTP_PROXY/HTTPS_PROXY/ALL_PROXY"
    assert all(host == "127.0.0.1" for host in proxy.targets()), proxy.requests


def _no_network_prefix() -> list[str] | None:
    """A command prefix that runs a program in a new network namespace with only loopback up,
    or None where that is not possible here."""
    unshare, ip = shutil.which("unshare"), shutil.which("ip")
    if unshare is None or ip is None:
        return None
    prefix = [unshare, "--net"] if os.geteuid() == 0 else [unshare, "--net", "--map-root-user"]
    prefix += ["sh", "-c", f'"{ip}" link set lo up && exec "$0" "$@"']
    probe = subprocess.run([*prefix, "true"], capture_output=True, check=False, timeout=30)
    return prefix if probe.returncode == 0 else None


def test_the_window_starts_with_no_network_at_all(bundle: Bundle, tmp_path: Path) -> None:
    prefix = _no_network_prefix()
    if prefix is None:
        pytest.skip(
            "cannot make a network namespace here (unshare --net and ip are needed, "
            "as root or with user namespaces)"
        )
    status, stderr = run_window([*prefix, str(bundle.program), "--demo"], window_env(tmp_path))
    assert_clean_run(status, stderr, tmp_path / "logs")


# --- the keyring ----------------------------------------------------------------------------


@pytest.mark.secret_service
def test_the_bundle_keeps_a_key_in_the_secret_service(bundle: Bundle) -> None:
    """The bundled keyring finds the Secret Service backend (its metadata and secretstorage
    made it into the bundle). Needs a running, unlocked Secret Service, as .ci/run provides."""
    account = f"pytest-bundle-{uuid.uuid4().hex}"
    env = {"XAI_API_KEY": ""}
    status = run_bundle(bundle, "key", "status", "--account", account, env=env)
    if not status.stdout.startswith("Keyring backend: Secret Service"):
        reason = f"no Secret Service for the bundle: {status.stdout.strip()}"
        if os.environ.get("REQUIRE_SECRET_SERVICE") == "1":
            pytest.fail(f"REQUIRE_SECRET_SERVICE=1 but {reason}")
        pytest.skip(reason)
    key = f"xai-{uuid.uuid4().hex}{uuid.uuid4().hex}"
    try:
        stored = run_bundle(bundle, "key", "set", "--account", account, stdin=key + "\n", env=env)
        assert stored.returncode == 0, stored.stderr
        assert stored.stdout.startswith("Key stored in Secret Service"), stored.stdout
        found = run_bundle(bundle, "key", "status", "--account", account, env=env)
        assert "Key stored in the keyring" in found.stdout
        assert key not in found.stdout + found.stderr
    finally:
        deleted = run_bundle(bundle, "key", "delete", "--account", account, env=env)
    assert deleted.stdout == "Key deleted.\n"
