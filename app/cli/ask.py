"""`grok-vision ask` and `grok-vision models`: the engine from a terminal."""

from __future__ import annotations

import argparse
import asyncio
import sys
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from openai import AsyncOpenAI

from app import keystore
from app.cli.ask_structured import (
    AskUsageError,
    ReplyOutput,
    preset_list,
    resolve_shape,
    user_presets,
)
from app.cli.pdf_input import PdfPage, expand, scale_of
from app.cli.tall_input import split_prepared
from app.core.ask_shape import AskShape
from app.core.billing import bill, format_usd
from app.core.catalog import (
    ModelInfo,
    Pricing,
    known_window,
    lookup,
    per_million,
    pick_default,
    pricing_for,
    reasoning_of,
    retired_note,
    thinks,
)
from app.core.conversation import Conversation, ImagePart, Part, TextPart, Usage
from app.core.endpoints import is_loopback_host, key_account
from app.core.images import DataUriCache, prepare_file
from app.core.images.pdf_pages import prepare_page
from app.core.imagetypes import ImageError
from app.core.limits import LIMIT_PROFILES
from app.core.presets import merged
from app.llm.api_dialect import Api, history_in, keeps_reasoning
from app.llm.client import make_client
from app.llm.dialect_fallback import ApiSettled, falls_back, first_api, stream_turn
from app.llm.errors import ChatError, ErrorKind
from app.llm.events import Finished, ReasoningDelta, Retrying, UsageReport
from app.llm.models import discover_models
from app.llm.stream import ReplyRequest

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


def _too_many(sources: list[str | PdfPage], limit: int) -> str:
    pages = sum(1 for s in sources if isinstance(s, PdfPage))
    counted = (
        f"{len(sources)} images ({pages} of them PDF pages)" if pages else f"{len(sources)} images"
    )
    hint = " Choose fewer PDF pages with --pages, e.g. --pages 1-3,7." if pages else ""
    return f"error: {counted}; this endpoint takes at most {limit} per message.{hint}\n"


def run_ask(ns: argparse.Namespace) -> int:
    if ns.preset == "list":
        sys.stdout.write(preset_list(merged(user_presets())))
        return 0
    limits = LIMIT_PROFILES[ns.limits]
    parts: list[Part] = []
    try:
        sources = expand(ns.image, ns.pages)
        if len(sources) > limits.max_images_per_message:
            sys.stderr.write(_too_many(sources, limits.max_images_per_message))
            return EXIT_USAGE
        scale = scale_of(ns.pdf_scale)
        for source in sources:
            if isinstance(source, PdfPage):
                parts.append(ImagePart(prepare_page(source.info, source.page, scale, limits)))
            elif getattr(ns, "split_tall", False):
                split = split_prepared(prepare_file(source, limits), limits)
                parts.extend(ImagePart(image) for image in split)
            else:
                parts.append(ImagePart(prepare_file(source, limits)))
    except ImageError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return EXIT_USAGE
    if len(parts) > limits.max_images_per_message:
        sys.stderr.write(
            f"error: {len(parts)} images; this endpoint takes at most "
            f"{limits.max_images_per_message} per message.\n"
        )
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
    effort_problem = _effort_problem(ns.model, ns.reasoning_effort)
    if effort_problem:
        sys.stderr.write(f"error: {effort_problem}\n")
        return EXIT_USAGE
    conversation = Conversation(system_prompt=shape.system, model=ns.model or "")
    conversation.add_user([*parts, TextPart(shape.prompt)])
    request = ReplyRequest(
        model=ns.model or "",
        messages=(),
        max_tokens=ns.max_tokens,
        temperature=ns.temperature,
        response_format=shape.response_format,
        tools=shape.tools,
        tool_choice=shape.tool_choice,
        conversation_id=conversation.id,
        reasoning_effort=ns.reasoning_effort,
    )
    try:
        return asyncio.run(_ask(ns.base_url, key, _Turn(request, conversation, ns.api), shape))
    except KeyboardInterrupt:
        sys.stdout.write("\n")
        sys.stdout.flush()
        sys.stderr.write("stopped: the text above is what had arrived.\n")
        return EXIT_INTERRUPTED


def _effort_problem(model: str | None, effort: str | None) -> str | None:
    """Why `effort` cannot be sent to `model` (a catalogued model that refuses it), if so."""
    catalogued = lookup(model) if model is not None else None
    if effort is None or catalogued is None:
        return None
    accepted = catalogued.reasoning.efforts
    if effort in accepted:
        return None
    if not accepted:
        return f"{model} takes no --reasoning-effort."
    return f"{model} takes --reasoning-effort " + ", ".join(accepted) + "."


@dataclass
class _Turn:
    """The one question, to be written in whichever API the endpoint speaks."""

    request: ReplyRequest  # everything but the messages
    conversation: Conversation
    api_choice: str  # "auto", "responses" or "chat"

    def __post_init__(self) -> None:
        self._cache = DataUriCache()

    async def request_for(self, api: Api) -> ReplyRequest:
        model = self.request.model
        return replace(
            self.request,
            messages=history_in(api, self.conversation, self._cache.data_uri, model),
            api=api,
            keep_reasoning=keeps_reasoning(model),
        )


