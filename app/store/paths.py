"""Where the history lives: the user data directory, its database, its blobs and its lock."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_DIR_NAME = "grok-vision"
DATA_DIR_ENV = "GROK_VISION_DATA_DIR"
DATABASE_NAME = "history.sqlite3"
BLOBS_DIR_NAME = "blobs"
LOCK_NAME = "lock"


def data_directory() -> Path:
    """``$GROK_VISION_DATA_DIR`` if set, else the platform's user data directory."""
    override = os.environ.get(DATA_DIR_ENV, "").strip()
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_data_dir(APP_DIR_NAME, appauthor=False))


def database_path(data_dir: Path) -> Path:
    return data_dir / DATABASE_NAME


def blobs_path(data_dir: Path) -> Path:
    return data_dir / BLOBS_DIR_NAME


def lock_path(data_dir: Path) -> Path:
    return data_dir / LOCK_NAME
