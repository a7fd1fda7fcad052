"""The whole app in a test: an AppSession on the test's qasync loop, driven through its window.

`Running(qtbot, qloop)` is `grok-vision --demo` (its own demo endpoint, no pacing);
`Running(qtbot, qloop, base_url=..., key=...)` is the app pointed at another endpoint, with the
key in the (in-memory) keyring as Settings would store it. Either is closed with `close()`,
which checks that the session ended cleanly.
"""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

import keyring
from PySide6.QtCore import QMimeData, Qt, QUrl
from PySide6.QtGui import QGuiApplication, QKeySequence
from pytestqt.qtbot import QtBot

from app.core.attachment import Attachment
from app.core.conversation import Message, Status
from app.core.endpoints import key_account
from app.gui.session import AppSession
from app.keystore import SERVICE
from app.llm.stream import RetryPolicy
from app.ui.conversation_render import action_url
from app.ui.main_window import MainWindow
from app.ui.tray_tile import TrayTile

# Retries as the app does them, with delays short enough for a test.
FAST_RETRIES = RetryPolicy(max_retries=2, base_delay=0.05, max_delay=0.2)
WAIT_MS = 20_000  # only so that a broken app cannot hang the run


class Running:
    def __init__(
        self,
        qtbot: QtBot,
        qloop: asyncio.AbstractEventLoop,
        *,
        base_url: str | None = None,
        key: str | None = None,
        settings: dict[str, object] | None = None,
    ) -> None:
        self.qtbot = qtbot
        demo = base_url is None
        config = dict(settings or {})
        if base_url is not None:
            config["base_url"] = base_url
            if key is not None:
                keyring.set_password(SERVICE, key_account(base_url), key)
        if config:
            folder = Path(os.environ["GROK_VISION_CONFIG_DIR"])
            (folder / "settings.json").write_text(json.dumps(config), encoding="utf-8")
        self.session = AppSession(demo=demo)
        if "titles" not in config:  # no title request after the first reply, unless asked
            self.session.settings.titles = "local"
        self.session.chat.retry_policy = FAST_RETRIES
        # Replies that ended (complete, failed or stopped) and were shown in their final state.
        self.finished: list[str] = []
        self.session.chat.replyFinished.connect(lambda message: self.finished.append(message.id))
        qtbot.addWidget(self.session.window)
        self.task = qloop.create_task(self.session.run([]))
        qtbot.waitUntil(
            lambda: self.session.send_block_reason("x") != "Connecting…", timeout=WAIT_MS
        )
        qtbot.waitUntil(lambda: self.session.history_flow.history.info is not None, timeout=WAIT_MS)
        if demo:
            qtbot.waitUntil(lambda: bool(self.session.models), timeout=WAIT_MS)
            self.session.demo_server.pace = 0.0

    # -- what is on screen -------------------------------------------------------------------
    @property
    def window(self) -> MainWindow:
        return self.session.window

    @property
    def messages(self) -> list[Message]:
        return self.session.chat.conversation.messages

    @property
    def last(self) -> Message:
        return self.messages[-1]

    def items(self) -> tuple[Attachment, ...]:
        return self.session.attachments.items()

    def item_named(self, name: str) -> Attachment:
        found = [item for item in self.items() if item.name == name]
        assert len(found) == 1, f"{name!r} not in the tray: {[i.name for i in self.items()]}"
        return found[0]

    def tile_named(self, name: str) -> TrayTile:
        found = [tile for tile in self.window.tray.tiles() if tile.item.name == name]
        assert len(found) == 1, f"no tile for {name!r}"
        return found[0]

    def notice(self) -> str:
        banner = self.window.notice_banner
        return banner.label.text() if banner.isVisible() else ""

    def view_text(self) -> str:
        self.wait_rendered()
        return self.window.view.browser.toPlainText()

    def wait_rendered(self) -> None:
        """Wait until every reply shows as it finished (long ones render on a worker thread)."""
        self.window.view.flush()
        self.qtbot.waitUntil(lambda: not self.window.view.rendering, timeout=WAIT_MS)

    def settled(self) -> bool:
        return not any(item.pending for item in self.items())

    def wait_settled(self) -> None:
        self.qtbot.waitUntil(self.settled, timeout=WAIT_MS)

    # -- acting as a user -------------------------------------------------------------------
    def paste(self, mime: QMimeData) -> None:
        """Put `mime` on the real clipboard and press the Paste keys in the composer."""
        clipboard = QGuiApplication.clipboard()
        clipboard.setMimeData(mime)
        try:
            self.qtbot.keySequence(
                self.window.composer, QKeySequence(QKeySequence.StandardKey.Paste)
            )
        finally:
            clipboard.clear()

    def remove(self, name: str) -> None:
        """Click the × of the tile named `name`."""
        self.qtbot.mouseClick(self.tile_named(name).remove_button(), Qt.MouseButton.LeftButton)

    def click_send(self, text: str | None = None) -> None:
        if text is not None:
            self.window.composer.setPlainText(text)
        self.qtbot.waitUntil(self.window.send_button.isEnabled, timeout=WAIT_MS)
        self.qtbot.mouseClick(self.window.send_button, Qt.MouseButton.LeftButton)

    def ask(self, text: str | None = None) -> Message:
        """Send and wait for the reply to end (complete, failed or stopped)."""
        before = len(self.messages)
        self.click_send(text)
        self.qtbot.waitUntil(
            lambda: (
                len(self.messages) > before
                and self.last.role == "assistant"
                and self.last.id in self.finished
            ),
            timeout=WAIT_MS,
        )
        return self.last

    def retry(self) -> Message:
        """Press Retry under the failed reply; wait for the new reply to end."""
        failed = self.last
        assert failed.status is Status.FAILED
        self.window.view.flush()
        link = action_url("retry", failed.id)
        assert f'href="{link}"' in self.window.view.browser.toHtml(), "no Retry link shown"
        self.window.view.browser.anchorClicked.emit(QUrl(link))  # the link, clicked
        self.qtbot.waitUntil(
            lambda: (
                self.last.id != failed.id
                and self.last.role == "assistant"
                and self.last.id in self.finished
            ),
            timeout=WAIT_MS,
        )
        return self.last

    def running_turns(self) -> list[asyncio.Task[object]]:
        return [
            t
            for t in asyncio.all_tasks(self.task.get_loop())
            if t.get_name() == "chat-turn" and not t.done()
        ]

    def close(self) -> None:
        self.window.close()
        self.qtbot.waitUntil(self.task.done, timeout=WAIT_MS)
        assert self.task.result() == 0
