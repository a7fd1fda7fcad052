"""`grok-vision batch` against the local demo endpoint: real processes, real files."""

from __future__ import annotations

import csv
import json
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from test_cli import make_png, run_cli

from app.cli import main
from app.core.budget import image_tokens
from app.core.presets import builtin
from app.demo import DemoServer, Fault
from app.demo.handler import DemoRequestHandler
from app.store.usage_ledger import UsageLedger

MODEL_PATHS = ("/v1/responses", "/v1/chat/completions")


def batch_args(server: DemoServer, out: Path, *rest: str) -> list[str]:
    return ["batch", "--base-url", server.base_url, "--out", str(out), *rest]


def jsonl_rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def csv_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def model_requests(server: DemoServer) -> int:
    return len(server.model_requests)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Three good images, a damaged one, and a text file."""
    images = tmp_path / "shots"
    images.mkdir()
    make_png(images / "a.png", 900, 500, (10, 200, 10))
    make_png(images / "b.png", 448, 448, (200, 10, 10))
    make_png(images / "d.png", 300, 1200, (10, 10, 200))
    (images / "c.png").write_bytes(b"\x89PNG\r\n\x1a\n cut short")
    (images / "notes.txt").write_text("not an image")
    return images


def test_a_folder_with_bad_files_gives_error_rows_and_exit_1(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    with DemoServer() as server:
        result = run_cli(*batch_args(server, out, "--prompt", "What colour?", str(folder)))
        sent = model_requests(server)
    assert result.returncode == 1, result.stderr
    assert "notes.txt" in result.stderr  # skipped, with a note; no row
    rows = {Path(row["path"]).name: row for row in jsonl_rows(out)}
    assert sorted(rows) == ["a.png", "b.png", "c.png", "d.png"]
    assert rows["c.png"]["status"] == "error"
    assert "c.png" in rows["c.png"]["error"]
    for name in ("a.png", "b.png", "d.png"):
        row = rows[name]
        assert row["status"] == "ok", row
        assert "simulat" in row["reply"].lower()
        assert row["prompt_tokens"] > row["image_tokens"] > 0
        assert row["cost_usd"] > 0
        assert row["error"] == ""
    assert rows["a.png"]["image_tokens"] == image_tokens(900, 500)
    assert sent == 3  # the damaged file never reaches the endpoint


def test_resume_sends_nothing_again_for_rows_done(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    with DemoServer() as server:
        first = run_cli(*batch_args(server, out, "--prompt", "Colour?", str(folder)))
        after_first = model_requests(server)
        (folder / "c.png").unlink()
        make_png(folder / "c.png", 100, 100)  # the bad file mended
        second = run_cli(*batch_args(server, out, "--prompt", "Colour?", str(folder)))
        after_second = model_requests(server)
        third = run_cli(*batch_args(server, out, "--prompt", "Colour?", str(folder)))
        after_third = model_requests(server)
    assert (first.returncode, second.returncode, third.returncode) == (1, 0, 0), second.stderr
    assert after_first == 3
    assert after_second == 4  # only the mended file
    assert after_third == 4
    assert "nothing to do" in third.stderr
    header, rows = csv_rows(out)
    assert header[:3] == ["path", "status", "reply"]
    assert sorted(Path(r["path"]).name for r in rows) == ["a.png", "b.png", "c.png", "d.png"]
    assert {r["status"] for r in rows} == {"ok"}


def test_dry_run_prices_images_by_the_tile_formula(tmp_path: Path) -> None:
    sizes = [(900, 500), (448, 448), (449, 448), (9000, 300)]  # the last downscaled to 8192×273
    paths = [str(make_png(tmp_path / f"{i}.png", w, h)) for i, (w, h) in enumerate(sizes)]
    expected = sum(image_tokens(w, h) for w, h in [(900, 500), (448, 448), (449, 448), (8192, 273)])
    with DemoServer() as server:
        result = run_cli(
            *batch_args(server, tmp_path / "out.csv", "--preset", "ocr", "--dry-run", *paths)
        )
        sent = model_requests(server)
    assert result.returncode == 0, result.stderr
    lines = dict(line.split(":", 1) for line in result.stdout.splitlines() if ":" in line)
    assert lines["image tokens"].split()[0] == f"{expected:,}"
    assert lines["requests"].split()[0] == "4"
    assert "cached" in lines["prompt tokens"]
    assert "$" in lines["input cost"]
    assert "saves" in lines["input cost"]
    assert sent == 0
    assert not (tmp_path / "out.csv").exists()


@pytest.fixture
def in_flight(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The number of model requests the endpoint is serving, recorded at each start."""
    seen: list[int] = []
    lock = threading.Lock()
    serving = [0]
    serve = DemoRequestHandler._serve

    def counted(handler: DemoRequestHandler, path: str, raw: bytes) -> None:
        if path not in MODEL_PATHS:
            serve(handler, path, raw)
            return
        with lock:
            serving[0] += 1
            seen.append(serving[0])
        try:
            serve(handler, path, raw)
        finally:
            with lock:
                serving[0] -= 1

    monkeypatch.setattr(DemoRequestHandler, "_serve", counted)
    return seen


