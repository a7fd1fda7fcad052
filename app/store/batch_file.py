"""The batch's output file: rows appended and flushed as each input finishes, so that a crash
loses nothing done; on a new run, the rows of inputs already done are kept (the file rewritten
atomically without the failed ones) and those inputs skipped."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TextIO

from app.core.batch_rows import Layout, Outcome, Row, RowFileError, done_rows


def read_done(path: Path, layout: Layout) -> tuple[set[str], list[Row]]:
    """The inputs already done in `path` and their rows (none when it does not exist).
    Raises RowFileError when it cannot be read or continued."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return set(), []
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise RowFileError(f"cannot read {path}: {reason}") from None
    return done_rows(layout.read(text, str(path)))


class RowFile:
    """Open with `start(kept)`: the file becomes the kept rows, then grows row by row."""

    def __init__(self, path: Path, layout: Layout) -> None:
        self.path = path
        self.layout = layout
        self._out: TextIO | None = None

    def start(self, kept: list[Row]) -> None:
        """Write the header and the kept rows to a temporary file beside it and move it into
        place in one step, then append from there. Raises OSError."""
        folder = self.path.parent
        folder.mkdir(parents=True, exist_ok=True)
        try:
            mode = self.path.stat().st_mode & 0o777
        except FileNotFoundError:
            mode = 0o644
        handle, temporary = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=folder)
        try:
            os.chmod(temporary, mode)
            with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
                out.write(self.layout.header())
                out.writelines(self.layout.line(row) for row in kept)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        self._out = self.path.open("a", encoding="utf-8", newline="")

    def write(self, outcome: Outcome) -> None:
        """The outcome's rows, in one write, flushed to the disk."""
        assert self._out is not None, "start() first"
        self._out.write("".join(self.layout.line(row) for row in self.layout.rows(outcome)))
        self._out.flush()
        os.fsync(self._out.fileno())

    def close(self) -> None:
        if self._out is not None:
            self._out.close()
            self._out = None


__all__ = ["RowFile", "RowFileError", "read_done"]
