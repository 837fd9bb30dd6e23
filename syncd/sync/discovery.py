"""Mappings seen against both accounts: names for each pair, whether the engine
would use it, and suggestions (the I/O side of syncd.core.suggest)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from syncd.adapters.clockodo.client import ClockodoClient
from syncd.adapters.moco.client import MocoClient
from syncd.config import MappingSettings, Settings
from syncd.core import model as core
from syncd.core.mapsource import Entry, entries
from syncd.core.suggest import Catalog, Record, Suggestion, suggest
from syncd.sides.factory import Hooks, build_clients
from syncd.sync.masterdata import Accounts, build_mappings, read_accounts


@contextmanager
def clients(settings: Settings) -> Iterator[tuple[MocoClient, ClockodoClient]]:
    moco, clockodo = build_clients(settings, Hooks(lambda _: None))
    with moco, clockodo:
        yield moco, clockodo


def accounts_of(settings: Settings) -> Accounts:
    with clients(settings) as (moco, clockodo):
        return read_accounts(moco, clockodo)


def catalog(accounts: Accounts, configured: MappingSettings) -> Catalog:
    customers = {c.id: c.name for c in accounts.clockodo_customers.values() if c.active}
    return Catalog(
        moco_users=tuple(
            Record(u.id, f"{u.firstname} {u.lastname}", u.active, u.email)
            for u in accounts.moco_users.values()
        ),
        clockodo_users=tuple(
            Record(u.id, u.name, u.active, u.email) for u in accounts.clockodo_users.values()
        ),
        moco_projects=tuple(
            Record(
                p.id,
                p.name,
                p.active and not p.archived_on,
                number=p.identifier,
                owner=p.customer.id,
                owner_name=p.customer.name or "",
            )
            for p in accounts.moco_projects.values()
        ),
        clockodo_projects=tuple(
            Record(
                p.id,
                p.name,
                p.active and not p.completed and p.customers_id in customers,
                number=p.number,
                owner=p.customers_id,
                owner_name=customers.get(p.customers_id, ""),
            )
            for p in accounts.clockodo_projects.values()
        ),
        moco_tasks=tuple(
            Record(t.id, t.name, t.active and p.active and not p.archived_on, owner=p.id)
            for p in accounts.moco_projects.values()
            for t in p.tasks
        ),
        clockodo_services=tuple(
            Record(s.id, s.name, s.active) for s in accounts.clockodo_services.values()
        ),
        mapped_users={u.moco: u.clockodo for u in configured.users},
        mapped_projects={p.moco: p.clockodo_project for p in configured.projects},
        mapped_tasks={t.moco: t.clockodo_service for t in configured.tasks},
    )


def suggestions(accounts: Accounts, configured: MappingSettings) -> list[Suggestion]:
    return suggest(catalog(accounts, configured))


@dataclass(frozen=True)
class Pair:
    """One mapping in use or configured, as `syncd mappings list` shows it."""

    entry: Entry
    moco_name: str
    clockodo_name: str
    source: str  # config or store
    problem: str | None  # why the engine leaves it out (None: in use)

    @property
    def in_use(self) -> bool:
        return self.problem is None


def names(entry: Entry, accounts: Accounts) -> tuple[str, str]:
    """Both sides' names of a mapping ("?" for what does not exist)."""
    if entry.kind == "user":
        mu, cu = accounts.moco_users.get(entry.moco), accounts.clockodo_users.get(entry.clockodo)
        return (f"{mu.firstname} {mu.lastname}" if mu else "?", cu.name if cu else "?")
    if entry.kind == "project":
        mp = accounts.moco_projects.get(entry.moco)
        cp = accounts.clockodo_projects.get(entry.clockodo)
        customer = accounts.clockodo_customers.get(entry.customer or 0)
        moco = f"{mp.identifier or ''} {mp.name} ({mp.customer.name})".strip() if mp else "?"
        clockodo = f"{customer.name if customer else '?'} / {cp.name if cp else '?'}"
        return moco, clockodo
    found = accounts.moco_task(entry.moco)
    service = accounts.clockodo_services.get(entry.clockodo)
    moco = f"{found[0].name}: {found[1].name}" if found else "?"
    return moco, service.name if service else "?"


def pairs(
    accounts: Accounts, merged: MappingSettings, configured: MappingSettings, zone: str
) -> list[Pair]:
    """Every merged mapping with its names, its source and its problem (if any)."""
    built, problems = build_mappings(merged, accounts, zone)
    by_position = dict(
        problem.split(": ", 1) for problem in problems if problem.startswith("mappings.")
    )
    from_config = set(entries(configured))
    counters = {"user": 0, "project": 0, "task": 0}
    found = []
    for entry in entries(merged):
        position = f"mappings.{entry.kind}s[{counters[entry.kind]}]"
        counters[entry.kind] += 1
        moco_name, clockodo_name = names(entry, accounts)
        source = "config" if entry in from_config else "store"
        problem = by_position.get(position)
        if problem is None and not _unambiguous(entry, built):
            problem = "another mapping claims the same id on one side"
        found.append(Pair(entry, moco_name, clockodo_name, source, problem))
    return found


def _unambiguous(entry: Entry, built: core.Mappings) -> bool:
    """Whether the engine can look this mapping up from both sides (an id mapped
    twice is used by neither mapping)."""
    if entry.kind == "user":
        user = built.user_by_moco(entry.moco)
        return user is not None and built.user_by_clockodo(entry.clockodo) == user
    if entry.kind == "project":
        project = built.project_by_moco(entry.moco)
        return project is not None and built.project_by_clockodo(entry.clockodo) == project
    task = built.task_by_moco(entry.moco)
    return task is not None and task.clockodo_service == entry.clockodo
