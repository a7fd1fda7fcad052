"""Which model answers, and how hard it thinks: the model picker, the reasoning-effort picker,
the endpoint's model list, and what the server says about a model (unknown, its window)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from app.controllers.chat import ChatController
from app.controllers.endpoint import EndpointController
from app.core.catalog import ModelInfo, pick_default, reasoning_of, retired_note
from app.core.notices import Notices
from app.gui.services import Preferences
from app.ui.main_window import MainWindow


class ModelChoice(QObject):
    changed = Signal()  # the model, its window or the list changed: refresh the meter

    def __init__(
        self,
        *,
        window: MainWindow,
        chat: ChatController,
        endpoint: EndpointController,
        prefs: Preferences,
        notices: Notices,
        models_listed: Callable[[list[ModelInfo]], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._window = window
        self._chat = chat
        self._endpoint = endpoint
        self._prefs = prefs
        self._notices = notices
        self._models_listed = models_listed
        window.modelChosen.connect(self.choose)
        window.effort_picker.effortChosen.connect(self._effort_chosen)
        chat.modelNotFound.connect(self._not_found)
        chat.windowLearned.connect(self._window_learned)
        endpoint.modelsLoaded.connect(self._loaded)

    def choose(self, model: str) -> None:
        self._prefs.settings.model = model
        self._chat.model = model
        self._prefs.save()
        self._window.set_models(self._prefs.models, model)
        self._window.model_banner.hide()
        self.show_efforts()
        self.changed.emit()

    def show_efforts(self) -> None:
        """The effort picker for the chosen model, set to the open conversation's effort."""
        reasoning = reasoning_of(self._prefs.settings.model)
        conversation = self._chat.conversation
        effort = conversation.reasoning_effort
        if effort is not None and not reasoning.accepts(effort):
            effort = conversation.reasoning_effort = None
        self._window.set_efforts(reasoning.efforts, reasoning.default, effort)

    def _effort_chosen(self, effort: str) -> None:
        self._chat.conversation.reasoning_effort = effort or None

    def _loaded(self, models: list[ModelInfo]) -> None:
        settings = self._prefs.settings
        self._prefs.models = models
        settings.set_known_models(models)
        retired = retired_note(settings.model)
        if retired is not None and models:
            settings.model = self._chat.model = pick_default(models)
            self._notices.info(f"{retired} Switched to {settings.model}.")
        self._prefs.save()
        self._window.set_models(models, settings.model)
        self._models_listed(models)
        self.show_efforts()
        self.changed.emit()

    def _not_found(self, model: str) -> None:
        self._window.show_model_not_found(
            model, [m.id for m in self._prefs.models if m.takes_images]
        )
        self._endpoint.refresh_models()

    def _window_learned(self, model: str, window: int) -> None:
        """The server said how many tokens `model` takes: the meter budgets against that."""
        learned = self._prefs.settings.learned_windows
        if learned.get(model) == window:
            return
        learned[model] = window
        self._prefs.save()
        self._notices.info(
            f"The server says {model} takes at most {window:,} prompt "
            "tokens: the meter uses that window now."
        )
        self.changed.emit()
