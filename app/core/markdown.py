"""Model output as safe HTML for QTextDocument: Markdown with highlighted code, nothing remote.

Raw HTML in the text is escaped, images never become ``<img>`` (a plain marker says one was
there), only http, https and mailto links stay links, and code is coloured by Pygments with
inline styles (QTextDocument ignores most CSS classes). The output uses only the rich-text
subset Qt understands; colours other than the code tokens' are left to the view's palette.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from html import escape
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.common.utils import unescapeAll
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

CodeSink = Callable[[str], str]
"""Given the text of a code block, returns the href of its "Copy code" link."""

LINK_SCHEMES = ("http:", "https:", "mailto:")
MAX_NESTING = 40  # block nesting markdown-it may reach (a list level costs two)
MAX_INDENT = 24  # leading columns kept when a text nests too deep
MAX_MARKERS = 6  # container markers ("> ", "- ", "1. ") kept at the start of a line
MAX_INLINE = 20_000  # longer paragraphs are shown as plain text (some inline rules are
# quadratic in pathological input, such as 100k "[")
MAX_HIGHLIGHT = 100_000  # longer code is shown plain, colouring would cost more than it helps
MAX_TABLE_CELLS = 1_200  # body cells shown per rendering, over all its tables (Qt lays a
# table out at once: thousands of cells freeze the window for seconds)
MAX_TABLE_ROWS = 200  # body rows shown per table
MAX_TABLE_COLUMNS = 40  # columns shown per table
TABLE_OPEN = (
    '<table class="md" border="1" cellspacing="0" cellpadding="6" '
    'style="border-collapse: collapse">'
)  # one border (collapsed), zebra rows by the view's style sheet (tr.z)
CODE_TABLE = (
    '<table class="code" width="100%" border="1" cellspacing="0" cellpadding="8" '
    'style="border-collapse: collapse">'
)  # a code block: one bordered panel whose long lines wrap inside it
LIGHT_STYLE = "default"
DARK_STYLE = "github-dark"

_SINK = "code_sink"
_LINKS = "open_links"
_ROW = "table_row"  # rows of the table being rendered, its header row included
_CELLS = "table_cells"  # body cells the tables rendered so far have shown
_MARKER = re.compile(r"[ \t]*(?:>|[-*+](?=[ \t]|$)|\d{1,9}[.)](?=[ \t]|$))[ \t]?")
_ALIGN = re.compile(r"text-align:\s*(left|right|center)")
_FENCE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})(.*)$")
_LINE_MARKER = re.compile(r"^[ \t]*(?:(?:>|[-*+]|\d{1,9}[.)])[ \t]+)*")
_DELIMITER = re.compile(r"`+|\*+|_+|~~")
_HALF_LINK = re.compile(r"\[([^\[\]]*)\]\([^)\s]*$")  # "[words](http://exa" at the end
_HALF_LABEL = re.compile(r"\[([^\[\]]*)$")  # "[words" at the end
# A line nested far deeper than MAX_NESTING allows (parsing such text to the limit first costs
# more than the whole rendering once it is capped).
_FAR_TOO_DEEP = re.compile(
    r"^(?:[ \t]{200}|(?:[ \t]*(?:>|[-*+]|\d{1,9}[.)])[ \t]+){40})", re.MULTILINE
)


def render_markdown(text: str, code_sink: CodeSink | None = None, *, dark: bool = False) -> str:
    """Safe QTextDocument HTML for `text`; `code_sink` adds a "Copy code" link under each block."""
    env: dict[str, Any] = {_SINK: code_sink, _LINKS: [], "dark": dark}
    md = _parser()
    if _FAR_TOO_DEEP.search(text):
        text = cap_nesting(text)
    tokens = md.parse(text, env)
    if _too_deep(tokens):
        tokens = md.parse(cap_nesting(text), env)
        if _too_deep(tokens):
            return _plain_paragraphs(text)
    return str(md.renderer.render(tokens, md.options, env))


def close_open_markup(text: str) -> str:
    """`text`, the open end of a streaming reply, with its last paragraph's unfinished inline
    markup closed (``**bold`` → ``**bold**``, an open code span, a half-written link shown as its
    words) and a marker that opens nothing yet dropped, so that it renders as it will once the
    rest arrives instead of showing raw ``**``. Text inside an open code fence is left alone."""
    if _open_fence(text):
        return text
    cut = text.rfind("\n\n") + 1
    head, last = text[:cut], text[cut:]
    last = _HALF_LINK.sub(r"\1", last)
    last = _HALF_LABEL.sub(r"\1", last)
    closers: list[str] = []
    ticks = ""
    lines = last.split("\n")
    for number, line in enumerate(lines, start=1):
        body = _LINE_MARKER.sub("", line, count=1)
        end = "x" if number == len(lines) else " "  # more may follow the reply's last word
        for match in _DELIMITER.finditer(body):
            run = match.group(0)
            if ticks:
                ticks = "" if run == ticks else ticks
                continue
            if run[0] == "`":
                ticks = run
                continue
            before = body[match.start() - 1] if match.start() else " "
            after = body[match.end()] if match.end() < len(body) else end
            _toggle(closers, run, opens=not after.isspace(), closes=not before.isspace())
    if ticks:
        return head + last + ticks
    stripped = last.rstrip()
    while closers and stripped.endswith(closers[-1]):  # a marker with nothing after it yet
        stripped = stripped[: -len(closers.pop())].rstrip()
    return head + stripped + "".join(reversed(closers)) if closers else head + stripped


def _toggle(closers: list[str], run: str, *, opens: bool, closes: bool) -> None:
    """Account for a run of ``*``, ``_`` or ``~`` in the stack of open markers."""
    if run[0] == "_" and opens and closes:
        return  # intraword (snake_case): not emphasis
    if run[0] == "~":
        parts = ["~~"] if len(run) == 2 else []
    else:
        parts = [run[0] * 2] * (len(run) // 2) + [run[0]] * (len(run) % 2)
    for part in parts:
        if part in closers and closes:
            del closers[closers.index(part) :]
        elif opens:
            closers.append(part)


def _open_fence(text: str) -> bool:
    fence = ""
    for line in text.split("\n"):
        match = _FENCE.match(line)
        if match is None:
            continue
        marker = match.group(1)
        if not fence:
            fence = marker
        elif marker[0] == fence[0] and len(marker) >= len(fence) and not match.group(2).strip():
            fence = ""
    return bool(fence)


def highlight_code(code: str, language: str | None, *, dark: bool = False) -> str:
    """A ``<pre>`` block with `code` coloured by inline styles, or plain when the language is
    unknown (or the code too long to colour)."""
    code = code.removesuffix("\n")
    lexer = _lexer(language.strip().lower()) if language and len(code) <= MAX_HIGHLIGHT else None
    if lexer is None:
        body = escape(code, quote=False)
    else:
        body = str(highlight(code, lexer, _formatter(DARK_STYLE if dark else LIGHT_STYLE)))
        body = body.removesuffix("\n")
    return f"<pre>{body}</pre>\n"


def cap_nesting(text: str) -> str:
    """`text` with each line's leading indentation and container markers cut to a bounded depth
    (what deeply nested lists and quotes become: flatter, but every word kept)."""
    return "\n".join(_cap_line(line) for line in text.split("\n"))


def _cap_line(line: str) -> str:
    stripped = line.lstrip(" \t")
    if len(line) - len(stripped) > MAX_INDENT:
        line = " " * MAX_INDENT + stripped
    pos = count = keep = 0
    while (match := _MARKER.match(line, pos)) is not None and match.end() > pos:
        count += 1
        pos = match.end()
        if count == MAX_MARKERS:
            keep = pos
    return line[:keep] + line[pos:] if count > MAX_MARKERS else line


def _too_deep(tokens: Sequence[Token]) -> bool:
    return any(token.level >= MAX_NESTING - 1 for token in tokens)


def _plain_paragraphs(text: str) -> str:
    return "".join(f"<p>{escape(line, quote=False)}</p>\n" for line in text.split("\n") if line)


class _SafeRenderer(RendererHTML):
    """The HTML renderer with images, links, code and tables made safe and Qt-friendly."""

    def image(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        alt = self.renderInlineAsText(tokens[idx].children or [], options, env).strip()
        label = f"[image: {alt} — url not loaded]" if alt else "[image — url not loaded]"
        return escape(label, quote=False)

    def link_open(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        href = str(tokens[idx].attrGet("href") or "")
        allowed = href.lower().startswith(LINK_SCHEMES)
        env[_LINKS].append(allowed)
        return f'<a href="{escape(href)}">' if allowed else ""

    def link_close(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        opened: list[bool] = env[_LINKS]
        return "</a>" if opened and opened.pop() else ""

    def fence(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        token = tokens[idx]
        info = unescapeAll(token.info).strip() if token.info else ""
        return self._code(token.content, info.split()[0] if info else None, env)

    def code_block(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        return self._code(tokens[idx].content, None, env)

    def _code(self, code: str, language: str | None, env: EnvType) -> str:
        html = highlight_code(code, language, dark=bool(env.get("dark")))
        sink: CodeSink | None = env.get(_SINK)
        head = [escape(language, quote=False)] if language else []
        if sink is not None:
            href = escape(sink(code.removesuffix("\n")))
            head.append(f'<a class="act" href="{href}">Copy code</a>')
        top = f'<p class="code-actions">{" · ".join(head)}</p>' if head else ""
        return f"{CODE_TABLE}<tr><td>{top}{html}</td></tr></table>\n"

    def table_open(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        env[_ROW] = 0
        return f"{TABLE_OPEN}\n"

    def tr_open(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        env[_ROW] = env.get(_ROW, 0) + 1
        return '<tr class="z">' if env[_ROW] > 1 and env[_ROW] % 2 == 1 else "<tr>"

    def th_open(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        return _cell("th", tokens[idx])

    def td_open(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        return _cell("td", tokens[idx])

    def table_note(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        return f'<p class="meta">{escape(tokens[idx].content, quote=False)}</p>\n'


def _cell(tag: str, token: Token) -> str:
    match = _ALIGN.search(str(token.attrGet("style") or ""))
    return f'<{tag} align="{match.group(1)}">' if match else f"<{tag}>"


def _inline(state: StateCore) -> None:
    """markdown-it's inline step, except that a very long paragraph stays plain text."""
    for token in state.tokens:
        if token.type != "inline":
            continue
        if len(token.content) > MAX_INLINE:
            text = Token("text", "", 0)
            text.content = token.content
            token.children = [text]
        else:
            token.children = []
            state.md.inline.parse(token.content, state.md, state.env, token.children)


