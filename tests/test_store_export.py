"""Export to Markdown and JSON, import back, and the `export` / `import` commands — real files,
real processes."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

import pytest
from support.history_data import png_bytes, prepared, sample_conversation, shape, text_message

from app.core.conversation import Conversation, ImagePart, Status, TextPart, Usage
from app.store.export import REDACTED, export_json, export_markdown
from app.store.history import HistoryStore
from app.store.importer import ImportFormatError, import_json
from app.store.lock import acquire_instance_lock
from app.store.paths import DATA_DIR_ENV

ROOT = Path(__file__).resolve().parents[1]
KEY = "xai-" + "Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z" * 2
KEY_SHAPE = re.compile(r"(?:xai|sk)-[A-Za-z0-9_-]{20,}")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[HistoryStore]:
    with HistoryStore(tmp_path / "data") as opened:
        yield opened


def keep(
    store: HistoryStore, conv: Conversation, originals: dict[str, object] | None = None
) -> Conversation:
    conv.link()  # a message appended to the list follows the one before it
    store.save_conversation_meta(conv)
    for message in conv.messages:
        store.append_message(conv.id, message, originals)  # type: ignore[arg-type]
    return conv


def test_markdown_links_images_saved_beside_it(tmp_path: Path, store: HistoryStore) -> None:
    conv = keep(store, sample_conversation())
    path = export_markdown(store, conv.id, tmp_path / "out dir")
    text = path.read_text(encoding="utf-8")
    assert path.name.endswith(f"-{conv.id[:8]}.md")
    assert text.startswith("# What differs between these two screenshots?\n")
    assert "> Answer briefly." in text
    assert "The button moved to the right." in text
    assert "## Assistant (grok-4)" in text
    assert "*Reply stopped before it was complete.*" in text
    assert "![menu.png](https://example.com/menu.png)" in text
    links = [
        unquote(link)
        for link in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
        if not link.startswith("https://")
    ]
    assert len(links) == 2
    for link in links:
        assert not Path(link).is_absolute()
        assert (path.parent / link).is_file()
    images = conv.messages[0].images
    assert (path.parent / links[0]).read_bytes() == images[0].image.data  # type: ignore[union-attr]
    assert "downscaled from 160×120" in text


def test_json_export_imports_back_equal(tmp_path: Path, store: HistoryStore) -> None:
    original_file = tmp_path / "before-original.png"
    original_file.write_bytes(png_bytes((128, 96), "red"))
    conv = sample_conversation()
    first_image = conv.messages[0].images[0].image
    assert first_image is not None
    thumb = png_bytes((32, 24), "red")
    store.save_conversation_meta(conv)
    for message in conv.messages:
        store.append_message(
            conv.id, message, {first_image.sha256: original_file}, {first_image.sha256: thumb}
        )
    store.pin(conv.id)
    path = export_json(store, conv.id, tmp_path / "out")
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["format"] == "grok-vision-conversation"
    assert len(document["blobs"]) == 4  # two sent images, one original, one thumbnail

    with HistoryStore(tmp_path / "other") as other:
        new_id = import_json(other, path)
        assert new_id != conv.id
        copy = other.load_conversation(new_id)
        assert shape(copy) == shape(conv)
        assert (copy.title, copy.model, copy.system_prompt) == (
            conv.title,
            conv.model,
            conv.system_prompt,
        )
        assert {m.id for m in copy.messages}.isdisjoint(m.id for m in conv.messages)
        row, source = other.conversation_row(new_id), store.conversation_row(conv.id)
        assert (row.created, row.updated, row.pinned) == (source.created, source.updated, True)
        kept = other.image_originals(new_id)[(copy.messages[0].id, 1)]
        blob = other.blob_path(kept)
        assert blob is not None
        assert blob.read_bytes() == original_file.read_bytes()
        assert other.load_thumbnails(new_id) == {first_image.sha256: thumb}
        second = import_json(other, path)
        assert second != new_id
        assert other.count_conversations() == 2


def test_a_streaming_reply_imports_as_interrupted(tmp_path: Path, store: HistoryStore) -> None:
    conv = Conversation()
    conv.add_user([TextPart("q")])
    keep(store, conv)
    reply = conv.begin_reply("m")
    store.append_message(conv.id, reply)
    store.update_message_text(reply.id, "half")
    path = export_json(store, conv.id, tmp_path)
    new_id = import_json(store, path)
    assert store.load_conversation(new_id).messages[1].status is Status.INTERRUPTED


def test_exports_never_hold_a_key(tmp_path: Path, store: HistoryStore) -> None:
    conv = Conversation(title=f"key {KEY}", system_prompt=f"my key is {KEY}")
    conv.add_user([TextPart(f"is {KEY} valid?"), ImagePart(image=prepared())])
    failed = conv.begin_reply("m")
    failed.status = Status.FAILED
    failed.error = f"Incorrect API key provided: {KEY}"
    keep(store, conv)
    out = tmp_path / "exports"
    export_markdown(store, conv.id, out)
    export_json(store, conv.id, out)
    files = [p for p in out.rglob("*") if p.is_file()]
    assert len(files) == 3
    for file in files:
        text = file.read_bytes().decode("utf-8", errors="replace")
        assert KEY_SHAPE.search(text) is None, file
        assert "Ab3dEf6hIj9kLm2nOp5q" not in text
    assert REDACTED in (out / next(p.name for p in files if p.suffix == ".md")).read_text()
    assert "xai" not in "".join(p.name for p in files)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ("[]", "not a grok-vision conversation export"),
        ('{"format": "something-else"}', "not a grok-vision conversation export"),
        ('{"format": "grok-vision-conversation", "version": 99}', "newer version"),
        (
            '{"format": "grok-vision-conversation", "version": 1, "blobs": {}, '
            '"conversation": {"title": "t", "model": "", "system_prompt": "", "created": 1, '
            '"updated": 1}, "messages": [{"role": "robot"}]}',
            "unknown role",
        ),
    ],
)
def test_a_bad_file_is_refused_with_a_reason(
    tmp_path: Path, store: HistoryStore, content: str, message: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ImportFormatError, match=message):
        import_json(store, path)
    assert store.count_conversations() == 0


def test_a_damaged_image_is_refused(tmp_path: Path, store: HistoryStore) -> None:
    conv = keep(store, sample_conversation())
    path = export_json(store, conv.id, tmp_path)
    document = json.loads(path.read_text(encoding="utf-8"))
    sha = next(iter(document["blobs"]))
    document["blobs"][sha] = "AAAA"
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(ImportFormatError, match="damaged"):
        import_json(store, path)
    with pytest.raises(ImportFormatError, match="no such file"):
        import_json(store, tmp_path / "missing.json")


# -- the commands --------------------------------------------------------------------------


def run_cli(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, DATA_DIR_ENV: str(data)}
    return subprocess.run(
        [sys.executable, "-m", "app.cli.history", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_export_and_import_commands(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with HistoryStore(data) as store:
        first = keep(store, sample_conversation())
        second = keep(
            store, Conversation(title="Second talk", messages=[text_message("user", "hello")])
        )
    listing = run_cli(data, "export", "--list")
    assert listing.returncode == 0, listing.stderr
    assert first.id[:8] in listing.stdout
    assert "Second talk" in listing.stdout

    out = tmp_path / "md"
    result = run_cli(data, "export", "--all", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "2 of 2 conversations exported" in result.stdout
    assert len(list(out.glob("*.md"))) == 2

    result = run_cli(data, "export", "--format", "json", first.id[:6], "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    exported = next(tmp_path.glob("*.json"))
    result = run_cli(tmp_path / "fresh", "import", str(exported))
    assert result.returncode == 0, result.stderr
    assert "Imported “What differs between these two screenshots?”" in result.stdout
    with HistoryStore(tmp_path / "fresh") as fresh:
        (row,) = fresh.list_conversations()
        assert shape(fresh.load_conversation(row.id)) == shape(first)

    missing = run_cli(data, "export", "zzzz", "--out", str(out))
    assert missing.returncode == 1
    assert "no saved conversation has the id “zzzz”" in missing.stderr
    no_out = run_cli(data, "export", second.id)
    assert no_out.returncode == 2
    assert "--out" in no_out.stderr
    bad = run_cli(data, "import", str(tmp_path / "nothing.json"))
    assert bad.returncode == 1
    assert "no such file" in bad.stderr


def test_import_waits_for_the_window_but_export_does_not(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with HistoryStore(data) as store:
        conv = keep(store, sample_conversation())
        path = export_json(store, conv.id, tmp_path)
    lock = acquire_instance_lock(data)  # as the running window holds it
    assert lock is not None
    try:
        refused = run_cli(data, "import", str(path))
        assert refused.returncode == 1
        assert "grok-vision is running" in refused.stderr
        assert "close it" in refused.stderr
        exported = run_cli(data, "export", conv.id, "--out", str(tmp_path / "while-open"))
        assert exported.returncode == 0, exported.stderr
    finally:
        lock.release()
    with HistoryStore(data) as store:
        assert store.count_conversations() == 1


def branched(store: HistoryStore) -> tuple[Conversation, list[str]]:
    """Two versions of the first question, the first with two versions of its reply; the first
    question's branch shown, with its second reply."""
    conv = Conversation(title="Versions")
    conv.add_user([TextPart("Describe the chart")])
    conv.messages.append(text_message("assistant", "A bar chart."))
    keep(store, conv)
    conv.branch_before(conv.messages[1].id)
    again = conv.begin_reply()
    again.parts, again.status = [TextPart("Bars, in red.")], Status.COMPLETE
    store.append_message(conv.id, again)
    conv.branch_before(conv.messages[0].id)
    edited = conv.add_user([TextPart("Describe the colours")])
    store.append_message(conv.id, edited)
    answer = conv.begin_reply()
    answer.parts, answer.status = [TextPart("Mostly red.")], Status.COMPLETE
    store.append_message(conv.id, answer)
    assert conv.show_version(again.id)
    store.save_shown(conv.id, sorted(conv.shown_ids()))
    return conv, ["Describe the chart", "Bars, in red."]


