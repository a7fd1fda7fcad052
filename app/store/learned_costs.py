"""What the meter learned about image costs, kept as ``image_costs.json`` in the data directory.

Loading never fails: a missing or unreadable file is an empty learner. Saving writes a temporary
file and renames it. Both touch the disk: run them off the GUI thread.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from pathlib import Path

from app.core.learning import ImageCostLearner
from app.store.paths import data_directory

log = logging.getLogger(__name__)

FILE_NAME = "image_costs.json"


class LearnedCostStore:
    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory if directory is not None else data_directory()
        self.path = self.directory / FILE_NAME

    def load(self) -> ImageCostLearner:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return ImageCostLearner()
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            log.warning("learned image costs not read from %s: %s", self.path, exc)
            return ImageCostLearner()
        return ImageCostLearner.from_dict(raw) if isinstance(raw, dict) else ImageCostLearner()

    def save(self, learner: ImageCostLearner) -> None:
        """Raises OSError when the file cannot be written."""
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        text = json.dumps(learner.to_dict(), indent=1) + "\n"
        handle, temp_name = tempfile.mkstemp(
            prefix=f".{FILE_NAME}.", suffix=".tmp", dir=self.directory
        )
        temp = Path(temp_name)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(text)
            os.replace(temp, self.path)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
