"""In-memory MOCO and clockodo clients, for the stateful test of the real engine.

Same methods and answers as :class:`~syncd.adapters.moco.client.MocoClient` and
:class:`~syncd.adapters.clockodo.client.ClockodoClient` (those syncd's sides call),
and the rules the simulators hold: billed (and clockodo: locked) bookings refuse
edits and deletes, a MOCO bulk create is one request per user, a clockodo group
edit is a two-step handshake. :class:`Faults` makes a write crash the process
(before or after the vendor applied it), lose its answer, or (MOCO bulk) apply part
of a batch and then refuse the rest.

People's own edits go through :class:`FakeMoco` / :class:`FakeClockodo` methods
directly (never through the client), so the test can tell who did what.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from syncd.adapters import errors
from syncd.adapters.clockodo.client import GroupEditHandshake
from syncd.adapters.clockodo.models import Customer, Entry, EntryCreate, EntryUpdate, Service
from syncd.adapters.clockodo.models import Project as ClockodoProject
from syncd.adapters.clockodo.models import User as ClockodoUser
from syncd.adapters.listing import ListResult
from syncd.adapters.moco.models import Activity, ActivityCreate, ActivityUpdate
from syncd.adapters.moco.models import Project as MocoProject
from syncd.adapters.moco.models import User as MocoUser


class Crash(BaseException):
    """The process died (kill -9): nothing after it runs, no handler sees it."""


@dataclass
class Faults:
    """What happens at the n-th write a client sends (counted over both vendors)."""

    crash_before: int | None = None  # killed before the vendor saw write n
    crash_after: int | None = None  # killed after the vendor applied write n
    lose_answer: int | None = None  # write n applied, its answer lost
    lose_request: int | None = None  # write n never reached the vendor, no answer either
    partial_bulk: int | None = None  # MOCO bulk n applies its first item, refuses the rest
    writes: int = 0

    def before(self) -> int:
        self.writes += 1
        if self.writes == self.crash_before:
            raise Crash(f"killed before write {self.writes}")
        if self.writes == self.lose_request:
            raise errors.OutcomeUnknown("fake", "POST", "", None, detail="connection dropped")
        return self.writes

    def after(self, n: int, api: str, route: str) -> None:
        if n == self.crash_after:
            raise Crash(f"killed after write {n}")
        if n == self.lose_answer:
            raise errors.OutcomeUnknown(api, "POST", route, None, detail="answer lost")


@dataclass
class Clock:
    """The vendors' idea of now: one second later at every change (stamps differ)."""

    now: datetime = datetime(2026, 4, 10, tzinfo=UTC)

    def tick(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


def _listed(items: list[Any]) -> ListResult[Any]:
    return ListResult(items, [], True, None)


def _incomplete() -> ListResult[Any]:
    return ListResult([], [], False, "page 1 failed (injected)")


@dataclass
class MocoRecord:
    id: int
    date: date
    seconds: int
    description: str
    billable: bool
    billed: bool
    user_id: int
    project_id: int
    task_id: int
    remote_id: str | None
    updated_at: datetime


@dataclass
class FakeMoco:
    """A MOCO account: projects (id -> customer, tasks) and users; activities."""

    clock: Clock
    faults: Faults
    users: Mapping[int, str]
    projects: Mapping[int, tuple[int, tuple[int, ...]]]
    activities: dict[int, MocoRecord] = field(default_factory=dict)
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1000))
    incomplete: bool = False  # the next window listing fails (then it is reset)
    deleted_by_syncd: list[int] = field(default_factory=list)

    # -- what people do ------------------------------------------------------------
    def book(self, **values: Any) -> MocoRecord:
        record = MocoRecord(id=next(self.ids), updated_at=self.clock.tick(), **values)
        self.activities[record.id] = record
        return record

    def edit(self, activity_id: int, **values: Any) -> None:
        record = self.activities[activity_id]
        self.activities[activity_id] = replace(record, updated_at=self.clock.tick(), **values)

    def client(self) -> FakeMocoClient:
        return FakeMocoClient(self)


