"""`grok-vision export` and `grok-vision import`: saved conversations in and out, headless.

    grok-vision export --list                               # ids and titles
    grok-vision export [--format md|json] (--all | ID) --out DIR
    grok-vision import FILE.json

ID may be any unique prefix of a conversation's id (``export --list`` shows eight characters).
Export only reads, so it works while the window is open (the history is opened read-only then).
Import writes, so it needs the history to itself: with the window open, it stops and says so.
"""

from __future__ import annotations

import argparse
import datetime
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from app.store.db import HistoryError
from app.store.history import HistoryStore
from app.store.lock import InstanceLock, acquire_instance_lock, lock_holder
from app.store.paths import DATA_DIR_ENV, data_directory

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


def add_parsers(sub: Any) -> None:
    """Add the ``export`` and ``import`` commands to an argparse sub-parser group."""
    export = sub.add_parser(
        "export",
        help="save conversations as Markdown or JSON files",
        description="Save conversations as Markdown (images beside it) or "
        "as JSON (one file that `grok-vision import` reads back).",
    )
    export.add_argument(
        "--format",
        choices=("md", "json"),
        default="md",
        help="md: Markdown with images in a folder beside it (default); "
        "json: everything, to import again",
    )
    which = export.add_mutually_exclusive_group(required=True)
    which.add_argument("--all", action="store_true", help="every saved conversation")
    which.add_argument("--list", action="store_true", help="list saved conversations and exit")
    which.add_argument(
        "id", nargs="?", metavar="ID", help="the conversation (its id, or a unique start of it)"
    )
    export.add_argument("--out", metavar="DIR", help="folder to write into (created if needed)")
    imp = sub.add_parser(
        "import",
        help="add a conversation exported as JSON",
        description="Add a conversation from a file written by "
        "`grok-vision export --format json`, as a new conversation.",
    )
    imp.add_argument("file", metavar="FILE.json")


def run_export(
    conversation_id: str | None,
    *,
    all_conversations: bool = False,
    fmt: str = "md",
    out: str | None = None,
    list_only: bool = False,
    data_dir: Path | None = None,
) -> int:
    """Export one conversation (by id or unique id prefix) or all of them into ``out``."""
    if not list_only and not out:
        sys.stderr.write("error: say where to write the files with --out DIR\n")
        return EXIT_USAGE
    folder = data_dir if data_dir is not None else data_directory()
    try:
        store, lock = _open(folder, write=False)
    except HistoryError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return EXIT_FAILED
    try:
        return _export(
            store,
            conversation_id,
            all_conversations=all_conversations,
            fmt=fmt,
            out=Path(out or "."),
            list_only=list_only,
        )
    except HistoryError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return EXIT_FAILED
    finally:
        store.close()
        if lock is not None:
            lock.release()


def _export(
    store: HistoryStore,
    conversation_id: str | None,
    *,
    all_conversations: bool,
    fmt: str,
    out: Path,
    list_only: bool,
) -> int:
    from app.store.export import export_json, export_markdown

    if list_only:
        _list(store)
        return EXIT_OK
    if all_conversations:
        ids = [row.id for row in store.list_conversations()]
        if not ids:
            sys.stdout.write("There are no saved conversations to export.\n")
            return EXIT_OK
    else:
        ids = [_resolve(store, conversation_id or "")]
    writer = export_json if fmt == "json" else export_markdown
    failures = 0
    for conv_id in ids:
        title = store.conversation_meta(conv_id).title or "(untitled)"
        try:
            path = writer(store, conv_id, out)
        except OSError as exc:
            failures += 1
            sys.stderr.write(
                f"error: “{title}” was not exported: {exc.strerror or exc} "
                f"({exc.filename or out}).\n"
            )
            continue
        sys.stdout.write(f"Exported “{title}” to {path}\n")
    if len(ids) > 1:
        sys.stdout.write(f"{len(ids) - failures} of {len(ids)} conversations exported.\n")
    return EXIT_FAILED if failures else EXIT_OK


def run_import(path: str, *, data_dir: Path | None = None) -> int:
    """Import a JSON export as a new conversation; prints its id."""
    from app.store.importer import import_json

    folder = data_dir if data_dir is not None else data_directory()
    try:
        store, lock = _open(folder, write=True)
    except HistoryError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return EXIT_FAILED
    try:
        conv_id = import_json(store, Path(path))
        title = store.conversation_meta(conv_id).title or "(untitled)"
    except HistoryError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return EXIT_FAILED
    except OSError as exc:
        sys.stderr.write(
            f"error: the images of {path} could not be saved: {exc.strerror or exc}.\n"
        )
        return EXIT_FAILED
    finally:
        store.close()
        if lock is not None:
            lock.release()
    sys.stdout.write(f"Imported “{title}” as conversation {conv_id}.\n")
    return EXIT_OK


def _open(folder: Path, *, write: bool) -> tuple[HistoryStore, InstanceLock | None]:
    try:
        lock = acquire_instance_lock(folder)
    except OSError as exc:
        raise HistoryError(
            f"cannot use the history folder {folder}: {exc.strerror or exc}. "
            f"Set {DATA_DIR_ENV} to another folder."
        ) from None
    if lock is None:
        if write:
            pid = lock_holder(folder)
            raise HistoryError(
                f"grok-vision is running{f' (process {pid})' if pid else ''} and has the history "
                f"open. Import from its window, or close it and run this command again."
            )
        return HistoryStore(folder, read_only=True), None
    try:
        return HistoryStore(folder), lock
    except BaseException:
        lock.release()
        raise


def _resolve(store: HistoryStore, prefix: str) -> str:
    prefix = prefix.strip().lower()
    matches = [row.id for row in store.list_conversations() if row.id.startswith(prefix)]
    if prefix and len(matches) == 1:
        return matches[0]
    if not matches or not prefix:
        raise HistoryError(
            f"no saved conversation has the id “{prefix}”. List them with: "
            f"grok-vision export --list"
        )
    raise HistoryError(
        f"“{prefix}” is the start of {len(matches)} conversation ids; give more "
        f"of it (grok-vision export --list shows them)."
    )


def _list(store: HistoryStore) -> None:
    rows = store.list_conversations()
    if not rows:
        sys.stdout.write("There are no saved conversations.\n")
        return
    for row in rows:
        when = datetime.datetime.fromtimestamp(row.updated).strftime("%Y-%m-%d %H:%M")
        pin = "*" if row.pinned else " "
        sys.stdout.write(
            f"{row.id[:8]} {pin} {when}  {row.message_count:4d} msgs  {row.title or '(untitled)'}\n"
        )


def main(argv: Sequence[str] | None = None) -> int:
    """Stand-alone entry (``python -m app.cli.history export …``), as the main CLI runs it."""
    parser = argparse.ArgumentParser(prog="grok-vision")
    add_parsers(parser.add_subparsers(dest="command", required=True))
    ns = parser.parse_args(argv)
    if ns.command == "import":
        return run_import(ns.file)
    return run_export(ns.id, all_conversations=ns.all, fmt=ns.format, out=ns.out, list_only=ns.list)


if __name__ == "__main__":
    sys.exit(main())
