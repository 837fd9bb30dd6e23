"""`GET /v2/entrygroups`: nested totals of the entries in a window.

GET decisions:
- `grouping[]` (also `grouping` or `grouping[0]`...) is required; values
  outside the spec's `Grouping` enum are a 400. Levels nest in request order
  (`groups` → `sub_groups`, null at the last level), siblings sorted by
  duration descending (as observed live), then by group id.
- `group` is the id as a string, but a number for `year` and for "none" (0,
  e.g. entries without project), as observed live (the spec says string).
  `month` is "YYYYMM", `week` "YYYYWW" (ISO week), `day` "YYYY-MM-DD", all in
  the entry owner's time zone [assumption].
- `duration` is seconds of stopped time entries (running clocks and lump sums
  add nothing). `round_to_minutes` rounds each lowest-level group up to the
  next step; parents add up their rounded children. `revenue` is a float
  (observed live; the spec says integer), summed from each group's own
  entries and rounded to the cent per group.
- `restrictions` lists only the criteria in force above this level (filters
  plus parent groups; times and is_lumpsum excluded) - an object with all
  ten keys would match both branches of the spec's `oneOf`.

PUT and DELETE (the confirm handshake) live in `bulk`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from syncd.simulators.clockodo.errors import bad_request
from syncd.simulators.clockodo.model import (
    BILLABLE,
    BILLED,
    TIME_ENTRY,
    Entry,
)
from syncd.simulators.clockodo.params import (
    boolean,
    integer,
    query_filters,
    window,
)
from syncd.simulators.clockodo.render import revenue
from syncd.simulators.clockodo.rules import (
    Call,
)
from syncd.simulators.clockodo.selection import EntryFilter, select_entries

ID_GROUPINGS = (
    "customers_id",
    "projects_id",
    "subprojects_id",
    "services_id",
    "lumpsum_services_id",
    "users_id",
    "texts_id",
)
TIME_GROUPINGS = ("day", "week", "month", "year")
GROUPINGS = frozenset({*ID_GROUPINGS, *TIME_GROUPINGS, "billable", "is_lumpsum"})
# Group criterion → `restrictions` key (time criteria and is_lumpsum have none).
RESTRICTION_KEYS = {
    "customers_id": "customers_id",
    "projects_id": "projects_id",
    "subprojects_id": "subprojects_id",
    "services_id": "services_id",
    "lumpsum_services_id": "lumpsum_services_id",
    "users_id": "users_id",
    "texts_id": "entriesTexts_id",
    "billable": "billable",
}
BILLABLE_NAMES = {0: "Not billable", 1: "Billable", 2: "Billed"}
NONE_NAMES = {
    "projects_id": "Without project",
    "subprojects_id": "Without subproject",
    "services_id": "Without service",
    "lumpsum_services_id": "Without lump-sum service",
    "texts_id": "Without description",
}
DISTINCT_BILLABLE = (0, 1, 2)  # billable filter values of entrygroups


@dataclass(frozen=True)
class Options:
    round_to_seconds: int
    prepend_customer: bool


def entry_groups(call: Call) -> dict[str, Any]:
    query = call.query
    since, until = window(query)
    criteria = _groupings(call)
    flt = EntryFilter.parse(query_filters(query), DISTINCT_BILLABLE, min_id=1)
    options = Options(
        round_to_seconds=60 * integer(query.get("round_to_minutes") or 0, "round_to_minutes"),
        prepend_customer=boolean(
            query.get("prepend_customer_to_project_name", "false"),
            "prepend_customer_to_project_name",
        ),
    )
    chosen = [e for e in select_entries(call, since, until, flt) if not e.is_running]
    return {"groups": _levels(call, chosen, criteria, _restrictions(flt), options)}


def _restrictions(flt: EntryFilter) -> dict[str, int]:
    """The request's filter as `restrictions` keys."""
    found = {RESTRICTION_KEYS[key]: value for key, value in flt.ids.items()}
    if flt.billable is not None:
        found["billable"] = flt.billable
    if flt.teams_id is not None:
        found["teams_id"] = flt.teams_id
    return found


def _groupings(call: Call) -> list[str]:
    query = call.query
    indexed = sorted(
        (int(key[9:-1]), value)
        for key, value in query.multi_items()
        if key.startswith("grouping[") and key[9:-1].isdigit()
    )
    values = query.getlist("grouping[]") + query.getlist("grouping") + [v for _, v in indexed]
    if not values:
        raise bad_request("Missing required parameters: grouping", "grouping")
    unknown = [value for value in values if value not in GROUPINGS]
    if unknown:
        raise bad_request(f"Unknown grouping: {', '.join(unknown)}", "grouping")
    return values


