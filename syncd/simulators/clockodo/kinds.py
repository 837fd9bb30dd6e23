"""The master-data resources, as tables: path, record type, body fields, filters.

`master_data` (reads) and `master_writes` (writes) serve every kind the same
way from these tables. Field specs follow the spec's request bodies; filters
follow its `filter` parameters (`customers_id` of projects has no minimum in
the spec, so `-1` simply matches nothing).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from syncd.simulators.clockodo.account import Account
from syncd.simulators.clockodo.fields import (
    BILL_SERVICE,
    DAY,
    FLAG,
    IDS,
    NAME,
    NOTE,
    NUMBER,
    FieldSpec,
    text,
)
from syncd.simulators.clockodo.model import (
    Customer,
    LumpSumService,
    Project,
    Record,
    Service,
    Subproject,
    Team,
    User,
)
from syncd.simulators.clockodo.params import boolean, integer

Filters = Mapping[str, list[str]]
Render = Callable[[Account, User, Any], dict[str, Any]]
Matcher = Callable[[Any, Filters], bool]
EDIT_LOCK_DAYS = (1, 2, 3, 5, 8, 15, 31, 46, 91)
SORT_ID_NAME_ACTIVE = frozenset({"id", "name", "active"})


@dataclass(frozen=True)
class MasterKind:
    name: str  # the Account attribute holding the records
    path: str
    model: type[Record]
    what: str  # for messages: "customer"
    fields: Mapping[str, FieldSpec]
    required: tuple[str, ...]
    render: Render
    matches: Matcher
    max_per_page: int = 5000
    sort_keys: frozenset[str] = SORT_ID_NAME_ACTIVE
    scopes: tuple[str, ...] = ("manageAccess",)
    create_only: frozenset[str] = field(default_factory=frozenset)  # not changeable by PUT

    def records(self, account: Account) -> dict[int, Any]:
        records: dict[int, Any] = getattr(account, self.name)
        return records


def _flag_filter(record: Any, filters: Filters, name: str) -> bool:
    wanted = filters.get(name)
    return wanted is None or getattr(record, name) == boolean(wanted[0], f"filter[{name}]")


def _id_filter(value: int | None, filters: Filters, name: str, minimum: int | None) -> bool:
    wanted = filters.get(name)
    if wanted is None:
        return True
    low = minimum if minimum is not None else -(2**63)
    ids = {integer(raw, f"filter[{name}]", minimum=low) for raw in wanted}
    return (value or 0) in ids


def _fulltext(record: Any, filters: Filters) -> bool:
    term = (filters.get("fulltext") or [""])[0].casefold()
    number = getattr(record, "number", None) or ""
    return term in f"{record.name} {number}".casefold()


def _common(record: Any, filters: Filters) -> bool:
    return _fulltext(record, filters) and _flag_filter(record, filters, "active")


def _projects(project: Project, filters: Filters) -> bool:
    return (
        _common(project, filters)
        and _flag_filter(project, filters, "completed")
        and _id_filter(project.customers_id, filters, "customers_id", None)
    )


def _subprojects(subproject: Subproject, filters: Filters) -> bool:
    return (
        _common(subproject, filters)
        and _flag_filter(subproject, filters, "completed")
        and _id_filter(subproject.projects_id, filters, "projects_id", None)
    )


def _users(user: User, filters: Filters) -> bool:
    # teams_id 0 selects co-workers without a team [assumption: 0 = "none" as elsewhere].
    return _common(user, filters) and _id_filter(user.teams_id, filters, "teams_id", 0)


CUSTOMER_FIELDS = {
    "name": NAME,
    "number": NUMBER,
    "active": FLAG,
    "billable_default": FLAG,
    "color": FieldSpec("choice", nullable=True, choices=tuple(range(1, 10))),
    "note": NOTE,
    "service_assignments": IDS,
    "bill_service_id": BILL_SERVICE,
}
PROJECT_FIELDS = {
    "name": NAME,
    "customers_id": FieldSpec("int", minimum=1),
    "number": NUMBER,
    "active": FLAG,
    "billable_default": FLAG,
    "note": NOTE,
    "deadline": DAY,
    "start_date": DAY,
    "automatic_completion": FLAG,
    "budget": FieldSpec("object", nullable=True),
    "service_assignments": IDS,
    "bill_service_id": BILL_SERVICE,
}
SUBPROJECT_FIELDS = {**PROJECT_FIELDS, "projects_id": FieldSpec("int", minimum=1)}
del SUBPROJECT_FIELDS["customers_id"]
SERVICE_FIELDS = {
    "name": NAME,
    "number": NUMBER,
    "active": FLAG,
    "note": NOTE,
    "bill_service_id": BILL_SERVICE,
}
LUMPSUM_FIELDS = {
    "name": NAME,
    "price": FieldSpec("number", minimum=-99999999.99, maximum=99999999.99),
    "unit": text(6, nullable=True),
    "number": NUMBER,
    "active": FLAG,
    "note": NOTE,
}
USER_FIELDS = {
    "name": NAME,
    "email": text(90),
    "role": FieldSpec("choice", choices=("worker", "owner")),
    "active": FLAG,
    "boss": FieldSpec("int", nullable=True, minimum=1),
    "number": NUMBER,
    "language": FieldSpec("choice", choices=("en", "fr", "de")),
    "teams_id": FieldSpec("int", nullable=True, minimum=1),
    "timeformat_12h": FLAG,
    "timezone": text(64),
    "wage_type": FieldSpec("choice", choices=(1, 2)),
    "weekstart_monday": FLAG,
    "weekend_friday": FLAG,
    "start_date": DAY,
    "budget_notifications": FLAG,
    "edit_lock": DAY,
    "edit_lock_dyn": FieldSpec("choice", nullable=True, choices=EDIT_LOCK_DAYS),
    "edit_lock_sync": FLAG,
    "work_time_edit_lock_days": FieldSpec("choice", nullable=True, choices=(0, *EDIT_LOCK_DAYS)),
    "default_holidays_count": FLAG,
    "default_target_hours": FLAG,
    "work_time_regulations_id": FieldSpec("int", nullable=True, minimum=1),
    "default_work_time_regulation": FLAG,
    "absence_managers_id": IDS,
    "access_groups_ids": IDS,
    "can_generally_see_absences": FLAG,
    "can_generally_manage_absences": FLAG,
    "can_add_customers": FLAG,
    # Accepted, not simulated: UI favourites, the welcome e-mail, billing apps.
    "show_favorites": FieldSpec("bool", ignored=True),
    "mail_to_user": FieldSpec("bool", ignored=True),
    "bill_service_id": BILL_SERVICE,
}
TEAM_FIELDS = {"name": NAME, "leader": FieldSpec("int", nullable=True), "user_ids": IDS}
USER_SCOPES = (
    "manageAbsences",
    "viewAbsences",
    "viewUserReports",
    "viewUserReportsDetailed",
    "viewPresences",
)


def _render_project(account: Account, viewer: User, project: Project) -> dict[str, Any]:
    return project.api_json(viewer, account.count_subprojects(project.id))


def _render_team(account: Account, viewer: User, team: Team) -> dict[str, Any]:
    return team.api_json(account.team_members(team.id))


KINDS: dict[str, MasterKind] = {
    kind.name: kind
    for kind in (
        MasterKind(
            "customers",
            "/v3/customers",
            Customer,
            "customer",
            CUSTOMER_FIELDS,
            ("name",),
            lambda _a, viewer, c: c.api_json(viewer),
            _common,
        ),
        MasterKind(
            "projects",
            "/v4/projects",
            Project,
            "project",
            PROJECT_FIELDS,
            ("name", "customers_id"),
            _render_project,
            _projects,
        ),
        MasterKind(
            "subprojects",
            "/v3/subprojects",
            Subproject,
            "subproject",
            SUBPROJECT_FIELDS,
            ("projects_id", "name"),
            lambda _a, viewer, s: s.api_json(viewer),
            _subprojects,
            scopes=(),
            create_only=frozenset({"projects_id"}),
        ),
        MasterKind(
            "services",
            "/v4/services",
            Service,
            "service",
            SERVICE_FIELDS,
            ("name",),
            lambda _a, viewer, s: s.api_json(viewer),
            _common,
        ),
        MasterKind(
            "lumpsum_services",
            "/v4/lumpSumServices",
            LumpSumService,
            "lump-sum service",
            LUMPSUM_FIELDS,
            ("name", "price"),
            lambda _a, viewer, s: s.api_json(viewer),
            _common,
            scopes=(),
        ),
        MasterKind(
            "users",
            "/v3/users",
            User,
            "co-worker",
            USER_FIELDS,
            ("email", "name", "role"),
            lambda _a, _viewer, u: u.api_json(),
            _users,
            max_per_page=1000,
            sort_keys=SORT_ID_NAME_ACTIVE | {"number", "role", "teams_name"},
            scopes=USER_SCOPES,
        ),
        MasterKind(
            "teams",
            "/v3/teams",
            Team,
            "team",
            TEAM_FIELDS,
            ("name",),
            _render_team,
            _fulltext,
            max_per_page=1000,
            sort_keys=frozenset({"id", "name"}),
            scopes=USER_SCOPES,
        ),
    )
}
