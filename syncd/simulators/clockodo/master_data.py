"""Reading master data: every kind in `kinds.KINDS` (customers, projects,
subprojects, services, lump-sum services, co-workers, teams), plus
`/v4/users/me` and `/v3/customers/countProjects`.

Lists answer `{"paging", "data"}`, items `{"data"}`. `items_per_page` may be
up to the spec's maximum (5000; 1000 for co-workers and teams) and defaults
to 1000 [assumption]. Filters are the spec's: `active`, `fulltext`
(case-insensitive substring of name or number), projects `customers_id` and
`completed`, subprojects `projects_id` and `completed`, co-workers
`teams_id` (one id, a list or comma-separated; 0 = without team). Unknown
filter keys are ignored. `sort` takes the spec's keys with an optional `-`
(default: id ascending); `scope` must be one of the spec's values and
changes nothing (access groups are not simulated: every co-worker sees all
master data). Bad parameters are a 400 in the GeneralErrors shape; notes and
money need the owner role.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from syncd.simulators.clockodo.errors import ApiError, general_error, not_found
from syncd.simulators.clockodo.kinds import KINDS, Filters, MasterKind
from syncd.simulators.clockodo.params import integer, page_request, paginate
from syncd.simulators.clockodo.rules import Call

DEFAULT_PER_PAGE = 1000
MAX_COUNT_CUSTOMERS = 500
Handler = Callable[[Call], dict[str, Any]]


@contextmanager
def general_errors() -> Iterator[None]:
    """v3/v4 endpoints answer a bad parameter in the GeneralErrors shape."""
    try:
        yield
    except ApiError as error:
        simple = error.body.get("error")
        if error.status != 400 or not isinstance(simple, dict):
            raise
        fields = simple.get("fields") or [None]
        raise general_error(400, "UnexpectedValue", simple["message"], path=fields[0]) from None


def deep_values(call: Call, name: str) -> list[str] | None:
    """`name=1`, `name[]=1&name[]=2`, `name[0]=1` or `name=1,2` → ["1", "2"]."""
    query = call.query
    raw = [
        value
        for key, value in query.multi_items()
        if key == name or (key.startswith(name + "[") and key.endswith("]"))
    ]
    values = [part.strip() for value in raw for part in value.split(",") if part.strip()]
    return values or None


def filters_of(call: Call) -> Filters:
    found: dict[str, list[str]] = {}
    for key in {k.split("]")[0][7:] for k in call.query if k.startswith("filter[")}:
        values = deep_values(call, f"filter[{key}]")
        if values is not None:
            found[key] = values
    return found


def lister(kind_name: str) -> Handler:
    kind = KINDS[kind_name]

    def list_records(call: Call) -> dict[str, Any]:
        with general_errors():
            _check_scope(call, kind)
            filters = filters_of(call)
            page = page_request(call.query, kind.max_per_page, DEFAULT_PER_PAGE)
            chosen = [r for r in kind.records(call.account).values() if kind.matches(r, filters)]
            chosen = _sorted(call, kind, chosen, deep_values(call, "sort") or [])
        shown, paging = paginate(chosen, page)
        rendered = [kind.render(call.account, call.user, record) for record in shown]
        return {"paging": paging, "data": rendered}

    return list_records


def getter(kind_name: str) -> Handler:
    kind = KINDS[kind_name]

    def get_record(call: Call) -> dict[str, Any]:
        return {"data": kind.render(call.account, call.user, one(call, kind))}

    return get_record


def one(call: Call, kind: MasterKind) -> Any:
    raw = str(call.path["id"])
    record = kind.records(call.account).get(int(raw)) if raw.isdigit() else None
    if record is None:
        raise not_found(what=kind.what)
    return record


def me(call: Call) -> dict[str, Any]:
    return {"data": call.user.api_json(me=True)}


def count_projects(call: Call) -> dict[str, Any]:
    """Active and inactive projects per customer; all customers when none are named."""
    with general_errors():
        _check_scope(call, KINDS["customers"])
        raw = deep_values(call, "customers_id")
        if raw is not None and len(raw) > MAX_COUNT_CUSTOMERS:
            raise general_error(
                400, "UnexpectedValue", "At most 500 customers.", path="customers_id"
            )
        wanted = [integer(value, "customers_id") for value in raw or []]
    customers = wanted if raw is not None else sorted(call.account.customers)
    data = []
    for customers_id in dict.fromkeys(customers):
        projects = [p for p in call.account.projects.values() if p.customers_id == customers_id]
        active = sum(1 for p in projects if p.active)
        data.append(
            {"customers_id": customers_id, "active": active, "inactive": len(projects) - active}
        )
    count = len(data)
    paging = {"items_per_page": max(count, 1), "current_page": 1, "count_pages": 1}
    return {"paging": {**paging, "count_items": count}, "data": data}


def _check_scope(call: Call, kind: MasterKind) -> None:
    scope = call.query.get("scope")
    if scope is not None and scope not in kind.scopes:
        raise general_error(400, "UnexpectedValue", f"Unknown scope {scope}", path="scope")


def _sorted(call: Call, kind: MasterKind, records: list[Any], sort: list[str]) -> list[Any]:
    teams = call.account.teams

    def value(record: Any, field: str) -> Any:
        if field == "teams_name":
            team = teams.get(getattr(record, "teams_id", None) or 0)
            return team.name if team else ""
        found = getattr(record, field)
        return "" if found is None else found

    for key in reversed(sort or ["id"]):
        field = key.removeprefix("-")
        if field not in kind.sort_keys:
            raise general_error(400, "UnexpectedValue", f"Unknown sort key {key}", path="sort")
        records = sorted(records, key=lambda r: value(r, field), reverse=key.startswith("-"))
    return records
