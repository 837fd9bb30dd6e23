"""Who may see and change which entry, and what makes an entry valid.

Decisions (the docs are silent on most of them, see clockodo.md §7 and §9):
- Rights: an `owner` sees and books entries of every co-worker; a `worker`
  only their own (lists are silently narrowed to them; another user's entry
  by id is 403 Forbidden, and so is booking with someone else's `users_id`).
- References: an unknown customer, project, service, lump-sum service or user
  is 404 ResourceNotFound (path = the field); an inactive one is 422
  HasToBeActive; a project of another customer is 422 InvalidCombination;
  a completed project 422 ProjectIsCompleted. A subproject must belong to
  the entry's project (422 InvalidCombination) and not be completed (422
  SubprojectIsCompleted). On updates only the references that change are
  checked, so an entry on a since-archived customer can still be edited.
- Edit lock: an entry whose start lies (in its user's time zone) on or before
  that user's `edit_lock` date cannot be created, changed or deleted: 403
  Forbidden, path `time_since`. It applies to every role [simplification:
  the real product exempts co-workers with full edit rights on the project].
- Billed entries (`billable` 2) refuse every change except to `billable`
  itself (un-billing), and refuse deletion: 403 Forbidden [assumption
  `billed_entries_read_only`, switchable; the docs say nothing].
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from starlette.datastructures import QueryParams

from syncd.simulators.assumptions import Assumptions
from syncd.simulators.clockodo.account import Account
from syncd.simulators.clockodo.errors import (
    ApiError,
    end_before_start,
    forbidden,
    general_error,
    has_to_be_active,
    invalid_combination,
    not_found,
    project_is_completed,
)
from syncd.simulators.clockodo.model import BILLED, Entry, User

REFERENCE_FIELDS = (
    "users_id",
    "customers_id",
    "projects_id",
    "subprojects_id",
    "services_id",
    "lumpsum_services_id",
)


@dataclass(frozen=True)
class Call:
    """One authenticated API request, as the handlers see it."""

    account: Account
    user: User
    query: QueryParams
    body: Mapping[str, Any]
    path: Mapping[str, Any]
    now: datetime
    assumed: Assumptions
    # (event name, entry id) per change, for web hooks; sent only if the request succeeds.
    events: list[tuple[str, int]] = field(default_factory=list)

    def emit(self, event: str, entry_id: int) -> None:
        self.events.append((event, entry_id))

    def sees(self, entry: Entry) -> bool:
        return self.user.is_owner or entry.users_id == self.user.id

    def sees_all(self, users_id: int | None) -> bool:
        """Whether the caller sees every entry (of `users_id`, if given)."""
        return self.user.is_owner or users_id == self.user.id

    def entry(self, raw_id: object) -> Entry:
        """The entry named in the path: 404 when unknown, 403 when not visible."""
        entry_id = int(str(raw_id)) if str(raw_id).isdigit() else 0
        entry = self.account.entries.get(entry_id)
        if entry is None:
            raise not_found(what="entry")
        if not self.sees(entry):
            raise forbidden("You may not access entries of other co-workers.")
        return entry

    def booking_user(self, users_id: int | None) -> User:
        """The co-worker an entry is booked for (default: the caller)."""
        if users_id is None or users_id == self.user.id:
            return self.user
        target = self.account.users.get(users_id)
        if target is None:
            raise not_found("users_id", "co-worker")
        if not self.user.is_owner:
            raise forbidden("You may not book entries for other co-workers.", "users_id")
        if not target.active:
            raise has_to_be_active("users_id", "users")
        return target


def check_references(account: Account, entry: Entry, changed: set[str]) -> None:
    """Validate the references among `changed` (all of them for a new entry)."""
    if "users_id" in changed:
        user = account.users.get(entry.users_id)
        if user is None:
            raise not_found("users_id", "co-worker")
        if not user.active:
            raise has_to_be_active("users_id", "users")
    if "customers_id" in changed:
        _active(account.customers.get(entry.customers_id), "customers_id", "customers")
    if "projects_id" in changed and entry.projects_id is not None:
        project = account.projects.get(entry.projects_id)
        _active(project, "projects_id", "projects")
        if project is not None and project.completed:
            raise project_is_completed()
    if changed & {"subprojects_id", "projects_id"} and entry.subprojects_id is not None:
        _check_subproject(account, entry)
    if "services_id" in changed and entry.services_id is not None:
        _active(account.services.get(entry.services_id), "services_id", "services")
    if "lumpsum_services_id" in changed and entry.lumpsum_services_id is not None:
        lumpsum_service = account.lumpsum_services.get(entry.lumpsum_services_id)
        _active(lumpsum_service, "lumpsum_services_id", "lumpsum_services")
    project_moves = changed & {"customers_id", "projects_id"}
    if project_moves and entry.projects_id is not None:
        _check_project_customer(account, entry)


def _check_subproject(account: Account, entry: Entry) -> None:
    subproject = account.subprojects.get(entry.subprojects_id or 0)
    _active(subproject, "subprojects_id", "subprojects")
    assert subproject is not None
    if subproject.projects_id != entry.projects_id:
        raise invalid_combination("subprojects_id", "projects_id")
    if subproject.completed:
        raise general_error(
            422, "SubprojectIsCompleted", "The subproject is completed.", path="subprojects_id"
        )


def _check_project_customer(account: Account, entry: Entry) -> None:
    if account.projects[entry.projects_id or 0].customers_id != entry.customers_id:
        raise invalid_combination("projects_id", "customers_id")


def _active(record: Any, path: str, resource: str) -> None:
    if record is None:
        raise not_found(path)
    if not record.active:
        raise has_to_be_active(path, resource)


def check_times(entry: Entry) -> None:
    if entry.time_until is not None and entry.time_until < entry.time_since:
        raise end_before_start()


def check_unlocked(account: Account, entry: Entry) -> None:
    if account.is_locked(entry.users_id, entry.time_since):
        raise locked_error()


def locked_error() -> ApiError:
    return forbidden("The entry lies in a locked period (edit lock).", "time_since")


def check_change_allowed(call: Call, old: Entry, new: Entry, changed: set[str]) -> None:
    """Edit lock on the old and the new position, and billed entries read-only."""
    check_unlocked(call.account, old)
    check_unlocked(call.account, new)
    read_only = call.assumed["billed_entries_read_only"]
    if read_only and old.billable == BILLED and changed - {"billable"}:
        raise forbidden(
            "The entry is billed and cannot be changed; reset billable first.", "billable"
        )


def check_delete_allowed(call: Call, entry: Entry) -> None:
    check_unlocked(call.account, entry)
    if call.assumed["billed_entries_read_only"] and entry.billable == BILLED:
        raise forbidden("The entry is billed and cannot be deleted.", "billable")


def changed_fields(old: Entry, new: Entry) -> set[str]:
    before, after = old.model_dump(), new.model_dump()
    return {name for name in after if after[name] != before[name]}
