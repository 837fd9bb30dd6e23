"""Reading both tools' totals for `syncd verify` (the I/O shell of syncd.core.verify).

MOCO: the activities of the period, summed. clockodo: its own aggregate,
``GET /v2/entrygroups`` grouped by user, project, service and day, so the check
does not depend on syncd's reads of single entries. Both are put in MOCO's ids
through the mappings. The reasons for differences come from a dry run's plan
over the same days (what the next run would do, what it skips and why).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from syncd.adapters.clockodo import models as ck
from syncd.adapters.moco import models as mc
from syncd.config import Settings
from syncd.core import model as core
from syncd.core import plan as p
from syncd.core.names import Names
from syncd.core.verify import DayKey, Total
from syncd.sides.factory import Hooks, connect_vendors
from syncd.store import db
from syncd.sync import mastercache
from syncd.sync.engine import Engine, RunOptions
from syncd.sync.masterdata import Accounts, build_mappings, names_of, read_accounts

GROUPING = ("users_id", "projects_id", "services_id", "day")
SKIP_REASONS = {
    core.SkipReason.PARKED: "parked conflict",
    core.SkipReason.HELD_AFTER_ERROR: "held refusal (the vendor refused the write)",
}


@dataclass(frozen=True)
class Totals:
    moco: list[Total]
    clockodo: list[Total]
    reasons: dict[DayKey, str]
    names: Names


def read_totals(settings: Settings, first: date, last: date) -> Totals:
    """Both tools' totals of the days ``first``..``last``, and the plan's reasons."""
    with connect_vendors(settings)(Hooks(lambda _: None)) as sides:
        accounts = _accounts(settings, sides.moco.client, sides.clockodo.client)
        mappings, _ = build_mappings(settings.mappings, accounts, settings.sync.timezone)
        activities = sides.moco.client.list_activities(
            date_from=first, date_to=last
        ).require_complete()
        groups = sides.clockodo.client.entry_groups(
            time_since=datetime.combine(first - timedelta(days=1), time(), UTC),
            time_until=datetime.combine(last + timedelta(days=2), time(), UTC),
            grouping=GROUPING,
        )
    names = names_of(accounts)
    clockodo = [t for t in _clockodo_totals(groups, mappings, names) if first <= t.day <= last]
    reasons = plan_reasons(settings, first, last, {a.id: a for a in activities})
    return Totals([_moco_total(a, mappings, names) for a in activities], clockodo, reasons, names)


def _accounts(settings: Settings, moco: Any, clockodo: Any) -> Accounts:
    """The stored master data while fresh (no requests), else both accounts' lists."""
    engine = db.make_engine(settings.database.url)
    try:
        every = settings.sync.full_scan_interval
        cached = mastercache.load(db.session_factory(engine), datetime.now(UTC), every)
    finally:
        engine.dispose()
    return cached[0] if cached is not None else read_accounts(moco, clockodo)


def _moco_total(activity: mc.Activity, mappings: core.Mappings, names: Names) -> Total:
    user, project, task = (
        activity.user.id if activity.user else 0,
        activity.project.id,
        activity.task.id,
    )
    unmapped = None
    if mappings.user_by_moco(user) is None:
        unmapped = f"unmapped: MOCO user {names.user(user)}"
    elif mappings.project_by_moco(project) is None:
        unmapped = f"unmapped: MOCO project {names.project(project)}"
    elif mappings.task_by_moco(task) is None:
        unmapped = f"unmapped: MOCO task {names.task(task)}"
    seconds = activity.worked_seconds if activity.worked_seconds is not None else activity.seconds
    return Total(user, project, task, activity.date, seconds, unmapped)


def _leaves(
    groups: list[ck.EntryGroup], path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], int]]:
    for group in groups:
        here = (*path, group.group)
        if group.sub_groups:
            yield from _leaves(group.sub_groups, here)
        else:
            yield here, group.duration


def _clockodo_totals(
    groups: list[ck.EntryGroup], mappings: core.Mappings, names: Names
) -> Iterator[Total]:
    for (user, project, service, day), seconds in _leaves(groups):
        total = Total(None, None, None, date.fromisoformat(day), seconds)
        yield _mapped(total, (int(user), int(project), int(service)), mappings, names)


def _mapped(
    total: Total, ids: tuple[int, int, int], mappings: core.Mappings, names: Names
) -> Total:
    """A clockodo total (user, project, service) in MOCO's ids, or why it cannot be."""
    user, project, service = ids

    def unmapped(why: str, kind: str, item_id: int) -> str:
        return f"{why}: clockodo {kind} {names.clockodo_item(kind, item_id)}"

    person, pair = mappings.user_by_clockodo(user), mappings.project_by_clockodo(project)
    if person is None:
        return replace(total, unmapped=unmapped("unmapped", "user", user))
    if pair is None:
        return replace(total, user=person.moco, unmapped=unmapped("unmapped", "project", project))
    tasks = mappings.tasks_for_service(pair.moco, service)
    if len(tasks) != 1:
        why = unmapped("ambiguous" if tasks else "unmapped", "service", service)
        return replace(total, user=person.moco, project=pair.moco, unmapped=why)
    return replace(total, user=person.moco, project=pair.moco, task=tasks[0].moco)


def plan_reasons(
    settings: Settings, first: date, last: date, activities: dict[int, mc.Activity]
) -> dict[DayKey, str]:
    """What the next run would do about each person-project-task-day (a dry run:
    no lock, nothing recorded)."""
    engine = Engine(settings)
    try:
        report = engine.run(RunOptions(dry_run=True, mode="verify", since=first, until=last))
    finally:
        engine.close()
    if report.plan is None:
        return {}
    reasons = {}
    for action in report.plan.actions:
        found = _action_reason(action)
        if found is not None:
            projection, why = found
            reasons[_key(projection)] = why
    for skip in report.plan.skips:
        activity = activities.get(skip.id) if skip.side == core.Side.MOCO else None
        if activity is not None and activity.user is not None:
            why = SKIP_REASONS.get(skip.reason, f"skipped: {skip.reason}")
            reasons[(activity.user.id, activity.project.id, activity.task.id, activity.date)] = why
    return reasons


def _key(projection: core.Projection) -> DayKey:
    return projection.user, projection.project, projection.task, projection.date


def _action_reason(action: p.Action) -> tuple[core.Projection, str] | None:
    match action:
        case p.Create():
            label = core.Side(action.target).label
            return action.source.projection, f"not synced yet: the next run creates it in {label}"
        case p.Update() | p.Bill():
            return action.expected, "a change the next run will copy"
        case p.Delete():
            return action.projection, "a deletion the next run will copy"
        case p.Conflict():
            version = action.moco or action.clockodo
            return (version, "parked conflict") if version is not None else None
    return None
