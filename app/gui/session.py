"""One running app: settings, key, controllers and the window, wired together."""

from __future__ import annotations

import asyncio
import gc
import importlib
import logging
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QImage

from app import keystore
from app.controllers.attachments import AttachmentController
from app.controllers.chat import ChatController
from app.controllers.endpoint import EndpointController
from app.controllers.tasks import TaskGroup
from app.core.budget import BudgetEstimate
from app.core.catalog import ModelInfo, pick_default, reasoning_of, retired_note
from app.core.conversation import Message, Part, TextPart
from app.core.conversation_state import ConversationScope
from app.core.endpoints import UNENCRYPTED_WARNING, is_unencrypted_remote, key_account
from app.core.imagetypes import PreparedImage
from app.core.notices import Notices
from app.gui import budget_flow, capture_flow, history_flow, presets_flow, preview_flow
from app.gui.dialogs import SettingsFlow, show_image
from app.store.settings import Settings, SettingsError, SettingsStore
from app.ui.main_window import MainWindow

log = logging.getLogger(__name__)

METER_DEBOUNCE_MS = 150


class AppSession(QObject):
    def __init__(self, *, demo: bool = False, demo_think_seconds: float = 0.0) -> None:
        super().__init__()
        self.demo = demo
        self._demo_think = demo_think_seconds  # how long the demo's reasoning models think
        self.store = SettingsStore()
        self.settings: Settings = self.store.load()
        self.models: list[ModelInfo] = []
        self._io = ThreadPoolExecutor(max_workers=1, thread_name_prefix="session-io")
        self.tasks = TaskGroup()
        self.demo_server: Any = None
        self._key_ready = False
        self.thumbnails: dict[str, bytes] = {}
        self.originals: dict[str, Path] = {}  # the files as dropped, by sent sha256
        self.editing: str | None = None  # the question being edited, if any
        self.log_path: Path | None = None
        self.notices = Notices()  # the one way flows tell the user something
        self.window = MainWindow(demo=demo)
        self.endpoint = EndpointController(self)
        self.chat = ChatController(self.endpoint.client, self)
        self.attachments = AttachmentController(self.settings.limits(), self)
        self.settings_flow = SettingsFlow(self)
        # The open conversation's preset, answer shape, structured reply and fit plan: swapped
        # whole by `new_conversation`, the one path every new or opened conversation takes.
        self.scope = ConversationScope()
        self._closed: asyncio.Future[None] | None = None
        self._meter_timer = QTimer(self)
        self._meter_timer.setSingleShot(True)
        self._meter_timer.setInterval(METER_DEBOUNCE_MS)
        self._meter_timer.timeout.connect(self.update_meter)
        self._wire()
        self.budget = budget_flow.install(self)
        self.presets = presets_flow.install(self)
        self.preview_flow = preview_flow.install(self)
        self.capture_flow = capture_flow.install(self)
        self.history_flow = history_flow.install(self)

    # -- life -------------------------------------------------------------------------------
    async def run(self, files: Sequence[str]) -> int:
        """Show the window and serve it until it closes."""
        self._closed = asyncio.get_running_loop().create_future()
        self.window.restore_geometry_b64(self.settings.window_geometry)
        self._apply_settings()
        if not self.chat.conversation.messages:
            self._set_system_prompt(self.settings.system_prompt)
        self.window.show()
        if files:
            self.attachments.add_paths(list(files))
        self.tasks.start(self.history_flow.open(), "open-history")
        # The network stack loads in a worker thread while the window is already on screen.
        await self.in_thread(importlib.import_module, "app.llm.structured")
        await self.reconnect()
        if self.store.notice:
            self.notices.warning(self.store.notice)
        # What exists by now (modules, widgets, the network stack) lives as long as the app.
        # Kept out of the collector's full passes, which otherwise stop the GUI thread for
        # ~50 ms every few turns of a long session, scanning it all again.
        gc.freeze()
        await self._closed
        await self.aclose()
        return 0

    async def reconnect(self) -> None:
        """(Re)connect to the configured endpoint with the current key."""
        if self.demo:
            from app.demo import DEMO_API_KEY, DemoServer

            if self.demo_server is None:
                self.demo_server = DemoServer(pace=0.02, think_seconds=self._demo_think).start()
            self.endpoint.configure(self.demo_server.base_url, DEMO_API_KEY)
        else:
            lookup = await self.in_thread(keystore.get_key, self.key_account)
            if lookup.key is None and not lookup.backend.secure:
                self.notices.warning(f"Keyring: {lookup.backend.detail}")
            elif lookup.key and is_unencrypted_remote(self.settings.base_url):
                self.notices.warning(f"{self.settings.base_url}: {UNENCRYPTED_WARNING}")
            self.endpoint.configure(self.settings.base_url, lookup.key)
        self._key_ready = True
        self.endpoint.refresh_models()
        self.update_meter()

    def request_close(self) -> None:
        if self._closed is not None and not self._closed.done():
            self._closed.set_result(None)

    async def aclose(self) -> None:
        self.settings.window_geometry = self.window.geometry_b64()
        self._save_settings()
        # From here on nothing may reach the window, which is going away.
        self._meter_timer.stop()
        for controller in (self.chat, self.attachments, self.endpoint):
            controller.blockSignals(True)
        await self.tasks.cancel_all()
        await self.chat.aclose()
        await self.history_flow.aclose()
        await self.attachments.aclose()
        await self.endpoint.aclose()
        if self.demo_server is not None:
            await self.in_thread(self.demo_server.stop)
        self._io.shutdown(wait=True)

    async def in_thread(self, fn: Any, *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self._io, fn, *args)

    def report_unexpected(self, error: BaseException | None) -> None:
        """Log an unexpected error and tell the user, instead of a traceback or a silent stop."""
        log.error("Unexpected error", exc_info=error)
        where = f" Details are in {self.log_path}." if self.log_path else ""
        self.notices.error(
            f"Something went wrong inside the app: {error!r}.{where} Your conversation is kept."
        )

    # -- wiring -----------------------------------------------------------------------------
    def _wire(self) -> None:
        w, chat, att = self.window, self.chat, self.attachments
        # The window's one subscription: every level shows in its notice banner.
        self.notices.subscribe(lambda notice: w.show_notice(notice.text))
        w.closing.connect(self.request_close)
        w.sendRequested.connect(self.send)
        w.stopRequested.connect(chat.stop)
        w.newConversationRequested.connect(self.new_conversation)
        w.settingsRequested.connect(self.settings_flow.open)
        w.modelChosen.connect(self.choose_model)
        w.effort_picker.effortChosen.connect(self._effort_chosen)
        w.systemPromptEdited.connect(self._system_prompt_edited)
        w.composer.textEdited.connect(self._meter_timer.start)
        w.composer.mimePasted.connect(w.tray.take_mime)
        w.view.retryRequested.connect(self.retry)
        w.view.imageActivated.connect(self._open_image)

        w.tray.pathsDropped.connect(att.add_paths)
        w.tray.imageDataPasted.connect(att.add_image_data)
        w.tray.picturePasted.connect(att.add_picture)
        w.tray.urlPasted.connect(att.add_url)
        w.tray.removeRequested.connect(att.remove)
        w.tray.moveRequested.connect(att.move)
        att.changed.connect(self._attachments_changed)
        att.notice.connect(self.notices.info)

        chat.messageAdded.connect(self._message_added)
        chat.replyDelta.connect(w.view.append_delta)
        chat.replyNote.connect(w.view.set_status_note)
        chat.replyFinished.connect(self._reply_finished)
        chat.busyChanged.connect(self._busy_changed)
        chat.messagesRemoved.connect(self._messages_removed)
        w.view.editRequested.connect(self.edit_question)
        w.edit_banner.dismissed.connect(self._cancel_edit)
        chat.modelNotFound.connect(self._model_not_found)
        chat.windowLearned.connect(self._window_learned)

        self.endpoint.modelsLoaded.connect(self._models_loaded)
        self.endpoint.modelsFailed.connect(lambda text: log.info("%s", text))
        self.endpoint.endpointProblem.connect(self.notices.warning)

    # -- settings ---------------------------------------------------------------------------
    def _apply_settings(self) -> None:
        s = self.settings
        self.chat.model = s.model
        self.chat.max_tokens = s.max_tokens
        self.chat.temperature = s.temperature
        self.attachments.set_limits(s.limits())
        self.window.composer.set_enter_sends(s.enter_sends)
        if not self.models:
            self.models = s.known_model_infos()
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
            self._set_system_prompt(settings.system_prompt)
            self.update_meter()
        if not self.demo:
            self.tasks.start(self._store_key_and_reconnect(key), "store-key")

    async def _store_key_and_reconnect(self, key: str | None) -> None:
        if key:
            try:
                backend = await self.in_thread(keystore.set_key, key, self.key_account)
                self.notices.info(f"Key saved in {backend.name}.")
            except keystore.KeystoreError as exc:
                self.notices.error(f"The key was not saved: {exc}")
        await self.reconnect()

    @property
    def key_account(self) -> str:
        """The keyring account of the configured endpoint's key ("xai", "custom:<host>"…)."""
        return key_account(self.settings.base_url)

    def _save_settings(self) -> None:
        try:
            self.store.save(self.settings)
        except SettingsError as exc:
            self.notices.error(str(exc))

    def choose_model(self, model: str) -> None:
        self.settings.model = model
        self.chat.model = model
        self._save_settings()
        self.window.set_models(self.models, model)
        self.window.model_banner.hide()
        self.show_efforts()
        self.update_meter()

    def _models_loaded(self, models: list[ModelInfo]) -> None:
        self.models = models
        self.settings.set_known_models(models)
        retired = retired_note(self.settings.model)
        if retired is not None and models:
            self.settings.model = self.chat.model = pick_default(models)
            self.notices.info(f"{retired} Switched to {self.settings.model}.")
        self._save_settings()
        self.window.set_models(models, self.settings.model)
        self.settings_flow.models_changed(models)
        self.show_efforts()
        self.update_meter()

    def _model_not_found(self, model: str) -> None:
        self.window.show_model_not_found(model, [m.id for m in self.models if m.takes_images])
        self.endpoint.refresh_models()

    def _window_learned(self, model: str, window: int) -> None:
        """The server said how many tokens `model` takes: the meter budgets against that."""
        if self.settings.learned_windows.get(model) == window:
            return
        self.settings.learned_windows[model] = window
        self._save_settings()
        self.notices.info(
            f"The server says {model} takes at most {window:,} prompt "
            "tokens: the meter uses that window now."
        )
        self.update_meter()

    def show_efforts(self) -> None:
        reasoning = reasoning_of(self.settings.model)
        effort = self.chat.conversation.reasoning_effort
        if effort is not None and not reasoning.accepts(effort):
            effort = self.chat.conversation.reasoning_effort = None
        self.window.set_efforts(reasoning.efforts, reasoning.default, effort)

    def _effort_chosen(self, effort: str) -> None:
        self.chat.conversation.reasoning_effort = effort or None

    def current_model_info(self) -> ModelInfo | None:
        return next(
            (
                m
                for m in self.models
                if m.id == self.settings.model or self.settings.model in m.aliases
            ),
            None,
        )

    # -- the turn ---------------------------------------------------------------------------
    def send(self, text: str) -> None:
        reason = self.send_block_reason(text)
        if reason is not None:
            self._show_block(reason)
            return
        parts: list[Part] = list(self.attachments.take_parts())
        for item in self.attachments.items():
            if item.prepared is not None and item.thumbnail:
                self.thumbnails[item.prepared.sha256] = item.thumbnail
            if (
                item.prepared is not None
                and item.location
                and not item.location.startswith("https://")
            ):
                self.originals[item.prepared.sha256] = Path(item.location)
        self.thumbnails.update(self.attachments.low_detail_thumbnails())
        if text:
            parts.append(TextPart(text))
        self.chat.conversation.system_prompt = self.window.system_prompt_edit.text()
        self.window.take_draft()
        self.attachments.clear()
        if self.editing is not None:  # an earlier question, edited: it and later turns go
            editing, self.editing = self.editing, None
            self.window.edit_banner.hide()
            self.chat.replace_question(editing, parts)
        else:
            self.chat.send(parts)

    def send_block_reason(self, text: str) -> str | None:
        if not self._key_ready:
            return "Connecting…"
        if not self.endpoint.has_key:
            return "No API key yet: add one in Settings (Ctrl+,), or try --demo."
        reason = self.attachments.blocking_reason() or self.budget.blocking_reason()
        if reason:
            return reason
        costs = self.attachments.token_costs()
        if not text and not costs:
            return "Write a question or add an image."
        info = self.current_model_info()
        if costs and info is not None and not info.takes_images:
            return f"{info.id} takes no images: pick a model that does."
        estimate = self._estimate(text)
        if not estimate.fits and self.budget.window_known():  # an unknown window only warns
            return self.budget.over_reason(estimate)
        return None

    def _estimate(self, text: str | None = None) -> BudgetEstimate:
        """The next request as it will be sent (see app.gui.budget_flow)."""
        draft = self.window.composer.toPlainText() if text is None else text
        return self.budget.estimate(draft)

    def update_meter(self) -> None:
        self.budget.show(self._estimate())
        if not self.chat.busy:
            self._show_block(self.send_block_reason(self.window.composer.toPlainText().strip()))

    def _show_block(self, reason: str | None) -> None:
        self.window.set_send_blocked(
            reason, offer_settings=not self.endpoint.has_key and self._key_ready
        )

    def _attachments_changed(self) -> None:
        self.window.tray.set_items(self.attachments.items())
        self.update_meter()

    def _message_added(self, message: Message) -> None:
        self.window.view.add_message(message, self.thumbnails)
        self.update_meter()

    def _reply_finished(self, message: Message) -> None:
        self.window.view.finish_message(message)
        self.update_meter()

    def _busy_changed(self, busy: bool) -> None:
        self.window.set_busy(busy)
        if not busy:
            self.update_meter()

    def _messages_removed(self, messages: list[Message]) -> None:
        for message in messages:
            self.window.view.remove_message(message.id)

    def regenerate(self) -> None:
        """Ask again for the last reply; the new one replaces it."""
        if not self.chat.regenerate():
            self.notices.info(
                "Nothing to regenerate: wait for the reply to finish, or ask a question first."
            )

    def edit_question(self, message_id: str) -> None:
        """Put an earlier question back in the composer; sending replaces it and what follows."""
        message = next((m for m in self.chat.conversation.messages if m.id == message_id), None)
        if message is None or message.role != "user" or self.chat.busy:
            return
        self.editing = message_id
        self.window.composer.setPlainText(message.text)
        self.window.composer.setFocus()
        later = (
            len(self.chat.conversation.messages)
            - self.chat.conversation.messages.index(message)
            - 1
        )
        self.window.edit_banner.show_message(
            f"Editing an earlier question (its {len(message.images)} image(s) are kept). "
            f"Sending replaces it{f' and the {later} message(s) after it' if later else ''}: "
            "they are removed from this conversation. Press × to cancel."
        )

    def _cancel_edit(self) -> None:
        self.editing = None

    def retry(self, reply_id: str) -> None:
        """Retry after a failed reply: it leaves the view and the same question is sent again."""
        if self.chat.busy:
            return
        self.window.view.remove_message(reply_id)
        self.chat.retry()

    def new_conversation(self, *, clear_view: bool = True) -> None:
        """Start afresh; `clear_view=False` when the view already shows what comes next.

        Every path to another conversation comes here (New, Ctrl+N, the sidebar's New, opening
        one from the history, deleting the open one): the conversation-scoped state is swapped
        whole (preset, JSON mode, structured reply, fit plan and panel) and the tray emptied,
        so nothing of the previous conversation goes out with the next."""
        self._cancel_edit()
        self.window.edit_banner.hide()
        self.chat.new_conversation(self.settings.system_prompt)
        self.attachments.clear()
        self.scope.swap()
        self._set_system_prompt(self.settings.system_prompt)
        self.show_efforts()
        if clear_view:
            self.window.view.clear()
        self.update_meter()

    def _set_system_prompt(self, text: str) -> None:
        self.chat.conversation.system_prompt = text
        self.window.system_prompt_edit.setText(text)
        self.window.system_prompt_edit.setCursorPosition(0)

    def _system_prompt_edited(self, text: str) -> None:
        self.chat.conversation.system_prompt = text
        self.update_meter()

    def _open_image(self, message_id: str, index: int) -> None:
        message = next((m for m in self.chat.conversation.messages if m.id == message_id), None)
        if message is None or index >= len(message.images):
            return
        part = message.images[index]
        if part.image is not None:
            self.tasks.start(self._show_full_image(part.image), "open-image")

    async def _show_full_image(self, image: PreparedImage) -> None:
        decoded = await self.in_thread(QImage.fromData, image.data)
        if not decoded.isNull():
            show_image(self.window, image.name, decoded)