def test_concurrency_never_exceeds_n(
    tmp_path: Path, in_flight: list[int], capsys: pytest.CaptureFixture[str]
) -> None:
    paths = [str(make_png(tmp_path / f"{i:02d}.png", 64 + i, 64)) for i in range(12)]
    out = tmp_path / "out.jsonl"
    with DemoServer(pace=0.005) as server:
        code = main(batch_args(server, out, "--prompt", "Hi", "--concurrency", "3", *paths))
    assert code == 0, capsys.readouterr().err
    assert len(in_flight) == 12
    assert max(in_flight) <= 3
    assert len(jsonl_rows(out)) == 12


def test_a_json_preset_gives_one_csv_column_per_schema_field(tmp_path: Path) -> None:
    receipt = make_png(tmp_path / "receipt.png", 600, 800, (250, 250, 250))
    out = tmp_path / "items.csv"
    with DemoServer() as server:
        result = run_cli(*batch_args(server, out, "--preset", "invoice-json", str(receipt)))
    assert result.returncode == 0, result.stderr
    preset = builtin("invoice-json")
    assert preset is not None
    assert preset.schema is not None
    fields = list(preset.schema["properties"])
    header, rows = csv_rows(out)
    assert header[2 : 2 + len(fields)] == fields
    assert "reply" not in header
    (row,) = rows
    assert row["status"] == "ok"
    assert row["vendor"]
    assert isinstance(json.loads(row["line_items"]), list)  # nested values as JSON text
    float(row["total"])


def test_a_credits_429_stops_the_batch_and_resume_goes_on(folder: Path, tmp_path: Path) -> None:
    (folder / "c.png").unlink()
    out = tmp_path / "out.jsonl"
    args = ("--prompt", "Hi", "--concurrency", "1", str(folder))
    with DemoServer() as server:
        server.inject(Fault.CREDITS_EXHAUSTED)
        stopped = run_cli(*batch_args(server, out, *args))
        after_stop = model_requests(server)
        stopped_rows = jsonl_rows(out)
        resumed = run_cli(*batch_args(server, out, *args))
        after_resume = model_requests(server)
    assert stopped.returncode == 1
    assert "the batch stopped" in stopped.stderr
    assert "credits" in stopped.stderr.lower()
    assert after_stop == 1  # nothing sent after the credits ran out
    assert [(Path(r["path"]).name, r["status"]) for r in stopped_rows] == [("a.png", "error")]
    assert resumed.returncode == 0, resumed.stderr
    assert after_resume == 1 + 3  # the failed one again, and the two never sent
    rows = jsonl_rows(out)
    assert sorted(Path(r["path"]).name for r in rows) == ["a.png", "b.png", "d.png"]
    assert {r["status"] for r in rows} == {"ok"}


