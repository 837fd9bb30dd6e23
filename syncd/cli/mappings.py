"""`syncd mappings ...`: see, discover and edit which users, projects and tasks pair up.

The mappings in use are the config's `[mappings]` plus those stored in the
database by `add`, `apply` and `import`; the config wins a clash (see
syncd.core.mapsource). `list`, `suggest` and `export` only read.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
import tomli_w
from sqlalchemy import Engine

from syncd.cli import fail
from syncd.cli.app import AppContext, config_option, pass_app
from syncd.config import Settings
from syncd.core.mapsource import (
    KINDS,
    CsvProblem,
    Entry,
    entries,
    from_csv,
    overridden,
    settings_of,
    to_csv,
)
from syncd.core.suggest import Suggestion
from syncd.exitcodes import ExitCode
from syncd.store import db, mapstore
from syncd.sync import discovery, mapload

OUTPUT = click.option(
    "--output", type=click.Choice(["text", "json"]), default="text", show_default=True
)
KIND = click.Choice(KINDS)


@click.group()
def mappings() -> None:
    """Which MOCO users, projects and tasks pair with which clockodo users, projects, services.

    \b
    The mappings in use: the config's [mappings], plus those stored in the
    database by `add`, `apply` and `import`. The config wins a clash (the
    same MOCO id, or the same clockodo user or project).
    """


def _clockodo_json(kind: str, clockodo: int, customer: int | None) -> Any:
    return {"customer": customer, "project": clockodo} if kind == "project" else clockodo


def _engine(settings: Settings) -> Engine:
    return db.make_engine(settings.database.url)


@mappings.command("list")
@OUTPUT
@config_option
@pass_app
def list_(app: AppContext, output: str) -> None:
    """Each mapping with both sides' names, where it comes from and whether it is in use."""
    settings = app.settings()
    merged = mapload.read(settings)
    accounts = discovery.accounts_of(settings)
    found = discovery.pairs(accounts, merged, settings.mappings, settings.sync.timezone)
    if output == "json":
        items = [
            {
                "kind": p.entry.kind,
                "moco": p.entry.moco,
                "clockodo": _clockodo_json(p.entry.kind, p.entry.clockodo, p.entry.customer),
                "confidence": 1.0,
                "reason": f"mapped in the {p.source}",
                "moco_name": p.moco_name,
                "clockodo_name": p.clockodo_name,
                "source": p.source,
                "in_use": p.in_use,
                "problem": p.problem,
            }
            for p in found
        ]
        click.echo(json.dumps(items, indent=2, ensure_ascii=False))
        return
    for p in found:
        state = "in use" if p.in_use else f"NOT in use: {p.problem}"
        click.echo(
            f"{p.entry.kind:<8} {_side(p.entry.moco, p.moco_name)}  ↔  "
            f"{_side(p.entry.clockodo, p.clockodo_name)}  [{p.source}] {state}"
        )
    if not found:
        click.echo("no mappings yet: try `syncd mappings suggest`")


def _side(ident: int, name: str) -> str:
    return f"{ident} {name}"


def _suggestions(settings: Settings) -> list[Suggestion]:
    merged = mapload.read(settings)
    return discovery.suggestions(discovery.accounts_of(settings), merged)


def _suggestion_json(s: Suggestion) -> dict[str, Any]:
    return {
        "kind": s.kind,
        "moco": s.moco,
        "clockodo": _clockodo_json(s.kind, s.clockodo, s.customer),
        "confidence": s.confidence,
        "reason": s.reason,
        "moco_name": s.moco_name,
        "clockodo_name": s.clockodo_name,
        "confident": s.confident,
    }


def _suggestion_line(s: Suggestion) -> str:
    mark = "✓" if s.confident else "?"
    return (
        f"{mark} {s.kind:<8} {_side(s.moco, s.moco_name)}  ↔  "
        f"{_side(s.clockodo, s.clockodo_name)}  {s.confidence:.2f}  {s.reason}"
    )


@mappings.command()
@OUTPUT
@config_option
@pass_app
def suggest(app: AppContext, output: str) -> None:
    """Pairs found by e-mail, identifier or name among what is not mapped yet.

    ✓ marks confident suggestions (`syncd mappings apply` stores them);
    ? marks unsure ones (a name shared by several records): check them, then
    `syncd mappings add`. Nothing is stored by this command.
    """
    found = _suggestions(app.settings())
    if output == "json":
        click.echo(json.dumps([_suggestion_json(s) for s in found], indent=2, ensure_ascii=False))
        return
    for s in found:
        click.echo(_suggestion_line(s))
    if not found:
        click.echo("nothing to suggest: every active record is mapped or has no partner")


def _entry(s: Suggestion) -> Entry:
    return Entry(s.kind, s.moco, s.clockodo, s.customer)


def _store(settings: Settings, found: list[Entry], source: str) -> int:
    engine = _engine(settings)
    try:
        db.require_current(engine)
        with db.transaction(db.session_factory(engine)) as session:
            return mapstore.put(session, found, source)
    finally:
        engine.dispose()


