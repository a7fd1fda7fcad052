"""Hostile replies rendered in the real window, streamed by the demo endpoint through the real
`openai` client: nothing is fetched, nothing runs, and the window keeps working.

Every remote address in them points at a counting HTTP server on 127.0.0.1, which must see no
request at all. Nothing may be executed either: raw HTML is shown as text, and only http(s) and
mailto links are ever opened (on a click, which the test records instead of opening a browser).

Two sources of hostile text:
- the demo's own simulated model, which quotes the question back (up to 200 characters on one
  line), so a hostile question makes a hostile reply: scripts, frames, remote images, and
  javascript: and file: links;
- for what does not fit in a quoted question (a huge table, 1 MB on one line, lists nested
  1,000 deep, raw HTML of every kind), the demo endpoint with its simulated model's text
  replaced by the test (`hostile_model`): everything else — HTTP, the event stream, the client,
  the window — is the app as it runs.

No wall-clock limit is asserted. How long each reply took to show, and the longest pause of a
5 ms timer on the GUI thread meanwhile, are written to the test's report
(`record_property`, and stdout with `-s`).
"""

from __future__ import annotations

import asyncio
import re
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from hardening.running import Running
from PySide6.QtCore import QUrl
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot
from support.gaps import GapMeter

from app.core.conversation import Message, Status
from app.core.markdown import MAX_TABLE_CELLS, MAX_TABLE_ROWS
from app.demo import DEMO_API_KEY, DemoServer
from app.demo import chat as demo_chat
from app.demo import responses as demo_responses

ALLOWED_SCHEMES = ("http:", "https:", "mailto:", "action:")
# 5,000 rows × 8 columns. Laid out whole, such a table froze the window for 4–16 s; the view now
# shows the first rows and says how many are left out (Copy gives the whole reply).
TABLE_ROWS = 5000


class CountingServer:
    """Answers anything on 127.0.0.1 and records every request it gets."""

    def __init__(self) -> None:
        hits = self.hits = []  # type: list[str]

        class Handler(BaseHTTPRequestHandler):
            def _any(self) -> None:
                hits.append(f"{self.command} {self.path}")
                body = b"GIF89a"  # something image-like, were it ever asked for
                self.send_response(200)
                self.send_header("Content-Type", "image/gif")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_HEAD = _any

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="counting-server"
        )
        self._thread.start()

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()


@pytest.fixture
def remote() -> Iterator[CountingServer]:
    server = CountingServer()
    try:
        yield server
    finally:
        server.close()


def measured_ask(
    app: Running, question: str, record: Callable[[str, object], None], label: str
) -> Message:
    started = time.perf_counter()
    with GapMeter() as gaps:
        reply = app.ask(question)
        app.wait_rendered()
        app.window.view.browser.viewport().grab()  # paint it, as the screen would
    took = time.perf_counter() - started
    record(f"{label}: seconds to show", round(took, 3))
    record(f"{label}: longest GUI pause (s)", round(gaps.longest, 3))
    print(  # noqa: T201
        f"\n{label}: {len(reply.text):,} characters shown in {took:.2f} s; "
        f"longest GUI pause {gaps.longest * 1000:.0f} ms"
    )
    return reply


def check_safe(app: Running, remote: CountingServer, opened: list[str]) -> None:
    """Nothing fetched, no image element, no dangerous link; only web links open on a click."""
    html = app.window.view.browser.toHtml()
    assert remote.hits == []
    assert app.window.view.refused_loads == []  # no image element was even made
    assert "<img" not in html
    hrefs = re.findall(r'href="([^"]*)"', html)
    assert all(h.startswith(ALLOWED_SCHEMES) for h in hrefs), {
        h for h in hrefs if not h.startswith(ALLOWED_SCHEMES)
    }
    for href in {h for h in hrefs if not h.startswith("action:")}:
        app.window.view.browser.anchorClicked.emit(QUrl(href))
    for href in ("javascript:alert(1)", "file:///etc/passwd", "data:text/html,<b>x</b>"):
        app.window.view.browser.anchorClicked.emit(QUrl(href))  # even if one slipped in
    assert all(url.startswith(("http://", "https://", "mailto:")) for url in opened), opened
    assert remote.hits == []  # clicking opened, never fetched
    assert app.window.windowTitle().startswith("Grok Vision")


