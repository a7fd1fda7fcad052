"""PDFs dropped on the real window: pages in the tray, priced before they are drawn, sent
labelled to the demo endpoint; the page picker for a long PDF; an encrypted PDF's message."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from hardening.running import WAIT_MS, Running
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot
from support.documents import A4, write_pdf
from support.qtevents import drag_and_drop, file_mime

from app.core.attachment import AttachmentState
from app.core.conversation import Status
from app.core.images.pdf_pages import PageScale
from app.ui.pdf_pages_dialog import PdfPagesDialog


@pytest.fixture
def app(qtbot: QtBot, qloop: asyncio.AbstractEventLoop) -> Iterator[Running]:
    running = Running(qtbot, qloop)
    yield running
    running.close()


def picker(app: Running) -> PdfPagesDialog:
    found: list[PdfPagesDialog] = []

    def shown() -> bool:
        found[:] = [
            d for d in app.window.findChildren(PdfPagesDialog, "pdfPagesDialog") if d.isVisible()
        ]
        return len(found) == 1

    app.qtbot.waitUntil(shown, timeout=WAIT_MS)
    return found[0]


def test_a_dropped_pdf_becomes_one_labelled_item_per_page(app: Running, tmp_path: Path) -> None:
    doc = write_pdf(tmp_path / "invoice.pdf", pages=3, size=A4)
    seen_pending_priced: list[bool] = []

    def pages_in_tray() -> bool:
        items = app.items()
        if len(items) == 3 and not seen_pending_priced:
            seen_pending_priced.append(all(item.tokens == 1792 for item in items))
        return len(items) == 3

    assert drag_and_drop(app.window.tray, file_mime(doc))
    app.qtbot.waitUntil(pages_in_tray, timeout=WAIT_MS)
    assert seen_pending_priced == [True]  # priced from the page size, drawn or not
    app.wait_settled()
    names = ["invoice.pdf, page 1", "invoice.pdf, page 2", "invoice.pdf, page 3"]
    assert [item.name for item in app.items()] == names
    for name in names:
        item = app.item_named(name)
        assert item.state is AttachmentState.FITTED, item.error
        assert item.size == (950, 1344)
        assert "PDF page at 1344 px (≈115 dpi)" in app.tile_named(name).state_text()
    reply = app.ask("What is on these pages?")
    assert reply.status is Status.COMPLETE, reply.error
    request = app.session.demo_server.model_requests[-1]
    assert request.image_sizes == [(950, 1344)] * 3
    assert [part.name for part in app.messages[-2].images] == names


def test_a_long_pdf_opens_the_page_picker(app: Running, tmp_path: Path) -> None:
    doc = write_pdf(tmp_path / "report.pdf", pages=8)
    assert drag_and_drop(app.window.tray, file_mime(doc))
    dialog = picker(app)
    (waiting,) = app.items()
    assert waiting.pending
    assert "Choose the pages" in app.tile_named("report.pdf").state_text()
    assert not app.window.send_button.isEnabled()
    assert "Choose the pages of report.pdf to add" in app.window.send_reason.text()
    assert dialog.selected_pages() == [1, 2, 3, 4]

    def first_thumbnail_drawn() -> bool:
        icon = dialog.pages.item(0).icon().pixmap(96, 96).toImage()
        colour = icon.pixelColor(icon.width() // 4, icon.height() // 4)
        return colour.red() > 200 and colour.green() < 60  # page 1's red box

    app.qtbot.waitUntil(first_thumbnail_drawn, timeout=WAIT_MS)
    for page in range(1, 9):
        item = dialog.pages.item(page - 1)
        item.setCheckState(Qt.CheckState.Checked if page in (2, 5, 8) else Qt.CheckState.Unchecked)
    dialog.scale.setCurrentIndex(dialog.scale.findData(PageScale.CHEAPER))
    assert dialog.summary.text().startswith("3 pages chosen · 3,840 tokens")
    add = dialog.findChild(QPushButton, "pdfPagesAdd")
    assert add is not None
    app.qtbot.mouseClick(add, Qt.MouseButton.LeftButton)
    app.wait_settled()
    names = ["report.pdf, page 2", "report.pdf, page 5", "report.pdf, page 8"]
    assert [item.name for item in app.items()] == names
    assert all(item.size == (692, 896) and item.tokens == 1280 for item in app.items())
    reply = app.ask("Sum up")
    assert reply.status is Status.COMPLETE, reply.error
    assert app.session.demo_server.model_requests[-1].image_sizes == [(692, 896)] * 3


def test_closing_the_picker_adds_nothing(app: Running, tmp_path: Path) -> None:
    doc = write_pdf(tmp_path / "report.pdf", pages=6)
    assert drag_and_drop(app.window.tray, file_mime(doc))
    picker(app).reject()
    app.qtbot.waitUntil(lambda: not app.items(), timeout=WAIT_MS)
    assert "No pages added from report.pdf" in app.notice()


def test_an_encrypted_pdf_is_refused_by_name_and_the_rest_is_kept(
    app: Running, tmp_path: Path
) -> None:
    good = write_pdf(tmp_path / "open.pdf", pages=1)
    secret = write_pdf(tmp_path / "secret.pdf", pages=2, encrypted=True)
    app.window.composer.setPlainText("Compare")
    assert drag_and_drop(app.window.tray, file_mime(good, secret))
    app.wait_settled()
    assert [item.name for item in app.items()] == ["open.pdf, page 1", "secret.pdf"]
    failed = app.item_named("secret.pdf")
    assert failed.state is AttachmentState.FAILED
    assert failed.error is not None
    assert "protected by a password" in failed.error
    assert "secret.pdf" in app.notice()
    assert "protected by a password" in app.window.send_reason.text()
    assert app.window.composer.toPlainText() == "Compare"


def test_the_preview_renders_a_page_sharper_or_cheaper(app: Running, tmp_path: Path) -> None:
    doc = write_pdf(tmp_path / "slides.pdf", pages=1, size=A4)
    assert drag_and_drop(app.window.tray, file_mime(doc))
    app.wait_settled()
    (page,) = app.items()
    app.window.tray.previewRequested.emit(page.id)
    dialog = app.session.preview_flow.dialog
    assert dialog is not None
    box = dialog.page_scale_box()
    assert box.isVisible()
    assert box.currentData() is PageScale.STANDARD
    box.activated.emit(box.findData(PageScale.CHEAPER))
    app.qtbot.waitUntil(
        lambda: app.items()[0].size == (633, 896) and not app.items()[0].pending,
        timeout=WAIT_MS,
    )
    item = app.items()[0]
    assert item.tokens == 1280
    assert "PDF page at 896 px" in item.status_text
    assert box.currentData() is PageScale.CHEAPER
    reply = app.ask("Read it")
    assert reply.status is Status.COMPLETE, reply.error
    assert app.session.demo_server.model_requests[-1].image_sizes == [(633, 896)]
