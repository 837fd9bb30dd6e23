"""The state of one simulated clockodo company: seeding, lookups, texts, locks.

Seed format (also `--seed FILE` and `POST /_sim/seed`; a seed *replaces* the
account):

    {"api_users": [{"email": "a@b.c", "key": "k", "users_id": 1}],
     "teams": [TeamV3...], "users": [UserV3...], "customers": [CustomerV3...],
     "projects": [ProjectV4...], "subprojects": [SubprojectV3...],
     "services": [ServiceV4...], "lumpsum_services": [LumpSumServiceV4...],
     "entries": [EntryV2...], "edit_locks": {"1": "2026-10-31"},
     "assumptions": {...}}

(`assumptions` sets the switchable guesses, see `GET /_sim/assumptions`.)

Every list is optional; ids may be given or are assigned (max + 1). Entry
defaults: `type` 1, `billable` 1, `text` null, `hourly_rate` 0; a time entry
without `time_until` is a running clock; `duration` defaults to
`time_until - time_since` and must equal it when given (the simulated company
has linked entry times); `time_insert` defaults to `time_since`,
`time_last_change` to `time_until` (or `time_since`); lump sums get
`time_until = time_since` [assumption: a lump sum is booked at one instant].
References are checked: a seed with a dangling id is refused.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from pydantic import AwareDatetime, BaseModel, TypeAdapter

from syncd.simulators.clockodo.index import EntryIndex
from syncd.simulators.clockodo.model import (
    TIME_ENTRY,
    Customer,
    Entry,
    LumpSumService,
    Project,
    Record,
    Service,
    Subproject,
    Team,
    User,
    span_seconds,
    to_second,
)

SEED_KEYS = frozenset(
    {
        "api_users",
        "teams",
        "users",
        "customers",
        "projects",
        "subprojects",
        "services",
        "lumpsum_services",
        "entries",
        "edit_locks",
    }
)
RecordT = TypeVar("RecordT", bound=Record)
_instant = TypeAdapter(AwareDatetime)


class ApiUser(BaseModel):
    email: str
    key: str
    users_id: int


@dataclass(frozen=True)
class PendingConfirm:
    """An entrygroups confirm key: single-use, bound to its caller and request."""

    users_id: int
    fingerprint: str


class Account:
    def __init__(self) -> None:
        self.clear()

    def clear(self) -> None:
        self.api_users: dict[str, ApiUser] = {}  # by lower-cased e-mail
        self.teams: dict[int, Team] = {}
        self.users: dict[int, User] = {}
        self.customers: dict[int, Customer] = {}
        self.projects: dict[int, Project] = {}
        self.subprojects: dict[int, Subproject] = {}
        self.services: dict[int, Service] = {}
        self.lumpsum_services: dict[int, LumpSumService] = {}
        self.entries = EntryIndex()
        self.texts: dict[int, str] = {}
        self._text_ids: dict[str, int] = {}
        self.confirm_keys: dict[str, PendingConfirm] = {}
        self._next_entry_id = 1

    # -- seeding --------------------------------------------------------------
    def load(self, data: Mapping[str, Any]) -> None:
        unknown = set(data) - SEED_KEYS
        if unknown:
            raise ValueError(f"unknown seed keys: {sorted(unknown)}")
        self.clear()
        self.teams = _records(Team, data.get("teams", []))
        self.users = _records(User, data.get("users", []))
        for user in self.users.values():
            if user.teams_id is not None and user.teams_id not in self.teams:
                raise ValueError(f"user {user.id}: unknown team {user.teams_id}")
        for users_id, day in dict(data.get("edit_locks", {})).items():
            self._user_for_seed(int(users_id)).edit_lock = date.fromisoformat(day)
        for raw in data.get("api_users", []):
            api_user = ApiUser.model_validate(raw)
            self._user_for_seed(api_user.users_id)
            self.api_users[api_user.email.lower()] = api_user
        self.customers = _records(Customer, data.get("customers", []))
        self.projects = _records(Project, data.get("projects", []))
        for project in self.projects.values():
            if project.customers_id not in self.customers:
                raise ValueError(f"project {project.id}: unknown customer {project.customers_id}")
        self.subprojects = _records(Subproject, data.get("subprojects", []))
        for subproject in self.subprojects.values():
            if subproject.projects_id not in self.projects:
                raise ValueError(f"subproject {subproject.id}: unknown project")
        self.services = _records(Service, data.get("services", []))
        self.lumpsum_services = _records(LumpSumService, data.get("lumpsum_services", []))
        raw_entries = [_entry_defaults(raw) for raw in data.get("entries", [])]
        entries = list(_records(Entry, raw_entries).values())
        for entry in entries:
            self._check_seed_entry(entry)
            self._set_text(entry)
        self.entries.load(entries)
        self._next_entry_id = max(self.entries, default=0) + 1

    def _user_for_seed(self, users_id: int) -> User:
        if users_id not in self.users:
            raise ValueError(f"unknown user {users_id}")
        return self.users[users_id]

    def _check_seed_entry(self, entry: Entry) -> None:
        where = f"entry {entry.id}"
        self._user_for_seed(entry.users_id)
        if entry.customers_id not in self.customers:
            raise ValueError(f"{where}: unknown customer {entry.customers_id}")
        project = self.projects.get(entry.projects_id or 0)
        if entry.projects_id is not None and project is None:
            raise ValueError(f"{where}: unknown project {entry.projects_id}")
        if project is not None and project.customers_id != entry.customers_id:
            raise ValueError(f"{where}: project {project.id} belongs to another customer")
        subproject = self.subprojects.get(entry.subprojects_id or 0)
        if entry.subprojects_id is not None and subproject is None:
            raise ValueError(f"{where}: unknown subprojects_id {entry.subprojects_id}")
        if subproject is not None and subproject.projects_id != entry.projects_id:
            raise ValueError(f"{where}: subproject {subproject.id} belongs to another project")
        if entry.type == TIME_ENTRY or entry.lumpsum_services_id is None:
            if entry.services_id not in self.services:
                raise ValueError(f"{where}: unknown service {entry.services_id}")
        elif entry.lumpsum_services_id not in self.lumpsum_services:
            raise ValueError(f"{where}: unknown lump-sum service {entry.lumpsum_services_id}")

    def dump(self) -> dict[str, Any]:
        """Everything, JSON-able and in seed shape (API keys left out: secrets)."""
        entries = sorted(self.entries.values(), key=_entry_order)
        return {
            "api_users": [
                {"email": u.email, "users_id": u.users_id} for u in self.api_users.values()
            ],
            "teams": _dump(self.teams.values()),
            "users": [user.api_json() for user in self.users.values()],
            "customers": _dump(self.customers.values()),
            "projects": _dump(self.projects.values()),
            "subprojects": _dump(self.subprojects.values()),
            "services": _dump(self.services.values()),
            "lumpsum_services": _dump(self.lumpsum_services.values()),
            "entries": _dump(entries),
            "edit_locks": {
                str(u.id): u.edit_lock.isoformat() for u in self.users.values() if u.edit_lock
            },
            "texts": {str(text_id): text for text_id, text in self.texts.items()},
        }

    # -- entries and texts ----------------------------------------------------
    def new_entry_id(self) -> int:
        entry_id = self._next_entry_id
        self._next_entry_id += 1
        return entry_id

    def store_entry(self, entry: Entry) -> None:
        """Insert or replace; the description text gets (or reuses) its text id."""
        self._set_text(entry)
        self.entries[entry.id] = entry

    def _set_text(self, entry: Entry) -> None:
        entry.text = entry.text or None
        entry.texts_id = self.text_id(entry.text)

    def text_id(self, text: str | None) -> int | None:
        """Identical texts share one id, as the entriesTexts records suggest."""
        if not text:
            return None
        if text not in self._text_ids:
            new_id = len(self.texts) + 1
            self._text_ids[text] = new_id
            self.texts[new_id] = text
        return self._text_ids[text]

    def team_members(self, teams_id: int) -> list[int]:
        return sorted(u.id for u in self.users.values() if u.teams_id == teams_id)

    def count_subprojects(self, projects_id: int) -> int:
        return sum(1 for s in self.subprojects.values() if s.projects_id == projects_id)

    def running_entry(self, users_id: int) -> Entry | None:
        running = self.entries.running(users_id)
        return running[0] if running else None

    # -- rights and locks -----------------------------------------------------
    def api_user(self, email: str, key: str) -> User | None:
        found = self.api_users.get(email.lower())
        if found is None or not secrets.compare_digest(found.key, key):
            return None
        return self.users.get(found.users_id)

    def is_locked(self, users_id: int, moment: datetime) -> bool:
        """Entries whose local start date is on or before the user's edit lock."""
        user = self.users.get(users_id)
        if user is None or user.edit_lock is None:
            return False
        return moment.astimezone(user.zone).date() <= user.edit_lock

    def new_confirm_key(self, pending: PendingConfirm) -> str:
        key = secrets.token_hex(16)
        self.confirm_keys[key] = pending
        return key


