"""Task presets, JSON mode and structured replies in one session.

The session builds it with what it uses. From then on:

- the toolbar's preset picker lists the built-in presets (each replaced by the user's edited
  version, if any) and the user's own; choosing one puts its system prompt in the conversation's
  system prompt field and sets the answer's shape for the next turns (JSON mode, a JSON schema,
  or a function to call); the JSON toggle asks for a JSON object without a preset;
- the turn's `compose` stage is here: the preset's template and default question make the
  message's text, and a preset that compares images refuses to go with fewer than it needs;
- a reply that is JSON or a function call is shown in the "Structured reply" panel: pretty JSON,
  its table, Copy, Export CSV and Export JSON (files are written off the GUI thread);
- Edit… opens the preset editor (with open()); saved presets go into the settings.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QDockWidget

from app.controllers.attachments import AttachmentController
from app.controllers.chat import ChatController
from app.core.conversation import Message, Status
from app.core.conversation_state import ConversationScope, ConversationState, StructuredReply
from app.core.json_reply import looks_like_json
from app.core.notices import Notices
from app.core.presets import Preset, builtin, find, merged
from app.gui.services import Preferences, Work
from app.ui.json_view import JsonView
from app.ui.main_window import MainWindow
from app.ui.preset_editor import PresetEditor

log = logging.getLogger(__name__)

JSON_HINT = "Answer with one JSON object."


class PresetsFlow(QObject):
    """See the module docstring."""

    changed = Signal()  # the answer's shape or the system prompt changed: refresh the meter

    def __init__(
        self,
        *,
        window: MainWindow,
        chat: ChatController,
        attachments: AttachmentController,
        prefs: Preferences,
        scope: ConversationScope,
        work: Work,
        notices: Notices,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._window = window
        self._chat = chat
        self._attachments = attachments
        self._prefs = prefs
        self._scope = scope
        self._work = work
        self._notices = notices
        self.presets: list[Preset] = merged(prefs.settings.presets)
        self.editor: PresetEditor | None = None
        self.json_view = JsonView()
        self.dock = QDockWidget("Structured reply", window)
        self.dock.setObjectName("structuredReplyDock")
        self.dock.setWidget(self.json_view)
        self.dock.hide()
        self._wire()

    # -- the open conversation's state ---------------------------------------------------------
    @property
    def _state(self) -> ConversationState:
        return self._scope.state

    @property
    def current(self) -> Preset | None:
        """The open conversation's preset (None for none)."""
        name = self._state.preset
        return find(self.presets, name) if name else None

    @property
    def json_mode(self) -> bool:
        return self._state.json_mode

    def _swapped(self, state: ConversationState) -> None:
        """Another conversation is open: show its preset, JSON mode and structured reply."""
        picker = self._window.preset_picker
        picker.select(state.preset)
        picker.set_json_mode(state.json_mode)
        self._apply_format()
        self._show_state_reply(state.structured)

    # -- wiring --------------------------------------------------------------------------------
    def _wire(self) -> None:
        w = self._window
        w.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dock)
        self.dock.hide()
        w.menu("view").addAction(self.dock.toggleViewAction())
        picker = w.preset_picker
        picker.set_presets(self.presets, "")
        picker.presetChosen.connect(self.choose)
        w.view.presetChosen.connect(self._choose_from_welcome)
        picker.jsonModeToggled.connect(self.set_json_mode)
        picker.editRequested.connect(self.open_editor)
        self._scope.observe(self._swapped)
        self._chat.replyFinished.connect(self.show_structured)
        self.json_view.saveRequested.connect(self._save_file)

    # -- choosing ------------------------------------------------------------------------------
    def choose(self, name: str) -> None:
        """Use the preset called ``name`` for the next turns ("" for none)."""
        w = self._window
        preset = find(self.presets, name) if name else None
        self._state.preset = preset.name if preset else ""
        w.preset_picker.select(preset.name if preset else "")
        prompt = preset.system_prompt if preset else self._prefs.settings.system_prompt
        w.system_prompt_edit.setText(prompt)
        w.system_prompt_edit.setCursorPosition(0)
        self._chat.conversation.system_prompt = prompt
        self._apply_format()
        self.changed.emit()

    def _choose_from_welcome(self, name: str) -> None:
        """A task card of the empty conversation: its preset, and the composer to ask in."""
        self.choose(name)
        self._window.composer.setFocus()

    def set_json_mode(self, on: bool) -> None:
        self._state.json_mode = on
        self._apply_format()

    def _apply_format(self) -> None:
        chat, preset = self._chat, self.current
        json_preset = preset is not None and preset.expects_json
        chat.response_format = preset.response_format() if preset else None
        if chat.response_format is None and self.json_mode and not (preset and preset.tools()):
            chat.response_format = {"type": "json_object"}
        chat.tools = preset.tools() if preset else None
        chat.tool_choice = preset.tool_choice() if preset else None
        self._window.preset_picker.set_json_forced(
            json_preset, "This preset answers in JSON" if json_preset else ""
        )

    # -- sending -------------------------------------------------------------------------------
    def compose(self, text: str) -> str | None:
        """The turn's `compose` stage: the text to send for what the user wrote, or None (said
        why) when the preset needs more images than the tray holds."""
        preset = self.current
        images = len(self._attachments.items())
        if preset is not None:
            if images < preset.min_images:
                more = preset.min_images - images
                self._notices.info(
                    f"“{preset.title}” needs at least {preset.min_images} images: add {more} "
                    f"more to the tray (they are labelled Image 1, Image 2, … in the message)."
                )
                return None
            text = preset.compose(text, has_images=images > 0)
        format_type = (self._chat.response_format or {}).get("type")
        system = self._window.system_prompt_edit.text()
        if format_type == "json_object" and text and "json" not in (system + text).lower():
            text = f"{text}\n\n{JSON_HINT}"  # JSON mode asks for the word in the messages
        return text

    # -- structured replies ------------------------------------------------------------------
    def show_structured(self, message: Message) -> None:
        """Show a finished reply that is JSON or calls a function in the panel."""
        if message.role != "assistant" or message.status not in (Status.COMPLETE, Status.STOPPED):
            return
        if message.tool_calls:
            call = message.tool_calls[-1]
            title = f"{call.name} — arguments"
            text = call.arguments
        elif message.text.strip() and (message.expects_json or looks_like_json(message.text)):
            title, text = "JSON reply", message.text
        else:
            return
        self._state.structured = StructuredReply(title, text, message.error)
        self._show_state_reply(self._state.structured)

    def _show_state_reply(self, reply: StructuredReply | None) -> None:
        if reply is None:
            self.json_view.set_reply("", "")
            self.dock.hide()
        else:
            self.json_view.set_reply(reply.title, reply.text, reply.note)
            self.dock.show()

    def _save_file(self, path: str, content: str, what: str) -> None:
        self._work.start(self._write(Path(path), content, what), "export")

    async def _write(self, path: Path, content: str, what: str) -> None:
        try:
            await self._work.in_thread(_write_text, path, content)
        except OSError as exc:
            self._notices.error(
                f"Could not save {path}: {exc.strerror or exc}. Choose another folder or name."
            )
            return
        self._notices.info(f"Saved {what} to {path}.")

    # -- editing -------------------------------------------------------------------------------
    def open_editor(self, name: str) -> None:
        if self.editor is not None:
            self.editor.raise_()
            return
        preset = find(self.presets, name) if name else None
        overrides = preset is not None and preset.builtin and (builtin(preset.name) != preset)
        editor = PresetEditor(
            preset,
            {p.name for p in self.presets},
            overrides_builtin=overrides,
            parent=self._window,
        )
        editor.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        editor.saved.connect(self._saved)
        editor.restoreRequested.connect(self._forget)
        editor.deleteRequested.connect(self._forget)
        editor.destroyed.connect(self._editor_closed)
        self.editor = editor
        editor.open()

    def _editor_closed(self) -> None:
        self.editor = None

    def _saved(self, preset: Preset) -> None:
        user = [raw for raw in self._prefs.settings.presets if raw.get("name") != preset.name]
        user.append(preset.to_dict())
        self._store(user, preset.name)

    def _forget(self, name: str) -> None:
        """Drop the user's version of a preset: a built-in comes back, a user preset goes."""
        user = [raw for raw in self._prefs.settings.presets if raw.get("name") != name]
        still = any(p.name == name for p in merged(user))
        self._store(user, name if still else "")

    def _store(self, user: list[dict[str, object]], current: str) -> None:
        self._prefs.settings.presets = user
        self._prefs.save()
        self.presets = merged(user)
        self._window.preset_picker.set_presets(self.presets, current)
        self.choose(current)


def _write_text(path: Path, content: str) -> None:
    with path.open("w", encoding="utf-8", newline="") as stream:
        stream.write(content)
