"""The same hostile files given to the command line: `grok-vision tokens` and `grok-vision ask`
(against the local demo endpoint), each as a real process.

Every process of this module is started up front, a few at a time, by one module fixture
(starting Python and the network stack is most of their cost); each test then checks one
result. A refused file gives exit status 2 and one line naming the file and the reason, never a
traceback; a good one is priced and sent at the size the window would send it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from hardening import corpus
from hardening.corpus import Case, Outcome

from app.demo import DemoServer

ROOT = Path(__file__).resolve().parents[2]
PARALLEL = 4
TIMEOUT_S = 300  # only so that a broken run cannot hang


@dataclass(frozen=True)
class Run:
    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str


@dataclass
class Results:
    paths: dict[str, Path]  # case id (or "folder", "missing", "many") -> its path
    tokens: dict[str, Run]
    ask: dict[str, Run]
    many: list[Path]


def _run(args: tuple[str, ...], env: dict[str, str]) -> Run:
    done = subprocess.run(
        [sys.executable, "-m", "app", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        check=False,
    )
    return Run(args, done.returncode, done.stdout, done.stderr)


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> Results:
    folder = tmp_path_factory.mktemp("cli-corpus")
    paths: dict[str, Path] = {}
    for case in corpus.CASES:
        if not case.skip:
            (folder / case.id).mkdir()
            paths[case.id] = case.make(folder / case.id)
    paths["folder"] = folder / "a folder"
    paths["folder"].mkdir()
    corpus.good_png(paths["folder"], "inside.png")
    paths["missing"] = folder / "deleted before the command ran.png"
    many = corpus.many_pngs(folder / "many", 200)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("XAI_API_KEY", None)
    with DemoServer() as server:
        jobs: dict[tuple[str, str], tuple[str, ...]] = {}
        for key, path in paths.items():
            jobs["tokens", key] = ("tokens", "--json", str(path))
            jobs["ask", key] = (
                "ask",
                "--base-url",
                server.base_url,
                "--image",
                str(path),
                "What is this?",
            )
        jobs["tokens", "many"] = ("tokens", "--json", *map(str, many))
        jobs["ask", "many"] = (
            "ask",
            "--base-url",
            server.base_url,
            *(arg for p in many for arg in ("--image", str(p))),
            "All?",
        )
        # Everything at once: one bad file among the good ones loses none of them.
        jobs["tokens", "all"] = ("tokens", "--json", *map(str, paths.values()))
        with ThreadPoolExecutor(PARALLEL) as pool:
            futures = {job: pool.submit(_run, args, env) for job, args in jobs.items()}
            runs = {job: future.result() for job, future in futures.items()}
    return Results(
        paths=paths,
        tokens={k: r for (c, k), r in runs.items() if c == "tokens"},
        ask={k: r for (c, k), r in runs.items() if c == "ask"},
        many=many,
    )


def no_traceback(run: Run) -> None:
    assert "Traceback" not in run.stderr, run.stderr
    assert "Traceback" not in run.stdout, run.stdout


@pytest.mark.parametrize("case", corpus.params())
def test_tokens(case: Case, results: Results) -> None:
    run, path = results.tokens[case.id], results.paths[case.id]
    no_traceback(run)
    report = json.loads(run.stdout)
    if case.outcome is Outcome.REFUSED:
        assert run.returncode == 2
        assert report["images"] == []
        (error,) = report["errors"]
        assert error["path"] == str(path)
        assert error["message"].startswith(f"{path.name}: ")
        assert case.words in error["message"]
        return
    assert run.returncode == 0, run.stderr
    (image,) = report["images"]
    assert (image["width"], image["height"]) == case.sent_size
    assert report["errors"] == []


@pytest.mark.parametrize("case", corpus.params())
def test_ask(case: Case, results: Results) -> None:
    run, path = results.ask[case.id], results.paths[case.id]
    no_traceback(run)
    if case.outcome is Outcome.REFUSED:
        assert run.returncode == 2
        assert run.stdout == ""
        assert run.stderr.startswith(f"error: {path.name}: ")
        assert run.stderr.endswith("\n")
        assert case.words in run.stderr
        return
    assert run.returncode == 0, run.stderr
    assert case.sent_size is not None
    width, height = case.sent_size
    assert f"{width}×{height} px" in run.stdout


def test_a_folder_and_a_missing_file(results: Results) -> None:
    for key, reason in (("folder", "is a folder, not an image"), ("missing", "file not found")):
        path = results.paths[key]
        tokens, ask = results.tokens[key], results.ask[key]
        no_traceback(tokens)
        no_traceback(ask)
        assert tokens.returncode == ask.returncode == 2
        assert json.loads(tokens.stdout)["errors"][0]["message"] == f"{path.name}: {reason}"
        assert ask.stderr == f"error: {path.name}: {reason}\n"


def test_two_hundred_files(results: Results) -> None:
    tokens, ask = results.tokens["many"], results.ask["many"]
    no_traceback(tokens)
    no_traceback(ask)
    assert tokens.returncode == 0
    report = json.loads(tokens.stdout)
    assert [Path(image["path"]) for image in report["images"]] == results.many
    assert report["total_tokens"] == 200 * 512
    assert ask.returncode == 2
    assert ask.stderr == "error: 200 images; this endpoint takes at most 10 per message.\n"


def test_every_file_at_once_loses_none(results: Results) -> None:
    run = results.tokens["all"]
    no_traceback(run)
    assert run.returncode == 2
    report = json.loads(run.stdout)
    priced = [image["path"] for image in report["images"]]
    refused = [error["path"] for error in report["errors"]]
    expected_refused = [
        str(results.paths[c.id])
        for c in corpus.CASES
        if not c.skip and c.outcome is Outcome.REFUSED
    ]
    assert refused == [
        *expected_refused,
        str(results.paths["folder"]),
        str(results.paths["missing"]),
    ]
    assert priced == [
        str(results.paths[c.id])
        for c in corpus.CASES
        if not c.skip and c.outcome is not Outcome.REFUSED
    ]