def _records(model: type[RecordT], raws: Iterable[Mapping[str, Any]]) -> dict[int, RecordT]:
    """Parse records; keep given ids (no duplicates), assign max + 1 to the rest."""
    parsed = [model.model_validate(raw) for raw in raws]
    by_id: dict[int, RecordT] = {}
    for record in parsed:
        if record.id:
            if record.id in by_id:
                raise ValueError(f"{model.__name__}: duplicate id {record.id}")
            by_id[record.id] = record
    next_id = max(by_id, default=0) + 1
    for record in parsed:
        if not record.id:
            record.id = next_id
            by_id[next_id] = record
            next_id += 1
    return by_id


def _entry_order(entry: Entry) -> tuple[datetime, int]:
    return entry.time_since, entry.id


def _dump(records: Iterable[BaseModel]) -> list[dict[str, Any]]:
    return [record.model_dump(mode="json") for record in records]


def _entry_defaults(raw: Mapping[str, Any]) -> dict[str, Any]:
    entry = dict(raw)
    since = to_second(_instant.validate_python(entry["time_since"]))
    kind = entry.setdefault("type", TIME_ENTRY)
    if kind != TIME_ENTRY:
        entry.setdefault("time_until", entry["time_since"])
        entry["duration"] = None
    elif entry.get("time_until") is None:  # a running clock
        entry.update(time_until=None, duration=None, clocked=True)
        entry.setdefault("time_clocked_since", entry["time_since"])
    else:
        span = span_seconds(since, to_second(_instant.validate_python(entry["time_until"])))
        if entry.setdefault("duration", span) != span:
            raise ValueError(f"entry {entry.get('id')}: duration differs from the time span")
    last = entry.get("time_until") or entry["time_since"]
    entry.setdefault("time_insert", entry["time_since"])
    entry.setdefault("time_last_change", last)
    entry.setdefault("time_last_change_work_time", entry["time_last_change"])
    return entry