async def _ask(base_url: str, key: str, turn: _Turn, shape: AskShape) -> int:
    request = turn.request
    client = make_client(base_url, key)
    output = ReplyOutput(shape)  # text streams; JSON and function calls print at the end
    listed: list[ModelInfo] | None = None
    if not request.model:
        listed = await _listed(client)
        request = replace(request, model=pick_default(listed))
    note = retired_note(request.model)
    if note:
        sys.stderr.write(f"note: {note}\n")
    turn.request = replace(request, thinks=thinks(request.model, request.reasoning_effort))
    side = _SideChannel(client, request.model, listed)
    try:
        async for event in stream_turn(
            client,
            turn.request_for,
            first_api(turn.api_choice, None),
            may_fall_back=falls_back(turn.api_choice),
        ):
            if isinstance(event, ApiSettled):
                if event.note:
                    sys.stderr.write(f"note: {event.note}\n")
            elif isinstance(event, ReasoningDelta):  # beside the answer, never in it
                side.reasoning(event.text)
            elif output.take(event):
                side.end_reasoning()
            else:
                output.end_line()
                await side.take(event)
    except ChatError as error:
        output.end_line()
        side.end_reasoning()
        sys.stderr.write(f"error: {error.describe()}\n")
        if error.kind is ErrorKind.MODEL_NOT_FOUND:
            await _suggest_models(client)
        return EXIT_API
    finally:
        await client.close()
    return output.finish()


class _SideChannel:
    """What goes to standard error while a reply streams: its reasoning, retries, the usage
    line and notes. Standard output carries the answer alone."""

    def __init__(self, client: AsyncOpenAI, model: str, listed: list[ModelInfo] | None) -> None:
        self._client, self._model, self._listed = client, model, listed
        self._reasoning = False

    def reasoning(self, text: str) -> None:
        sys.stderr.write(text if self._reasoning else f"reasoning: {text}")
        self._reasoning = True

    def end_reasoning(self) -> None:
        if self._reasoning:
            sys.stderr.write("\n")
            self._reasoning = False

    async def take(self, event: object) -> None:
        self.end_reasoning()
        if isinstance(event, Retrying):
            sys.stderr.write(
                f"{event.error.title}; retrying in {event.delay:.0f} s "
                f"(attempt {event.attempt} of {event.max_attempts})…\n"
            )
        elif isinstance(event, UsageReport):
            if event.usage.cost_ticks is None and self._listed is None:
                self._listed = await _listed(self._client)
            pricing = pricing_for(self._model, self._listed or ())
            sys.stderr.write(_usage_line(event.usage, pricing) + "\n")
        elif isinstance(event, Finished) and event.reason == "length":
            sys.stderr.write("note: the reply was cut at --max-tokens.\n")


async def _listed(client: AsyncOpenAI) -> list[ModelInfo]:
    """The endpoint's models, or none when it does not answer within a few seconds."""
    try:
        return await asyncio.wait_for(discover_models(client), timeout=10)
    except (ChatError, TimeoutError):
        return []


def _usage_line(usage: Usage, pricing: Pricing | None) -> str:
    """ "usage: 12 prompt tokens (0 image, 11 cached), 1 completion + 290 reasoning tokens,
    $0.000147 (exact)"."""
    details = [f"{usage.image_tokens} image"] if usage.image_tokens is not None else []
    if usage.cached_tokens:
        details.append(f"{usage.cached_tokens} cached")
    line = f"usage: {usage.prompt_tokens} prompt tokens"
    if details:
        line += " (" + ", ".join(details) + ")"
    line += f", {usage.completion_tokens} completion"
    if usage.reasoning_tokens:
        line += f" + {usage.reasoning_tokens} reasoning"
    line += " tokens"
    charged = bill(usage, pricing)
    if charged is not None:
        line += f", {format_usd(charged.usd)}" + (" (exact)" if charged.exact else "")
        if charged.long_context:
            line += " at the long-context rate"
        if charged.saved_ticks:
            line += f"; caching saved {format_usd(charged.saved_usd)}"
    return line


async def _suggest_models(client: AsyncOpenAI) -> None:
    try:
        models = [m for m in await discover_models(client) if m.takes_images]
    except ChatError:
        return
    if models:
        sys.stderr.write("models that take images here: " + ", ".join(m.id for m in models) + "\n")


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
    sys.stdout.write(_model_table(shown))
    return 0


def _model_table(models: list[ModelInfo]) -> str:
    """Each model's window, prices per million tokens (input / cached / output) and reasoning.
    A window or price not listed by the endpoint comes from the built-in catalogue."""
    rows = [("model", "images", "context", "$/M in", "cached", "out", "reasoning")]
    for m in models:
        pricing = pricing_for(m.id, [m])
        prices = pricing.base if pricing is not None else None
        window = m.context_window or known_window(m.id)
        reasoning = reasoning_of(m.id)
        rows.append(
            (
                m.id,
                "yes" if m.takes_images else "no",
                f"{window:,}" if window else "?",
                *(
                    (
                        f"{per_million(p):.2f}"
                        for p in (prices.prompt_text, prices.cached, prices.completion_text)
                    )
                    if prices
                    else ("?", "?", "?")
                ),
                ", ".join(reasoning.efforts)
                if reasoning.efforts
                else ("yes" if reasoning.thinks else "no"),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [
            cell.ljust(w) if i in (0, 1, 6) else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines) + "\n"
