"""The file chooser of the image tray's Add images… button."""

from __future__ import annotations

from PySide6.QtWidgets import QFileDialog, QWidget

from app.core.images import IMAGE_SUFFIXES
from app.core.images.pdf_pages import PDF_SUFFIXES


def image_file_dialog(parent: QWidget) -> QFileDialog:
    """A chooser of several existing files, images and PDFs first (either case of suffix)."""
    suffixes = IMAGE_SUFFIXES | PDF_SUFFIXES
    patterns = sorted({f"*{s}" for s in suffixes} | {f"*{s.upper()}" for s in suffixes})
    dialog = QFileDialog(parent, "Add images")
    dialog.setObjectName("addImagesDialog")
    dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
    dialog.setNameFilters([f"Images and PDFs ({' '.join(patterns)})", "All files (*)"])
    return dialog
