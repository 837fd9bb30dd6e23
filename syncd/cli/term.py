"""Terminal output: tables and colour through rich on a terminal, plain text when
piped or when NO_COLOR is set (https://no-color.org), so scripts and logs get
stable, uncoloured lines."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import TextIO

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

# The style of a plan line by its first symbol (create, update, delete, conflict, skip).
LINE_STYLES = {"+": "green", "~": "yellow", "-": "red", "!": "magenta", "=": "dim"}


def rich_wanted(stream: TextIO | None = None) -> bool:
    out = stream or sys.stdout
    return out.isatty() and not os.environ.get("NO_COLOR")


def console(stream: TextIO | None = None) -> Console:
    return Console(file=stream or sys.stdout, highlight=False, soft_wrap=True)


def plain_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """Columns padded to their widest cell; the last column is not padded."""
    width = [max(len(row[i]) for row in [headers, *rows]) for i in range(len(headers))]
    return [
        "  ".join(cell.ljust(width[i]) for i, cell in enumerate(row)).rstrip()
        for row in [headers, *rows]
    ]


def table(
    headers: Sequence[str], rows: Sequence[Sequence[str]], stream: TextIO | None = None
) -> None:
    """A table: rich on a terminal, plain aligned text otherwise."""
    if not rich_wanted(stream):
        for line in plain_table(headers, rows):
            click.echo(line, file=stream)
        return
    shown = Table(*headers, header_style="bold")
    for row in rows:
        shown.add_row(*row)
    console(stream).print(shown)


def lines(text: str, stream: TextIO | None = None) -> None:
    """Plan-style lines, coloured by their leading symbol on a terminal."""
    if not rich_wanted(stream):
        click.echo(text, file=stream)
        return
    out = console(stream)
    for line in text.splitlines():
        symbol = line.strip()[:1]
        out.print(Text(line, style=LINE_STYLES.get(symbol, "")))
