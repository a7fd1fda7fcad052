"""The command line as users script it: real processes, real files, the real local endpoint."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import keyring
import pytest
from PIL import Image

from app.cli import main
from app.demo import DemoServer, Fault
from app.keystore import SERVICE


def run_cli(
    *args: str, stdin: str | None = None, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        input=stdin,
        text=True,
        capture_output=True,
        timeout=timeout,
        env=full_env,
        check=False,
    )


def make_png(
    path: Path, width: int, height: int, color: tuple[int, int, int] = (200, 30, 30)
) -> Path:
    Image.new("RGB", (width, height), color).save(path)
    return path


def test_version() -> None:
    result = run_cli("--version")
    assert result.returncode == 0
    assert result.stdout.startswith("grok-vision ")


def test_tokens_json_prices_by_the_formula_and_reports_errors(tmp_path: Path) -> None:
    small = make_png(tmp_path / "small.png", 448, 448)
    wide = make_png(tmp_path / "wide.png", 449, 448)
    big = make_png(tmp_path / "big.png", 9000, 300)
    bad = tmp_path / "notes.png"
    bad.write_text("not an image")
    result = run_cli("tokens", "--json", str(small), str(wide), str(big), str(bad))
    assert result.returncode == 2
    report = json.loads(result.stdout)
    images = {Path(i["path"]).name: i for i in report["images"]}
    assert images["small.png"] == {
        "path": str(small),
        "width": 448,
        "height": 448,
        "tiles": 1,
        "tokens": 512,
    }
    assert images["wide.png"]["tokens"] == 768
    # Downscaled to the 8,192 px long edge before pricing: 8192×273 → 19 × 1 tiles → capped.
    assert images["big.png"]["width"] == 8192
    assert images["big.png"]["tokens"] == 1792
    assert report["total_tokens"] == 512 + 768 + 1792
    assert report["errors"][0]["path"] == str(bad)
    assert "notes.png" in report["errors"][0]["message"]


def test_tokens_table_and_exit_zero(tmp_path: Path) -> None:
    result = run_cli("tokens", str(make_png(tmp_path / "a.png", 1920, 1080)))
    assert result.returncode == 0
    assert "1920×1080" in result.stdout
    assert "1792" in result.stdout


def test_ask_streams_a_reply_about_real_images(tmp_path: Path) -> None:
    chart = make_png(tmp_path / "chart.png", 900, 500, (10, 200, 10))
    with DemoServer() as server:
        result = run_cli(
            *("ask", "--base-url", server.base_url, "--api", "chat", "--image", str(chart)),
            "What colour dominates?",
        )
    assert result.returncode == 0, result.stderr
    assert "simulat" in result.stdout.lower()
    assert "900×500" in result.stdout
    usage = next(line for line in result.stderr.splitlines() if line.startswith("usage:"))
    assert "(1792 image)" in usage  # 3 × 2 tiles → 256 × (6 + 1)
    assert "$" in usage


@pytest.mark.parametrize("responses", [True, False])
def test_ask_speaks_responses_and_falls_back_once(tmp_path: Path, responses: bool) -> None:
    chart = make_png(tmp_path / "chart.png", 900, 500, (10, 200, 10))
    with DemoServer(responses=responses) as server:
        result = run_cli(
            *("ask", "--base-url", server.base_url, "--model", "grok-4.7", "--image", str(chart)),
            "What colour dominates?",
        )
        paths = [r.path for r in server.model_requests]
        body = server.model_requests[-1].body
    assert result.returncode == 0, result.stderr
    assert "900×500" in result.stdout
    if responses:
        assert paths == ["/v1/responses"]
        assert body["store"] is False
        assert body["include"] == ["reasoning.encrypted_content"]
        assert "reasoning: " in result.stderr  # grok-4.7's summary, beside the answer
        assert "no Responses API" not in result.stderr
    else:
        assert paths == ["/v1/responses", "/v1/chat/completions"]
        assert "store" not in body
        assert "note: This endpoint has no Responses API (it answered HTTP 404" in result.stderr


def test_ask_json_object(tmp_path: Path) -> None:
    with DemoServer() as server:
        result = run_cli(
            "ask",
            "--base-url",
            server.base_url,
            "--json-object",
            "--image",
            str(make_png(tmp_path / "x.png", 100, 100)),
            "Describe",
        )
    assert result.returncode == 0, result.stderr
    assert isinstance(json.loads(result.stdout), dict)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--model", "grok-2-vision-1212"], "Model not found"),
        (["--model", "grok-vision-demo-8k", "--max-tokens", "100"], None),
    ],
)
def test_ask_shows_the_servers_message(args: list[str], words: str | None) -> None:
    with DemoServer() as server:
        prompt = "hi" if words else "x " * 9000
        result = run_cli("ask", "--base-url", server.base_url, *args, prompt)
    assert result.returncode == 1
    assert "Error code" not in result.stderr
    if words:
        assert words in result.stderr
        # The way out: the models that take images here.
        assert "grok-4" in result.stderr
    else:
        assert "maximum prompt length is 8192" in result.stderr


def test_ask_wrong_key_and_rate_limit(capsys: pytest.CaptureFixture[str]) -> None:
    # The wrong key is the one stored for this endpoint (XAI_API_KEY serves api.x.ai only), in
    # the tests' in-memory keyring: so this half runs in this process.
    keyring.set_password(SERVICE, "custom:127.0.0.1", "xai-wrong-key-0000")
    with DemoServer() as server:
        wrong_code = main(["ask", "--base-url", server.base_url, "hi"])
        wrong = capsys.readouterr()
        server.inject(Fault.RATE_LIMIT, count=3, retry_after=0)
        busy = run_cli("ask", "--base-url", server.base_url, "hi")
    assert wrong_code == 1
    assert "Incorrect API key" in wrong.err
    assert "xai-wrong-key-0000" not in wrong.err
    assert busy.returncode == 1
    assert "retrying" in busy.stderr
    assert "at capacity" in busy.stderr


def test_ask_bad_image_is_a_usage_error(tmp_path: Path) -> None:
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    result = run_cli("ask", "--base-url", "http://127.0.0.1:9/v1", "--image", str(empty), "hi")
    assert result.returncode == 2
    assert "empty.png" in result.stderr


def test_ask_network_down() -> None:
    result = run_cli("ask", "--base-url", "http://127.0.0.1:9/v1", "hi")
    assert result.returncode == 1
    assert "Could not reach the server" in result.stderr


def test_ctrl_c_keeps_what_arrived_and_exits_130() -> None:
    with DemoServer(pace=0.2) as server:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "app",
                "ask",
                "--base-url",
                server.base_url,
                "Tell me everything",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert proc.stdout is not None
        first = proc.stdout.read(5)  # the reply has started streaming
        time.sleep(0.3)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130
    assert first
    assert "stopped" in err


def test_models_lists_image_models_with_prices() -> None:
    with DemoServer() as server:
        result = run_cli("models", "--base-url", server.base_url)
    assert result.returncode == 0, result.stderr
    rows = {line.split()[0]: line.split() for line in result.stdout.splitlines()[1:]}
    # grok-4.3: its window from the catalogue, $1.25 / $0.20 cached / $2.50 per million (the
    # endpoint lists 12500 / 2000 / 25000 cents per 100M tokens), and the efforts it takes.
    assert rows["grok-4.3"][:6] == ["grok-4.3", "yes", "1,000,000", "1.25", "0.20", "2.50"]
    assert " ".join(rows["grok-4.3"][6:]) == "none, low, medium, high"
    assert rows["grok-4.7"][2] == "500,000"
    assert rows["grok-4.20-0309-non-reasoning"][-1] == "no"
    assert rows["grok-vision-demo-8k"][2] == "?"  # a window nobody lists
    assert "grok-2-vision-1212" not in rows


def test_key_status_without_a_secure_keyring() -> None:
    # A fresh process with the fail backend: status says so and set refuses, writing nothing.
    env = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    status = run_cli("key", "status", env=env)
    assert status.returncode == 0
    assert "NOT a secure store" in status.stdout
    refused = run_cli("key", "set", stdin="xai-some-key-123456\n", env=env)
    assert refused.returncode == 1
    assert "xai-some-key-123456" not in refused.stderr + refused.stdout
