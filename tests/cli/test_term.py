"""Rich tables and colour on a terminal only; plain, stable text when piped or NO_COLOR."""

from __future__ import annotations

import io

import pytest

from syncd.cli import term


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


ROWS = [("2026-11-02", "Anna Amsel", "1.00 h"), ("2026-11-03", "Ben", "12.50 h")]


def test_piped_output_is_a_plain_aligned_table() -> None:
    out = io.StringIO()
    term.table(("Day", "Person", "Hours"), ROWS, out)
    assert out.getvalue().splitlines() == [
        "Day         Person      Hours",
        "2026-11-02  Anna Amsel  1.00 h",
        "2026-11-03  Ben         12.50 h",
    ]


def test_a_terminal_gets_a_rich_table_and_coloured_plan_lines(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    out = Terminal()
    term.table(("Day", "Person", "Hours"), ROWS, out)
    assert "┃" in out.getvalue() or "│" in out.getvalue()
    assert "Anna Amsel" in out.getvalue()
    coloured = Terminal()
    term.lines("  + clockodo  new\n  - moco  gone", coloured)
    assert "\x1b[" in coloured.getvalue()


def test_no_color_keeps_a_terminal_plain(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    out = Terminal()
    term.lines("  + clockodo  new", out)
    term.table(("Day",), [("2026-11-02",)], out)
    assert out.getvalue() == "  + clockodo  new\nDay\n2026-11-02\n"