def test_a_rate_limit_is_retried_after_its_retry_after(tmp_path: Path) -> None:
    image = make_png(tmp_path / "a.png", 100, 100)
    out = tmp_path / "out.jsonl"
    with DemoServer() as server:
        server.inject(Fault.RATE_LIMIT, retry_after=0)
        result = run_cli(*batch_args(server, out, "--prompt", "Hi", str(image)))
    assert result.returncode == 0, result.stderr
    assert "retrying in 0 s" in result.stderr
    assert [r["status"] for r in jsonl_rows(out)] == ["ok"]


def test_the_dialect_falls_back_once_for_the_whole_batch(tmp_path: Path) -> None:
    paths = [str(make_png(tmp_path / f"{i}.png", 80, 80)) for i in range(6)]
    out = tmp_path / "out.jsonl"
    with DemoServer(responses=False) as server:
        result = run_cli(*batch_args(server, out, "--prompt", "Hi", "--concurrency", "4", *paths))
        sent = [r.path for r in server.model_requests]
        conversations = {r.conversation_id for r in server.chat_requests}
    assert result.returncode == 0, result.stderr
    assert sent.count("/v1/responses") == 1
    assert sent.count("/v1/chat/completions") == 6
    assert result.stderr.count("no Responses API") == 1
    assert len(conversations) == 1  # one cache key
    assert None not in conversations


def test_ctrl_c_finishes_what_is_in_flight_and_leaves_a_valid_file(tmp_path: Path) -> None:
    paths = [str(make_png(tmp_path / f"{i}.png", 80 + i, 80)) for i in range(8)]
    out = tmp_path / "out.jsonl"
    with DemoServer(pace=0.05) as server:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "app",
                *batch_args(server, out, "--prompt", "Hi", "--concurrency", "2", *paths),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        while not (out.exists() and out.read_text(encoding="utf-8").strip()):
            assert proc.poll() is None, proc.communicate()
            time.sleep(0.02)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
        rows = jsonl_rows(out)  # every line whole
        server.pace = 0
        resumed = run_cli(*batch_args(server, out, "--prompt", "Hi", *paths))
    assert proc.returncode == 130, err
    assert "stopping" in err
    assert 1 <= len(rows) < 8
    assert {r["status"] for r in rows} == {"ok"}
    assert resumed.returncode == 0, resumed.stderr
    final = jsonl_rows(out)
    assert sorted(r["path"] for r in final) == sorted(paths)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--prompt", "x", "--out", "out.txt", "a.png"], ".csv or .jsonl"),
        (["--preset", "nope", "--out", "out.csv", "a.png"], "no preset named"),
        (["--prompt", "x", "--concurrency", "0", "--out", "o.csv", "a.png"], "--concurrency"),
        (["--prompt", "x", "--preset", "ocr", "--out", "o.csv", "a.png"], "not allowed"),
        (["--prompt", "x", "a.png"], "--out"),
    ],
)
def test_bad_usage_exits_2(args: list[str], words: str, capsys: pytest.CaptureFixture[str]) -> None:
    try:
        code = main(["batch", "--base-url", "http://127.0.0.1:9/v1", *args])
    except SystemExit as exit_:  # argparse's own refusal
        code = int(exit_.code or 0)
    assert code == 2
    assert words in capsys.readouterr().err


def test_the_batch_spending_goes_into_the_usage_ledger(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    with DemoServer() as server:
        result = run_cli(*batch_args(server, out, "--prompt", "What colour?", str(folder)))
    assert result.returncode == 1, result.stderr  # the damaged file
    rows = [row for row in jsonl_rows(out) if row["status"] == "ok"]
    entries = list(UsageLedger().entries())  # the test's data directory, as the window's
    assert len(entries) == len(rows) == 3
    assert sum(e.cost_usd or 0.0 for e in entries) == pytest.approx(
        sum(row["cost_usd"] for row in rows), abs=1e-12
    )
    assert {e.endpoint for e in entries} == {server.base_url}
    assert all(e.cost_exact for e in entries)
