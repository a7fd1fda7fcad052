"""The endpoint the app talks to: its client, its models, and checking a key."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from app.controllers.tasks import TaskGroup
from app.core.catalog import ModelInfo

if TYPE_CHECKING:
    import openai

# The network stack is imported on first use, not with this module (see chat.py).


class EndpointController(QObject):
    modelsLoaded = Signal(list)  # list[ModelInfo], image-capable first
    modelsFailed = Signal(str)  # what went wrong, for the status line
    # A failure the user must hear of before the first send: a wrong address, a refused key,
    # spent credits (an endpoint that is merely offline is not one).
    endpointProblem = Signal(str)
    keyChecked = Signal(bool, str)  # ok, text for the user

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tasks = TaskGroup()
        self._client: openai.AsyncOpenAI | None = None
        self.base_url = ""
        self._key: str | None = None

    def configure(
        self, base_url: str, key: str | None, client: openai.AsyncOpenAI | None = None
    ) -> None:
        """Use this endpoint and key from now on; the old client is closed. `client`, made for
        them off the GUI thread (its TLS set-up takes ~20 ms), is used; without one, one is
        made when first needed."""
        if base_url == self.base_url and key == self._key:
            return
        if self._client is not None:
            old = self._client
            self._tasks.start(old.close(), "close-client")
        self._client = client if key else None
        self.base_url, self._key = base_url, key

    @property
    def has_key(self) -> bool:
        return bool(self._key)

    def client(self) -> openai.AsyncOpenAI | None:
        from app.llm.client import make_client

        if self._client is None and self._key:
            self._client = make_client(self.base_url, self._key)
        return self._client

    def refresh_models(self) -> None:
        client = self.client()
        if client is None:
            self.modelsFailed.emit("No API key: the model list needs one.")
            return
        self._tasks.start(self._load_models(client), "discover-models")

    async def _load_models(self, client: openai.AsyncOpenAI) -> None:
        from app.llm.errors import ChatError, ErrorKind
        from app.llm.models import discover_models

        told_at_once = (
            ErrorKind.ENDPOINT_NOT_FOUND,
            ErrorKind.BAD_KEY,
            ErrorKind.FORBIDDEN,
            ErrorKind.CREDITS_EXHAUSTED,
        )
        try:
            models: list[ModelInfo] = await discover_models(client)
        except ChatError as error:
            self.modelsFailed.emit(f"Could not list models: {error.describe()}")
            if error.kind in told_at_once:
                self.endpointProblem.emit(error.describe())
            return
        self.modelsLoaded.emit(models)

    def check_key(self, key: str, base_url: str) -> None:
        """Check a typed key (or the stored one when `key` is empty) without spending tokens."""
        same_endpoint = not base_url or base_url.rstrip("/") == self.base_url.rstrip("/")
        # The stored key belongs to the endpoint in use: never send it to another address.
        use_key = key or (self._key if same_endpoint else None)
        if not use_key:
            self.keyChecked.emit(
                False,
                "No key to check: type one or store one first."
                if same_endpoint
                else "Type this endpoint's key to check it: each endpoint has its own key.",
            )
            return
        from app.llm.client import make_client

        self._tasks.start(self._check(make_client(base_url or self.base_url, use_key)), "check-key")

    async def _check(self, client: openai.AsyncOpenAI) -> None:
        from app.llm.errors import ChatError
        from app.llm.models import check_key

        try:
            info = await check_key(client)
        except ChatError as error:
            self.keyChecked.emit(False, error.describe())
            return
        finally:
            await client.close()
        if info.get("api_key_blocked") or info.get("api_key_disabled") or info.get("team_blocked"):
            self.keyChecked.emit(False, "The key is valid but blocked or disabled.")
            return
        name = info.get("name") or info.get("redacted_api_key") or "the key"
        self.keyChecked.emit(True, f"Key accepted ({name}).")

    async def aclose(self) -> None:
        await self._tasks.cancel_all()
        if self._client is not None:
            await self._client.close()
            self._client = None