class FakeMocoClient:
    def __init__(self, account: FakeMoco) -> None:
        self.account = account

    def __enter__(self) -> FakeMocoClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        return None

    # -- reads -----------------------------------------------------------------------
    def _activity(self, record: MocoRecord) -> Activity:
        customer = self.account.projects[record.project_id][0]
        return Activity.model_validate(
            {
                "id": record.id,
                "date": record.date.isoformat(),
                "seconds": record.seconds,
                "worked_seconds": record.seconds,
                "description": record.description,
                "billed": record.billed,
                "billable": record.billable,
                "remote_id": record.remote_id,
                "project": {"id": record.project_id},
                "task": {"id": record.task_id},
                "customer": {"id": customer},
                "user": {"id": record.user_id},
                "created_at": record.updated_at.isoformat(),
                "updated_at": record.updated_at.isoformat(),
            }
        )

    def list_activities(
        self,
        *,
        date_from: date | None,
        date_to: date | None,
        updated_after: datetime | None = None,
        remote_ids: Sequence[str] | None = None,
        ids: Sequence[int] | None = None,
        **_: Any,
    ) -> ListResult[Activity]:
        if self.account.incomplete and ids is None and remote_ids is None:
            self.account.incomplete = False
            return _incomplete()
        found = [
            r
            for r in self.account.activities.values()
            if (date_from is None or r.date >= date_from)
            and (date_to is None or r.date <= date_to)
            and (updated_after is None or r.updated_at > updated_after)
            and (remote_ids is None or r.remote_id in remote_ids)
            and (ids is None or r.id in ids)
        ]
        return _listed([self._activity(r) for r in sorted(found, key=lambda r: r.id)])

    def count_activities(self, *, date_from: date | None, date_to: date | None, **_: Any) -> int:
        listing = self.list_activities(date_from=date_from, date_to=date_to)
        return len(listing.items)

    def get_activity(self, activity_id: int) -> Activity:
        record = self.account.activities.get(activity_id)
        if record is None:
            raise errors.NotFound("moco", "GET", f"/activities/{activity_id}", 404)
        return self._activity(record)

    def users(self, include_archived: bool = False) -> ListResult[MocoUser]:
        return _listed(
            [
                MocoUser(id=i, firstname=name, lastname="Fake", active=True)
                for i, name in self.account.users.items()
            ]
        )

    def projects(self, include_archived: bool = False) -> ListResult[MocoProject]:
        return _listed(
            [
                MocoProject.model_validate(
                    {
                        "id": pid,
                        "name": f"P{pid}",
                        "active": True,
                        "billable": True,
                        "customer": {"id": customer},
                        "tasks": [
                            {"id": t, "name": f"T{t}", "active": True, "billable": True}
                            for t in tasks
                        ],
                    }
                )
                for pid, (customer, tasks) in self.account.projects.items()
            ]
        )

    # -- writes ------------------------------------------------------------------------
    def _create(self, payload: ActivityCreate, user: int | None) -> MocoRecord:
        assert user is not None, "syncd creates as the booking's user"
        return self.account.book(
            date=payload.date,
            seconds=payload.seconds,
            description=payload.description or "",
            billable=bool(payload.billable),
            billed=False,
            user_id=user,
            project_id=payload.project_id,
            task_id=payload.task_id,
            remote_id=payload.remote_id,
        )

    def create_activity(self, payload: ActivityCreate, *, impersonate: int | None) -> Activity:
        n = self.account.faults.before()
        record = self._create(payload, impersonate)
        self.account.faults.after(n, "moco", "/activities")
        return self._activity(record)

    def bulk_create(
        self, payloads: Sequence[ActivityCreate], *, impersonate: int | None
    ) -> list[Activity]:
        n = self.account.faults.before()
        if n == self.account.faults.partial_bulk and len(payloads) > 1:
            # MOCO does not document bulk creates as all-or-nothing: the first item
            # lands, then the batch is refused.
            self._create(payloads[0], impersonate)
            raise errors.ValidationFailed(
                "moco", "POST", "/activities/bulk", 422, ["task is not active"]
            )
        records = [self._create(p, impersonate) for p in payloads]
        self.account.faults.after(n, "moco", "/activities/bulk")
        return [self._activity(r) for r in records]

    def _writable(self, activity_id: int, method: str) -> MocoRecord:
        record = self.account.activities.get(activity_id)
        route = f"/activities/{activity_id}"
        if record is None:
            raise errors.NotFound("moco", method, route, 404)
        if record.billed:
            raise errors.LockedOrBilled("moco", method, route, 422, ["activity is billed"])
        return record

    def update_activity(
        self,
        activity_id: int,
        changes: ActivityUpdate | Mapping[str, Any],
        *,
        impersonate: int | None,
    ) -> Activity:
        n = self.account.faults.before()
        self._writable(activity_id, "PUT")
        values = dict(changes) if not isinstance(changes, ActivityUpdate) else changes.body()
        if "date" in values and isinstance(values["date"], str):
            values["date"] = date.fromisoformat(values["date"])
        self.account.edit(activity_id, **values)
        self.account.faults.after(n, "moco", "/activities/{id}")
        return self._activity(self.account.activities[activity_id])

    def delete_activity(self, activity_id: int, *, impersonate: int | None) -> None:
        n = self.account.faults.before()
        self._writable(activity_id, "DELETE")
        del self.account.activities[activity_id]
        self.account.deleted_by_syncd.append(activity_id)
        self.account.faults.after(n, "moco", "/activities/{id}")

    def disregard(
        self, ids: Sequence[int], *, reason: str, company_id: int, project_id: int
    ) -> list[int]:
        n = self.account.faults.before()
        answered = []
        for activity_id in ids:
            record = self.account.activities.get(activity_id)
            if record and record.project_id == project_id and not record.billed:
                self.account.edit(activity_id, billed=True, billable=True)
                answered.append(activity_id)
        self.account.faults.after(n, "moco", "/activities/disregard")
        return answered


