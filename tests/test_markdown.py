"""Model output rendered as safe HTML for QTextDocument (app.core.markdown)."""

from __future__ import annotations

import re
from html import escape

import pytest

from app.core.markdown import (
    CODE_TABLE,
    MAX_TABLE_CELLS,
    MAX_TABLE_COLUMNS,
    MAX_TABLE_ROWS,
    TABLE_OPEN,
    cap_nesting,
    close_open_markup,
    highlight_code,
    render_markdown,
)


def _tags(html: str) -> set[str]:
    return {tag.lower() for tag in re.findall(r"<\s*([a-zA-Z][a-zA-Z0-9]*)", html)}


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        '<iframe src="http://127.0.0.1/"></iframe>',
        '<img src="http://127.0.0.1/x.png">',
        '<img src=http://127.0.0.1/x.png onerror="alert(1)">',
        "<style>body { background: url(http://127.0.0.1/) }</style>",
        '<link rel="stylesheet" href="http://127.0.0.1/s.css">',
        '<a href="javascript:alert(1)">x</a>',
    ],
)
def test_raw_html_comes_out_as_escaped_text(hostile: str) -> None:
    html = render_markdown(f"Before {hostile} after\n\n{hostile}\n")
    assert _tags(html) <= {"p"}
    assert "&lt;" in html


def test_images_never_become_img_tags() -> None:
    html = render_markdown(
        '![a chart](http://127.0.0.1:9/x.png "title") and '
        "![](https://example.com/y.png)\n\n[![inner](http://x/i.png)](https://example.com)"
    )
    assert "<img" not in html.lower()
    assert "[image: a chart — url not loaded]" in html
    assert "[image — url not loaded]" in html
    assert "127.0.0.1" not in html


@pytest.mark.parametrize(
    ("source", "href"),
    [
        ("[site](https://example.com/a?b=1&c=2)", "https://example.com/a?b=1&amp;c=2"),
        ("[site](http://example.com)", "http://example.com"),
        ("[mail](mailto:someone@example.com)", "mailto:someone@example.com"),
        ("<https://example.com/auto>", "https://example.com/auto"),
    ],
)
def test_web_and_mail_links_stay_links(source: str, href: str) -> None:
    assert f'<a href="{href}">' in render_markdown(source)


@pytest.mark.parametrize(
    "source",
    [
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x](file:///etc/passwd)",
        "[x](data:text/html;base64,PHNjcmlwdD4=)",
        "[x](vbscript:msgbox)",
        "[x](relative/page.html)",
        "[x](/absolute/page)",
        "[x](ftp://example.com/file)",
        "<file:///etc/passwd>",
        "[x](action:retry:abc)",  # the view's own action links cannot be forged
        "[x](action:copy-code:0)",
        "[x](thumb:abc)",
    ],
)
def test_other_link_schemes_are_plain_text(source: str) -> None:
    html = render_markdown(source)
    assert "<a" not in html
    assert "x" in html or "passwd" in html


def test_fenced_code_is_highlighted_with_inline_styles() -> None:
    html = render_markdown("```python\ndef f(x):\n    return x + 1\n```\n")
    assert html.startswith(CODE_TABLE)  # one bordered panel, long lines wrap inside it
    assert '<p class="code-actions">python</p><pre>' in html
    assert 'style="color:' in html
    assert "class=" not in html.replace(CODE_TABLE, "").replace('class="code-actions"', "")
    plain = re.sub(r"<[^>]+>", "", html)
    assert "def f(x):\n    return x + 1" in plain


def test_unknown_language_falls_back_to_escaped_plain_code() -> None:
    html = render_markdown("```no-such-language\nif a < b && c:\n```\n")
    assert "<pre>if a &lt; b &amp;&amp; c:</pre>" in html


def test_indented_code_and_highlight_code() -> None:
    assert "<pre>plain &lt;code&gt;</pre>" in render_markdown("    plain <code>\n")
    assert highlight_code("def f(): pass\n", "python").startswith("<pre><span style=")
    assert highlight_code("<b>", None) == "<pre>&lt;b&gt;</pre>\n"
    assert highlight_code("<b>", "definitely-unknown") == "<pre>&lt;b&gt;</pre>\n"
    assert highlight_code("x = 1", "python", dark=True) != highlight_code("x = 1", "python")


def test_code_sink_gets_each_block_and_adds_a_copy_link() -> None:
    seen: list[str] = []

    def sink(code: str) -> str:
        seen.append(code)
        return f"action:copy-code:{len(seen) - 1}"

    html = render_markdown("```js\nlet a = 1;\nlet b = 2;\n```\n\ntext\n\n    indented\n", sink)
    assert seen == ["let a = 1;\nlet b = 2;", "indented"]
    assert '<a class="act" href="action:copy-code:0">Copy code</a>' in html
    assert '<a class="act" href="action:copy-code:1">Copy code</a>' in html


