"""The records of a simulated MOCO account, as MOCO stores them.

Responses are rendered from these records (see `render.py`); names of users,
projects, tasks and customers are looked up at render time, so a renamed
project shows its new name on every activity, as in MOCO.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

# The values MOCO accepts for `remote_service` (OAS enum); "" means unset.
REMOTE_SERVICES = frozenset(
    {
        "",
        "trello",
        "jira",
        "asana",
        "basecamp",
        "wunderlist",
        "basecamp2",
        "basecamp3",
        "toggl",
        "mite",
        "github",
        "youtrack",
    }
)

# First ids handed out per kind: MOCO ids are large integers (REC shows
# users 933638919, projects 945371385, activities 999805944), and starting
# high catches clients that squeeze ids into 32-bit or small types.
ID_BASES = {
    "user": 933_590_001,
    "company": 760_896_001,
    "project": 945_371_001,
    "task": 7_281_001,
    "contract": 3_301_001,
    "activity": 1_015_625_001,
    "web_hook": 73_001,
}

# What a web hook may watch (OAS `target` enum) and the events MOCO sends.
WEB_HOOK_TARGETS = frozenset(
    {
        "Activity",
        "Comment",
        "Company",
        "Contact",
        "Contract",
        "Deal",
        "Expense",
        "Invoice",
        "Invoice::Approval",
        "Invoice::BookkeepingExport",
        "Invoice::Payment",
        "InvoiceDraft",
        "InvoiceReminder",
        "Offer",
        "PlanningEntry",
        "Presence",
        "Project",
        "Project::PaymentSchedule",
        "ProjectGroup",
        "Purchase",
        "Purchase::Approval",
        "Purchase::BookkeepingExport",
        "Purchase::Draft",
        "Purchase::Order",
        "Purchase::Payment",
        "RecurringExpense",
        "Schedule",
        "Task",
        "User",
        "User::HolidayRequest",
        "User::AbsenceRequest",
        "User::PeriodLockOverride",
        "User::WorkTimeAdjustment",
    }
)
WEB_HOOK_EVENTS = ("create", "update", "delete")


@dataclass
class ApiKey:
    key: str
    user_id: int
    # Marks the key's user as holding the Staff permission ("Personal"),
    # which is what MOCO requires for X-IMPERSONATE-USER-ID.
    impersonate: bool = False


@dataclass
class User:
    id: int
    firstname: str
    lastname: str
    email: str
    uuid: str
    created_at: datetime
    updated_at: datetime
    active: bool = True
    extern: bool = False
    # Simulator-only flags (not in MOCO's JSON): the Staff permission, and the
    # account owner, whom nobody may impersonate (as in MOCO's "Switch user").
    staff: bool = False
    owner: bool = False
    unit: dict[str, Any] = field(default_factory=lambda: {"id": 1, "name": "Team"})
    role: dict[str, Any] | None = None
    tags: list[str] = field(default_factory=list)
    custom_properties: dict[str, Any] = field(default_factory=dict)


@dataclass
class Company:
    id: int
    name: str
    created_at: datetime
    updated_at: datetime
    type: str = "customer"
    identifier: str | None = None
    active: bool = True
    archived_on: datetime | None = None
    currency: str = "EUR"
    tags: list[str] = field(default_factory=list)


@dataclass
class Task:
    id: int
    name: str
    created_at: datetime
    updated_at: datetime
    billable: bool = True
    active: bool = True
    budget: float | None = None
    hourly_rate: float = 0.0
    description: str | None = None


@dataclass
class Contract:
    """A user's assignment to a project: booking on a project requires an active one."""

    id: int
    user_id: int
    created_at: datetime
    updated_at: datetime
    billable: bool = True
    active: bool = True
    budget: float | None = None
    hourly_rate: float = 0.0


@dataclass
class Project:
    id: int
    name: str
    customer_id: int
    created_at: datetime
    updated_at: datetime
    identifier: str | None = None
    active: bool = True
    billable: bool = True
    # Archived projects are inactive and hidden from GET /projects unless
    # include_archived=true. OAS types archived_on as date-time.
    archived_on: datetime | None = None
    leader_id: int | None = None
    co_leader_id: int | None = None
    # Where an activity's hourly rate comes from: the project, the task or the
    # user's contract (MOCO's "billing_variant").
    billing_variant: str = "project"
    hourly_rate: float = 0.0
    currency: str = "EUR"
    budget: float | None = None
    start_date: date | None = None
    finish_date: date | None = None
    tags: list[str] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    contracts: list[Contract] = field(default_factory=list)

    def task(self, task_id: int) -> Task | None:
        return next((t for t in self.tasks if t.id == task_id), None)

    def contract_of(self, user_id: int) -> Contract | None:
        return next((c for c in self.contracts if c.user_id == user_id), None)

    def is_led_by(self, user_id: int) -> bool:
        return user_id in (self.leader_id, self.co_leader_id)


@dataclass
class Activity:
    id: int
    date: date
    user_id: int
    project_id: int
    task_id: int
    created_at: datetime
    updated_at: datetime
    seconds: int = 0
    worked_seconds: int = 0
    description: str | None = ""
    billed: bool = False
    invoice_id: int | None = None
    billable: bool = True
    tag: str | None = ""
    remote_service: str | None = ""
    remote_id: str | None = None
    remote_url: str | None = None
    hourly_rate: float | None = 0.0
    timer_started_at: datetime | None = None


def hours_of(seconds: int) -> float:
    """MOCO's decimal hours: 4500 s → 1.25 (two decimals, as in its reports)."""
    return round(seconds / 3600, 2)


@dataclass
class WebHook:
    """An account web hook: `hook` is the URL MOCO posts `event`s on `target` records to."""

    id: int
    target: str
    event: str
    hook: str
    created_at: datetime
    updated_at: datetime
    disabled: bool = False
    disabled_at: datetime | None = None
