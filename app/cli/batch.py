"""`grok-vision batch`: one question over many images, a row per image in a CSV or JSON Lines
file, with a dry-run forecast, progress, resume and a clean Ctrl+C."""

from __future__ import annotations

import argparse
import asyncio
import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openai import AsyncOpenAI

from app.cli.ask import no_key_error, resolve_key
from app.cli.ask_structured import AskUsageError, preset_list, resolve_shape, user_presets
from app.cli.batch_progress import Progress
from app.core.ask_shape import AskShape
from app.core.batch_forecast import batch_forecast, describe_forecast, prepare_inputs
from app.core.batch_inputs import BatchInputs, expand_inputs
from app.core.batch_rows import FORMATS, Format, Layout, Outcome, Row, schema_fields
from app.core.catalog import ModelInfo, pick_default, pricing_for, retired_note, thinks
from app.core.endpoints import profile_for
from app.core.limits import LIMIT_PROFILES, XAI_BASE_URL, ImageLimits
from app.core.presets import merged
from app.llm.batch_run import BatchJob, BatchRunner
from app.llm.client import make_client
from app.llm.errors import ChatError
from app.llm.models import discover_models
from app.store.batch_file import RowFile, RowFileError, read_done
from app.store.usage_ledger import UsageLedger, ledger_entry

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
MAX_CONCURRENCY = 64


def add_parser(sub: Any) -> None:
    batch = sub.add_parser(
        "batch",
        help="one question over many images, a row per image in a CSV or JSONL file",
        description="Ask the same question of every image (folders: their images, sorted by "
        "name) and write one row per image to --out as each finishes. Running again with "
        "the same --out skips the images already done and retries the failed ones. Exit "
        "status: 0 all done, 1 some failed, 2 bad usage, 130 interrupted.",
    )
    batch.add_argument("--base-url", default=XAI_BASE_URL, metavar="URL")
    batch.add_argument("--model", default=None, help="default: the endpoint's image model")
    question = batch.add_mutually_exclusive_group(required=True)
    question.add_argument(
        "--preset", metavar="NAME", help="a task preset (--preset list shows them)"
    )
    question.add_argument("--prompt", metavar="TEXT", help="the question asked of each image")
    batch.add_argument("--schema", metavar="FILE", help="a JSON schema each reply must follow")
    batch.add_argument(
        "--concurrency", type=int, default=4, metavar="N", help="requests in flight (default 4)"
    )
    batch.add_argument(
        "--dry-run",
        action="store_true",
        help="print the count, image and text tokens and the cost forecast; send nothing",
    )
    batch.add_argument("--out", metavar="FILE.(jsonl|csv)", help="the rows (required)")
    batch.add_argument("paths", nargs="*", metavar="PATH", help="images and folders")


def _fail(text: str, code: int = EXIT_USAGE) -> int:
    sys.stderr.write(f"error: {text}\n")
    return code


def _format_of(out: str) -> Format | None:
    suffix = Path(out).suffix.lower().lstrip(".")
    return next((f for f in FORMATS if f == suffix), None)


@dataclass(frozen=True)
class _Setup:
    """A batch as the command line asks for it, checked."""

    shape: AskShape
    limits: ImageLimits
    rows: RowFile
    kept: list[Row]  # the rows of the inputs done before
    todo: list[str]
    key: str | None


def run_batch(ns: argparse.Namespace) -> int:
    if ns.preset == "list":
        sys.stdout.write(preset_list(merged(user_presets())))
        return EXIT_OK
    try:
        setup = _setup(ns)
    except (AskUsageError, RowFileError) as exc:
        return _fail(str(exc))
    if ns.dry_run:
        return asyncio.run(_dry_run(ns, setup))
    if setup.key is None:
        sys.stderr.write(no_key_error(ns.base_url))
        return EXIT_USAGE
    if not setup.todo:
        sys.stderr.write(f"nothing to do: every input is done in {ns.out}.\n")
        return EXIT_OK
    try:
        return asyncio.run(_batch(ns, setup, setup.key))
    except KeyboardInterrupt:  # where no signal handler could be installed
        sys.stderr.write(f"\nstopped: the rows written to {ns.out} are kept.\n")
        return EXIT_INTERRUPTED


