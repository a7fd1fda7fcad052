"""A message's text for the clipboard: as written (Markdown), as plain text, or one of its
tables as tab-separated values that a spreadsheet pastes into cells.

Plain text drops the markup a reader does not see (emphasis, heading marks, link syntax, code
fences) and keeps what carries meaning: paragraphs, list bullets and numbers, code as it is,
a link's address after its text, tables as rows of tab-separated cells.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.token import Token


@dataclass(frozen=True)
class Table:
    """One Markdown table: its header row first, then the body rows, each a list of cells."""

    rows: tuple[tuple[str, ...], ...]

    def tsv(self) -> str:
        return "\n".join("\t".join(_tsv_cell(c) for c in row) for row in self.rows) + "\n"


def _tsv_cell(text: str) -> str:
    return " ".join(text.replace("\t", " ").split())


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False})
    return md.enable(["table", "strikethrough"]).disable(["html_block", "html_inline"])


def tables_in(markdown: str) -> list[Table]:
    """Every table of `markdown`, in order."""
    tables: list[Table] = []
    rows: list[tuple[str, ...]] = []
    row: list[str] = []
    cell: list[str] | None = None
    for token in _parser().parse(markdown):
        match token.type:
            case "table_open":
                rows = []
            case "tr_open":
                row = []
            case "th_open" | "td_open":
                cell = []
            case "inline" if cell is not None:
                cell.append(_inline_text(token.children or []))
            case "th_close" | "td_close":
                row.append("".join(cell or []))
                cell = None
            case "tr_close":
                rows.append(tuple(row))
            case "table_close":
                tables.append(Table(tuple(rows)))
            case _:
                pass
    return tables


def table_tsv(markdown: str, index: int = 0) -> str | None:
    """Table number `index` of `markdown` (the first when there is no such one) as TSV; None
    when the text holds no table."""
    tables = tables_in(markdown)
    if not tables:
        return None
    return (tables[index] if 0 <= index < len(tables) else tables[0]).tsv()


def plain_text(markdown: str) -> str:
    """`markdown` as a reader sees it, without its markup."""
    writer = _PlainWriter()
    for token in _parser().parse(markdown):
        writer.take(token)
    text = "".join(writer.out).strip("\n")
    return text + "\n" if text else ""


class _PlainWriter:
    def __init__(self) -> None:
        self.out: list[str] = []
        self.lists: list[list[int]] = []  # per open list: [next number] (0: a bullet list)
        self.quote = 0
        self.line_start = True
        self.row: list[str] | None = None  # the table row being read

    def emit(self, text: str) -> None:
        if self.line_start and text and text != "\n":
            self.out.append("> " * self.quote)
        self.out.append(text)
        self.line_start = text.endswith("\n")

    def block_end(self) -> None:
        if not self.lists:
            self.emit("\n")

    def take(self, token: Token) -> None:
        kind = token.type
        if kind.endswith("_list_open"):
            self.lists.append([int(token.attrGet("start") or 1) if kind[0] == "o" else 0])
        elif kind.endswith("_list_close"):
            self.lists.pop()
            self.block_end()
        elif kind == "list_item_open":
            self._bullet()
        elif kind.startswith("blockquote_"):
            self.quote += 1 if kind.endswith("open") else -1
        elif kind == "inline":
            self._inline(_inline_text(token.children or []))
        elif kind in ("paragraph_close", "heading_close"):
            self.emit("\n")
            if not token.hidden:
                self.block_end()
        elif kind in ("fence", "code_block"):
            self.emit(token.content.removesuffix("\n") + "\n")
            self.block_end()
        elif kind in ("hr", "table_close"):
            self.emit("\n")
        elif kind == "tr_open":
            self.row = []
        elif kind == "tr_close":
            self.emit("\t".join(self.row or []) + "\n")
            self.row = None

    def _bullet(self) -> None:
        number = self.lists[-1] if self.lists else [0]
        indent = "  " * (len(self.lists) - 1)
        self.emit(f"{indent}{number[0]}. " if number[0] else f"{indent}• ")
        if number[0]:
            number[0] += 1
        self.line_start = False

    def _inline(self, text: str) -> None:
        if self.row is not None:
            self.row.append(_tsv_cell(text))
        else:
            self.emit(text.replace("\n", "\n" + "> " * self.quote))


def _inline_text(children: list[Token]) -> str:
    parts: list[str] = []
    href: list[str] = []
    for child in children:
        match child.type:
            case "text" | "code_inline":
                parts.append(child.content)
            case "softbreak" | "hardbreak":
                parts.append("\n")
            case "link_open":
                href.append(str(child.attrGet("href") or ""))
                parts.append("")
            case "link_close":
                address = href.pop() if href else ""
                if address and not "".join(parts).endswith(address):
                    parts.append(f" ({address})")
            case "image":
                parts.append(f"[image: {child.content}]" if child.content else "[image]")
            case _:
                pass
    return "".join(parts)
