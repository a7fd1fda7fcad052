"""A message as plain text, and its tables as TSV for a spreadsheet."""

from __future__ import annotations

from app.core.copy_text import plain_text, table_tsv, tables_in

REPLY = """# Findings

Some **bold**, *slanted* and `code` with [the docs](https://docs.x.ai).

- one
- two
  1. first
  2. second

> quoted *text*
> more

| Name | Size |
|---|---:|
| a.png | 12 |
| b \\| c | **3** |

```python
x = 1
```

| k | v |
|---|---|
| tab\there | 2 |
"""


def test_plain_text_keeps_what_a_reader_sees() -> None:
    assert plain_text(REPLY) == (
        "Findings\n\n"
        "Some bold, slanted and code with the docs (https://docs.x.ai).\n\n"
        "• one\n• two\n  1. first\n  2. second\n\n"
        "> quoted text\n> more\n\n"
        "Name\tSize\na.png\t12\nb | c\t3\n\n"
        "x = 1\n\n"
        "k\tv\ntab here\t2\n"
    )


def test_a_link_that_shows_its_address_is_not_doubled() -> None:
    assert plain_text("See <https://x.ai>.") == "See https://x.ai.\n"


def test_tables_as_tsv_the_one_asked_for_or_the_first() -> None:
    assert len(tables_in(REPLY)) == 2
    first = "Name\tSize\na.png\t12\nb | c\t3\n"
    assert table_tsv(REPLY) == first
    assert table_tsv(REPLY, 1) == "k\tv\ntab here\t2\n"  # a tab in a cell never splits it
    assert table_tsv(REPLY, 7) == first
    assert table_tsv("no table here") is None


def test_empty_text() -> None:
    assert plain_text("") == ""