def test_json_round_trips_every_version(tmp_path: Path, store: HistoryStore) -> None:
    conv, visible = branched(store)
    path = export_json(store, conv.id, tmp_path / "out")
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["version"] == 2
    assert len(document["messages"]) == 5
    assert sum(m["shown"] for m in document["messages"]) == 3  # one per group of siblings
    with HistoryStore(tmp_path / "other") as other:
        copy = other.load_conversation(import_json(other, path))
    assert [m.text for m in copy.messages] == visible
    assert copy.version(copy.messages[0].id) == (1, 2)
    assert copy.version(copy.messages[1].id) == (2, 2)
    assert sorted(m.text for m in copy.all_messages()) == sorted(
        m.text for m in conv.all_messages()
    )
    other_question = copy.sibling(copy.messages[0].id, 2)
    assert other_question is not None
    assert copy.show_version(other_question.id)
    assert [m.text for m in copy.messages] == ["Describe the colours", "Mostly red."]


def test_markdown_holds_the_versions_shown(tmp_path: Path, store: HistoryStore) -> None:
    conv, visible = branched(store)
    text = export_markdown(store, conv.id, tmp_path).read_text(encoding="utf-8")
    assert all(line in text for line in visible)
    assert "A bar chart." not in text
    assert "Describe the colours" not in text