def recording_links(app: Running) -> list[str]:
    opened: list[str] = []
    app.window.view.open_url = lambda url: opened.append(url.toString())
    return opened


# -- hostile questions, quoted back by the demo's simulated model --------------------------------


def quoted_questions(base: str) -> list[str]:
    questions = [
        f"<script>document.title='pwned'</script> <img src={base}/raw.png> "
        f'<iframe src="{base}/frame"></iframe>',
        f"![remote]({base}/md.png) [run](javascript:alert(1)) [secrets](file:///etc/passwd)",
        f"[![inner]({base}/inner.png)]({base}/page) <link rel=stylesheet href={base}/s.css>",
        f'<a href="javascript:alert(2)">x</a> <svg onload=alert(3)> <style>@import '
        f"url({base}/i.css)</style> <{base}/auto>",
        f'<object data="{base}/o"></object> <video src={base}/v.mp4> <audio src={base}/a>'
        f" <base href={base}/>",
    ]
    assert all(len(q) <= 200 for q in questions)  # the simulated model quotes 200 characters
    return questions


def test_hostile_questions_quoted_back(
    qtbot: QtBot,
    qloop: asyncio.AbstractEventLoop,
    remote: CountingServer,
    record_property: Callable[[str, object], None],
) -> None:
    app = Running(qtbot, qloop)
    try:
        opened = recording_links(app)
        for number, question in enumerate(quoted_questions(remote.base), start=1):
            reply = measured_ask(app, question, record_property, f"quoted question {number}")
            assert reply.status is Status.COMPLETE, reply.error
            assert f"> {question}" in reply.text  # the reply carries it, raw
            check_safe(app, remote, opened)
        shown = app.view_text()
        # Raw HTML is text; links to other schemes are text; images are a marker.
        assert "<script>document.title='pwned'</script> <img src=" in shown
        assert "[run](javascript:alert(1)) [secrets](file:///etc/passwd)" in shown
        assert '<a href="javascript:alert(2)">x</a> <svg onload=alert(3)>' in shown
        assert "[image: remote — url not loaded]" in shown
        # The only links are the two web addresses, and they opened only when clicked.
        assert sorted(set(opened)) == [f"{remote.base}/auto", f"{remote.base}/page"]
    finally:
        app.close()
    assert remote.hits == []


# -- hostile replies too big to quote: the demo endpoint with the test's text -------------------


