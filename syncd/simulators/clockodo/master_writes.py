"""Writing master data: POST, PUT and DELETE for every kind in `kinds.KINDS`,
plus `PUT /v4/projects/{id}/complete`, `PUT /v3/projects/{id}/setBilled` and
`PUT /v3/subprojects/{id}/complete`.

Decisions where the docs are silent:
- Only owners write master data (403 Forbidden for workers), except that a
  worker with `can_add_customers` may create customers.
- Bodies are checked against the spec's field types (`fields.py`); a
  reference to an unknown record (a project's customer, a co-worker's team
  or boss, a team's leader or members, assigned services) is 404
  ResourceNotFound naming the field. A new co-worker's e-mail must be unused
  (409 ResourceConflictFound); co-workers created here have no API key.
- A team's `user_ids` moves those co-workers into the team (and the team's
  previous members out of it, on PUT).
- DELETE needs the record to be inactive first (422 HasToBeInactive: the
  spec lists that error for deletes) and to have no entries or child
  records (422 RelationsPreventDeletion); `force` does not override either
  [assumption], `dry_run=true` checks without deleting. 422 bodies use the
  spec's v3/v4 shape `{"errors": [{"error": {...}}]}`. Teams have no
  `active` flag and are deleted at once; their members lose the team.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pydantic import ValidationError

from syncd.simulators.clockodo.account import Account
from syncd.simulators.clockodo.errors import ApiError, forbidden, general_error, not_found
from syncd.simulators.clockodo.fields import FLAG, FieldSpec, parse_body, unexpected
from syncd.simulators.clockodo.kinds import KINDS, MasterKind
from syncd.simulators.clockodo.master_data import general_errors, one
from syncd.simulators.clockodo.params import boolean
from syncd.simulators.clockodo.rules import Call

Handler = Callable[[Call], dict[str, Any]]
# (kind, field on the referencing record) pairs that keep a record from being deleted.
ENTRY_REFERENCES = {
    "customers": "customers_id",
    "projects": "projects_id",
    "subprojects": "subprojects_id",
    "services": "services_id",
    "lumpsum_services": "lumpsum_services_id",
    "users": "users_id",
}
# Body fields that name other records: field → the kind they name.
REFERENCES = {
    "customers_id": "customers",
    "projects_id": "projects",
    "teams_id": "teams",
    "boss": "users",
    "leader": "users",
    "user_ids": "users",
    "service_assignments": "services",
}


def creator(kind_name: str) -> Handler:
    kind = KINDS[kind_name]

    def create(call: Call) -> dict[str, Any]:
        may_add = kind.name == "customers" and call.user.can_add_customers
        _owner_only(call, allow=may_add)
        with general_errors():
            values = parse_body(call.body, kind.fields, kind.required)
        _check_references(call.account, values)
        if kind.name == "users":
            _unique_email(call.account, values["email"])
        records = kind.records(call.account)
        record = _validated(kind, {**values, "id": max(records, default=0) + 1})
        records[record.id] = record
        _after_write(call.account, kind, record, values)
        return {"data": kind.render(call.account, call.user, record)}

    return create


def updater(kind_name: str) -> Handler:
    kind = KINDS[kind_name]
    changeable = {k: v for k, v in kind.fields.items() if k not in kind.create_only}

    def update(call: Call) -> dict[str, Any]:
        _owner_only(call)
        record = one(call, kind)
        with general_errors():
            values = parse_body(call.body, changeable)
        _check_references(call.account, values)
        if kind.name == "users" and values.get("email") not in (None, record.email):
            _unique_email(call.account, values["email"])
        updated = _validated(kind, {**record.model_dump(), **values})
        kind.records(call.account)[updated.id] = updated
        _after_write(call.account, kind, updated, values)
        return {"data": kind.render(call.account, call.user, updated)}

    return update


def deleter(kind_name: str) -> Handler:
    kind = KINDS[kind_name]

    def delete(call: Call) -> dict[str, Any]:
        _owner_only(call)
        record = one(call, kind)
        with general_errors():
            dry_run = boolean(call.query.get("dry_run", "false"), "dry_run")
            boolean(call.query.get("force", "false"), "force")
        if getattr(record, "active", False):
            raise _v3_error("HasToBeInactive", "The resource must be inactive.", kind.name)
        blocking = _relations(call.account, kind, record.id)
        if blocking:
            message = "Resource can not be deleted, there are existing relations."
            raise _v3_error("RelationsPreventDeletion", message, *blocking)
        if not dry_run:
            del kind.records(call.account)[record.id]
            _after_delete(call.account, kind, record.id)
        return {"success": True}

    return delete


def complete_project(call: Call) -> dict[str, Any]:
    return _complete(call, KINDS["projects"])


def complete_subproject(call: Call) -> dict[str, Any]:
    return _complete(call, KINDS["subprojects"])


def set_billed(call: Call) -> dict[str, Any]:
    """Mark a project (not) billed completely; `billed_money` is stored as sent."""
    kind = KINDS["projects"]
    _owner_only(call)
    project = one(call, kind)
    with general_errors():
        values = parse_body(
            call.body,
            {
                "billed": FLAG,
                "billed_money": FieldSpec("number", nullable=True, minimum=0, maximum=99999999),
            },
        )
    if "billed" in values:
        project.billed_completely = values["billed"]
    if "billed_money" in values:
        project.billed_money = values["billed_money"]
    return {"data": kind.render(call.account, call.user, project)}


def _complete(call: Call, kind: MasterKind) -> dict[str, Any]:
    _owner_only(call)
    record = one(call, kind)
    with general_errors():
        completed = parse_body(call.body, {"completed": FLAG}, ("completed",))["completed"]
    if completed != record.completed:
        record.completed = completed
        record.completed_at = call.now if completed else None
    return {"data": kind.render(call.account, call.user, record)}


def _owner_only(call: Call, *, allow: bool = False) -> None:
    if not (call.user.is_owner or allow):
        raise forbidden("Only owners may change master data.")


def _validated(kind: MasterKind, values: Mapping[str, Any]) -> Any:
    try:
        return kind.model.model_validate(values)
    except ValidationError as error:
        first = error.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "body"
        raise unexpected(field, f"{field}: {first['msg']}") from None


def _check_references(account: Account, values: Mapping[str, Any]) -> None:
    for field, kind_name in REFERENCES.items():
        wanted = values.get(field)
        ids = wanted if isinstance(wanted, list) else [] if wanted is None else [wanted]
        records = KINDS[kind_name].records(account)
        if any(i not in records for i in ids):
            raise not_found(field, KINDS[kind_name].what)


def _unique_email(account: Account, email: str) -> None:
    if any((u.email or "").lower() == email.lower() for u in account.users.values()):
        raise general_error(
            409, "ResourceConflictFound", "A co-worker with this e-mail exists.", path="email"
        )


def _after_write(
    account: Account, kind: MasterKind, record: Any, values: Mapping[str, Any]
) -> None:
    if kind.name == "teams" and "user_ids" in values:
        for user in account.users.values():
            if user.id in values["user_ids"]:
                user.teams_id = record.id
            elif user.teams_id == record.id:
                user.teams_id = None


def _after_delete(account: Account, kind: MasterKind, record_id: int) -> None:
    if kind.name == "teams":
        for user in account.users.values():
            if user.teams_id == record_id:
                user.teams_id = None
    if kind.name == "users":
        account.api_users = {
            email: login
            for email, login in account.api_users.items()
            if login.users_id != record_id
        }


def _relations(account: Account, kind: MasterKind, record_id: int) -> list[str]:
    found = []
    field = ENTRY_REFERENCES.get(kind.name)
    if field and any(getattr(e, field) == record_id for e in account.entries.values()):
        found.append("entries")
    if kind.name == "customers" and any(
        p.customers_id == record_id for p in account.projects.values()
    ):
        found.append("projects")
    if kind.name == "projects" and account.count_subprojects(record_id):
        found.append("subprojects")
    return found


def _v3_error(error_type: str, message: str, *resources: str) -> ApiError:
    """422 in the v3/v4 shape: each error wrapped in an `error` object."""
    error = {
        "type": error_type,
        "message": message,
        "path": None,
        "details": {"resources": list(resources)},
    }
    return ApiError(422, {"errors": [{"error": error}]})
