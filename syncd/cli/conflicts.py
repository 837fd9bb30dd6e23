"""`syncd conflicts`: the bookings parked because both sides changed them."""

from __future__ import annotations

import click

from syncd.cli.app import AppContext, config_option, pass_app
from syncd.cli.render import describe_projection
from syncd.core.model import Side
from syncd.exitcodes import ExitCode
from syncd.store import db
from syncd.store.lock import HeldLock, writer_lock
from syncd.sync import conflicts as settle


@click.group(invoke_without_command=True)
@config_option
@click.pass_context
def conflicts(ctx: click.Context) -> None:
    """List parked conflicts (both versions of each booking)."""
    if ctx.invoked_subcommand is not None:
        return
    app = ctx.find_object(AppContext)
    assert app is not None
    engine = db.make_engine(app.settings().database.url)
    db.require_current(engine)
    with db.session_factory(engine)() as session:
        found = settle.open_conflicts(session)
    engine.dispose()
    for conflict in found:
        click.echo(
            f"#{conflict.id}  MOCO {conflict.moco_id} / clockodo {conflict.clockodo_id}: "
            f"{conflict.reason} (since {conflict.detected_at:%Y-%m-%d %H:%M} UTC)"
        )
        click.echo(f"    MOCO:     {describe_projection(conflict.moco)}")
        click.echo(f"    clockodo: {describe_projection(conflict.clockodo)}")
    click.echo(f"{len(found)} open conflicts." if found else "No open conflicts.")


@conflicts.command()
@click.argument("conflict_id", type=int)
@click.option(
    "--keep", type=click.Choice(["moco", "clockodo"]), required=True, help="The side that wins."
)
@config_option
@pass_app
def resolve(app: AppContext, /, conflict_id: int, keep: str) -> None:
    """Settle conflict CONFLICT_ID; the next run writes the winning version."""
    engine = db.make_engine(app.settings().database.url)
    db.require_current(engine)
    side = Side(keep)
    try:
        # Under the writer lock: a run in flight could otherwise undo the decision.
        with (
            HeldLock(writer_lock(engine), wait=60),
            db.transaction(db.session_factory(engine)) as session,
        ):
            outcome = settle.resolve(session, conflict_id, side)
    except settle.ConflictNotFound as exc:
        click.echo(f"syncd: {exc}", err=True)
        raise SystemExit(int(ExitCode.CONFIG)) from None
    finally:
        engine.dispose()
    click.echo(f"Conflict #{conflict_id} settled: {outcome} on the next run.")
