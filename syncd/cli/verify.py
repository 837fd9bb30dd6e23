"""`syncd verify`: do both tools' totals agree? Reads only (no lock), so it runs
beside a daemon. Exit 0 when every mapped total agrees, 1 when one differs."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from typing import Any

import click

from syncd.cli import term
from syncd.cli.app import AppContext, config_option, pass_app
from syncd.core.names import Names
from syncd.core.verify import Period, Row, compare, differing
from syncd.exitcodes import ExitCode
from syncd.sync.engine import local_today
from syncd.sync.verify import read_totals

COLUMNS = (
    "period",
    "moco_user",
    "moco_user_name",
    "moco_project",
    "moco_project_name",
    "moco_task",
    "moco_task_name",
    "moco_seconds",
    "clockodo_seconds",
    "difference_seconds",
    "reason",
    "mapped",
)


def _row(row: Row, names: Names) -> dict[str, Any]:
    def named(value: int | None, name: Any) -> str | None:
        return None if value is None else str(name(value))

    return {
        "period": row.period,
        "moco_user": row.moco_user,
        "moco_user_name": named(row.moco_user, names.user),
        "moco_project": row.moco_project,
        "moco_project_name": named(row.moco_project, names.project),
        "moco_task": row.moco_task,
        "moco_task_name": named(row.moco_task, names.task),
        "moco_seconds": row.moco_seconds,
        "clockodo_seconds": row.clockodo_seconds,
        "difference_seconds": row.difference_seconds,
        "reason": row.reason,
        "mapped": row.mapped,
    }


def _matches(row: Row, names: Names, users: tuple[str, ...], projects: tuple[str, ...]) -> bool:
    def hit(value: int | None, name: Any, wanted: tuple[str, ...]) -> bool:
        if not wanted:
            return True
        text = "" if value is None else f"{value} {name(value)}".lower()
        return any(w.lower() in text for w in wanted)

    return hit(row.moco_user, names.user, users) and hit(row.moco_project, names.project, projects)


def _hours(seconds: int) -> str:
    return f"{seconds / 3600:.2f} h"


HEADERS = ("Period", "Person", "Project / task", "MOCO", "clockodo", "Diff", "Reason")


def _cells(r: dict[str, Any]) -> tuple[str, ...]:
    return (
        r["period"],
        r["moco_user_name"] or "-",
        f"{r['moco_project_name'] or '-'} / {r['moco_task_name'] or '-'}",
        _hours(r["moco_seconds"]),
        _hours(r["clockodo_seconds"]),
        f"{r['difference_seconds'] / 3600:+.2f} h",
        r["reason"] or "",
    )


@click.command("verify")
@click.option("--from", "first", type=click.DateTime(["%Y-%m-%d"]), help="First day.")
@click.option("--to", "last", type=click.DateTime(["%Y-%m-%d"]), help="Last day (default today).")
@click.option("--by", type=click.Choice(["day", "week", "month"]), default="day", show_default=True)
@click.option("--user", "users", multiple=True, help="Only this MOCO person (id or name part).")
@click.option("--project", "projects", multiple=True, help="Only this MOCO project (id or name).")
@click.option("--all", "every", is_flag=True, help="List the agreeing totals too.")
@click.option(
    "--output", type=click.Choice(["text", "json", "csv"]), default="text", show_default=True
)
@config_option
@pass_app
def verify(app: AppContext, /, **given: Any) -> None:
    """Compare both tools' totals per person, project, task and period.

    MOCO activities are summed; clockodo's come from its own aggregate
    (entry groups). Rows that differ are listed with the reason syncd knows.
    Exit 0 when every mapped total agrees, 1 when one differs.
    """
    settings = app.settings()
    last = given["last"].date() if given["last"] else local_today(settings)
    first = given["first"].date() if given["first"] else last - timedelta(settings.sync.window_days)
    if first > last:
        raise click.UsageError("--from is after --to")
    by: Period = given["by"]
    totals = read_totals(settings, first, last)
    names = totals.names
    rows = [
        r
        for r in compare(totals.moco, totals.clockodo, by, totals.reasons)
        if _matches(r, names, given["users"], given["projects"])
    ]
    differ = differing(rows)
    agree = all(r.agrees or not r.mapped for r in rows)
    shown = [_row(r, names) for r in (rows if given["every"] else differ)]
    print_result(given["output"], shown, agree, rows, f"{first} .. {last} by {by}")
    raise SystemExit(int(ExitCode.OK if agree else ExitCode.FAILED))


def print_result(
    output: str, shown: list[dict[str, Any]], agree: bool, rows: list[Row], span: str
) -> None:
    if output == "json":
        moco, clockodo = sum(r.moco_seconds for r in rows), sum(r.clockodo_seconds for r in rows)
        body = {"agree": agree, "span": span, "totals": len(rows), "moco_seconds": moco}
        body |= {"clockodo_seconds": clockodo, "rows": shown}
        click.echo(json.dumps(body, indent=2))
        return
    if output == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(shown)
        click.echo(buffer.getvalue(), nl=False)
        return
    if shown:
        term.table(HEADERS, [_cells(r) for r in shown])
        click.echo("")
    click.echo(summary_line(rows, agree, span))


def summary_line(rows: list[Row], agree: bool, span: str) -> str:
    """E.g. ``42 totals (2026-11-02 .. 2026-11-30 by day): all mapped totals agree.``"""
    moco, clockodo = sum(r.moco_seconds for r in rows), sum(r.clockodo_seconds for r in rows)
    unmapped = sum(1 for r in rows if not r.agrees and not r.mapped)
    differ = sum(1 for r in rows if not r.agrees and r.mapped)
    verdict = "all mapped totals agree" if agree else f"{differ} mapped totals differ"
    if unmapped:
        verdict += f" ({unmapped} unmapped ones differ)"
    return (
        f"{len(rows)} totals ({span}): {verdict}. MOCO {_hours(moco)}, clockodo {_hours(clockodo)}."
    )


def verify_text(rows: list[Row], names: Names, span: str) -> list[str]:
    """The differing rows as a plain table and the summary (what the demo shows)."""
    shown = [_row(r, names) for r in differing(rows)]
    agree = all(r.agrees or not r.mapped for r in rows)
    table = [*term.plain_table(HEADERS, [_cells(r) for r in shown]), ""] if shown else []
    return [*table, summary_line(rows, agree, span)]
