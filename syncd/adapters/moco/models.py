"""MOCO records as the API returns them (moco.md §5, §6), and the payloads we send.

Read models ignore unknown fields; write payloads forbid them, so a typo or
the deprecated `hours` can never reach MOCO.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from syncd.adapters.fields import Seconds, UtcDatetime

_READ = ConfigDict(extra="ignore", frozen=True)
_WRITE = ConfigDict(extra="forbid", frozen=True)


class ProjectRef(BaseModel):
    model_config = _READ
    id: int
    name: str | None = None
    identifier: str | None = None
    billable: bool | None = None


class TaskRef(BaseModel):
    model_config = _READ
    id: int
    name: str | None = None
    billable: bool | None = None


class CompanyRef(BaseModel):
    model_config = _READ
    id: int
    name: str | None = None


class UserRef(BaseModel):
    model_config = _READ
    id: int
    firstname: str | None = None
    lastname: str | None = None


class DealRef(BaseModel):
    model_config = _READ
    id: int
    name: str | None = None


class Activity(BaseModel):
    """A MOCO activity: a calendar day and a duration, no time of day."""

    model_config = _READ
    id: int
    date: dt.date
    seconds: Seconds  # billable seconds (may differ from worked_seconds, moco.md §5.6)
    worked_seconds: Seconds | None = None  # absent on older accounts
    hours: float | None = None  # derived from seconds; never written
    description: str | None = None
    billed: bool
    invoice_id: int | None = None
    billable: bool
    tag: str | None = None
    remote_service: str | None = None  # "" (unset) is read as None
    remote_id: str | None = None
    remote_url: str | None = None
    project: ProjectRef
    task: TaskRef
    customer: CompanyRef | None = None
    user: UserRef | None = None
    deal: DealRef | None = None
    hourly_rate: float | None = None  # the key is missing when rates are hidden from the caller
    timer_started_at: UtcDatetime | None = None
    created_at: UtcDatetime
    updated_at: UtcDatetime

    @field_validator("remote_service", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: Any) -> Any:
        return None if value == "" else value


class ActivityCreate(BaseModel):
    """Body of `POST /activities` and one item of `POST /activities/bulk`.

    There is no `user_id`: the activity belongs to the key's user or to the
    impersonated one. `remote_service` must be one of MOCO's enum values or
    left out; a foreign key goes into `remote_id` (e.g. ``clockodo:123``).
    """

    model_config = _WRITE
    date: dt.date
    project_id: int
    task_id: int
    seconds: Seconds
    description: str | None = None
    billable: bool | None = None
    tag: str | None = None
    remote_service: str | None = None
    remote_id: str | None = None
    remote_url: str | None = None

    def body(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)


class ActivityUpdate(BaseModel):
    """Body of `PUT /activities/{id}`: only the fields that were set are sent
    (an explicit None clears a nullable field such as `description`)."""

    model_config = _WRITE
    date: dt.date | None = None
    project_id: int | None = None
    task_id: int | None = None
    seconds: Seconds | None = None
    description: str | None = None
    billable: bool | None = None
    tag: str | None = None
    remote_service: str | None = None
    remote_id: str | None = None
    remote_url: str | None = None

    def body(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_unset=True)


class Session(BaseModel):
    model_config = _READ
    id: int  # the key's user
    uuid: str


class Profile(BaseModel):
    """`GET /profile`: the key's user, or the impersonated one."""

    model_config = _READ
    id: int
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    active: bool | None = None
    external: bool | None = None


class User(BaseModel):
    model_config = _READ
    id: int
    firstname: str
    lastname: str
    active: bool
    extern: bool | None = None  # spelled `external` on writes and /profile
    email: str | None = None
    created_at: UtcDatetime | None = None
    updated_at: UtcDatetime | None = None


class Task(BaseModel):
    model_config = _READ
    id: int
    name: str
    active: bool
    billable: bool
    hourly_rate: float | None = None


class Contract(BaseModel):
    """A user's assignment to a project (who may book on it)."""

    model_config = _READ
    id: int
    user_id: int
    active: bool
    billable: bool | None = None
    firstname: str | None = None
    lastname: str | None = None


class Project(BaseModel):
    model_config = _READ
    id: int
    identifier: str | None = None
    name: str
    active: bool
    billable: bool
    customer: CompanyRef
    tasks: list[Task] = Field(default_factory=list)
    contracts: list[Contract] = Field(default_factory=list)
    archived_on: str | None = None  # OAS: date-time; older docs: a date. Kept as sent.
    created_at: UtcDatetime | None = None
    updated_at: UtcDatetime | None = None


class AssignedTask(BaseModel):
    model_config = _READ
    id: int
    name: str
    active: bool
    billable: bool | None = None


class AssignmentRef(BaseModel):
    model_config = _READ
    user_id: int
    active: bool


class AssignedProject(BaseModel):
    """`GET /projects/assigned`: a project the (impersonated) user may book on."""

    model_config = _READ
    id: int
    identifier: str | None = None
    name: str
    active: bool
    billable: bool | None = None
    customer: CompanyRef | None = None
    tasks: list[AssignedTask] = Field(default_factory=list)
    contract: AssignmentRef | None = None


class Company(BaseModel):
    model_config = _READ
    id: int
    type: str
    name: str
    identifier: str | None = None
    active: bool | None = None
    archived_on: str | None = None  # OAS: date-time; older docs: a date. Kept as sent.
    projects: list[ProjectRef] = Field(default_factory=list)
    updated_at: UtcDatetime | None = None


class WebHook(BaseModel):
    """An account web hook (`/account/web_hooks`, moco.md §9 item 9)."""

    model_config = _READ
    id: int
    target: str
    event: str
    hook: str  # the URL MOCO posts to
    disabled: bool = False
