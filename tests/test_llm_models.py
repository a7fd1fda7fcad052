"""Model discovery and key checks against the local endpoint and a plain OpenAI-style one."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from app.demo import DEMO_API_KEY, DemoServer
from app.llm.client import make_client
from app.llm.errors import ChatError, ErrorKind
from app.llm.models import check_key, discover_models


def test_language_models_image_capable_first_with_prices(demo_server: DemoServer) -> None:
    async def main() -> list:
        client = make_client(demo_server.base_url, DEMO_API_KEY)
        try:
            return await discover_models(client)
        finally:
            await client.close()

    models = asyncio.run(main())
    takes = [m.takes_images for m in models]
    assert takes == sorted(takes, reverse=True)
    by_id = {m.id: m for m in models}
    assert by_id["grok-4.3"].takes_images
    assert by_id["grok-4.3"].prices is not None
    assert by_id["grok-4.3"].prices.prompt_text == 12_500
    assert by_id["grok-4.3"].context_window == 1_000_000  # from the catalogue
    assert by_id["grok-vision-demo-8k"].context_window is None
    assert "grok-2-vision-1212" not in by_id
    assert "grok-4" not in by_id  # retired: not listed


def test_check_key_and_bad_key(demo_server: DemoServer) -> None:
    async def main(key: str) -> dict:
        client = make_client(demo_server.base_url, key)
        try:
            return await check_key(client)
        finally:
            await client.close()

    info = asyncio.run(main(DEMO_API_KEY))
    assert DEMO_API_KEY not in json.dumps(info)
    assert info["redacted_api_key"]
    with pytest.raises(ChatError) as caught:
        asyncio.run(main("xai-not-the-key"))
    assert caught.value.kind is ErrorKind.BAD_KEY


class _OpenAIStyle(BaseHTTPRequestHandler):
    """An endpoint with only the standard /v1/models list, as many OpenAI-compatible ones."""

    def do_GET(self) -> None:
        if self.path == "/v1/models":
            body = json.dumps(
                {
                    "object": "list",
                    "data": [
                        {"id": "llava-13b", "object": "model", "created": 0, "owned_by": "local"},
                        {"id": "text-model", "object": "model", "created": 0, "owned_by": "local"},
                    ],
                }
            )
            self.send_response(200)
        else:
            body = json.dumps({"error": {"message": "not found", "type": "invalid_request"}})
            self.send_response(404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def openai_style_server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _OpenAIStyle)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,))
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def test_falls_back_to_the_standard_model_list(openai_style_server: str) -> None:
    async def main() -> list:
        client = make_client(openai_style_server, "any-key")
        try:
            return await discover_models(client)
        finally:
            await client.close()

    models = asyncio.run(main())
    assert [m.id for m in models] == ["llava-13b", "text-model"]
    assert models[0].takes_images
    assert not models[1].takes_images
