"""The usage ledger: one JSON line per reply, summed for today."""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path

import pytest

from app.store.usage_ledger import LEDGER_NAME, LedgerEntry, UsageLedger


def entry(cost: float | None, when: float | None = None) -> LedgerEntry:
    return LedgerEntry(
        time=time.time() if when is None else when,
        endpoint="https://api.x.ai/v1",
        model="grok-4",
        prompt_tokens=1200,
        image_tokens=512,
        completion_tokens=80,
        cost_usd=cost,
    )


def test_lines_are_appended_and_today_is_summed(tmp_path: Path) -> None:
    ledger = UsageLedger(tmp_path / "data")
    assert ledger.today() == 0.0  # no ledger yet
    ledger.append(entry(0.0125))
    ledger.append(entry(None))  # prices not known: counted in tokens only
    ledger.append(entry(0.5, when=time.time() - 3 * 86_400))
    ledger.append(entry(0.0075))
    assert ledger.today() == pytest.approx(0.02)
    three_days_ago = (dt.datetime.now() - dt.timedelta(days=3)).date()
    assert ledger.total_for(three_days_ago) == pytest.approx(0.5)
    lines = (tmp_path / "data" / LEDGER_NAME).read_text(encoding="utf-8").splitlines()
    assert len(lines) == 4
    first = json.loads(lines[0])
    assert first["model"] == "grok-4"
    assert first["image_tokens"] == 512
    assert set(first) == {
        "time",
        "endpoint",
        "model",
        "prompt_tokens",
        "image_tokens",
        "completion_tokens",
        "cost_usd",
        "cached_tokens",
        "reasoning_tokens",
        "cost_exact",
    }


def test_lines_that_do_not_parse_are_skipped(tmp_path: Path) -> None:
    ledger = UsageLedger(tmp_path)
    ledger.append(entry(0.25))
    with ledger.path.open("a", encoding="utf-8") as stream:
        stream.write("{broken\n\n[1, 2]\n" + json.dumps({"time": "soon"}) + "\n")
    ledger.append(entry(0.25))
    assert len(list(ledger.entries())) == 2
    assert ledger.today() == pytest.approx(0.5)


def test_the_data_directory_comes_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GROK_VISION_DATA_DIR", str(tmp_path / "elsewhere"))
    ledger = UsageLedger()
    ledger.append(entry(1.0))
    assert (tmp_path / "elsewhere" / LEDGER_NAME).is_file()