def _setup(ns: argparse.Namespace) -> _Setup:
    """Raises AskUsageError or RowFileError (bad usage)."""
    if ns.out is None:
        raise AskUsageError("--out FILE.csv or FILE.jsonl is required")
    fmt = _format_of(ns.out)
    if fmt is None:
        raise AskUsageError(f"--out {ns.out}: the file must end in .csv or .jsonl")
    if not 1 <= ns.concurrency <= MAX_CONCURRENCY:
        raise AskUsageError(f"--concurrency must be between 1 and {MAX_CONCURRENCY}")
    if not ns.paths:
        raise AskUsageError("no PATH: give images or folders of images")
    options = argparse.Namespace(
        preset=ns.preset, prompt=ns.prompt or "", system="", schema=ns.schema, json_object=False
    )
    shape = resolve_shape(options, has_images=True)
    layout = Layout(fmt, schema_fields(shape.response_format, shape.tools))
    inputs = expand_inputs(ns.paths)
    _tell_skipped(inputs)
    if not inputs.paths:
        raise AskUsageError("no images found in " + ", ".join(ns.paths))
    out = Path(ns.out)
    done, kept = read_done(out, layout)
    todo = [path for path in inputs.paths if path not in done]
    if done:
        sys.stderr.write(f"note: {len(inputs.paths) - len(todo)} already done in {out}.\n")
    return _Setup(
        shape=shape,
        limits=LIMIT_PROFILES[profile_for(ns.base_url).limits_profile],
        rows=RowFile(out, layout),
        kept=kept,
        todo=todo,
        key=resolve_key(ns.base_url),
    )


def _tell_skipped(inputs: BatchInputs) -> None:
    if not inputs.skipped:
        return
    shown = ", ".join(inputs.skipped[:5])
    more = f" and {len(inputs.skipped) - 5} more" if len(inputs.skipped) > 5 else ""
    sys.stderr.write(f"note: skipped {len(inputs.skipped)} not images: {shown}{more}\n")


async def _listed(client: AsyncOpenAI) -> list[ModelInfo]:
    """The endpoint's models, or none when it does not answer within a few seconds."""
    try:
        return await asyncio.wait_for(discover_models(client), timeout=10)
    except (ChatError, TimeoutError):
        return []


async def _model_and_listed(
    client: AsyncOpenAI | None, model: str | None
) -> tuple[str, list[ModelInfo]]:
    """The model (the endpoint's default image model when none is given) and the endpoint's
    list, asked for only when needed: no model given, or no known prices for it."""
    listed: list[ModelInfo] = []
    if client is not None and (model is None or pricing_for(model) is None):
        listed = await _listed(client)
    return model or pick_default(listed), listed


async def _dry_run(ns: argparse.Namespace, setup: _Setup) -> int:
    client = make_client(ns.base_url, setup.key) if setup.key is not None else None
    try:
        model, listed = await _model_and_listed(client, ns.model)
    finally:
        if client is not None:
            await client.close()
    images, failures = await asyncio.to_thread(prepare_inputs, setup.todo, setup.limits)
    for failure in failures:
        sys.stdout.write(f"would fail: {failure}\n")
    shape = setup.shape
    plan = batch_forecast(shape.system, shape.prompt, images, pricing_for(model, listed))
    sys.stdout.write(describe_forecast(plan, model))
    return EXIT_OK


def _ledger_writer(endpoint: str, model: str) -> Callable[[Outcome], None]:
    """Each request's usage and cost into the usage ledger, as the window's chat and batch do
    (so the window's "today" counts a batch run here)."""
    ledger, warned = UsageLedger(), False

    def write(outcome: Outcome) -> None:
        nonlocal warned
        usage = outcome.usage
        if usage is None:
            return
        exact = usage.cost_ticks is not None
        try:
            ledger.append(ledger_entry(endpoint, model, usage, outcome.cost_usd, exact=exact))
        except OSError as exc:
            if not warned:
                warned = True
                sys.stderr.write(
                    f"warning: the usage ledger {ledger.path} could not be written "
                    f"({exc.strerror or exc}): today's total will not include this batch.\n"
                )

    return write


async def _batch(ns: argparse.Namespace, setup: _Setup, key: str) -> int:
    rows, todo = setup.rows, setup.todo
    client = make_client(ns.base_url, key)
    progress = Progress(len(todo))
    try:
        model, listed = await _model_and_listed(client, ns.model)
        note = retired_note(model)
        if note:
            sys.stderr.write(f"note: {note}\n")
        try:
            rows.start(setup.kept)
        except OSError as exc:
            return _fail(f"cannot write {rows.path}: {exc.strerror or exc}")
        job = BatchJob(
            model=model,
            shape=setup.shape,
            limits=setup.limits,
            pricing=pricing_for(model, listed),
            concurrency=ns.concurrency,
            conversation_id=uuid.uuid4().hex,
            thinks=thinks(model, None),
        )
        outcomes = _ledger_writer(ns.base_url, model)
        runner = BatchRunner(client, job, rows, progress, outcomes=outcomes)
        await runner.run(todo)
    finally:
        rows.close()
        progress.close()
        await client.close()
    sys.stderr.write(progress.summary() + f"; rows in {rows.path}\n")
    left = len(todo) - progress.done
    if runner.credits_error is not None:
        sys.stderr.write(
            f"error: the batch stopped: {runner.credits_error.describe()} "
            f"{left} not sent; run the same command again to go on.\n"
        )
        return EXIT_FAILED
    if runner.interrupted:
        sys.stderr.write(f"stopped: {left} not sent; run the same command again to go on.\n")
        return EXIT_INTERRUPTED
    if progress.failed:
        sys.stderr.write("run the same command again to retry the failed ones.\n")
        return EXIT_FAILED
    return EXIT_OK
