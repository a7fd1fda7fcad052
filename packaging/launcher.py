"""The frozen program's entry point: PyInstaller runs this file as `__main__`.

The same as the `grok-vision` console script (`app.cli:main`) and `python -m app`.
"""

import sys

from app.cli import main

if __name__ == "__main__":
    sys.exit(main())