@dataclass
class ClockodoRecord:
    id: int
    users_id: int
    customers_id: int
    projects_id: int
    services_id: int
    billable: int
    text: str
    time_since: datetime
    time_until: datetime
    time_last_change: datetime

    @property
    def duration(self) -> int:
        return int((self.time_until - self.time_since).total_seconds())


@dataclass
class FakeClockodo:
    """A clockodo account: users (id -> zone), projects (id -> customer), services."""

    clock: Clock
    faults: Faults
    users: Mapping[int, str]
    projects: Mapping[int, int]
    services: Sequence[int]
    entries: dict[int, ClockodoRecord] = field(default_factory=dict)
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(5000))
    incomplete: bool = False
    deleted_by_syncd: list[int] = field(default_factory=list)

    def book(self, **values: Any) -> ClockodoRecord:
        record = ClockodoRecord(id=next(self.ids), time_last_change=self.clock.tick(), **values)
        self.entries[record.id] = record
        return record

    def edit(self, entry_id: int, **values: Any) -> None:
        record = self.entries[entry_id]
        self.entries[entry_id] = replace(record, time_last_change=self.clock.tick(), **values)

    def client(self) -> FakeClockodoClient:
        return FakeClockodoClient(self)


class FakeClockodoClient:
    def __init__(self, account: FakeClockodo) -> None:
        self.account = account

    def __enter__(self) -> FakeClockodoClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        return None

    @staticmethod
    def _entry(record: ClockodoRecord) -> Entry:
        return Entry.model_validate(
            {
                "id": record.id,
                "type": 1,
                "customers_id": record.customers_id,
                "projects_id": record.projects_id,
                "services_id": record.services_id,
                "users_id": record.users_id,
                "billable": record.billable,
                "text": record.text,
                "time_since": record.time_since.isoformat(),
                "time_until": record.time_until.isoformat(),
                "duration": record.duration,
                "time_last_change": record.time_last_change.isoformat(),
            }
        )

    def _select(
        self, since: datetime, until: datetime, filters: Mapping[str, Any]
    ) -> list[ClockodoRecord]:
        return [
            r
            for r in sorted(self.account.entries.values(), key=lambda r: r.id)
            if since <= r.time_since < until
            and all(v is None or getattr(r, k) == v for k, v in filters.items())
        ]

    def list_entries(
        self,
        *,
        time_since: datetime,
        time_until: datetime,
        keep: Callable[[Entry], Any] | None = None,
        **filters: Any,
    ) -> ListResult[Any]:
        if self.account.incomplete and not filters.get("users_id"):
            self.account.incomplete = False
            return _incomplete()
        entries = [self._entry(r) for r in self._select(time_since, time_until, filters)]
        return _listed(entries if keep is None else [keep(e) for e in entries])

    def get_entry(self, entry_id: int) -> Entry:
        record = self.account.entries.get(entry_id)
        if record is None:
            raise errors.NotFound("clockodo", "GET", f"/v2/entries/{entry_id}", 404)
        return self._entry(record)

    def users(self) -> ListResult[ClockodoUser]:
        return _listed(
            [
                ClockodoUser(id=i, name=f"U{i}", active=True, timezone=zone)
                for i, zone in self.account.users.items()
            ]
        )

    def customers(self) -> ListResult[Customer]:
        customers = sorted(set(self.account.projects.values()))
        return _listed([Customer(id=c, name=f"C{c}", active=True) for c in customers])

    def projects(self) -> ListResult[ClockodoProject]:
        return _listed(
            [
                ClockodoProject(id=p, customers_id=c, name=f"P{p}", active=True)
                for p, c in self.account.projects.items()
            ]
        )

    def services(self) -> ListResult[Service]:
        return _listed([Service(id=s, name=f"S{s}", active=True) for s in self.account.services])

    # -- writes ------------------------------------------------------------------------
    def create_entry(self, payload: EntryCreate) -> Entry:
        n = self.account.faults.before()
        assert payload.projects_id is not None
        assert payload.users_id is not None
        record = self.account.book(
            users_id=payload.users_id,
            customers_id=payload.customers_id,
            projects_id=payload.projects_id,
            services_id=payload.services_id,
            billable=payload.billable,
            text=payload.text or "",
            time_since=payload.time_since,
            time_until=payload.time_until,
        )
        self.account.faults.after(n, "clockodo", "/v2/entries")
        return self._entry(record)

    def _writable(self, entry_id: int, method: str) -> ClockodoRecord:
        record = self.account.entries.get(entry_id)
        route = f"/v2/entries/{entry_id}"
        if record is None:
            raise errors.NotFound("clockodo", method, route, 404)
        if record.billable == 2:
            raise errors.LockedOrBilled("clockodo", method, route, 403, ["entry is billed"])
        return record

    def update_entry(self, entry_id: int, changes: EntryUpdate | Mapping[str, Any]) -> Entry:
        n = self.account.faults.before()
        self._writable(entry_id, "PUT")
        body = (
            changes.model_dump(exclude_unset=True)
            if isinstance(changes, EntryUpdate)
            else dict(changes)
        )
        body.pop("duration", None)  # linked to the span in this account
        self.account.edit(entry_id, **body)
        self.account.faults.after(n, "clockodo", "/v2/entries/{id}")
        return self._entry(self.account.entries[entry_id])

    def delete_entry(self, entry_id: int) -> None:
        n = self.account.faults.before()
        self._writable(entry_id, "DELETE")
        del self.account.entries[entry_id]
        self.account.deleted_by_syncd.append(entry_id)
        self.account.faults.after(n, "clockodo", "/v2/entries/{id}")

    def edit_entry_group(
        self,
        *,
        time_since: datetime,
        time_until: datetime,
        filters: Mapping[str, Any],
        changes: Mapping[str, Any],
    ) -> GroupEditHandshake:
        selected = self._select(time_since, time_until, filters)

        def confirm() -> int:
            n = self.account.faults.before()
            for record in selected:
                self.account.edit(record.id, **changes)
            self.account.faults.after(n, "clockodo", "/v2/entrygroups")
            return len(selected)

        return GroupEditHandshake(len(selected), confirm)


Edit = Callable[[], None]
