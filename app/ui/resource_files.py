"""Files of the `resources` package (icons, style sheets), by path.

The package is always a folder on disk (from source, an installed wheel, the bundle's
`_internal/resources`), so a path from its `__file__` finds them without `importlib.resources`,
whose import costs the window's first paint a few milliseconds.
"""

from __future__ import annotations

from pathlib import Path

import resources


def resource_file(*parts: str) -> Path:
    """``resources/<parts…>``."""
    return Path(resources.__file__).parent.joinpath(*parts)