@mappings.command()
@click.option("--yes", is_flag=True, help="Store without asking (scripts).")
@config_option
@pass_app
def apply(app: AppContext, yes: bool) -> None:
    """Store the confident suggestions, after showing them and asking."""
    settings = app.settings()
    confident = [s for s in _suggestions(settings) if s.confident]
    if not confident:
        click.echo("no confident suggestions")
        return
    for s in confident:
        click.echo(_suggestion_line(s))
    if not yes and not click.confirm(f"Store these {len(confident)} mappings?", default=False):
        click.echo("nothing stored")
        return
    stored = _store(settings, [_entry(s) for s in confident], "apply")
    click.echo(f"stored {stored} mappings (`syncd mappings list` shows them)")


@mappings.command()
@click.argument("kind", type=KIND)
@click.argument("moco", type=click.IntRange(min=1))
@click.argument("clockodo", type=click.IntRange(min=1))
@click.option("--customer", type=click.IntRange(min=1), help="clockodo customer (projects).")
@click.option(
    "--no-check", is_flag=True, help="Store it without looking the ids up in both accounts."
)
@config_option
@pass_app
def add(
    app: AppContext, *, kind: str, moco: int, clockodo: int, customer: int | None, no_check: bool
) -> None:
    """Store one mapping: KIND (user, project, task), the MOCO id, the clockodo id
    (user, project or service; a project also needs --customer). Both ids are looked
    up in the accounts first: an id that does not exist (or is inactive) is refused."""
    if (kind == "project") != (customer is not None):
        raise click.UsageError("--customer is needed for a project, and only for one")
    settings = app.settings()
    entry = Entry(kind, moco, clockodo, customer)  # type: ignore[arg-type]
    if overridden(settings.mappings, [entry]):
        raise click.UsageError(f"the config file maps this {kind} already; change it there")
    named = f"MOCO {moco} ↔ clockodo {clockodo}"
    if not no_check:
        # The entry alone, as `list` would show it: its own ids' problem; what it lacks
        # besides (a task's project mapping) may be added next.
        accounts = discovery.accounts_of(settings)
        zone = settings.sync.timezone
        (pair,) = discovery.pairs(accounts, settings_of([entry]), settings.mappings, zone)
        if pair.problem is not None:
            message = f"{kind} {named}: not stored: {pair.problem} (--no-check stores it anyway)"
            fail(message, ExitCode.CONFIG)
        named = f"MOCO {moco} {pair.moco_name} ↔ clockodo {clockodo} {pair.clockodo_name}"
    _store(settings, [entry], "add")
    click.echo(f"stored: {kind} {named}")


@mappings.command()
@click.argument("kind", type=KIND)
@click.argument("moco", type=click.IntRange(min=1))
@config_option
@pass_app
def remove(app: AppContext, kind: str, moco: int) -> None:
    """Remove a stored mapping (mappings in the config file are removed there)."""
    settings = app.settings()
    engine = _engine(settings)
    try:
        db.require_current(engine)
        with db.transaction(db.session_factory(engine)) as session:
            gone = mapstore.remove(session, kind, moco)
    finally:
        engine.dispose()
    if not gone:
        in_config = any(e.kind == kind and e.moco == moco for e in entries(settings.mappings))
        where = "it is in the config file: remove it there" if in_config else "no such mapping"
        click.echo(f"syncd: {kind} MOCO {moco}: {where}", err=True)
        raise SystemExit(int(ExitCode.CONFIG))
    click.echo(f"removed: {kind} MOCO {moco}")


@mappings.command()
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "toml"]), default="csv", show_default=True
)
@config_option
@pass_app
def export(app: AppContext, fmt: str) -> None:
    """The mappings in use as CSV (for `import`) or as a [mappings] block for the config."""
    settings = app.settings()
    merged = mapload.read(settings)
    if fmt == "csv":
        click.echo(to_csv(entries(merged)), nl=False)
    else:
        click.echo(tomli_w.dumps({"mappings": merged.model_dump()}), nl=False)


@mappings.command("import")
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@config_option
@pass_app
def import_(app: AppContext, file: Path) -> None:
    """Store every mapping of a CSV file (as `export` writes it); one bad line: nothing."""
    try:
        found = from_csv(file.read_text(encoding="utf-8"))
    except CsvProblem as problem:
        click.echo(f"syncd: {file}: {problem}; nothing imported", err=True)
        raise SystemExit(int(ExitCode.CONFIG)) from None
    except UnicodeDecodeError:
        click.echo(f"syncd: {file}: not UTF-8 text; nothing imported", err=True)
        raise SystemExit(int(ExitCode.CONFIG)) from None
    settings = app.settings()
    ignored = overridden(settings.mappings, found)
    stored = _store(settings, found, "import")
    click.echo(f"imported {stored} mappings from {file}")
    if ignored:
        click.echo(f"{len(ignored)} of them are overridden by the config file", err=True)