def test_tables_strikethrough_and_lists() -> None:
    html = render_markdown("| a | b |\n|--:|:--|\n| 1 | ~~2~~ |\n\n- one\n- two\n\n1. x\n")
    assert html.startswith(TABLE_OPEN)  # one collapsed border
    assert '<th align="right">a</th>' in html
    assert '<td align="left"><s>2</s></td>' in html
    assert "<ul>" in html
    assert "<ol>" in html
    assert "style=" not in html.replace(TABLE_OPEN, "")


def test_one_megabyte_single_line_is_plain_text() -> None:
    # Past MAX_INLINE a paragraph skips the inline rules (some are quadratic): no markup at all.
    html = render_markdown("word *emphasis* [link](https://e.com) " * 26_000)
    assert html.count("word") == 26_000
    assert "<em>" not in html
    assert "<a " not in html


@pytest.mark.parametrize(
    "text",
    [
        "[" * 200_000,
        "![" * 100_000,
        "*a" * 100_000,
        "&#" * 100_000,
    ],
)
def test_pathological_single_lines_are_plain_text(text: str) -> None:
    assert render_markdown(text) == f"<p>{escape(text, quote=False)}</p>\n"


def test_deeply_nested_lists_keep_every_word() -> None:
    text = "".join("  " * depth + f"- item {depth}\n" for depth in range(500)) + "\nafter\n"
    html = render_markdown(text)
    assert all(f"item {depth}<" in html or f"item {depth}\n" in html for depth in range(500))
    assert "after" in html
    assert html.count("<ul>") <= 20


@pytest.mark.parametrize(
    "text",
    [
        "- " * 500 + "deep\n\nafter\n",
        ">" * 2000 + " deep\n\nafter\n",
        "".join("   " * depth + "1. x\n" for depth in range(300)) + "after\n",
    ],
)
def test_other_deep_nesting_renders(text: str) -> None:
    html = render_markdown(text)
    assert "after" in html


def test_cap_nesting_flattens_only_what_is_too_deep() -> None:
    assert cap_nesting("- a\n  - b\n") == "- a\n  - b\n"
    capped = cap_nesting(" " * 100 + "- deep\n" + "- " * 50 + "x")
    first, second = capped.split("\n")
    assert first == " " * 24 + "- deep"
    assert second == "- " * 6 + "x"


def test_huge_tables_are_cut_with_a_note() -> None:
    rows = "".join(f"| {r} | 2 | 3 |\n" for r in range(5_000))
    long_table = "| a | b | c |\n|---|---|---|\n" + rows
    html = render_markdown(long_table)
    assert html.count("<tr") == 1 + MAX_TABLE_ROWS
    assert "<td>199</td>" in html
    assert "<td>200</td>" not in html
    assert html.endswith(
        '<p class="meta">Table cut to the first 200 of 5,000 rows — '
        "Copy the reply for all of it.</p>\n"
    )

    wide_table = "|" + "h|" * 500 + "\n|" + "-|" * 500 + "\n" + ("|" + "x|" * 500 + "\n") * 20
    html = render_markdown(wide_table)
    assert html.count("<th>") == MAX_TABLE_COLUMNS
    assert html.count("<td>") == MAX_TABLE_COLUMNS * 20
    assert "the first 40 of 500 columns" in html


def test_tables_share_one_cell_budget() -> None:
    table = "| a | b | c | d |\n|---|---|---|---|\n" + "| 1 | 2 | 3 | 4 |\n" * 250
    html = render_markdown("\n".join([table] * 4))
    assert html.count("<td>") <= MAX_TABLE_CELLS + 4 * 4  # later tables keep at least a row
    assert html.count("<table") == 4
    assert html.count("Table cut to") == 4
    assert "the first 1 of 250 rows" in html


def test_small_tables_are_whole() -> None:
    table = "| a | b |\n|---|---|\n" + "| 1 | 2 |\n" * MAX_TABLE_ROWS
    html = render_markdown(table + "\nafter\n")
    assert html.count("<tr") == 1 + MAX_TABLE_ROWS
    assert "Table cut" not in html
    assert html.endswith("<p>after</p>\n")


@pytest.mark.parametrize(
    ("tail", "shown"),
    [
        ("Hello **wor", "Hello **wor**"),
        ("Hello **", "Hello"),
        ("a *b", "a *b*"),
        ("x `code", "x `code`"),
        ("snake_case here", "snake_case here"),
        ("2 * 3 = 6", "2 * 3 = 6"),
        ("* item **bo", "* item **bo**"),
        ("**a** and **b", "**a** and **b**"),
        ("see [the docs](https://exa", "see the docs"),
        ("para\n\n~~gone", "para\n\n~~gone~~"),
        ("***both", "***both***"),
        ("```py\nx = '**", "```py\nx = '**"),
    ],
)
def test_a_streaming_tail_closes_its_open_markup(tail: str, shown: str) -> None:
    assert close_open_markup(tail) == shown
    assert "**" not in re.sub(r"<pre>.*</pre>", "", render_markdown(close_open_markup(tail)))


def test_table_rows_alternate_for_zebra_stripes() -> None:
    html = render_markdown("| a |\n|---|\n| 1 |\n| 2 |\n| 3 |\n")
    assert re.findall(r"<tr[^>]*>", html) == ["<tr>", "<tr>", '<tr class="z">', "<tr>"]
