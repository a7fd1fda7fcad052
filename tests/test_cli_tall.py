"""`--split-tall` on the command line: `tokens` prices a tall page's parts, and `ask` sends
exactly those parts, labelled "part i of N", to the local endpoint, which decodes them."""

from __future__ import annotations

import json
from pathlib import Path

from PIL import Image
from test_cli import run_cli

from app.core.budget import image_tokens
from app.core.images.tall_split import plan_split
from app.demo import DemoServer


def test_a_tall_page_is_priced_and_sent_as_its_parts(tmp_path: Path) -> None:
    page = tmp_path / "page.png"
    Image.new("RGB", (1080, 8000), (240, 240, 240)).save(page)
    plan = plan_split(1080, 8000, 10)
    assert plan is not None

    whole = json.loads(run_cli("tokens", "--json", str(page)).stdout)
    assert whole["total_tokens"] == 1792
    priced = run_cli("tokens", "--json", "--split-tall", str(page))
    assert priced.returncode == 0, priced.stderr
    report = json.loads(priced.stdout)
    width, height = plan.part_size
    assert report["images"] == [
        {
            "path": str(page),
            "width": width,
            "height": height,
            "tiles": 12,
            "tokens": image_tokens(width, height),
            "part": n,
            "parts": plan.count,
        }
        for n in range(1, plan.count + 1)
    ]
    assert report["total_tokens"] == plan.tokens()
    table = run_cli("tokens", "--split-tall", str(page)).stdout
    assert f"page.png, part 6 of {plan.count}" in table

    with DemoServer() as server:
        result = run_cli(
            *("ask", "--base-url", server.base_url, "--api", "chat"),
            *("--split-tall", "--image", str(page)),
            "What does the page say?",
        )
        (request,) = server.chat_requests
    assert result.returncode == 0, result.stderr
    assert request.image_sizes == [(i["width"], i["height"]) for i in report["images"]]
    assert request.image_tokens == report["total_tokens"]
    content = request.body["messages"][-1]["content"]
    labels = [part["text"] for part in content if part["type"] == "text"][: plan.count]
    assert labels == [f"Image {n}: page.png, part {n} of 6" for n in range(1, 7)]
