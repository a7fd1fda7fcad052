"""The file chooser of the image tray's Add images… button."""

from __future__ import annotations

from PySide6.QtWidgets import QFileDialog, QWidget

from app.core.images import IMAGE_SUFFIXES


def image_file_dialog(parent: QWidget) -> QFileDialog:
    """A chooser of several existing files, images first (either case of their suffix)."""
    patterns = sorted({f"*{s}" for s in IMAGE_SUFFIXES} | {f"*{s.upper()}" for s in IMAGE_SUFFIXES})
    dialog = QFileDialog(parent, "Add images")
    dialog.setObjectName("addImagesDialog")
    dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
    dialog.setNameFilters([f"Images ({' '.join(patterns)})", "All files (*)"])
    return dialog
