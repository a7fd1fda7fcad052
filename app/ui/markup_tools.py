"""The preview's marking-up tools: a button per tool (R, A, N, T, X; M moves or deletes one
mark), how to redact, the marks' colour (C: the next of a few strong ones; the picked mark takes
it too), undo and redo (Ctrl+Z, Ctrl+Shift+Z), and Apply,
which asks for the marks to be burned into the image that is sent. The buttons follow the
canvas's tool and its edit; they change nothing else."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QIcon, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QPushButton, QToolButton, QWidget

from app.core.markup import MARK_COLOURS, RedactStyle
from app.ui.markup_canvas import MarkupCanvas, Tool

_TOOLS = (
    (Tool.RECTANGLE, "Rectangle", "R", "Draw a rectangle around something"),
    (Tool.ARROW, "Arrow", "A", "Draw an arrow that points at something"),
    (Tool.NUMBER, "Number", "N", "Click to put numbered markers: 1, 2, 3…"),
    (Tool.TEXT, "Text", "T", "Click where a short text goes, type it, then Enter"),
    (Tool.REDACT, "Redact", "X", "Hide a region: it is blacked out or pixelated when sent"),
    (
        Tool.MOVE,
        "Move",
        "M",
        "Pick a mark and drag it (Page Up/Down pick, arrows move; Delete removes it)",
    ),
)


class MarkupTools(QWidget):
    """See the module docstring."""

    applyRequested = Signal()

    def __init__(self, canvas: MarkupCanvas, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("markupTools")
        self._canvas = canvas
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self._buttons: dict[Tool, QToolButton] = {}
        for tool, label, key, tip in _TOOLS:
            button = QToolButton(self)
            button.setText(label)
            button.setObjectName(f"markup{tool.name.title()}")
            button.setAccessibleName(f"{tool.value.title()} tool")
            button.setToolTip(f"{tip} ({key}; Esc leaves the tool)")
            button.setCheckable(True)
            button.clicked.connect(lambda checked, t=tool: self._choose(t, checked))
            # Not button.setShortcut: that clicks the button ~100 ms later (animateClick), and a
            # drag begun at once would be drawn with the tool before.
            self._key(key, partial(self._toggle, tool))
            layout.addWidget(button)
            self._buttons[tool] = button
        self._style = QComboBox(self)
        self._style.setObjectName("markupRedactStyle")
        self._style.setAccessibleName("How to redact")
        self._style.setToolTip("How a redacted region is hidden in the image that is sent")
        self._style.addItem("Black out", RedactStyle.BLACK)
        self._style.addItem("Pixelate", RedactStyle.PIXELATE)
        self._style.currentIndexChanged.connect(self._style_chosen)
        layout.addWidget(self._style)
        self.colour = self._colour_box()
        layout.addWidget(self.colour)
        self._key("C", self._next_colour)
        layout.addStretch(1)
        self.undo_button = self._action("Undo", "Undo the last mark", "Ctrl+Z", canvas.edit.undo)
        self.redo_button = self._action(
            "Redo", "Redo the mark undone", "Ctrl+Shift+Z", canvas.edit.redo
        )
        self.apply_button = QPushButton("Apply marks", self)
        self.apply_button.setObjectName("markupApply")
        self.apply_button.setAccessibleName("Apply the marks to the image that is sent")
        self.apply_button.setToolTip(
            "Burn the marks into the image in the tray (the file itself is not changed); "
            "redacted regions cannot be recovered from what is sent"
        )
        self.apply_button.setAutoDefault(False)
        self.apply_button.clicked.connect(self.applyRequested)
        layout.addWidget(self.undo_button)
        layout.addWidget(self.redo_button)
        layout.addWidget(self.apply_button)
        canvas.toolChanged.connect(self._follow)
        canvas.edit.subscribe(self._follow)
        self._follow()

    def _colour_box(self) -> QComboBox:
        box = QComboBox(self)
        box.setObjectName("markupColour")
        box.setAccessibleName("Colour of the marks")
        box.setToolTip("Colour of the marks drawn next (C: the next colour)")
        side = box.fontMetrics().height()
        for name, rgb in MARK_COLOURS:
            swatch = QPixmap(side, side)
            swatch.fill(QColor(*rgb))
            box.addItem(QIcon(swatch), name, rgb)
        box.currentIndexChanged.connect(self._colour_chosen)
        return box

    def _colour_chosen(self) -> None:
        rgb = self.colour.currentData()
        if isinstance(rgb, tuple):
            self._canvas.colour = rgb
            self._canvas.recolour_picked()
            self._canvas.update()

    def _next_colour(self) -> None:
        self.colour.setCurrentIndex((self.colour.currentIndex() + 1) % self.colour.count())

    def _action(self, text: str, tip: str, keys: str, slot: object) -> QToolButton:
        button = QToolButton(self)
        button.setText(text)
        button.setObjectName(f"markup{text}")
        button.setAccessibleName(tip)
        button.setToolTip(f"{tip} ({keys})")
        button.clicked.connect(slot)
        self._key(keys, lambda: self._click_if_enabled(button))
        return button

    @staticmethod
    def _click_if_enabled(button: QToolButton) -> None:
        if button.isEnabled():
            button.click()

    def _key(self, keys: str, act: Callable[[], object]) -> None:
        """`keys` anywhere in the preview, acted on at once."""
        shortcut = QShortcut(QKeySequence(keys), self)
        shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
        shortcut.activated.connect(act)

    def button(self, tool: Tool) -> QToolButton:
        return self._buttons[tool]

    def _toggle(self, tool: Tool) -> None:
        self._choose(tool, self._canvas.tool() is not tool)

    def _choose(self, tool: Tool, checked: bool) -> None:
        self._canvas.set_tool(tool if checked else None)
        self._canvas.setFocus()

    def _style_chosen(self) -> None:
        style = self._style.currentData()
        if isinstance(style, RedactStyle):
            self._canvas.redact_style = style
            if self._canvas.tool() is None:
                self._canvas.set_tool(Tool.REDACT)

    def _follow(self) -> None:
        tool = self._canvas.tool()
        for each, button in self._buttons.items():
            button.setChecked(each is tool)
        edit = self._canvas.edit
        self.undo_button.setEnabled(edit.can_undo())
        self.redo_button.setEnabled(edit.can_redo())
        self.apply_button.setEnabled(bool(edit.marks) and self._canvas.has_image())

    def refresh(self) -> None:
        """Follow the canvas again (its picture came or went)."""
        self._follow()
