"""Master data kept in the store between runs, so that a poll with nothing to do
reads bookings only (design §5).

Users, projects with their tasks, customers and services change rarely. The store
keeps both accounts' lists as last read, and a run uses them unless they are older
than ``[sync] full_scan_interval`` (a forced full scan reads them again too), or a
booking names a user, project, task, customer or service they lack: then they are
read again at once, before anything is decided. What a fresh reading did not find
either (a booking on a project the API no longer lists) is remembered, so it does not
cause a reading on every run.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from syncd.adapters.clockodo import models as ck
from syncd.adapters.moco import models as mc
from syncd.core import model as core
from syncd.store import models as rows
from syncd.store.db import transaction
from syncd.sync.masterdata import Accounts

# Each list of Accounts, and the model its items are.
LISTS: dict[str, type[BaseModel]] = {
    "moco_users": mc.User,
    "moco_projects": mc.Project,
    "clockodo_users": ck.User,
    "clockodo_customers": ck.Customer,
    "clockodo_projects": ck.Project,
    "clockodo_services": ck.Service,
}


ABSENT = "absent"  # ids bookings named that the last reading did not find either


def load(
    sessions: sessionmaker[Session], now: datetime, max_age: timedelta
) -> tuple[Accounts, set[str]] | None:
    """The stored lists, if all are there and younger than ``max_age``, and the ids
    known to be absent from them (a refresh would not find those: no reason to read)."""
    with transaction(sessions) as session:
        stored = {row.name: row for row in session.scalars(select(rows.MasterData))}
    absent = stored.pop(ABSENT, None)
    if set(stored) != set(LISTS):
        return None
    if any(_aware(row.fetched_at) <= now - max_age for row in stored.values()):
        return None
    lists = {
        name: {int(key): model.model_validate(raw) for key, raw in stored[name].data.items()}
        for name, model in LISTS.items()
    }
    known_absent = set(absent.data.get("ids", [])) if absent is not None else set()
    return Accounts(**lists), known_absent  # type: ignore[arg-type]


def save(
    sessions: sessionmaker[Session], accounts: Accounts, absent: set[str], now: datetime
) -> None:
    with transaction(sessions) as session:
        for name in LISTS:
            items: Mapping[int, BaseModel] = getattr(accounts, name)
            data = {str(key): item.model_dump(mode="json") for key, item in items.items()}
            session.merge(rows.MasterData(name=name, data=data, fetched_at=now))
        ids: dict[str, Any] = {"ids": sorted(absent)}
        session.merge(rows.MasterData(name=ABSENT, data=ids, fetched_at=now))


def missing(
    accounts: Accounts,
    moco: Iterable[core.MocoBooking],
    clockodo: Iterable[core.ClockodoBooking],
) -> set[str]:
    """What bookings name that the lists do not hold, as ``"kind:id"`` keys."""
    activities, entries = list(moco), list(clockodo)
    tasks = {task.id for project in accounts.moco_projects.values() for task in project.tasks}
    named: dict[str, tuple[set[int | None], Container[int]]] = {
        "moco_user": ({a.user_id for a in activities}, accounts.moco_users),
        "moco_project": ({a.project_id for a in activities}, accounts.moco_projects),
        "moco_task": ({a.task_id for a in activities}, tasks),
        "clockodo_user": ({e.users_id for e in entries}, accounts.clockodo_users),
        "clockodo_customer": ({e.customers_id for e in entries}, accounts.clockodo_customers),
        "clockodo_project": ({e.projects_id for e in entries}, accounts.clockodo_projects),
        "clockodo_service": ({e.services_id for e in entries}, accounts.clockodo_services),
    }
    return {
        f"{kind}:{item_id}"
        for kind, (ids, known) in named.items()
        for item_id in ids
        if item_id is not None and item_id not in known
    }


def _aware(moment: datetime) -> datetime:
    """SQLite gives timestamps back without their zone; they were stored in UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
