"""One running app: settings, key, controllers and the window, wired together."""

from __future__ import annotations

import asyncio
import gc
import importlib
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject

from app.controllers.attachments import AttachmentController
from app.controllers.chat import ChatController, TurnStages
from app.controllers.endpoint import EndpointController
from app.controllers.tasks import TaskGroup
from app.core.catalog import ModelInfo
from app.core.conversation import Conversation
from app.core.conversation_state import ConversationScope
from app.core.notices import Notices
from app.gui.connection import Connection
from app.gui.controller_links import ControllerLinks
from app.gui.meter_model import MeterModel, MeterReading
from app.gui.send_stages import SendGates, take_parts
from app.gui.services import Preferences, SentImages, Work
from app.gui.session_flows import SessionCalls, build_flows
from app.gui.turn_pipeline import TurnPipeline
from app.gui.versions_flow import VersionsFlow
from app.store.settings import Settings, SettingsStore
from app.ui.main_window import MainWindow

log = logging.getLogger(__name__)

HISTORY_FIRST_S = 1.0  # the network stack waits this long at most for the sidebar to fill


class AppSession(QObject):
    """Owns the window, the controllers, the flows and the conversation's state, and builds each
    flow with the pieces it uses (see docs/ARCHITECTURE.md)."""

    def __init__(
        self,
        *,
        demo: bool = False,
        demo_think_seconds: float = 0.0,
        window: MainWindow | None = None,
    ) -> None:
        super().__init__()
        self.demo = demo
        self.notices = Notices()  # the one way flows tell the user something
        self.work = Work()
        self.prefs = Preferences(SettingsStore(), self.notices)
        self.images = SentImages()
        # The open conversation's draft, tray, preset, answer shape, structured reply, fit plan,
        # edit and scroll position: swapped whole by `new_conversation` and `adopt_conversation`.
        self.scope = ConversationScope()
        self.log_path: Path | None = None
        # The window may be on screen already, its frame shown first (app.gui.first_window).
        self.window = window if window is not None else MainWindow(demo=demo)
        self.window.complete()
        self._close_requested = False  # a SIGTERM that came before run()
        self.endpoint = EndpointController(self)
        self.connection = Connection(
            endpoint=self.endpoint,
            prefs=self.prefs,
            work=self.work,
            notices=self.notices,
            demo=demo,
            demo_think_seconds=demo_think_seconds,
            refresh=self.update_meter,
        )
        self.chat = ChatController(self.endpoint.client, self)
        self.attachments = AttachmentController(self.settings.limits(), self)
        self._closed: asyncio.Future[None] | None = None
        self._wire()
        self._build_flows()
        gates = SendGates(
            connected=lambda: self.connection.key_ready,
            endpoint=self.endpoint,
            attachments=self.attachments,
            budget=self.budget,
            prefs=self.prefs,
        )
        self.meter = MeterModel(
            self.budget.estimate, gates.gates(), self.window.composer.toPlainText, self
        )
        self.pipeline = TurnPipeline(
            compose=self.presets.compose,
            check=self.meter.check,
            take=lambda text: take_parts(
                text,
                attachments=self.attachments,
                images=self.images,
                window=self.window,
                chat=self.chat,
            ),
            refuse=self._show_block,
            stages=TurnStages(persist=self.history_flow.persist, shape=self.budget.prepare_request),
            chat=self.chat,
            scope=self.scope,
        )
        self.versions = VersionsFlow(
            window=self.window,
            chat=self.chat,
            history=self.history_flow.history,
            scope=self.scope,
            images=self.images,
            stages=self.pipeline.stages,
            notices=self.notices,
            refresh=self.update_meter,
            parent=self,
        )
        self._observe()

    def _build_flows(self) -> None:
        calls = SessionCalls(
            adopt=self.adopt_conversation,
            new_conversation=self.new_conversation,
            regenerate=self.regenerate,
            apply_settings=self.settings_changed,
            reconnect=self.reconnect,
            key_account=lambda: self.key_account,
            choose_model=self.choose_model,
            show_efforts=self.show_efforts,
            refresh=self.update_meter,
        )
        flows = build_flows(
            window=self.window,
            chat=self.chat,
            attachments=self.attachments,
            endpoint=self.endpoint,
            prefs=self.prefs,
            scope=self.scope,
            work=self.work,
            notices=self.notices,
            images=self.images,
            demo=self.demo,
            calls=calls,
            parent=self,
        )
        self.theme, self.budget, self.presets = flows.theme, flows.budget, flows.presets
        self.preview_flow, self.capture_flow = flows.preview, flows.capture
        self.history_flow, self.settings_flow = flows.history, flows.settings
        self.model_choice, self.api_memory = flows.model_choice, flows.api_memory
        self.batch_flow, self.switch = flows.batch, flows.switch
        self.titles, self.undo = flows.titles, flows.undo

    # -- what the flows and tests read -------------------------------------------------------
    @property
    def settings(self) -> Settings:
        return self.prefs.settings

    @settings.setter
    def settings(self, settings: Settings) -> None:
        self.prefs.settings = settings

    @property
    def models(self) -> list[ModelInfo]:
        return self.prefs.models

    @property
    def tasks(self) -> TaskGroup:
        return self.work.tasks

    @property
    def thumbnails(self) -> dict[str, bytes]:
        return self.images.thumbnails

    @property
    def demo_server(self) -> Any:
        """The demo endpoint this session started (or a test gave it), if any."""
        return self.connection.demo_server

    @demo_server.setter
    def demo_server(self, server: Any) -> None:
        self.connection.demo_server = server

    @property
    def key_account(self) -> str:
        """The keyring account of the configured endpoint's key ("xai", "custom:<host>"…)."""
        return self.connection.key_account

    # -- life -------------------------------------------------------------------------------
    async def run(self, files: Sequence[str]) -> int:
        """Show the window and serve it until it closes."""
        self._closed = asyncio.get_running_loop().create_future()
        if self._close_requested:
            self._closed.set_result(None)
        self.window.restore_geometry_b64(self.settings.window_geometry)
        self._apply_settings()
        if not self.chat.conversation.messages:
            self.switch.set_system_prompt(self.settings.system_prompt)
        self.window.show()
        if files:
            self.attachments.add_paths(list(files))
        opening = self.work.start(self.history_flow.open(), "open-history")
        # The sidebar fills first: importing the network stack holds the GIL for most of a
        # second and would hold the listing back as long (a slow history waits no longer
        # than HISTORY_FIRST_S). Then the network stack loads in a worker thread while the
        # window is already on screen (not when the app is closing already: a SIGTERM right
        # after the window showed).
        await asyncio.wait(
            {opening, self._closed}, timeout=HISTORY_FIRST_S, return_when=asyncio.FIRST_COMPLETED
        )
        if not self._closed.done():
            await self.in_thread(importlib.import_module, "app.llm.structured")
        if not self._closed.done():
            await self.reconnect()
        if self.prefs.store.notice:
            self.notices.warning(self.prefs.store.notice)
        # What exists by now (modules, widgets, the network stack) lives as long as the app.
        # Kept out of the collector's full passes, which otherwise stop the GUI thread for
        # ~50 ms every few turns of a long session, scanning it all again.
        gc.freeze()
        await self._closed
        await self.aclose()
        return 0

    async def reconnect(self) -> None:
        """(Re)connect to the configured endpoint with the current key."""
        await self.connection.reconnect()
        self.api_memory.apply()

    def request_close(self) -> None:
        self._close_requested = True
        if self._closed is not None and not self._closed.done():
            self._closed.set_result(None)

    async def aclose(self) -> None:
        self.settings.window_geometry = self.window.geometry_b64()
        self._save_settings()
        # From here on nothing may reach the window, which is going away.
        self._unsubscribe_window()
        self.meter.stop()
        for controller in (self.chat, self.attachments, self.endpoint):
            controller.blockSignals(True)
        await self.batch_flow.aclose()
        await self.work.aclose()
        await self.chat.aclose()
        await self.history_flow.aclose()
        await self.attachments.aclose()
        await self.endpoint.aclose()
        await self.connection.aclose()
        self.work.shutdown()

    async def in_thread(self, fn: Any, *args: Any) -> Any:
        return await self.work.in_thread(fn, *args)

    def report_unexpected(self, error: BaseException | None) -> None:
        """Log an unexpected error and tell the user, instead of a traceback or a silent stop."""
        log.error("Unexpected error", exc_info=error)
        where = f" Details are in {self.log_path}." if self.log_path else ""
        self.notices.error(
            f"Something went wrong inside the app: {error!r}.{where} Your conversation is kept."
        )

    # -- wiring -----------------------------------------------------------------------------
    def _wire(self) -> None:
        w, chat = self.window, self.chat
        # The window's one subscription: every level shows in its notice banner.
        self._unsubscribe_window = self.notices.subscribe(
            lambda notice: w.show_notice(notice.text, notice.level.value)
        )
        w.closing.connect(self.request_close)
        w.sendRequested.connect(self.send)
        w.newConversationRequested.connect(self.new_conversation)
        w.view.retryRequested.connect(self.retry)
        self.links = ControllerLinks(
            window=w,
            chat=chat,
            attachments=self.attachments,
            images=self.images,
            scope=self.scope,
            notices=self.notices,
            refresh=self.update_meter,
        )
        w.view.editRequested.connect(self.edit_question)

        self.endpoint.modelsFailed.connect(lambda text: log.info("%s", text))
        self.endpoint.endpointProblem.connect(self.notices.warning)

    def _observe(self) -> None:
        """The models the widgets follow: the meter's reading, the conversation's state."""
        self.meter.changed.connect(self._reading_changed)
        self.window.composer.textEdited.connect(self.meter.typing)
        self.window.settingsRequested.connect(self.settings_flow.open)
        self.budget.changed.connect(self.update_meter)
        self.presets.changed.connect(self.update_meter)
        self.model_choice.changed.connect(self.update_meter)

    # -- settings ---------------------------------------------------------------------------
    def _apply_settings(self) -> None:
        s = self.settings
        self.chat.model = s.model
        self.chat.max_tokens = s.max_tokens
        self.chat.temperature = s.temperature
        self.attachments.set_limits(s.limits())
        self.window.composer.set_enter_sends(s.enter_sends)
        self.theme.follow_settings()
        if not self.models:
            self.prefs.models = s.known_model_infos()
        self.window.set_models(self.models, s.model)
        self.show_efforts()
        self.update_meter()

    def settings_changed(self, settings: Settings, key: str | None) -> None:
        """The settings dialog's OK: persist, store a new key, reconnect."""
        if self.demo:
            settings.base_url = self.settings.base_url
        old_prompt = self.settings.system_prompt
        self.settings = settings
        self._save_settings()
        self._apply_settings()
        # A new default system prompt reaches a conversation not begun yet, unless the prompt
        # there is a preset's or the user's own: OK never wipes what the field shows.
        if (
            settings.system_prompt != old_prompt
            and not self.chat.conversation.messages
            and not self.scope.state.preset
            and self.window.system_prompt_edit.text() == old_prompt
        ):
            self.switch.set_system_prompt(settings.system_prompt)
            self.update_meter()
        if not self.demo:
            self.work.start(self.settings_flow.store_key_and_reconnect(key), "store-key")

    def _save_settings(self) -> None:
        self.prefs.save()

    def choose_model(self, model: str) -> None:
        self.model_choice.choose(model)

    def show_efforts(self) -> None:
        self.model_choice.show_efforts()

    def current_model_info(self) -> ModelInfo | None:
        return self.prefs.model_info()

    # -- the turn ---------------------------------------------------------------------------
    def send(self, text: str) -> None:
        """The window's Send (button, Enter, Ctrl+Enter): the turn pipeline takes it."""
        self.pipeline.send(text)

    def send_block_reason(self, text: str) -> str | None:
        """Why `text` could not be sent now (None: it could), without publishing anything."""
        return self.meter.read(text).blocked

    def update_meter(self) -> None:
        """Something the next request depends on changed: one new reading for every observer."""
        self.meter.refresh()

    def _reading_changed(self, reading: MeterReading) -> None:
        self.budget.show(reading.estimate)
        if not self.chat.busy:
            self._show_block(reading.blocked)

    def _show_block(self, reason: str | None) -> None:
        self.window.set_send_blocked(
            reason, offer_settings=not self.endpoint.has_key and self.connection.key_ready
        )

    def regenerate(self) -> None:
        """Ask again for the last reply: a new version of it (the old one stays reachable)."""
        if not self.pipeline.regenerate():
            self.notices.info(
                "Nothing to regenerate: wait for the reply to finish, or ask a question first."
            )

    def retry(self, reply_id: str) -> None:
        """Retry after a failed reply: it leaves the view and the same question is sent again."""
        if self.chat.busy:
            return
        self.window.view.remove_message(reply_id)
        self.pipeline.retry()

    def new_conversation(self, *, clear_view: bool = True) -> None:
        self.switch.new_conversation(clear_view=clear_view)

    def adopt_conversation(self, conversation: Conversation, show_all: bool) -> None:
        self.switch.adopt(conversation, show_all)

    def edit_question(self, message_id: str) -> None:
        """Open the editor over an earlier question (its Edit link)."""
        self.versions.edit(message_id)

    @property
    def editing(self) -> str | None:
        """The earlier question being edited in the open conversation, if any."""
        return self.scope.state.editing
