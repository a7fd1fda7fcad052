"""Where the app keeps things: the settings' directory, and the user data directory with the
history's database, its blobs and its lock. Light on purpose: the window's first frame reads its
theme and place from the settings file before anything heavy is imported."""

from __future__ import annotations

import os
from pathlib import Path

APP_DIR_NAME = "grok-vision"
CONFIG_DIR_ENV = "GROK_VISION_CONFIG_DIR"
SETTINGS_FILE_NAME = "settings.json"
DATA_DIR_ENV = "GROK_VISION_DATA_DIR"
DATABASE_NAME = "history.sqlite3"
BLOBS_DIR_NAME = "blobs"
LOCK_NAME = "lock"


def config_directory() -> Path:
    """``$GROK_VISION_CONFIG_DIR`` if set, else the platform's user config directory."""
    override = os.environ.get(CONFIG_DIR_ENV, "").strip()
    if override:
        return Path(override).expanduser()
    import platformdirs  # here: the window's first paint reads the settings without it

    return Path(platformdirs.user_config_dir(APP_DIR_NAME, appauthor=False))


def data_directory() -> Path:
    """``$GROK_VISION_DATA_DIR`` if set, else the platform's user data directory."""
    override = os.environ.get(DATA_DIR_ENV, "").strip()
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_DIR_NAME, appauthor=False))


def database_path(data_dir: Path) -> Path:
    return data_dir / DATABASE_NAME


def blobs_path(data_dir: Path) -> Path:
    return data_dir / BLOBS_DIR_NAME


def lock_path(data_dir: Path) -> Path:
    return data_dir / LOCK_NAME
