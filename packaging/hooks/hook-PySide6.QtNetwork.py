# Replaces PyInstaller's hook for PySide6.QtNetwork: the same collection, less the plugins and
# translations that qt_trim.py (beside this file) leaves out.
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from qt_trim import collect_trimmed

hiddenimports, binaries, datas = collect_trimmed(__file__)
