"""Where the app logs, and the guarantee that no key reaches a log."""

from __future__ import annotations

import logging
import logging.handlers
import os
import sys
from pathlib import Path

import platformdirs

from app import APP_NAME
from app.core.redact import redact_secrets

LEVEL_ENV = "GROK_VISION_LOG"  # debug, info, warning (default), error
DIR_ENV = "GROK_VISION_LOG_DIR"


class RedactingFilter(logging.Filter):
    """Formats each record once and strips anything shaped like a key from it."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact_secrets(record.getMessage())
        record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = redact_secrets(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


def log_dir() -> Path:
    override = os.environ.get(DIR_ENV)
    return Path(override) if override else Path(platformdirs.user_log_dir(APP_NAME))


def setup_logging() -> Path | None:
    """A rotating log file (and warnings on stderr), both redacted. Returns the file's path,
    or None when the log directory cannot be written (the app then logs to stderr only)."""
    level = getattr(logging, os.environ.get(LEVEL_ENV, "warning").upper(), logging.WARNING)
    root = logging.getLogger()
    root.setLevel(level)
    redact = RedactingFilter()
    console = logging.StreamHandler(sys.stderr)
    console.setLevel(logging.WARNING)
    console.addFilter(redact)
    root.addHandler(console)
    path = log_dir() / f"{APP_NAME}.log"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=1_000_000, backupCount=3, encoding="utf-8"
        )
    except OSError as exc:
        root.warning("Logging to %s is not possible: %s", path, exc)
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(redact)
    root.addHandler(handler)
    return path