def _cap_tables(state: StateCore) -> None:
    """Cut each table to the rows and columns that fit the rendering's cell budget, with a
    note under it that says what is not shown (before the inline step: cut cells cost nothing)."""
    tokens: list[Token] = []
    table: list[Token] | None = None
    for token in state.tokens:
        if table is None:
            if token.type == "table_open":
                table = [token]
            else:
                tokens.append(token)
        else:
            table.append(token)
            if token.type == "table_close" and token.level == table[0].level:
                tokens.extend(_capped_table(table, state.env))
                table = None
    state.tokens = tokens + (table or [])


def _capped_table(table: list[Token], env: EnvType) -> list[Token]:
    columns = sum(token.type == "th_open" for token in table)
    rows = sum(token.type == "tr_open" for token in table) - 1
    keep_columns = min(columns, MAX_TABLE_COLUMNS)
    budget = max(0, MAX_TABLE_CELLS - env.get(_CELLS, 0)) // max(1, keep_columns)
    keep_rows = min(rows, MAX_TABLE_ROWS, max(1, budget))
    env[_CELLS] = env.get(_CELLS, 0) + keep_rows * keep_columns
    if (keep_rows, keep_columns) == (rows, columns):
        return table
    kept: list[Token] = []
    row = cell = 0
    skipping = False
    for token in table:
        if token.type == "tr_open":
            row, cell = row + 1, 0
        elif token.type in ("th_open", "td_open"):
            cell += 1
        skip_row = row > keep_rows + 1  # the header row is row 1
        if token.type in ("th_open", "td_open", "tr_open"):
            skipping = skip_row or cell > keep_columns
        if not skipping:
            kept.append(token)
        if token.type in ("th_close", "td_close"):
            skipping = skip_row
        elif token.type == "tr_close":
            skipping = False
    note = Token("table_note", "", 0)
    note.content = _table_note(rows, keep_rows, columns, keep_columns)
    return [*kept, note]


def _table_note(rows: int, keep_rows: int, columns: int, keep_columns: int) -> str:
    shown = []
    if keep_rows < rows:
        shown.append(f"the first {keep_rows:,} of {rows:,} rows")
    if keep_columns < columns:
        shown.append(f"the first {keep_columns:,} of {columns:,} columns")
    return f"Table cut to {' and '.join(shown)} — Copy the reply for all of it."


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    options = {"html": False, "maxNesting": MAX_NESTING, "xhtmlOut": False}
    md = MarkdownIt("commonmark", options, renderer_cls=_SafeRenderer)
    md.enable(["table", "strikethrough"]).disable(["html_block", "html_inline"])
    md.core.ruler.at("inline", _inline)
    md.core.ruler.before("inline", "cap_tables", _cap_tables)
    return md


@lru_cache(maxsize=64)
def _lexer(language: str) -> Any:
    try:
        return get_lexer_by_name(language, stripnl=False)
    except ClassNotFound:
        return None


@lru_cache(maxsize=2)
def _formatter(style: str) -> Any:
    return HtmlFormatter(noclasses=True, nowrap=True, style=style)
