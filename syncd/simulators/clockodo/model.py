"""The records of a simulated clockodo account, in the API's own field names.

Seeds use these shapes too (`seed` parses them with pydantic, so a wrong type
in a seed file fails with a clear message); fields a seed leaves out get the
defaults below, which are what a fresh real account most likely shows. Fields
of real API captures that the simulator does not model are ignored.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from syncd.simulators.kit import utc_iso

TIME_ENTRY, LUMPSUM_VALUE, LUMPSUM_SERVICE = 1, 2, 3
NOT_BILLABLE, BILLABLE, BILLED = 0, 1, 2


class Record(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: int = 0  # 0 = "assign the next free id" when seeding


class MasterRecord(Record):
    name: str
    number: str | None = None
    active: bool = True


class User(MasterRecord):
    email: str | None = None
    # The spec's Role enum has only owner and worker. Owners see and book for
    # everyone; workers only for themselves (no access groups simulated).
    role: Literal["owner", "worker"] = "worker"
    timezone: str = "Europe/Berlin"
    language: Literal["en", "de", "fr"] = "de"
    initials: str = ""
    teams_id: int | None = None
    nonbusiness_groups_id: int | None = None
    weekstart_monday: bool = True
    weekend_friday: bool = False
    timeformat_12h: bool = False
    boss: int | None = None
    edit_lock: date | None = None
    edit_lock_dyn: int | None = None
    edit_lock_sync: bool | None = True
    work_time_edit_lock_days: int | None = None
    start_date: date | None = None
    created_at: str = "2024-01-01T00:00:00Z"
    # Defaults of a co-worker added with the company's standard settings:
    # no DATEV wage type, the company's work time regulation, holiday count
    # and target hours, no absence managers or access groups.
    wage_type: Literal[1, 2] | None = None
    work_time_regulations_id: int | None = None
    default_work_time_regulation: bool = True
    default_holidays_count: bool = True
    default_target_hours: bool = True
    absence_managers_id: list[int] = Field(default_factory=list)
    access_groups_ids: list[int] = Field(default_factory=list)
    # Only editable for workers; owners may do all three [assumption: shown true].
    can_generally_see_absences: bool = False
    can_generally_manage_absences: bool = False
    can_add_customers: bool = False
    future_coworker: bool = False
    budget_notifications: bool = False
    creator: int | None = None

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (KeyError, ValueError):  # ZoneInfoNotFoundError is a KeyError
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def is_owner(self) -> bool:
        return self.role == "owner"

    def api_json(self, *, me: bool = False) -> dict[str, Any]:
        # UserV3.email is optional but never null: leave it out when unknown.
        data = self.model_dump(mode="json", exclude={"email"} if self.email is None else None)
        if not data["initials"]:
            data["initials"] = "".join(part[0] for part in self.name.split()[:2]).upper()
        if self.is_owner:
            data.update(
                can_generally_see_absences=True,
                can_generally_manage_absences=True,
                can_add_customers=True,
            )
        # Deprecated aliases the spec still lists; `nonbusinessgroups_id` is a
        # non-null integer there, so it is left out while no group is set.
        data["worktime_regulation_id"] = self.work_time_regulations_id
        if self.nonbusiness_groups_id is not None:
            data["nonbusinessgroups_id"] = self.nonbusiness_groups_id
        if me:  # the PIN for clockodo's support line: shown to its owner only [assumption]
            data["support_pin"] = f"{(self.id * 7919) % 10000:04d}"
        return data


class Customer(MasterRecord):
    color: int = 1
    billable_default: bool = True
    note: str | None = None
    test_data: bool = False
    service_assignments: list[int] = Field(default_factory=list)

    def api_json(self, viewer: User) -> dict[str, Any]:
        # `note` is only visible for owners (or workers with elevated access).
        return self.model_dump(mode="json", exclude=None if viewer.is_owner else {"note"})


class Project(MasterRecord):
    customers_id: int
    billable_default: bool = True
    note: str | None = None
    completed: bool = False
    completed_at: AwareDatetime | None = None
    deadline: date | None = None
    start_date: date | None = None
    automatic_completion: bool = False
    budget: dict[str, Any] | None = None
    test_data: bool = False
    service_assignments: list[int] = Field(default_factory=list)
    # Set through PUT /v3/projects/{id}/setBilled.
    billed_money: float | None = None
    billed_completely: bool = False

    def api_json(self, viewer: User, count_subprojects: int = 0) -> dict[str, Any]:
        hidden = {"completed_at", "note", "billed_money", "billed_completely"}
        data = self.model_dump(mode="json", exclude=hidden)
        data["completed_at"] = utc_iso(self.completed_at) if self.completed_at else None
        data["count_subprojects"] = count_subprojects
        if viewer.is_owner:  # "only with necessary access rights"
            data.update(
                note=self.note,
                revenue_factor=1,
                billed_money=self.billed_money,
                billed_completely=self.billed_completely,
            )
        return data


class Subproject(MasterRecord):
    projects_id: int
    billable_default: bool = True
    note: str | None = None
    completed: bool = False
    completed_at: AwareDatetime | None = None
    deadline: date | None = None
    start_date: date | None = None
    automatic_completion: bool = False
    budget: dict[str, Any] | None = None
    service_assignments: list[int] = Field(default_factory=list)
    billed_money: float | None = None
    billed_completely: bool = False

    def api_json(self, viewer: User) -> dict[str, Any]:
        hidden = {"completed_at", "note", "billed_money", "billed_completely"}
        data = self.model_dump(mode="json", exclude=hidden)
        data["completed_at"] = utc_iso(self.completed_at) if self.completed_at else None
        # `billed`, `billed_money` and `billed_completely` are required (nullable)
        # in SubprojectV3; workers get nulls [assumption: rights as for projects].
        owner = viewer.is_owner
        data.update(
            billed=int(self.billed_completely) if owner else None,
            billed_money=self.billed_money if owner else None,
            billed_completely=self.billed_completely if owner else None,
            revenue_factor=1 if owner else None,
        )
        if owner:
            data["note"] = self.note
        return data


class Team(Record):
    name: str
    leader: int | None = None

    def api_json(self, members: list[int]) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "leader": self.leader, "user_ids": members}


class Service(MasterRecord):
    note: str | None = None

    def api_json(self, viewer: User) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude=None if viewer.is_owner else {"note"})


class LumpSumService(MasterRecord):
    price: float
    unit: str | None = None
    note: str | None = None

    def api_json(self, viewer: User) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude=None if viewer.is_owner else {"note"})


class Entry(Record):
    """One entry of any type; `text` is stored verbatim, `texts_id` names it."""

    type: int = TIME_ENTRY
    users_id: int
    customers_id: int
    projects_id: int | None = None
    subprojects_id: int | None = None
    services_id: int | None = None
    lumpsum_services_id: int | None = None
    billable: int = BILLABLE
    text: str | None = None
    texts_id: int | None = None
    time_since: AwareDatetime
    time_until: AwareDatetime | None = None
    duration: int | None = None
    time_insert: AwareDatetime
    time_last_change: AwareDatetime
    time_last_change_work_time: AwareDatetime
    time_clocked_since: AwareDatetime | None = None
    clocked: bool = False
    clocked_offline: bool = False
    hourly_rate: float = 0.0
    lumpsum: float | None = None
    lumpsum_services_amount: float | None = None
    test_data: bool = False

    @field_validator("type")
    @classmethod
    def _known_type(cls, value: int) -> int:
        if value not in (TIME_ENTRY, LUMPSUM_VALUE, LUMPSUM_SERVICE):
            raise ValueError("type must be 1 (time), 2 (lump-sum value) or 3 (lump-sum service)")
        return value

    @field_validator("billable")
    @classmethod
    def _known_billability(cls, value: int) -> int:
        if value not in (NOT_BILLABLE, BILLABLE, BILLED):
            raise ValueError("billable must be 0, 1 or 2")
        return value

    @field_validator(
        "time_since",
        "time_until",
        "time_insert",
        "time_last_change",
        "time_last_change_work_time",
        "time_clocked_since",
    )
    @classmethod
    def _whole_utc_seconds(cls, value: datetime | None) -> datetime | None:
        # clockodo stores instants to the second, in UTC.
        return None if value is None else to_second(value)

    @property
    def is_running(self) -> bool:
        return self.type == TIME_ENTRY and self.time_until is None

    @property
    def is_lumpsum(self) -> bool:
        return self.type != TIME_ENTRY

    def worked_seconds(self) -> int:
        """Seconds this entry counts for (0 for lump sums and running clocks)."""
        return (self.duration or 0) if self.type == TIME_ENTRY else 0


def to_second(moment: datetime) -> datetime:
    # Skips the conversions a UTC whole second does not need (seeding calls this 700,000 times).
    if moment.tzinfo is not UTC:
        moment = moment.astimezone(UTC)
    return moment.replace(microsecond=0) if moment.microsecond else moment


def span_seconds(since: datetime, until: datetime) -> int:
    return int((until - since) / timedelta(seconds=1))
