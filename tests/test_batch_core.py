"""The batch's pure parts: inputs, rows and resume, the forecast, the progress display."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from test_cli import make_png

from app.cli.batch_progress import Progress, clock_text
from app.core.batch_forecast import REPLY_TOKENS, batch_forecast, system_tokens
from app.core.batch_inputs import expand_inputs
from app.core.batch_rows import (
    Layout,
    Outcome,
    RowFileError,
    done_rows,
    reply_text,
    schema_fields,
    table_record,
)
from app.core.budget import image_tokens
from app.core.catalog import Prices, Pricing
from app.core.conversation import Usage
from app.core.images import prepare_file
from app.core.limits import XAI_LIMITS
from app.core.presets import builtin

USAGE = Usage(prompt_tokens=600, completion_tokens=40, total_tokens=640, cached_tokens=80)


def test_inputs_folders_sorted_by_name_files_as_given(tmp_path: Path) -> None:
    shots = tmp_path / "shots"
    shots.mkdir()
    for name in ("b.PNG", "a.jpg", "C.png", "notes.txt", ".hidden.png"):
        (shots / name).write_bytes(b"x")
    (shots / "sub").mkdir()
    lone = tmp_path / "report.pdf"
    found = expand_inputs([str(lone), str(shots), str(shots / "a.jpg")])
    names = [Path(p).name for p in found.paths]
    assert names == ["report.pdf", "a.jpg", "b.PNG", "C.png"]  # a named file stays; no repeat
    assert sorted(Path(p).name for p in found.skipped) == ["notes.txt", "sub"]


def test_a_list_of_records_gives_a_row_each_with_the_usage_once() -> None:
    layout = Layout("csv", ("item", "price"))
    outcome = Outcome(
        "a.png",
        ok=True,
        value=[{"item": "tea", "price": 2}, {"item": "cake", "price": 3.5, "extra": 1}],
        parsed=True,
        usage=USAGE,
        image_tokens=512,
        cost_usd=0.000147,
    )
    rows = layout.rows(outcome)
    assert [(r["path"], r["item"], r["price"]) for r in rows] == [
        ("a.png", "tea", "2"),
        ("a.png", "cake", "3.5"),
    ]
    assert rows[0]["prompt_tokens"] == 600
    assert rows[1]["prompt_tokens"] is None
    assert rows[1]["cost_usd"] is None
    text = layout.header() + "".join(layout.line(r) for r in rows)
    read = layout.read(text, "out.csv")
    assert [r["cost_usd"] for r in read] == ["0.000147", ""]
    assert done_rows(read) == ({"a.png"}, read)


def test_jsonl_keeps_the_reply_as_an_object_and_text_as_text() -> None:
    layout = Layout("jsonl", ("vendor",))
    assert layout.columns[2] == "reply"
    (json_row,) = layout.rows(Outcome("a.png", ok=True, value={"vendor": "X"}, parsed=True))
    (text_row,) = layout.rows(Outcome("b.png", ok=True, reply="Red."))
    assert json_row["reply"] == {"vendor": "X"}
    assert text_row["reply"] == "Red."


def test_resume_keeps_ok_rows_drops_errors_and_a_row_cut_short() -> None:
    layout = Layout("jsonl")
    lines = [
        layout.line(r)
        for o in (
            Outcome("a.png", ok=True, reply="fine"),
            Outcome("b.png", ok=False, error="refused"),
            Outcome("c.png", ok=True, reply="fine"),
        )
        for r in layout.rows(o)
    ]
    text = "".join(lines) + lines[0][:20]  # a crash while writing the next row
    done, kept = done_rows(layout.read(text, "out.jsonl"))
    assert done == {"a.png", "c.png"}
    assert [r["path"] for r in kept] == ["a.png", "c.png"]


def test_a_file_with_other_columns_is_not_continued() -> None:
    written = Layout("csv")
    text = written.header() + written.line(written.rows(Outcome("a.png", ok=True))[0])
    with pytest.raises(RowFileError, match="columns"):
        Layout("csv", ("vendor",)).read(text, "out.csv")
    with pytest.raises(RowFileError, match="line 1"):
        Layout("jsonl").read("garbage\n", "out.jsonl")


def test_schema_fields_of_a_schema_and_of_a_function() -> None:
    preset = builtin("invoice-function")
    assert preset is not None
    fields = ("vendor", "date", "currency", "line_items", "total")
    assert schema_fields(None, preset.tools()) == fields
    json_preset = builtin("invoice-json")
    assert json_preset is not None
    assert schema_fields(json_preset.response_format(), None) == fields
    assert schema_fields({"type": "json_object"}, None) == ()


def test_forecast_caches_the_system_prompt_after_the_first_and_knows_the_long_tier(
    tmp_path: Path,
) -> None:
    images = [
        prepare_file(make_png(tmp_path / f"{i}.png", w, h), XAI_LIMITS)
        for i, (w, h) in enumerate([(900, 500), (100, 100), (449, 448)])
    ]
    prices = Prices(20_000, 20_000, 50_000, cached_prompt_text=5_000)
    system = "You read receipts. " * 20
    plan = batch_forecast(system, "Total?", images, Pricing(prices))
    assert plan.requests == 3
    assert plan.image_tokens == image_tokens(900, 500) + image_tokens(100, 100) + 768
    assert plan.cached_tokens == 2 * system_tokens(system)
    assert plan.saved_usd == pytest.approx(2 * system_tokens(system) * 15_000 / 1e10)
    assert plan.reply_usd == pytest.approx(3 * REPLY_TOKENS * 50_000 / 1e10)
    long = batch_forecast(system, "Total?", images, Pricing(prices, long_from=1_000))
    assert long.long_context == 1  # only the 1,792-token image's prompt reaches 1,000
    assert plan.input_usd is not None
    assert long.input_usd is not None
    assert long.input_usd > plan.input_usd
    unpriced = batch_forecast(system, "Total?", images, None)
    assert unpriced.input_usd is None


def test_progress_plain_lines_and_a_bar_on_a_terminal() -> None:
    now = [100.0]
    plain = io.StringIO()
    progress = Progress(4, plain, terminal=False, clock=lambda: now[0])
    progress.finished("a.png", True, 0.0015)
    progress.finished("b.png", False, None, "refused")
    assert plain.getvalue().splitlines() == [
        "[1/4] ok a.png ($0.00150)",
        "[2/4] error b.png: refused",
    ]
    bar = io.StringIO()
    progress = Progress(4, bar, terminal=True, clock=lambda: now[0])
    now[0] += 30
    progress.finished("a.png", True, 0.25)
    drawn = bar.getvalue().rsplit("\r", 1)[-1]
    assert "1/4" in drawn
    assert "0:30 elapsed" in drawn
    assert "ETA 1:30" in drawn
    assert "$0.2500 spent" in drawn
    assert clock_text(3725) == "1:02:05"


def test_the_window_shows_the_rows_of_either_format_alike() -> None:
    value = {"vendor": "Acme", "total": 12.5, "items": [{"sku": "a"}]}
    outcome = Outcome("r.png", ok=True, reply="{}", value=value, parsed=True, cost_usd=0.002)
    fields = ("vendor", "total", "items")
    (csv_row,) = Layout("csv", fields).rows(outcome)
    (jsonl_row,) = Layout("jsonl", fields).rows(outcome)
    csv_record = table_record(
        Layout("csv", fields).read(
            Layout("csv", fields).header() + Layout("csv", fields).line(csv_row), "f"
        )[0],
        fields,
    )
    assert table_record(jsonl_row, fields) == csv_record
    assert list(csv_record) == ["path", "status", "vendor", "total", "items", "cost_usd", "error"]
    assert csv_record["items"] == '[{"sku": "a"}]'
    assert csv_record["cost_usd"] == "0.002"
    assert '"vendor": "Acme"' in reply_text(jsonl_row, fields)
    text = Outcome("t.png", ok=True, reply="A red square.")
    (row,) = Layout("jsonl").rows(text)
    assert table_record(row, ())["reply"] == "A red square."
    assert reply_text(row, ()) == "A red square."
