"""`grok-vision ask` and `grok-vision models`: the engine from a terminal."""

from __future__ import annotations

import argparse
import asyncio
import sys
from urllib.parse import urlsplit

from openai import AsyncOpenAI

from app import keystore
from app.cli.ask_structured import (
    AskShape,
    AskUsageError,
    ReplyOutput,
    preset_list,
    resolve_shape,
    user_presets,
)
from app.core.conversation import Conversation, ImagePart, Part, TextPart, Usage
from app.core.endpoints import is_loopback_host, key_account
from app.core.images import DataUriCache, prepare_file
from app.core.imagetypes import ImageError
from app.core.limits import LIMIT_PROFILES, Prices, fallback_prices
from app.core.meter import usage_cost
from app.core.presets import merged
from app.llm.client import make_client
from app.llm.errors import ChatError, ErrorKind
from app.llm.events import Finished, Retrying, UsageReport
from app.llm.models import discover_models
from app.llm.stream import ReplyRequest
from app.llm.structured import stream_structured

EXIT_API, EXIT_USAGE, EXIT_INTERRUPTED = 1, 2, 130


def is_loopback(base_url: str) -> bool:
    """Whether the endpoint is on this computer (localhost, 127.0.0.0/8, ::1)."""
    try:
        host = urlsplit(base_url.strip()).hostname or ""
    except ValueError:
        return False
    return bool(host) and is_loopback_host(host)


def resolve_key(base_url: str) -> str | None:
    """The key of this endpoint and of no other: the one stored under its own keyring account
    (`key_account`: "xai", "openrouter", "custom:<host>"), with XAI_API_KEY standing in for
    xAI's only. An endpoint on this computer with no key of its own gets the local demo's key;
    any other gets None (and nothing is sent)."""
    try:
        key = keystore.get_key(key_account(base_url)).key
    except keystore.KeystoreError as exc:
        sys.stderr.write(f"warning: {exc}\n")
        key = None
    if key is None and is_loopback(base_url):
        from app.demo import DEMO_API_KEY

        return DEMO_API_KEY
    return key


def no_key_error(base_url: str) -> str:
    """What to say when this endpoint has no key: where to store one for it."""
    try:
        host = urlsplit(base_url.strip()).hostname or base_url
    except ValueError:
        host = base_url
    fix = f"grok-vision key set --endpoint {base_url}"
    if keystore.environment_serves(key_account(base_url)):
        fix += f" (or set {keystore.ENV_VAR})"
    return f"error: no key stored for {host}: {fix}\n"


def run_ask(ns: argparse.Namespace) -> int:
    if ns.preset == "list":
        sys.stdout.write(preset_list(merged(user_presets())))
        return 0
    limits = LIMIT_PROFILES[ns.limits]
    parts: list[Part] = []
    try:
        parts.extend(ImagePart(prepare_file(path, limits)) for path in ns.image)
    except ImageError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return EXIT_USAGE
    if len(parts) > limits.max_images_per_message:
        sys.stderr.write(f"error: {len(parts)} images; this endpoint takes at most "
                         f"{limits.max_images_per_message} per message.\n")
        return EXIT_USAGE
    try:
        shape = resolve_shape(ns, has_images=bool(parts))
    except AskUsageError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return EXIT_USAGE
    key = resolve_key(ns.base_url)
    if key is None:
        sys.stderr.write(no_key_error(ns.base_url))
        return EXIT_USAGE
    conversation = Conversation(system_prompt=shape.system, model=ns.model)
    conversation.add_user([*parts, TextPart(shape.prompt)])
    cache = DataUriCache()
    request = ReplyRequest(
        model=ns.model,
        messages=conversation.to_api_messages(cache.data_uri),
        max_tokens=ns.max_tokens,
        temperature=ns.temperature,
        response_format=shape.response_format,
        tools=shape.tools,
        tool_choice=shape.tool_choice,
    )
    try:
        return asyncio.run(_ask(ns.base_url, key, request, shape))
    except KeyboardInterrupt:
        sys.stdout.write("\n")
        sys.stdout.flush()
        sys.stderr.write("stopped: the text above is what had arrived.\n")
        return EXIT_INTERRUPTED


async def _ask(base_url: str, key: str, request: ReplyRequest, shape: AskShape) -> int:
    client = make_client(base_url, key)
    output = ReplyOutput(shape)   # text streams; JSON and function calls print at the end
    try:
        async for event in stream_structured(client, request):
            if output.take(event):
                continue
            if isinstance(event, Retrying):
                sys.stderr.write(f"{event.error.title}; retrying in {event.delay:.0f} s "
                                 f"(attempt {event.attempt} of {event.max_attempts})…\n")
            elif isinstance(event, UsageReport):
                output.end_line()
                prices = await _prices(client, request.model)
                sys.stderr.write(_usage_line(event.usage, prices) + "\n")
            elif isinstance(event, Finished) and event.reason == "length":
                sys.stderr.write("note: the reply was cut at --max-tokens.\n")
    except ChatError as error:
        output.end_line()
        sys.stderr.write(f"error: {error.describe()}\n")
        if error.kind is ErrorKind.MODEL_NOT_FOUND:
            await _suggest_models(client)
        return EXIT_API
    finally:
        await client.close()
    return output.finish()


async def _prices(client: AsyncOpenAI, model: str) -> Prices | None:
    """The model's prices as the endpoint lists them, else the seeds' figures where they apply."""
    try:
        listed = await asyncio.wait_for(discover_models(client), timeout=10)
    except (ChatError, TimeoutError):
        listed = []
    for info in listed:
        if (info.id == model or model in info.aliases) and info.prices is not None:
            return info.prices
    return fallback_prices(model)


def _usage_line(usage: Usage, prices: Prices | None) -> str:
    images = f" ({usage.image_tokens} image)" if usage.image_tokens is not None else ""
    line = (f"usage: {usage.prompt_tokens} prompt tokens{images}, "
            f"{usage.completion_tokens} completion tokens")
    if prices is not None:
        line += f", ${usage_cost(usage, prices):.4f}"
    return line


async def _suggest_models(client: AsyncOpenAI) -> None:
    try:
        models = [m for m in await discover_models(client) if m.takes_images]
    except ChatError:
        return
    if models:
        sys.stderr.write("models that take images here: "
                         + ", ".join(m.id for m in models) + "\n")


def run_models(base_url: str, *, show_all: bool) -> int:
    key = resolve_key(base_url)
    if key is None:
        sys.stderr.write(no_key_error(base_url))
        return EXIT_USAGE
    return asyncio.run(_models(base_url, key, show_all))


async def _models(base_url: str, key: str, show_all: bool) -> int:
    client = make_client(base_url, key)
    try:
        models = await discover_models(client)
    except ChatError as error:
        sys.stderr.write(f"error: {error.describe()}\n")
        return EXIT_API
    finally:
        await client.close()
    shown = [m for m in models if show_all or m.takes_images]
    out = sys.stdout
    out.write(f"{'model':<32} {'images':<6} {'context':>9} {'$/M in':>7} {'$/M out':>8}\n")
    for m in shown:
        prices = m.prices or fallback_prices(m.id)
        p_in = f"{prices.prompt_text / 10_000:.2f}" if prices else "?"
        p_out = f"{prices.completion_text / 10_000:.2f}" if prices else "?"
        context = f"{m.context_window:,}" if m.context_window else "?"
        out.write(f"{m.id:<32} {'yes' if m.takes_images else 'no':<6} {context:>9} "
                  f"{p_in:>7} {p_out:>8}\n")
    return 0
