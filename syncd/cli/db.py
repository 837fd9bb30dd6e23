"""`syncd db ...`: schema migrations of the store."""

from __future__ import annotations

import click

from syncd.cli.app import AppContext, config_option, pass_app
from syncd.store import db as store_db


@click.group()
def db() -> None:
    """Manage the database schema (Alembic migrations)."""


@db.command()
@config_option
@pass_app
def upgrade(app: AppContext) -> None:
    """Migrate the database to the newest schema."""
    engine = store_db.make_engine(app.settings().database.url)
    before = store_db.current_revision(engine)
    store_db.upgrade(engine)
    after = store_db.current_revision(engine)
    where = store_db.safe_url(engine)
    if before == after:
        click.echo(f"{where}: schema already current ({after})")
    else:
        click.echo(f"{where}: schema upgraded from {before or 'empty'} to {after}")


@db.command()
@config_option
@pass_app
def current(app: AppContext) -> None:
    """Show the database's schema revision and the newest one."""
    engine = store_db.make_engine(app.settings().database.url)
    missing = store_db.missing_file(engine)
    if missing is not None:
        click.echo(f"{missing}: no database yet (`syncd db upgrade` creates it)")
        return
    now, head = store_db.current_revision(engine), store_db.head_revision(engine)
    state = "current" if now == head else "out of date: run `syncd db upgrade`"
    click.echo(f"{store_db.safe_url(engine)}: at {now or 'empty'}, newest {head} ({state})")
