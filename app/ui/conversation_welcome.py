"""What an empty conversation shows: the task presets as cards, and the ways to add images."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.ui.conversation_style import conversation_colors

# (preset name, card title, what it gives): the built-in presets of app/core/presets.py.
CARDS: tuple[tuple[str, str, str], ...] = (
    ("ui-critique", "Critique a UI", "Spacing, contrast and hierarchy, with fixes"),
    ("chart-reading", "Read a chart", "Axes, series, key values and trends"),
    ("invoice-json", "Extract an invoice", "Vendor, date, line items and total as JSON"),
    ("alt-text", "Write alt text", "A short and a long description of each image"),
    ("spot-differences", "Spot the differences", "Compare two or more images by their numbers"),
)
WAYS: tuple[tuple[str, str], ...] = (
    ("Drop", "images or screenshots anywhere on the window"),
    ("Ctrl+V", "pastes an image from the clipboard"),
    ("Add images…", "picks files, under the conversation"),
    ("Ctrl+Shift+S", "captures a region of the screen"),
)
COLUMNS = 3
CARD_WIDTH = 200


class PresetCard(QPushButton):
    """One task as a card: its title and one line on what it gives. A button underneath, so a
    click, Space or Return chooses it and assistive tools read it as one."""

    def __init__(self, name: str, title: str, blurb: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.preset_name = name
        self.setObjectName(f"presetCard-{name}")
        self.setAccessibleName(title)
        self.setAccessibleDescription(blurb)
        self.setToolTip(f"Use the “{title}” preset for this conversation")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMinimumWidth(CARD_WIDTH)
        self.title = QLabel(title)
        self.title.setObjectName("cardTitle")
        self.blurb = QLabel(blurb)
        self.blurb.setObjectName("cardBlurb")
        self.blurb.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 10)
        layout.setSpacing(2)
        for label in (self.title, self.blurb):
            label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
            layout.addWidget(label)
        lines = self.blurb.fontMetrics().lineSpacing() * 3  # room for a blurb that wraps twice
        self.setMinimumHeight(self.title.sizeHint().height() + lines + 24)


class WelcomePane(QScrollArea):
    """Shown over an empty conversation; `presetChosen` says which card was activated."""

    presetChosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("conversationWelcome")
        self.setAccessibleName("Start a conversation")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        inner = QWidget()
        inner.setObjectName("welcomeInner")
        column = QVBoxLayout(inner)
        column.setContentsMargins(24, 28, 24, 24)
        column.setSpacing(10)
        column.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.heading = QLabel("Ask about your images")
        self.heading.setObjectName("welcomeHeading")
        self.lead = QLabel("Choose a task, or add an image and ask in your own words.")
        self.lead.setObjectName("welcomeLead")
        column.addWidget(self.heading)
        column.addWidget(self.lead)
        grid = QGridLayout()
        grid.setSpacing(10)
        self.cards: list[PresetCard] = []
        for index, (name, title, blurb) in enumerate(CARDS):
            card = PresetCard(name, title, blurb)
            card.clicked.connect(lambda _checked=False, n=name: self.presetChosen.emit(n))
            grid.addWidget(card, index // COLUMNS, index % COLUMNS)
            self.cards.append(card)
        column.addLayout(grid)
        self.ways_heading = QLabel("Add images")
        self.ways_heading.setObjectName("welcomeWaysHeading")
        column.addSpacing(8)
        column.addWidget(self.ways_heading)
        self.ways: list[QLabel] = []
        for key, what in WAYS:
            line = QLabel(f"<b>{key}</b>&nbsp;&nbsp;{what}")
            line.setObjectName("welcomeWay")
            line.setTextFormat(Qt.TextFormat.RichText)
            column.addWidget(line)
            self.ways.append(line)
        column.addStretch(1)
        self.setWidget(inner)
        # A timer of its own (not QTimer.singleShot): it goes with the pane.
        self._restyle_soon = QTimer(self)
        self._restyle_soon.setSingleShot(True)
        self._restyle_soon.timeout.connect(self._restyle)
        self._restyle()
        self._follow_parent()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            # Once every widget has its new palette: the parent's may change after this one's.
            self._restyle_soon.start(0)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ParentChange:
            self._follow_parent()
        return super().event(event)

    def _follow_parent(self) -> None:
        """Its own style sheet fixes its palette, so a new application palette (a theme
        switch) reaches only the parent: follow the parent's."""
        parent = self.parentWidget()
        if parent is not None:
            parent.installEventFilter(self)
            self._restyle_soon.start(0)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.parentWidget() and event.type() == QEvent.Type.PaletteChange:
            self._restyle_soon.start(0)
        return super().eventFilter(watched, event)

    def _restyle(self) -> None:
        """Colours from the palette (the conversation's own), so that the cards follow a theme."""
        source = self.parentWidget() or self  # its palette, not the one this sheet makes
        colors = conversation_colors(source.palette())
        c = {name: value.name() for name, value in vars(colors).items()}
        highlight = source.palette().color(QPalette.ColorRole.Highlight).name()
        sheet = (
            f"#conversationWelcome, #welcomeInner {{ background: {c['base']}; }}\n"
            f"QLabel {{ color: {c['text']}; background: transparent; }}\n"
            "#welcomeHeading { font-size: 17pt; font-weight: 600; }\n"
            f"#welcomeLead, #cardBlurb, #welcomeWay {{ color: {c['muted']}; }}\n"
            "#welcomeWaysHeading, #cardTitle { font-weight: 600; }\n"
            f"PresetCard {{ background: {c['panel']}; border: 1px solid {c['border']}; "
            "border-radius: 8px; text-align: left; }\n"
            f"PresetCard:hover {{ border-color: {highlight}; }}\n"
            f"PresetCard:focus {{ border: 2px solid {highlight}; }}\n"
            f"PresetCard:pressed {{ background: {c['user_tint']}; }}\n"
        )
        if sheet != self.styleSheet():
            self.setStyleSheet(sheet)
