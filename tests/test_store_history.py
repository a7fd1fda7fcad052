"""The history store's API on real SQLite files and real blob files in tmp_path."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.history_data import png_bytes, prepared, sample_conversation, text_message

from app.core.conversation import Conversation, ImagePart, Message, Status, TextPart, Usage
from app.store.blobs import BlobStore
from app.store.db import ConversationNotFoundError, HistoryError, ReadOnlyHistoryError
from app.store.history import ORPHAN_GRACE_SECONDS, HistoryStore


@pytest.fixture
def store(tmp_path: Path) -> Iterator[HistoryStore]:
    with HistoryStore(tmp_path / "data") as opened:
        yield opened


def saved(store: HistoryStore, conv: Conversation) -> Conversation:
    """Save as the app does: meta, then each message as it is added (its parent the message
    before it)."""
    conv.link()
    store.save_conversation_meta(conv)
    for message in conv.messages:
        store.append_message(conv.id, message)
    return conv


def test_a_conversation_comes_back_exactly(store: HistoryStore) -> None:
    conv = saved(store, sample_conversation())
    store.close()
    with HistoryStore(store.data_dir) as reopened:
        loaded = reopened.load_conversation(conv.id)
    assert loaded == conv
    image = loaded.messages[0].images[1].image
    assert image is not None
    assert image.notes == ("downscaled from 160×120",)
    assert image.original_size == (160, 120)
    assert loaded.messages[0].images[1].detail == "low"
    assert loaded.messages[2].images[0].url == "https://example.com/menu.png"


def test_a_message_needs_its_conversation_saved_first(store: HistoryStore) -> None:
    with pytest.raises(ConversationNotFoundError, match="save it first"):
        store.append_message("nope", text_message("user", "hello"))
    with pytest.raises(ConversationNotFoundError):
        store.load_conversation("nope")


def test_a_streaming_reply_is_saved_as_it_grows(store: HistoryStore) -> None:
    conv = Conversation(model="grok-4")
    question = conv.add_user([TextPart("Describe it")])
    saved(store, conv)
    reply = conv.begin_reply("grok-4")
    store.append_message(conv.id, reply)
    store.update_message_text(reply.id, "It is")
    store.update_message_text(reply.id, "It is a cat")
    loaded = store.load_conversation(conv.id)
    assert loaded.messages[1].text == "It is a cat"
    assert loaded.messages[1].status is Status.STREAMING
    reply.append_text("It is a cat on a mat.")
    reply.status = Status.COMPLETE
    reply.usage = Usage(10, 6, 16)
    store.finish_message(reply)
    loaded = store.load_conversation(conv.id)
    assert loaded.messages == [question, reply]
    assert [h.message_id for h in store.search("mat")] == [reply.id]


def test_updating_text_keeps_a_messages_images_in_place(store: HistoryStore) -> None:
    conv = Conversation()
    message = conv.add_user(
        [
            ImagePart(image=prepared()),
            TextPart("draft"),
            ImagePart(image=prepared("b.png", colour="green")),
        ]
    )
    saved(store, conv)
    store.update_message_text(message.id, "final words", Status.COMPLETE)
    parts = store.load_conversation(conv.id).messages[0].parts
    assert [type(p).__name__ for p in parts] == ["ImagePart", "TextPart", "ImagePart"]
    assert parts[1] == TextPart("final words")
    with pytest.raises(ConversationNotFoundError):
        store.update_message_text("missing", "x")


def test_the_list_is_pinned_first_then_newest_with_counts(store: HistoryStore) -> None:
    convs = []
    for number in range(5):
        conv = Conversation(title=f"talk {number}")
        conv.messages = [text_message("user", f"q{i}") for i in range(number)]
        saved(store, conv)
        convs.append(conv)
        time.sleep(0.002)
    store.pin(convs[1].id)
    rows = store.list_conversations()
    assert [r.title for r in rows] == ["talk 1", "talk 4", "talk 3", "talk 2", "talk 0"]
    assert [r.message_count for r in rows] == [1, 4, 3, 2, 0]
    assert rows[0].pinned
    assert not rows[1].pinned
    assert [r.title for r in store.list_conversations(2, 1)] == ["talk 4", "talk 3"]
    assert store.count_conversations() == 5
    store.append_message(convs[0].id, text_message("user", "new"))
    assert store.list_conversations()[1].title == "talk 0"
    store.rename(convs[0].id, "  Renamed \n talk ")
    assert store.conversation_row(convs[0].id).title == "Renamed talk"
    convs[0].model = "grok-4-fast"
    store.save_conversation_meta(convs[0])  # the app's copy still has the old title
    row = store.conversation_row(convs[0].id)
    assert (row.title, row.model) == ("Renamed talk", "grok-4-fast")
    store.pin(convs[1].id, False)
    assert not store.conversation_row(convs[1].id).pinned
    with pytest.raises(ConversationNotFoundError):
        store.rename("missing", "x")


def test_delete_hides_until_undone_or_purged(store: HistoryStore) -> None:
    keep = saved(store, Conversation(title="keep", messages=[text_message("user", "zebra")]))
    gone = saved(store, Conversation(title="gone", messages=[text_message("user", "zebra")]))
    store.delete(gone.id)
    assert [r.id for r in store.list_conversations()] == [keep.id]
    assert [r.id for r in store.list_conversations(deleted=True)] == [gone.id]
    assert [h.conversation_id for h in store.search("zebra")] == [keep.id]
    store.undo_delete(gone.id)
    assert len(store.list_conversations()) == 2
    store.delete(gone.id)
    assert store.purge_deleted(older_than=60) == 0
    assert store.purge_deleted() == 1
    with pytest.raises(ConversationNotFoundError):
        store.load_conversation(gone.id)
    with pytest.raises(ConversationNotFoundError):
        store.undo_delete(gone.id)
    assert [h.conversation_id for h in store.search("zebra")] == [keep.id]
    counts = store._conn.execute(
        "SELECT (SELECT COUNT(*) FROM messages), "
        "(SELECT COUNT(*) FROM parts), "
        "(SELECT COUNT(*) FROM message_search)"
    ).fetchone()
    assert tuple(counts) == (1, 1, 1)


def test_search_matches_word_prefixes_and_never_parses_the_query(store: HistoryStore) -> None:
    conv = saved(store, sample_conversation())
    assert [h.message_id for h in store.search("screen")] == [conv.messages[0].id]
    assert [h.message_id for h in store.search("BUTTON right")] == [conv.messages[1].id]
    assert store.search("button menu") == []
    assert [h.message_id for h in store.search("cafe")] == [conv.messages[2].id]
    hit = store.search("moved")[0]
    assert hit.conversation_title == conv.title
    assert hit.role == "assistant"
    assert "moved" in hit.plain_snippet
    assert any(hit.plain_snippet[a:b] == "moved" for a, b in hit.highlights)
    for query in ('"', "NEAR(a b)", "a OR", "*", "-button", "col:x", "AND", "(", "^x", "'"):
        store.search(query)
    assert store.search("   ") == []


def test_mark_interrupted_keeps_the_last_flushed_text(store: HistoryStore) -> None:
    conv = Conversation()
    conv.add_user([TextPart("q")])
    saved(store, conv)
    reply = conv.begin_reply("m")
    store.append_message(conv.id, reply)
    store.update_message_text(reply.id, "partial")
    assert store.mark_interrupted() == 1
    loaded = store.load_conversation(conv.id).messages[-1]
    assert (loaded.status, loaded.text) == (Status.INTERRUPTED, "partial")
    assert store.mark_interrupted() == 0


def test_versions_are_kept_and_the_one_shown_comes_back(store: HistoryStore) -> None:
    conv = Conversation()
    conv.messages = [
        text_message("user" if i % 2 == 0 else "assistant", f"turn{i}") for i in range(4)
    ]
    saved(store, conv)
    # Regenerate the last reply: a second version of it.
    conv.branch_before(conv.messages[3].id)
    regenerated = conv.begin_reply()
    regenerated.parts = [TextPart("turn3, again")]
    regenerated.status = Status.COMPLETE
    store.append_message(conv.id, regenerated)
    # Edit the first question: a second version of it, with nothing after it yet.
    conv.branch_before(conv.messages[0].id)
    edited = conv.add_user([TextPart("edited")])
    store.append_message(conv.id, edited)
    loaded = store.load_conversation(conv.id)
    assert [m.text for m in loaded.messages] == ["edited"]
    assert loaded.version(loaded.messages[0].id) == (2, 2)
    assert len(loaded.all_messages()) == 6
    assert store.load_page(conv.id, 10).messages == loaded.messages
    # Back to the first version of the first question: its branch, with the new reply.
    assert loaded.show_version(loaded.sibling(edited.id, 1).id)  # type: ignore[union-attr]
    assert [m.text for m in loaded.messages] == ["turn0", "turn1", "turn2", "turn3, again"]
    store.save_shown(conv.id, sorted(loaded.shown_ids()))
    again = store.load_conversation(conv.id)
    assert [m.text for m in again.messages] == ["turn0", "turn1", "turn2", "turn3, again"]
    assert again.version(again.messages[3].id) == (2, 2)
    page = store.load_page(conv.id, 2)
    assert [m.text for m in page.messages] == ["turn2", "turn3, again"]
    assert (page.total, page.start) == (4, 2)
    # Every version stays searchable, shown or not.
    assert [h.message_id for h in store.search("edited")] == [edited.id]
    assert len(store.search("turn3")) == 2  # both versions of the reply
    store.delete_message(edited.id)
    assert next(m.text for m in store.load_conversation(conv.id).messages) == "turn0"


def test_a_page_is_the_last_messages_or_those_before_one(store: HistoryStore) -> None:
    conv = Conversation(title="long")
    conv.messages = [text_message("user", f"m{i}") for i in range(10)]
    saved(store, conv)
    page = store.load_page(conv.id, 4)
    assert [m.text for m in page.messages] == ["m6", "m7", "m8", "m9"]
    assert (page.total, page.start, page.has_earlier, page.complete) == (10, 6, True, False)
    earlier = store.load_page(conv.id, 4, before=page.messages[0].id)
    assert [m.text for m in earlier.messages] == ["m2", "m3", "m4", "m5"]
    first = store.load_page(conv.id, 4, before=earlier.messages[0].id)
    assert [m.text for m in first.messages] == ["m0", "m1"]
    assert first.start == 0
    assert not first.has_earlier
    assert store.load_page(conv.id, 4, before=conv.messages[0].id).messages == []
    assert store.load_page(conv.id, 50).complete
    empty = saved(store, Conversation())
    assert store.load_page(empty.id).messages == []


def test_images_are_stored_once_by_content(store: HistoryStore) -> None:
    image = prepared()
    conv = Conversation()
    conv.add_user([ImagePart(image=image), TextPart("twice")])
    conv.add_user([ImagePart(image=image)])
    saved(store, conv)
    path = store.blobs.path(image.sha256)
    assert path == store.data_dir / "blobs" / image.sha256[:2] / image.sha256[2:]
    assert path.read_bytes() == image.data
    assert list(store.blobs.stored()) == [image.sha256]


def test_history_survives_the_original_file_being_deleted(
    tmp_path: Path, store: HistoryStore
) -> None:
    original = tmp_path / "Screenshot 1.png"
    original.write_bytes(png_bytes((300, 200), "purple"))
    image = prepared("Screenshot 1.png", (150, 100), "purple", ("downscaled from 300×200",))
    conv = Conversation()
    message = conv.add_user([TextPart("what is this"), ImagePart(image=image)])
    store.save_conversation_meta(conv)
    store.append_message(conv.id, message, originals={image.sha256: original})
    original.unlink()
    store.close()
    with HistoryStore(store.data_dir) as reopened:
        loaded = reopened.load_conversation(conv.id)
        assert loaded.messages[0] == message
        kept = reopened.image_originals(conv.id)[(message.id, 1)]
        blob = reopened.blob_path(kept)
        assert blob is not None
        assert blob.read_bytes() == png_bytes((300, 200), "purple")


def test_an_unreadable_original_is_skipped_not_fatal(tmp_path: Path, store: HistoryStore) -> None:
    image = prepared()
    conv = Conversation()
    message = conv.add_user([ImagePart(image=image)])
    store.save_conversation_meta(conv)
    store.append_message(conv.id, message, originals={image.sha256: tmp_path / "gone.png"})
    assert store.load_conversation(conv.id).messages == [message]
    assert store.image_originals(conv.id) == {}


def test_a_missing_blob_file_leaves_a_note_in_its_place(store: HistoryStore) -> None:
    conv = Conversation()
    image = prepared("lost.png")
    conv.add_user([TextPart("see"), ImagePart(image=image)])
    saved(store, conv)
    store.blobs.path(image.sha256).unlink()
    parts = store.load_conversation(conv.id).messages[0].parts
    assert parts[1] == TextPart("[The image lost.png is missing from the saved history.]")


def test_garbage_collection_removes_only_unused_blobs(store: HistoryStore) -> None:
    shared, own = prepared("shared.png"), prepared("own.png", colour="yellow")
    keep, drop = Conversation(), Conversation()
    keep.add_user([ImagePart(image=shared)])
    drop.add_user([ImagePart(image=shared), ImagePart(image=own)])
    saved(store, keep)
    saved(store, drop)
    orphan = store.blobs.put(b"left by a crash")
    young = store.blobs.put(b"being written right now")
    old = time.time() - ORPHAN_GRACE_SECONDS - 10
    os.utime(store.blobs.path(orphan), (old, old))
    temp = store.blobs.path(shared.sha256).parent / ".tmp-half"
    temp.write_bytes(b"half")
    os.utime(temp, (old - 4000, old - 4000))

    report = store.gc_blobs()
    assert (report.blobs_removed, report.orphan_files_removed) == (0, 1)
    assert set(store.blobs.stored()) == {shared.sha256, own.sha256, young}
    assert not temp.exists()

    store.delete(drop.id)
    assert store.gc_blobs().blobs_removed == 0  # undo must still find its images
    store.purge_deleted()
    report = store.gc_blobs()
    assert report.blobs_removed == 1
    assert report.bytes_freed == len(own.data)
    assert set(store.blobs.stored()) == {shared.sha256, young}
    assert store.load_conversation(keep.id).messages[0].images[0].image == shared


def test_a_read_only_store_reads_while_another_writes(store: HistoryStore) -> None:
    conv = saved(store, sample_conversation())
    with HistoryStore(store.data_dir, read_only=True) as reader:
        assert reader.load_conversation(conv.id) == conv
        store.append_message(conv.id, text_message("user", "later"))
        assert reader.load_conversation(conv.id).messages[-1].text == "later"
        for write in (
            lambda: reader.rename(conv.id, "x"),
            reader.mark_interrupted,
            lambda: reader.save_conversation_meta(conv),
            reader.gc_blobs,
        ):
            with pytest.raises(ReadOnlyHistoryError, match="another grok-vision window"):
                write()


def test_save_conversation_copies_a_whole_conversation(store: HistoryStore) -> None:
    conv = sample_conversation()
    store.save_conversation(conv, created=10.0, updated=20.0, pinned=True)
    row = store.conversation_row(conv.id)
    assert (row.created, row.updated, row.pinned, row.message_count) == (10.0, 20.0, True, 4)
    assert store.load_conversation(conv.id) == conv
    with pytest.raises(HistoryError, match="already exists"):
        store.save_conversation(conv)


def test_blob_store_checks_what_it_is_given(tmp_path: Path) -> None:
    blobs = BlobStore(tmp_path / "blobs")
    with pytest.raises(ValueError, match="do not match"):
        blobs.put(b"abc", "0" * 64)
    with pytest.raises(ValueError, match="not a SHA-256"):
        blobs.path("../../etc/passwd")
    sha = blobs.put(b"abc")
    assert blobs.put(b"abc") == sha
    assert blobs.read(sha) == b"abc"
    assert blobs.delete(sha)
    assert not blobs.delete(sha)
    assert not (tmp_path / "blobs" / sha[:2]).exists()
    assert list(blobs.stored()) == []


def test_usage_and_errors_survive(store: HistoryStore) -> None:
    conv = Conversation()
    conv.add_user([TextPart("q")])
    failed = Message(
        role="assistant",
        parts=[],
        status=Status.FAILED,
        error="The server said: model not found.",
        model="grok-x",
    )
    conv.messages.append(failed)
    saved(store, conv)
    assert store.load_conversation(conv.id).messages[1] == failed


def test_thumbnails_come_with_the_page_and_survive_a_finish(store: HistoryStore) -> None:
    image = prepared("shot.png", (200, 100))
    thumb = png_bytes((64, 32), "red")
    conv = Conversation()
    message = conv.add_user([TextPart("look"), ImagePart(image=image)])
    store.save_conversation_meta(conv)
    store.append_message(
        conv.id,
        message,
        originals={image.sha256: b"the original"},
        thumbnails={image.sha256: thumb},
    )
    page = store.load_page(conv.id)
    assert page.thumbnails == {image.sha256: thumb}
    message.parts[0] = TextPart("look again")
    store.finish_message(message)  # rewriting the parts keeps what was stored beside them
    assert store.load_thumbnails(conv.id) == {image.sha256: thumb}
    assert store.image_originals(conv.id) == {(message.id, 1): store.blobs.put(b"the original")}
    assert store.gc_blobs().blobs_removed == 0
    assert store.load_page(conv.id).thumbnails == {image.sha256: thumb}


def test_the_list_counts_the_messages_shown(store: HistoryStore) -> None:
    conv = Conversation()
    conv.messages = [text_message("user" if i % 2 == 0 else "assistant", f"t{i}") for i in range(4)]
    saved(store, conv)
    conv.branch_before(conv.messages[1].id)
    again = conv.begin_reply()
    store.append_message(conv.id, again)
    assert store.conversation_row(conv.id).message_count == 2
    conv.show_version(conv.sibling(again.id, 1).id)  # type: ignore[union-attr]
    store.save_shown(conv.id, sorted(conv.shown_ids()))
    assert store.list_conversations()[0].message_count == 4
