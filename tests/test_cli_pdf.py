"""PDF pages and HEIC photos on the command line: priced by `tokens`, sent by `ask` to the
local endpoint, which decodes what it receives."""

from __future__ import annotations

import json
from pathlib import Path

from support.documents import A4, LETTER, pdf_bytes, write_heic, write_pdf
from test_cli import run_cli

from app.demo import DemoServer


def test_tokens_json_prices_every_page(tmp_path: Path) -> None:
    doc = tmp_path / "doc.pdf"
    doc.write_bytes(pdf_bytes([LETTER, A4, (842.0, 595.0)]))
    result = run_cli("tokens", "--json", str(doc))
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["images"] == [
        {"path": str(doc), "page": 1, "width": 1039, "height": 1344, "tiles": 9, "tokens": 1792},
        {"path": str(doc), "page": 2, "width": 950, "height": 1344, "tiles": 9, "tokens": 1792},
        {"path": str(doc), "page": 3, "width": 1344, "height": 950, "tiles": 9, "tokens": 1792},
    ]
    assert report["total_tokens"] == 3 * 1792


def test_tokens_cheaper_pages_and_a_table(tmp_path: Path) -> None:
    doc = write_pdf(tmp_path / "invoice.pdf", pages=4)
    result = run_cli("tokens", "--pages", "2,4", "--pdf-scale", "cheaper", str(doc))
    assert result.returncode == 0, result.stderr
    assert "invoice.pdf, page 2" in result.stdout
    assert "invoice.pdf, page 4" in result.stdout
    assert "692×896" in result.stdout
    assert "page 1 " not in result.stdout


def test_tokens_reports_an_encrypted_pdf(tmp_path: Path) -> None:
    doc = write_pdf(tmp_path / "secret.pdf", encrypted=True)
    result = run_cli("tokens", "--json", str(doc))
    assert result.returncode == 2
    (error,) = json.loads(result.stdout)["errors"]
    assert "secret.pdf: this PDF is protected by a password" in error["message"]


def test_ask_sends_the_chosen_pages_in_order_as_tokens_priced_them(tmp_path: Path) -> None:
    doc = tmp_path / "invoice.pdf"
    doc.write_bytes(pdf_bytes([LETTER, A4, (842.0, 595.0), LETTER]))
    photo = write_heic(tmp_path / "IMG_0001.HEIC", (64, 32), orientation=6)
    priced = run_cli("tokens", "--json", "--pages", "3,1-2", str(doc), str(photo))
    assert priced.returncode == 0, priced.stderr
    predicted = [(i["width"], i["height"]) for i in json.loads(priced.stdout)["images"]]
    with DemoServer() as server:
        result = run_cli(
            *("ask", "--base-url", server.base_url, "--api", "chat"),
            *("--image", str(doc), "--pages", "3,1-2", "--image", str(photo)),
            "What do these say?",
        )
        (request,) = server.chat_requests
    assert result.returncode == 0, result.stderr
    assert request.image_sizes == predicted == [(1344, 950), (1039, 1344), (950, 1344), (32, 64)]
    content = request.body["messages"][-1]["content"]
    labels = [part["text"] for part in content if part["type"] == "text"][:4]
    assert labels == [
        "Image 1: invoice.pdf, page 3",
        "Image 2: invoice.pdf, page 1",
        "Image 3: invoice.pdf, page 2",
        "Image 4: IMG_0001.HEIC",
    ]
    urls = [p["image_url"]["url"] for p in content if p["type"] == "image_url"]
    assert urls[3].startswith("data:image/jpeg;base64,")


def test_ask_refuses_more_pages_than_a_message_takes(tmp_path: Path) -> None:
    doc = write_pdf(tmp_path / "report.pdf", pages=12)
    result = run_cli("ask", "--base-url", "http://127.0.0.1:9", "--image", str(doc), "Sum up")
    assert result.returncode == 2
    assert "12 images (12 of them PDF pages)" in result.stderr
    assert "at most 10 per message" in result.stderr
    assert "--pages" in result.stderr


def test_ask_names_a_page_the_pdf_does_not_have(tmp_path: Path) -> None:
    doc = write_pdf(tmp_path / "short.pdf", pages=2)
    result = run_cli("ask", "--image", str(doc), "--pages", "1-5", "Sum up")
    assert result.returncode == 2
    assert "short.pdf: --pages 1-5: page 5 is past the end: the PDF has 2 pages" in result.stderr
