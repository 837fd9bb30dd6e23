"""clockodo records as the API returns them (clockodo.md §2-5), and the payloads we send.

Timestamps are aware UTC datetimes; requests carry them as
`YYYY-MM-DDTHH:MM:SSZ` without milliseconds (clockodo.md §2.3).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from syncd.adapters.fields import Seconds, UtcDatetime, utc_z

_READ = ConfigDict(extra="ignore", frozen=True)
_WRITE = ConfigDict(extra="forbid", frozen=True)

TIME_ENTRY = 1
LUMP_SUM_VALUE = 2
LUMP_SUM_SERVICE = 3

# -1 = not available to the caller, 0 = not billable, 1 = billable, 2 = billed
Billability = Literal[-1, 0, 1, 2]


class Entry(BaseModel):
    """A clockodo entry of any type; type-specific fields are None on other types."""

    model_config = _READ
    id: int
    type: Literal[1, 2, 3]  # 1 time entry, 2 lump-sum value, 3 lump-sum service
    customers_id: int
    projects_id: int | None = None
    subprojects_id: int | None = None
    users_id: int
    billable: Billability
    texts_id: int | None = None
    text: str | None = None
    time_since: UtcDatetime
    time_until: UtcDatetime | None = None  # None while the clock runs
    time_insert: UtcDatetime | None = None
    time_last_change: UtcDatetime
    test_data: bool = False
    # time entries (type 1)
    services_id: int | None = None
    duration: Seconds | None = None  # None while the clock runs
    time_last_change_work_time: UtcDatetime | None = None
    time_clocked_since: UtcDatetime | None = None
    clocked: bool | None = None
    clocked_offline: bool | None = None
    hourly_rate: float | None = None  # needs rights to be present
    offset: int | None = None  # legacy "time correction" (clockodo.md §2.2)
    # lump sums (types 2 and 3)
    lumpsum: float | None = None
    lumpsum_services_id: int | None = None
    lumpsum_services_amount: float | None = None

    @property
    def is_running(self) -> bool:
        return self.type == TIME_ENTRY and self.time_until is None


def _body(model: BaseModel, *, exclude_unset: bool) -> dict[str, Any]:
    body = model.model_dump(exclude_unset=exclude_unset, exclude_none=not exclude_unset)
    return {
        key: utc_z(value) if isinstance(value, dt.datetime) else value
        for key, value in body.items()
    }


class EntryCreate(BaseModel):
    """Body of `POST /v2/entries` for a time entry (the only type syncd creates).

    `billable` is 0 or 1 on create; 2 (billed) is set later by update.
    `users_id` books for another user (needs rights).
    """

    model_config = _WRITE
    customers_id: int
    services_id: int
    billable: Literal[0, 1]
    time_since: dt.datetime
    time_until: dt.datetime
    projects_id: int | None = None
    subprojects_id: int | None = None
    users_id: int | None = None
    duration: Seconds | None = None
    text: str | None = None
    hourly_rate: float | None = None

    def body(self) -> dict[str, Any]:
        return _body(self, exclude_unset=False)


class EntryUpdate(BaseModel):
    """Body of `PUT /v2/entries/{id}`: only fields that were set are sent.
    An empty `text` clears the description."""

    model_config = _WRITE
    customers_id: int | None = None
    projects_id: int | None = None
    subprojects_id: int | None = None
    services_id: int | None = None
    users_id: int | None = None
    billable: Literal[0, 1, 2] | None = None
    time_since: dt.datetime | None = None
    time_until: dt.datetime | None = None
    duration: Seconds | None = None
    text: str | None = None
    hourly_rate: float | None = None

    def body(self) -> dict[str, Any]:
        return _body(self, exclude_unset=True)


class EntryGroup(BaseModel):
    """One level of `GET /v2/entrygroups`; deeper levels in `sub_groups`."""

    model_config = _READ
    grouped_by: str
    group: str  # documented as a string, sent as a number for `year` and for 0
    name: str | None = None
    number: str | None = None
    note: str | None = None
    restrictions: dict[str, Any] = Field(default_factory=dict)
    duration: int  # seconds
    revenue: float | None = None
    sub_groups: list[EntryGroup] | None = None

    @field_validator("group", mode="before")
    @classmethod
    def _number_as_text(cls, value: Any) -> Any:
        return (
            str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value
        )


class ClockStatus(BaseModel):
    """`GET /v2/clock`: the running entry (if any) and the one stopped last."""

    model_config = _READ
    running: Entry | None = None
    stopped: Entry | None = None
    current_time: UtcDatetime


class Customer(BaseModel):
    model_config = _READ
    id: int
    name: str
    number: str | None = None
    active: bool
    billable_default: bool | None = None


class Project(BaseModel):
    model_config = _READ
    id: int
    customers_id: int
    name: str
    number: str | None = None
    active: bool
    billable_default: bool | None = None
    completed: bool | None = None


class Service(BaseModel):
    model_config = _READ
    id: int
    name: str
    number: str | None = None
    active: bool


class User(BaseModel):
    model_config = _READ
    id: int
    name: str
    email: str | None = None
    number: str | None = None
    role: str | None = None
    active: bool
    timezone: str | None = None  # IANA zone, e.g. Europe/Berlin
    edit_lock: str | None = None  # date up to which the user's entries are locked
    edit_lock_dyn: int | None = None  # rolling lock in days
