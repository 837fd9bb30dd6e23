"""`syncd conflicts`: the bookings parked because both sides changed them.

None of these commands takes the writer lock: `list` and `show` only read, and
`resolve` only records the decision, which the writer (a daemon or the next
`run-once`) carries out at the start of its next run.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import fields

import click
from sqlalchemy.orm import Session

from syncd.cli import term
from syncd.cli.app import AppContext, config_option, pass_app
from syncd.cli.render import describe_projection
from syncd.cli.stored import stored_names
from syncd.core.model import Projection, Side
from syncd.core.names import Names
from syncd.exitcodes import ExitCode
from syncd.store import db
from syncd.sync import conflicts as settle
from syncd.sync.conflicts import OpenConflict

KEEP = click.Choice(["moco", "clockodo"])


@contextmanager
def _store(app: AppContext, write: bool = False) -> Iterator[tuple[Session, Names]]:
    """A session on the current schema (committed when ``write``), and stored names."""
    engine = db.make_engine(app.settings().database.url)
    try:
        db.require_current(engine)
        sessions = db.session_factory(engine)
        names = stored_names(sessions)
        if write:
            with db.transaction(sessions) as session:
                yield session, names
        else:
            with sessions() as session:
                yield session, names
    finally:
        engine.dispose()


def _heading(conflict: OpenConflict, names: Names) -> str:
    version = conflict.moco or conflict.clockodo
    who = f"{names.user(version.user)}, {version.date}: " if version else ""
    decided = f"  [decided: keep {conflict.decided}, applied next run]" if conflict.decided else ""
    return (
        f"#{conflict.id}  MOCO {conflict.moco_id} / clockodo {conflict.clockodo_id}  "
        f"{who}{conflict.reason} "
        f"(since {conflict.detected_at:%Y-%m-%d %H:%M} UTC){decided}"
    )


@click.group(invoke_without_command=True)
@config_option
@click.pass_context
def conflicts(ctx: click.Context) -> None:
    """Parked conflicts: list (the default), show, resolve."""
    if ctx.invoked_subcommand is None:
        ctx.invoke(list_conflicts)


@conflicts.command("list")
@config_option
@pass_app
def list_conflicts(app: AppContext) -> None:
    """List open conflicts with both versions of each booking."""
    with _store(app) as (session, names):
        found = settle.open_conflicts(session)
    for conflict in found:
        click.echo(_heading(conflict, names))
        click.echo(f"    MOCO:     {describe_projection(conflict.moco, names)}")
        click.echo(f"    clockodo: {describe_projection(conflict.clockodo, names)}")
    click.echo(f"{len(found)} open conflicts." if found else "No open conflicts.")


def _field_value(name: str, value: object, names: Names) -> str:
    if name == "user":
        return names.user(int(value))  # type: ignore[call-overload]
    if name == "project":
        return names.project(int(value))  # type: ignore[call-overload]
    if name == "task":
        return names.task(int(value))  # type: ignore[call-overload]
    if name == "seconds":
        return f"{int(value) / 3600:.2f} h"  # type: ignore[call-overload]
    return " ".join(str(value).split()) or '""'


def side_by_side(conflict: OpenConflict, names: Names) -> list[tuple[str, str, str, str]]:
    """Each field of both versions in two columns; `*` marks the fields that differ."""
    rows = []
    for spec in fields(Projection):
        pair = [
            "(gone)" if v is None else _field_value(spec.name, getattr(v, spec.name), names)
            for v in (conflict.moco, conflict.clockodo)
        ]
        rows.append(("*" if pair[0] != pair[1] else "", spec.name, pair[0], pair[1]))
    return rows


@conflicts.command()
@click.argument("conflict_id", type=int)
@config_option
@pass_app
def show(app: AppContext, /, conflict_id: int) -> None:
    """Both versions of conflict CONFLICT_ID side by side, differences marked `*`."""
    with _store(app) as (session, names):
        found = {c.id: c for c in settle.open_conflicts(session)}
    conflict = found.get(conflict_id)
    if conflict is None:
        click.echo(f"syncd: no open conflict {conflict_id} (see `syncd conflicts`)", err=True)
        raise SystemExit(int(ExitCode.CONFIG))
    click.echo(_heading(conflict, names))
    click.echo(f"  MOCO activity {conflict.moco_id}, clockodo entry {conflict.clockodo_id}")
    term.table(("", "field", "MOCO", "clockodo"), side_by_side(conflict, names))
    click.echo(f"Settle it: syncd conflicts resolve {conflict_id} --keep moco|clockodo")


@conflicts.command()
@click.argument("conflict_id", type=int, required=False)
@click.option("--all", "every", is_flag=True, help="Settle every open conflict the same way.")
@click.option("--keep", type=KEEP, required=True, help="The side that wins.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation (with --all).")
@config_option
@pass_app
def resolve(app: AppContext, /, conflict_id: int | None, every: bool, keep: str, yes: bool) -> None:
    """Settle conflict CONFLICT_ID (or --all): recorded now, written by the next run."""
    if (conflict_id is None) == (not every):
        raise click.UsageError("give a CONFLICT_ID or --all, not both")
    side = Side(keep)
    with _store(app, write=True) as (session, _):
        if conflict_id is not None:
            ids = [conflict_id]
        else:
            ids = [c.id for c in settle.open_conflicts(session)]
            if ids and not yes:
                click.confirm(f"Keep the {keep} version of {len(ids)} conflicts?", abort=True)
        try:
            for one in ids:
                settle.decide(session, one, side)
        except settle.ConflictNotFound as exc:
            click.echo(f"syncd: {exc}", err=True)
            raise SystemExit(int(ExitCode.CONFIG)) from None
    for one in ids:
        click.echo(f"Conflict #{one}: keep {keep}, recorded; the next run writes it.")
    if not ids:
        click.echo("No open conflicts.")
