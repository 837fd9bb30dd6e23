"""Master data: `/v3/customers`, `/v4/projects`, `/v4/services`,
`/v4/lumpSumServices`, `/v3/users` (lists and single items) and `/v4/users/me`.

Lists answer `{"paging", "data"}`, items `{"data"}`. `items_per_page` may be
up to 5000 (1000 for users) and defaults to 1000 [assumption]. Supported
filters: `active`, `fulltext` (case-insensitive substring of name or number),
projects also `customers_id` and `completed`, users `teams_id`; `sort` takes
`id`, `name`, `active` with an optional `-` (default: id ascending). Bad
parameters are a 400 in the v3/v4 `GeneralErrors` shape. Every co-worker sees
all master data (access groups are not simulated); notes need the owner role.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar

from syncd.simulators.clockodo.errors import ApiError, general_error, not_found
from syncd.simulators.clockodo.model import MasterRecord, Project, User
from syncd.simulators.clockodo.params import (
    boolean,
    integer,
    page_request,
    paginate,
    query_filters,
)
from syncd.simulators.clockodo.rules import Call

RecordT = TypeVar("RecordT", bound=MasterRecord)
DEFAULT_PER_PAGE = 1000
SORT_KEYS = {"id", "name", "active"}


@contextmanager
def _general_errors() -> Iterator[None]:
    """v3/v4 endpoints answer a bad parameter in the GeneralErrors shape."""
    try:
        yield
    except ApiError as error:
        simple = error.body.get("error")
        if error.status != 400 or not isinstance(simple, dict):
            raise
        fields = simple.get("fields") or [None]
        raise general_error(400, "UnexpectedValue", simple["message"], path=fields[0]) from None


def _listing(
    call: Call,
    records: Mapping[int, RecordT],
    render: Callable[[RecordT, User], dict[str, Any]],
    *,
    max_per_page: int = 5000,
    extra: Callable[[RecordT, dict[str, str]], bool] = lambda _record, _filters: True,
) -> dict[str, Any]:
    with _general_errors():
        filters = query_filters(call.query)
        page = page_request(call.query, max_per_page, DEFAULT_PER_PAGE)
        chosen = [r for r in records.values() if _matches(r, filters) and extra(r, filters)]
        chosen = _sorted(chosen, call.query.getlist("sort[]") + call.query.getlist("sort"))
    shown, paging = paginate(chosen, page)
    return {"paging": paging, "data": [render(record, call.user) for record in shown]}


def _matches(record: MasterRecord, filters: dict[str, str]) -> bool:
    if "active" in filters and record.active != boolean(filters["active"], "filter[active]"):
        return False
    term = filters.get("fulltext", "").casefold()
    return term in f"{record.name} {record.number or ''}".casefold()


def _sorted(records: list[RecordT], sort: list[str]) -> list[RecordT]:
    for key in reversed(sort or ["id"]):
        field = key.removeprefix("-")
        if field not in SORT_KEYS:
            raise general_error(400, "UnexpectedValue", f"Unknown sort key {key}", path="sort")
        records = sorted(records, key=lambda r: getattr(r, field), reverse=key.startswith("-"))
    return records


def _one(call: Call, records: Mapping[int, RecordT], what: str) -> RecordT:
    raw = str(call.path["id"])
    record = records.get(int(raw)) if raw.isdigit() else None
    if record is None:
        raise not_found(what=what)
    return record


def _project_filters(project: Project, filters: dict[str, str]) -> bool:
    customer = filters.get("customers_id")
    if customer is not None and project.customers_id != integer(customer, "filter[customers_id]"):
        return False
    if "completed" in filters:
        return project.completed == boolean(filters["completed"], "filter[completed]")
    return True


def _user_filters(user: User, filters: dict[str, str]) -> bool:
    if "teams_id" not in filters:
        return True
    return user.teams_id == integer(filters["teams_id"], "filter[teams_id]")


def list_customers(call: Call) -> dict[str, Any]:
    return _listing(call, call.account.customers, lambda c, viewer: c.api_json(viewer))


def get_customer(call: Call) -> dict[str, Any]:
    return {"data": _one(call, call.account.customers, "customer").api_json(call.user)}


def list_projects(call: Call) -> dict[str, Any]:
    projects = call.account.projects
    return _listing(call, projects, lambda p, v: p.api_json(v), extra=_project_filters)


def get_project(call: Call) -> dict[str, Any]:
    return {"data": _one(call, call.account.projects, "project").api_json(call.user)}


def list_services(call: Call) -> dict[str, Any]:
    return _listing(call, call.account.services, lambda s, viewer: s.api_json(viewer))


def get_service(call: Call) -> dict[str, Any]:
    return {"data": _one(call, call.account.services, "service").api_json(call.user)}


def list_lumpsum_services(call: Call) -> dict[str, Any]:
    return _listing(call, call.account.lumpsum_services, lambda s, viewer: s.api_json(viewer))


def list_users(call: Call) -> dict[str, Any]:
    return _listing(
        call,
        call.account.users,
        lambda u, _viewer: u.api_json(),
        max_per_page=1000,
        extra=_user_filters,
    )


def get_user(call: Call) -> dict[str, Any]:
    return {"data": _one(call, call.account.users, "co-worker").api_json()}


def me(call: Call) -> dict[str, Any]:
    return {"data": call.user.api_json()}