def _levels(
    call: Call,
    entries: list[Entry],
    criteria: list[str],
    restrictions: dict[str, int],
    options: Options,
) -> list[dict[str, Any]]:
    criterion, deeper = criteria[0], criteria[1:]
    buckets: dict[int | str, list[Entry]] = {}
    for entry in entries:
        buckets.setdefault(_key(call, entry, criterion), []).append(entry)
    groups = []
    for key, members in buckets.items():
        inner = dict(restrictions)
        if criterion in RESTRICTION_KEYS:
            inner[RESTRICTION_KEYS[criterion]] = int(key)
        sub_groups = _levels(call, members, deeper, inner, options) if deeper else None
        if sub_groups is None:
            duration = _rounded(sum(e.worked_seconds() for e in members), options)
        else:
            duration = sum(group["duration"] for group in sub_groups)
        group = {
            "grouped_by": criterion,
            "group": _group_value(criterion, key),
            "name": _name(call, criterion, key, options),
            **_master_fields(call, criterion, key),
            "restrictions": restrictions,
            "duration": duration,
            **_money(call, members),
            "sub_groups": sub_groups,
        }
        groups.append(group)
    return sorted(groups, key=lambda g: (-g["duration"], str(g["group"])))


def _key(call: Call, entry: Entry, criterion: str) -> int | str:
    if criterion in ID_GROUPINGS:
        value: int = getattr(entry, criterion) or 0
        return value
    if criterion == "billable":
        return entry.billable
    if criterion == "is_lumpsum":
        return int(entry.is_lumpsum)
    local = entry.time_since.astimezone(call.account.users[entry.users_id].zone).date()
    return _time_key(local, criterion)


def _time_key(day: date, criterion: str) -> int | str:
    if criterion == "year":
        return day.year
    if criterion == "month":
        return f"{day.year}{day.month:02d}"
    if criterion == "week":
        iso = day.isocalendar()
        return f"{iso.year}{iso.week:02d}"
    return day.isoformat()


def _group_value(criterion: str, key: int | str) -> int | str:
    if criterion == "year" or (criterion in ID_GROUPINGS and key == 0):
        return key
    return str(key)


def _name(call: Call, criterion: str, key: int | str, options: Options) -> str:
    account = call.account
    if key == 0 and criterion in NONE_NAMES:
        return NONE_NAMES[criterion]
    raw = str(key)
    names: dict[str, Callable[[], str]] = {
        "customers_id": lambda: account.customers[int(key)].name,
        "projects_id": lambda: _project_name(call, int(key), options),
        "subprojects_id": lambda: account.subprojects[int(key)].name,
        "services_id": lambda: account.services[int(key)].name,
        "lumpsum_services_id": lambda: account.lumpsum_services[int(key)].name,
        "users_id": lambda: account.users[int(key)].name,
        "texts_id": lambda: account.texts[int(key)],
        "billable": lambda: BILLABLE_NAMES[int(key)],
        "is_lumpsum": lambda: "Lump sums" if key else "Time entries",
        "month": lambda: date(int(raw[:4]), int(raw[4:]), 1).strftime("%B %Y"),
        "week": lambda: f"Week {int(raw[4:])}, {raw[:4]}",
    }
    return names[criterion]() if criterion in names else raw


def _project_name(call: Call, projects_id: int, options: Options) -> str:
    project = call.account.projects[projects_id]
    if options.prepend_customer:
        return f"{call.account.customers[project.customers_id].name}: {project.name}"
    return project.name


def _master_fields(call: Call, criterion: str, key: int | str) -> dict[str, Any]:
    """`number` (customers, projects, services, users) and `note` (not users).

    The "none" group (0, e.g. entries without project) carries both as null,
    like every group of its criterion [assumption: the docs list the fields
    per criterion, not per group]."""
    tables: dict[str, Any] = {
        "customers_id": call.account.customers,
        "projects_id": call.account.projects,
        "services_id": call.account.services,
        "users_id": call.account.users,
    }
    if criterion not in tables:
        return {}
    record = tables[criterion].get(key)
    fields = {"number": record.number if record else None}
    if criterion != "users_id":
        fields["note"] = record.note if record else None
    return fields


def _money(call: Call, members: list[Entry]) -> dict[str, Any]:
    billable_time = [
        e for e in members if e.type == TIME_ENTRY and e.billable in (BILLABLE, BILLED)
    ]
    seconds = sum(e.worked_seconds() for e in billable_time)
    time_revenue = sum(revenue(call.account, e) for e in billable_time)
    has_lumpsums = any(e.is_lumpsum for e in members)
    earning = [e for e in members if revenue(call.account, e) > 0]
    return {
        "revenue": round(sum(revenue(call.account, e) for e in members), 2),
        "budget_used": False,
        "has_budget_revenues_billed": False,
        "has_budget_revenues_not_billed": False,
        "has_non_budget_revenues_billed": any(e.billable == BILLED for e in earning),
        "has_non_budget_revenues_not_billed": any(e.billable == BILLABLE for e in earning),
        "hourly_rate": round(time_revenue * 3600 / seconds, 2) if seconds else None,
        "hourly_rate_is_equal_and_has_no_lumpsums": (
            not has_lumpsums and len({e.hourly_rate for e in billable_time}) <= 1
        ),
    }


def _rounded(seconds: int, options: Options) -> int:
    step = options.round_to_seconds
    return seconds if step <= 0 else math.ceil(seconds / step) * step