def hostile_replies(base: str) -> dict[str, str]:
    table = "| " + " | ".join(f"col {c}" for c in range(8)) + " |\n" + "|---" * 8 + "|\n"
    table += "".join(
        "| "
        + " | ".join(
            f"![c]({base}/t{r}-{c}.png)" if (r + c) % 97 == 0 else f"r{r}c{c}" for c in range(8)
        )
        + " |\n"
        for r in range(TABLE_ROWS)
    )
    piece = (
        f"**bold** _it_ [link]({base}/l) `code` ![img]({base}/i.png) <b>raw</b> "
        "[javascript](javascript:void(0)) *a_b* "
    )
    one_line = (piece * (1_000_000 // len(piece) + 1))[:1_000_000]
    nested = "".join(
        "  " * depth + f"- level {depth} ![x]({base}/n{depth}.png)\n" for depth in range(1000)
    )
    quotes = "".join(">" * depth + f" quoted {depth}\n" for depth in range(1, 500))
    html = "\n\n".join(
        [
            "<script>document.title = 'pwned'; fetch('" + base + "/script')</script>",
            f'<iframe src="{base}/frame" width=800 height=600></iframe>',
            f'<img src="file:///etc/passwd"> <img src="{base}/raw.png"> '
            f'<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">',
            '<a href="javascript:alert(1)">click me</a> <a href="file:///etc/shadow">local</a>',
            f'<meta http-equiv="refresh" content="0; url={base}/refresh">',
            f"<style>@import url({base}/s.css); body {{ background: url({base}/bg.png) }}</style>",
            f'<link rel="stylesheet" href="{base}/l.css"> <base href="{base}/">',
            f"![md image]({base}/md.png) ![local](file:///etc/hostname)",
            f"![reference][r] [link][l]\n\n[r]: {base}/ref.png\n[l]: javascript:alert(4)",
            f"<{base}/autolink> <mailto:someone@example.com> [ok](https://example.com/docs)",
            f'<svg onload="alert(5)"><image href="{base}/svg.png"/></svg>',
            f'<object data="{base}/object"></object><embed src="{base}/embed">',
            "```html\n<script>alert('in a code block: shown, not run')</script>\n```",
        ]
    )
    return {
        "huge table": table,
        "1 MB on one line": one_line,
        "lists nested 1000 deep": nested,
        "quotes nested 500 deep": quotes,
        "raw HTML of every kind": html,
    }


@pytest.fixture
def hostile_model(monkeypatch: pytest.MonkeyPatch, remote: CountingServer) -> dict[str, str]:
    """The demo endpoint answers "show: <name>" with that hostile reply (else as usual)."""
    replies = hostile_replies(remote.base)
    usual = demo_chat.simulated_reply

    def model(request: Any, tokens_fn: Any) -> str:
        name = request.last_user_text.removeprefix("show: ")
        return replies[name] if name in replies else usual(request, tokens_fn)

    monkeypatch.setattr(demo_chat, "simulated_reply", model)
    monkeypatch.setattr(demo_responses, "simulated_reply", model)
    return replies


# A current model that does not reason (nothing but the reply is streamed), with room for the
# longest reply: 1 MB on one line is about 570,000 tokens by the demo's count. The app keeps
# max_tokens free in the 1,000,000-token window, so it must stay well under that.
BIG_REPLY_SETTINGS = {"model": "grok-4.20-0309-non-reasoning", "max_tokens": 600_000}


@pytest.mark.slow
def test_hostile_replies_render_safely(
    qtbot: QtBot,
    qloop: asyncio.AbstractEventLoop,
    remote: CountingServer,
    hostile_model: dict[str, str],
    record_property: Callable[[str, object], None],
) -> None:
    # Large chunks: a real model would take hours to stream 1 MB at a few characters a token.
    with DemoServer(chunk_chars=4096) as server:
        app = Running(
            qtbot, qloop, base_url=server.base_url, key=DEMO_API_KEY, settings=BIG_REPLY_SETTINGS
        )
        try:
            opened = recording_links(app)
            for name, text in hostile_model.items():
                app.session.new_conversation()  # one each: together they pass the window
                reply = measured_ask(app, f"show: {name}", record_property, name)
                assert reply.status is Status.COMPLETE, reply.error
                assert reply.text == text
                check_safe(app, remote, opened)
                shown = app.view_text()
                lines = text.splitlines()
                if name == "huge table":  # cut where Qt would freeze, with a note; Copy has all
                    rows = min(MAX_TABLE_ROWS, MAX_TABLE_CELLS // 8)
                    lines = lines[: 2 + rows]
                    assert f"Table cut to the first {rows} of {TABLE_ROWS:,} rows" in shown
                    assert f"r{rows - 1}c7" in shown
                    assert f"r{rows}c0" not in shown
                    app.window.view.browser.anchorClicked.emit(QUrl(f"action:copy:{reply.id}"))
                    assert QGuiApplication.clipboard().text() == text
                for line in lines[::97]:  # nothing else was dropped
                    words = re.findall(r"(?:level|quoted|r)\s?\d+(?:c\d+)?", line)
                    assert all(word in shown for word in words), words
            assert "<script>document.title = 'pwned'" in shown
            # The window still works: scroll, type, ask again.
            bar = app.window.view.browser.verticalScrollBar()
            bar.setValue(0)
            bar.setValue(bar.maximum())
            again = app.ask("Still there?")
            assert again.status is Status.COMPLETE, again.error
        finally:
            app.close()
    assert remote.hits == []
