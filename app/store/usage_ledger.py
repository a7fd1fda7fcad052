"""The usage ledger: one JSON line per reply the server reported usage for, in the data directory.

Each line holds the time, the endpoint and model, the prompt, image, cached, completion and
reasoning tokens, and the cost in USD (null when the model's prices are not known; `cost_exact`
when it is the server's own bill). The ledger is what "today" in the
meter sums; it is appended to, never rewritten, and a line that does not parse is skipped.
Calls read or write the file: run them off the GUI thread.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from app.core.conversation import Usage
from app.store.paths import data_directory

log = logging.getLogger(__name__)

LEDGER_NAME = "usage.jsonl"


@dataclass(frozen=True)
class LedgerEntry:
    time: float  # seconds since the epoch
    endpoint: str
    model: str
    prompt_tokens: int
    image_tokens: int
    completion_tokens: int
    cost_usd: float | None
    cached_tokens: int = 0
    reasoning_tokens: int = 0
    cost_exact: bool = False

    def local_date(self) -> dt.date:
        return dt.datetime.fromtimestamp(self.time).astimezone().date()


def ledger_entry(
    endpoint: str,
    model: str,
    usage: Usage,
    cost_usd: float | None,
    *,
    exact: bool,
    when: float | None = None,
) -> LedgerEntry:
    """The line for one request the server reported `usage` for (now, unless `when`)."""
    return LedgerEntry(
        time=time.time() if when is None else when,
        endpoint=endpoint,
        model=model,
        prompt_tokens=usage.prompt_tokens,
        image_tokens=usage.image_tokens or 0,
        completion_tokens=usage.completion_tokens,
        cost_usd=cost_usd,
        cached_tokens=usage.cached_tokens or 0,
        reasoning_tokens=usage.reasoning_tokens or 0,
        cost_exact=exact and cost_usd is not None,
    )


def _entry_from(raw: object) -> LedgerEntry | None:
    if not isinstance(raw, dict):
        return None
    try:
        cost = raw.get("cost_usd")
        return LedgerEntry(
            time=float(raw["time"]),
            endpoint=str(raw.get("endpoint", "")),
            model=str(raw.get("model", "")),
            prompt_tokens=int(raw.get("prompt_tokens", 0)),
            image_tokens=int(raw.get("image_tokens", 0)),
            completion_tokens=int(raw.get("completion_tokens", 0)),
            cost_usd=float(cost) if isinstance(cost, int | float) else None,
            cached_tokens=int(raw.get("cached_tokens", 0)),
            reasoning_tokens=int(raw.get("reasoning_tokens", 0)),
            cost_exact=raw.get("cost_exact") is True,
        )
    except (KeyError, TypeError, ValueError, OverflowError):
        return None


class UsageLedger:
    """``usage.jsonl`` in one directory (the user data directory unless another is given)."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory if directory is not None else data_directory()
        self.path = self.directory / LEDGER_NAME

    def append(self, entry: LedgerEntry) -> None:
        """Add one line. Raises OSError when the file cannot be written."""
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        line = json.dumps(asdict(entry), ensure_ascii=False, allow_nan=False) + "\n"
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT
        descriptor = os.open(self.path, flags, 0o600)
        with os.fdopen(descriptor, "a", encoding="utf-8") as stream:
            stream.write(line)

    def entries(self) -> Iterator[LedgerEntry]:
        """Every readable entry, oldest first; none when there is no ledger yet."""
        try:
            stream = self.path.open(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return
        with stream:
            for line in stream:
                if not line.strip():
                    continue
                try:
                    entry = _entry_from(json.loads(line))
                except json.JSONDecodeError:
                    entry = None
                if entry is None:
                    log.info("skipped a line of %s that does not parse", self.path)
                    continue
                yield entry

    def total_for(self, day: dt.date) -> float:
        """USD spent on `day` (local time), by the entries whose cost is known."""
        return sum(
            e.cost_usd for e in self.entries() if e.cost_usd is not None and e.local_date() == day
        )

    def today(self) -> float:
        return self.total_for(dt.date.today())
