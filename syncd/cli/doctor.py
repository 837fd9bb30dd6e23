"""`syncd doctor`: is everything in place for a first sync? One table of checks.

Read-only: it reads both accounts' master data and the database's schema
version, and never creates a database or takes the writer lock.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import click

from syncd import config, log
from syncd.adapters.advice import explain, find_api_error, hint
from syncd.adapters.clockodo.client import ClockodoClient
from syncd.adapters.errors import ApiError, AuthError
from syncd.adapters.moco.client import MocoClient
from syncd.cli.app import AppContext, config_option, pass_app
from syncd.config import MappingSettings, Settings
from syncd.exitcodes import ExitCode
from syncd.store import db
from syncd.sync import discovery, mapload
from syncd.sync.masterdata import Accounts, read_accounts

MANAGING_ROLES = frozenset({"owner", "manager"})


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    hint: str = ""


def _api_checks(side: str, probe: Callable[[], str]) -> list[Check]:
    """Reachable, then authenticated: a 401/403 proves the API answered."""
    label = "MOCO" if side == "moco" else "clockodo"
    try:
        detail = probe()
    except ApiError as error:
        if isinstance(error, AuthError):
            return [
                Check(f"{label} API reachable", True, "it answered"),
                Check(f"{label} key accepted", False, str(error), hint(error)),
            ]
        return [Check(f"{label} API reachable", False, str(error), hint(error))]
    return [
        Check(f"{label} API reachable", True, "it answered"),
        Check(f"{label} key accepted", True, detail),
    ]


def _moco_permission(moco: MocoClient, settings: Settings, mapped: list[int]) -> Check:
    """Booking for the mapped people needs impersonation (Staff rights) of each of them."""
    name = "MOCO may book as mapped users"
    me = moco.session().id
    others = [user for user in mapped if user != me]
    for user in others:
        try:
            moco.profile(impersonate=user)
        except AuthError as error:
            return Check(name, False, f"as user {user}: {error}", hint(error))
    if not others:
        return Check(name, True, "no mapped user to book for yet")
    return Check(name, True, f"impersonation works for {len(others)} users")


def _clockodo_permission(clockodo: ClockodoClient) -> Check:
    name = "clockodo sees all entries"
    me = clockodo.me()
    if (me.role or "") in MANAGING_ROLES:
        return Check(name, True, f"{me.name} is {me.role}")
    return Check(
        name,
        False,
        f"{me.name} is {me.role or 'a user without a role'}",
        "use an API user who sees and edits every user's entries (the owner or a manager)",
    )


def _database(settings: Settings) -> Check:
    name = "database schema current"
    engine = db.make_engine(settings.database.url)
    where = db.safe_url(engine)
    try:
        missing = db.missing_file(engine)
        if missing is not None:
            return Check(name, False, f"{missing} does not exist", "run `syncd db upgrade`")
        current, head = db.current_revision(engine), db.head_revision(engine)
    except Exception as exc:  # any failure to reach the database is the finding
        text = log.redact(" ".join(str(exc).split())[:200])
        return Check("database reachable", False, f"{where}: {text}", "check [database] url")
    finally:
        engine.dispose()
    if current != head:
        return Check(
            name, False, f"{where} at {current or 'empty'}, newest {head}", "run `syncd db upgrade`"
        )
    return Check(name, True, f"{where} at {current}")


def _merged(settings: Settings) -> MappingSettings:
    try:
        return mapload.read(settings)
    except Exception:  # the database check reports why
        return settings.mappings


def _mapping_checks(settings: Settings, accounts: Accounts) -> list[Check]:
    merged = _merged(settings)
    pairs = discovery.pairs(accounts, merged, settings.mappings, settings.sync.timezone)
    checks = [
        Check(
            f"mapping {p.entry.kind} {p.entry.moco} ↔ {p.entry.clockodo}",
            p.in_use,
            f"{p.moco_name} ↔ {p.clockodo_name} [{p.source}]",
            "" if p.in_use else f"{p.problem}: fix or remove the mapping",
        )
        for p in pairs
    ]
    if not pairs:
        checks.append(
            Check("mappings", False, "none", "try `syncd mappings suggest`, then `apply`")
        )
    return checks


def run_checks(settings: Settings) -> list[Check]:
    with discovery.clients(settings) as (moco, clockodo):
        apis = _api_checks("moco", lambda: f"as user {moco.session().id}")
        apis += _api_checks("clockodo", lambda: f"as {clockodo.me().name}")
        checks = [Check("config", True, "valid"), *apis, _database(settings)]
        if all(c.ok for c in apis):
            checks += _account_checks(settings, moco, clockodo)
    return checks


def _account_checks(settings: Settings, moco: MocoClient, clockodo: ClockodoClient) -> list[Check]:
    try:
        accounts = read_accounts(moco, clockodo)
        active = {u.id for u in accounts.moco_users.values() if u.active}
        mapped = [u.moco for u in _merged(settings).users if u.moco in active]
        checks = [_moco_permission(moco, settings, mapped), _clockodo_permission(clockodo)]
    except Exception as exc:
        error = find_api_error(exc)
        if error is None:
            raise
        return [Check("master data readable", False, explain(error), hint(error))]
    return checks + _mapping_checks(settings, accounts)


def _table(checks: list[Check]) -> str:
    width = max(len(c.name) for c in checks)
    lines = []
    for c in checks:
        lines.append(f"{'✓' if c.ok else '✗'} {c.name:<{width}}  {c.detail}")
        if not c.ok and c.hint:
            lines.append(f"  {'':<{width}}  → {c.hint}")
    failed = sum(not c.ok for c in checks)
    lines.append("all checks passed" if not failed else f"{failed} of {len(checks)} checks failed")
    return "\n".join(lines)


@click.command()
@click.option("--output", type=click.Choice(["text", "json"]), default="text", show_default=True)
@config_option
@pass_app
def doctor(app: AppContext, output: str) -> None:
    """Check the config, both APIs and keys, permissions, the database and every mapping.

    Exit 0 only when every check passes (1 otherwise). Writes nothing.
    """
    try:
        settings = app.settings()
    except config.ConfigError as problem:
        checks = [Check("config", False, str(problem), "fix the config (see config.example.toml)")]
    else:
        checks = run_checks(settings)
    if output == "json":
        items: list[dict[str, Any]] = [asdict(c) for c in checks]
        click.echo(json.dumps(items, indent=2, ensure_ascii=False))
    else:
        click.echo(_table(checks))
    if not all(c.ok for c in checks):
        raise SystemExit(int(ExitCode.FAILED))