def test_a_file_of_the_first_format_imports_as_one_branch(
    tmp_path: Path, store: HistoryStore
) -> None:
    conv = keep(store, sample_conversation())
    path = export_json(store, conv.id, tmp_path)
    document = json.loads(path.read_text(encoding="utf-8"))
    document["version"] = 1
    for message in document["messages"]:
        del message["parent"], message["shown"]
    path.write_text(json.dumps(document), encoding="utf-8")
    copy = store.load_conversation(import_json(store, path))
    assert [m.text for m in copy.messages] == [m.text for m in conv.messages]
    assert all(copy.version(m.id) == (1, 1) for m in copy.messages)


def test_a_continued_replys_earlier_requests_go_with_the_export(
    tmp_path: Path, store: HistoryStore
) -> None:
    conv = Conversation()
    conv.add_user([TextPart("q")])
    reply = conv.begin_reply("grok-4.3")
    reply.parts, reply.status = [TextPart("a, then more")], Status.COMPLETE
    reply.earlier_usage = [Usage(10, 20, 30, cost_ticks=500)]
    reply.usage = Usage(40, 5, 45, cost_ticks=700)
    keep(store, conv)
    path = export_json(store, conv.id, tmp_path)
    copy = store.load_conversation(import_json(store, path)).messages[-1]
    assert copy.earlier_usage == reply.earlier_usage
    assert copy.usage == reply.usage
