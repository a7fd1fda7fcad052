"""Which API (Responses or Chat Completions) each endpoint is spoken to in: its profile's
choice, what it answered in before, and the one notice when it turns Responses down."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject

from app.controllers.chat import ChatController
from app.core.endpoints import key_account
from app.core.notices import Notices
from app.gui.services import Preferences


class ApiMemory(QObject):
    def __init__(
        self,
        *,
        chat: ChatController,
        prefs: Preferences,
        notices: Notices,
        base_url: Callable[[], str],
        remembers: bool = True,
        parent: QObject | None = None,
    ) -> None:
        """`base_url` gives the endpoint in use; `remembers`: whether what an endpoint
        answered in is saved with the settings (not for the demo's throwaway address)."""
        super().__init__(parent)
        self._chat = chat
        self._prefs = prefs
        self._notices = notices
        self._base_url = base_url
        self._remembers = remembers
        self._learned: dict[str, str] = {}  # when not saved
        chat.apiSettled.connect(self._settled)

    def apply(self) -> None:
        """Point the chat at the current endpoint's choice and what it answered in before."""
        url = self._url()
        settings = self._prefs.settings
        self._chat.api_choice = settings.api_choices.get(key_account(url), "auto")
        learned = settings.learned_apis if self._remembers else self._learned
        self._chat.learned_api = learned.get(url)

    def _url(self) -> str:
        return self._base_url().rstrip("/")

    def _settled(self, api: str, note: str) -> None:
        url = self._url()
        self._chat.learned_api = api
        if self._remembers:
            learned = self._prefs.settings.learned_apis
            if learned.get(url) != api:
                learned[url] = api
                self._prefs.save()
        else:
            self._learned[url] = api
        if note:
            self._notices.info(note)
