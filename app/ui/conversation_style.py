"""The conversation's colours and style sheet, derived from the palette (light or dark alike).

Every text colour is checked against the background it is painted on and nudged until it reaches
WCAG's 4.5:1 (tray_palette.readable); tints are the palette's own colours mixed, so a theme
change restyles the document without a colour written anywhere else.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QColor, QPalette

from app.ui.tray_palette import mix, readable

MEASURE_CHARS = 84  # the conversation's column: about 80 characters of prose, and a margin
USER_INDENT = 56  # pixels the user's messages stand in from the left (they read as "mine")


@dataclass(frozen=True)
class ConversationColors:
    """The colours the conversation's document is painted with."""

    base: QColor  # the page
    text: QColor
    muted: QColor  # headers, actions, notes: secondary, still 4.5:1 on the page
    link: QColor
    user_tint: QColor  # the background of the user's messages
    user_text: QColor
    panel: QColor  # code blocks
    panel_text: QColor
    zebra: QColor  # every other table row
    head: QColor  # table header row
    border: QColor  # the one border of tables and code blocks
    error: QColor  # a failed reply's message

    @property
    def text_pairs(self) -> dict[str, tuple[QColor, QColor]]:
        """Each text colour with the background it is painted on (for contrast checks)."""
        return {
            "text": (self.text, self.base),
            "muted": (self.muted, self.base),
            "link": (self.link, self.base),
            "user text": (self.user_text, self.user_tint),
            "muted on user tint": (self.muted, self.user_tint),
            "code": (self.panel_text, self.panel),
            "muted on code": (self.muted, self.panel),
            "table text on zebra": (self.text, self.zebra),
            "table header": (self.text, self.head),
            "error": (self.error, self.base),
        }


def conversation_colors(palette: QPalette) -> ConversationColors:
    def role(which: QPalette.ColorRole) -> QColor:
        return palette.color(QPalette.ColorGroup.Active, which)

    base, text = role(QPalette.ColorRole.Base), role(QPalette.ColorRole.Text)
    dark = is_dark(palette)
    highlight = role(QPalette.ColorRole.Highlight)
    user_tint = mix(base, highlight, 0.16 if dark else 0.10)
    panel = mix(base, text, 0.07 if dark else 0.04)
    zebra = mix(base, text, 0.05 if dark else 0.035)
    head = mix(base, text, 0.10 if dark else 0.07)
    # The muted text must read on every tint it sits on: check it against the darkest of them
    # on a light page (the lightest on a dark one) as well as the page.
    muted = mix(text, base, 0.42)
    for ground in (base, user_tint, panel):
        muted = readable(muted, ground)
    error = QColor("#ff7b72" if dark else "#b42318")
    return ConversationColors(
        base=base,
        text=text,
        muted=muted,
        link=readable(role(QPalette.ColorRole.Link), base),
        user_tint=user_tint,
        user_text=readable(text, user_tint),
        panel=panel,
        panel_text=readable(text, panel),
        zebra=zebra,
        head=head,
        border=mix(base, text, 0.22 if dark else 0.16),
        error=readable(error, base),
    )


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Base).lightness() < 128


def style_sheet(palette: QPalette) -> str:
    """Default style sheet of the document: palette-derived colours only (code tokens keep
    Pygments')."""
    c = {name: value.name() for name, value in vars(conversation_colors(palette)).items()}
    return (
        f"a {{ color: {c['link']}; text-decoration: none; }}\n"
        f"a.act {{ color: {c['muted']}; }}\n"
        f"p.role, p.role-user {{ color: {c['muted']}; margin-top: 22px; margin-bottom: 6px; }}\n"
        f"p.role b, p.role-user b {{ color: {c['text']}; }}\n"
        f"p.role-user, p.user-actions {{ margin-left: {USER_INDENT}px; }}\n"
        f"table.user {{ margin-left: {USER_INDENT}px; background-color: {c['user_tint']}; "
        f"color: {c['user_text']}; }}\n"
        f"p.meta, p.note, p.code-actions, p.actions, p.user-actions, p.strip-caption "
        f"{{ color: {c['muted']}; margin-top: 4px; margin-bottom: 4px; font-size: small; }}\n"
        "p.note { font-style: italic; }\n"
        "p.state { font-weight: bold; margin-top: 8px; margin-bottom: 2px; }\n"
        f"p.failed {{ color: {c['error']}; font-weight: bold; margin-top: 8px; }}\n"
        "p.user { white-space: pre-wrap; margin: 0px; }\n"
        f"p.reasoning {{ color: {c['muted']}; white-space: pre-wrap; margin-left: 14px; }}\n"
        "pre { white-space: pre-wrap; margin-top: 0px; margin-bottom: 0px; }\n"
        f"table.code {{ background-color: {c['panel']}; color: {c['panel_text']}; "
        f"border-color: {c['border']}; border-style: solid; margin-top: 8px; "
        "margin-bottom: 8px; }\n"
        f"td.code-head {{ color: {c['muted']}; font-size: small; "
        f"border-bottom-color: {c['border']}; }}\n"
        f"table.md {{ border-color: {c['border']}; border-style: solid; margin-top: 8px; "
        "margin-bottom: 8px; }\n"
        f"th {{ background-color: {c['head']}; }}\n"
        f"tr.z {{ background-color: {c['zebra']}; }}\n"
        "table.strip { margin-top: 6px; }\n"
        f"td.shot {{ color: {c['muted']}; font-size: small; }}\n"
    )
