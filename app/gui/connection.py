"""The endpoint connection: the demo server or the keyring's key, and the warnings on the way."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from app.controllers.endpoint import EndpointController
from app.core.endpoints import UNENCRYPTED_WARNING, is_unencrypted_remote, key_account
from app.core.notices import Notices
from app.gui.services import Preferences, Work


class Connection:
    """Configures the endpoint controller for the settings' address (or the demo server) and
    knows whether the key has been looked up yet (until then Send waits, "connecting")."""

    def __init__(
        self,
        *,
        endpoint: EndpointController,
        prefs: Preferences,
        work: Work,
        notices: Notices,
        demo: bool,
        demo_think_seconds: float,
        refresh: Callable[[], None],
    ) -> None:
        self._endpoint = endpoint
        self._prefs = prefs
        self._work = work
        self._notices = notices
        self._demo = demo
        self._demo_think = demo_think_seconds  # how long the demo's reasoning models think
        self._refresh = refresh  # one new meter reading
        self.demo_server: Any = None
        self.key_ready = False

    @property
    def key_account(self) -> str:
        """The keyring account of the configured endpoint's key ("xai", "custom:<host>"…)."""
        return key_account(self._prefs.settings.base_url)

    async def reconnect(self) -> None:
        """(Re)connect to the configured endpoint with the current key."""
        if self._demo:
            from app.demo import DEMO_API_KEY, DemoServer

            if self.demo_server is None:
                self.demo_server = DemoServer(pace=0.02, think_seconds=self._demo_think).start()
            await self._configure(self.demo_server.base_url, DEMO_API_KEY)
        else:
            settings = self._prefs.settings
            # keyring, secretstorage and cryptography take ~100 ms to import: on the I/O
            # thread, after the window shows (the demo never needs them).
            keystore = await self._work.in_thread(importlib.import_module, "app.keystore")
            lookup = await self._work.in_thread(keystore.get_key, self.key_account)
            if lookup.key is None and not lookup.backend.secure:
                self._notices.warning(f"Keyring: {lookup.backend.detail}")
            elif lookup.key and is_unencrypted_remote(settings.base_url):
                self._notices.warning(f"{settings.base_url}: {UNENCRYPTED_WARNING}")
            await self._configure(settings.base_url, lookup.key)
        self.key_ready = True
        self._endpoint.refresh_models()
        self._refresh()

    async def _configure(self, base_url: str, key: str | None) -> None:
        """Point the endpoint at `base_url` with `key`, its client made on the I/O thread (the
        first also imports the HTTP transport: together ~40 ms the window would pause)."""
        from app.llm.client import make_client

        client = await self._work.in_thread(make_client, base_url, key) if key else None
        self._endpoint.configure(base_url, key, client)

    async def aclose(self) -> None:
        """Stop the demo server, if one was started."""
        if self.demo_server is not None:
            await self._work.in_thread(self.demo_server.stop)
