"""The account: every record of one simulated MOCO account, plus lookups.

`MocoAccount` is plain data with no HTTP in it; the handlers take the
simulator's lock around every read and write. `ApiError` is how the rules
refuse a request: the HTTP layer turns it into MOCO's status and body.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from syncd.simulators.moco.index import ActivityIndex
from syncd.simulators.moco.model import (
    ID_BASES,
    Activity,
    ApiKey,
    Company,
    Project,
    Task,
    User,
    WebHook,
)

# The account's web hook signing key ("displayed in the WebHook overview"):
# 32 hex characters, one per account. Fixed by default so runs repeat.
DEFAULT_WEB_HOOK_KEY = "5f3c0a9e1b7d4e2f8a6c3b1d0e9f7a25"


class ApiError(Exception):
    """A refusal in MOCO's words: HTTP status plus JSON body (None: empty body)."""

    def __init__(self, status: int, body: Any = None) -> None:
        super().__init__(status, body)
        self.status = status
        self.body = body


def unprocessable(errors: dict[str, list[str]]) -> ApiError:
    return ApiError(422, {"errors": errors})


def not_found() -> ApiError:
    return ApiError(404, {"message": "Not Found"})


def forbidden(reason: str) -> ApiError:
    return ApiError(403, {"errors": [reason]})


@dataclass
class MocoAccount:
    api_keys: dict[str, ApiKey] = field(default_factory=dict)
    users: dict[int, User] = field(default_factory=dict)
    companies: dict[int, Company] = field(default_factory=dict)
    projects: dict[int, Project] = field(default_factory=dict)
    activities: ActivityIndex = field(default_factory=ActivityIndex)
    web_hooks: dict[int, WebHook] = field(default_factory=dict)
    web_hook_key: str = DEFAULT_WEB_HOOK_KEY
    # Account-wide period lock: activities dated on or before it cannot be
    # created, changed or deleted (MOCO's "Period lock" setting).
    period_lock: date | None = None
    next_ids: dict[str, int] = field(default_factory=lambda: dict(ID_BASES))

    def staged(self) -> MocoAccount:
        """A copy to seed into: everything but the activities copied, no activities.

        Seeding fills it and the simulator commits it only when the whole seed
        was good; copying 100,000 activities for that would cost seconds.
        """
        return MocoAccount(
            api_keys=copy.deepcopy(self.api_keys),
            users=copy.deepcopy(self.users),
            companies=copy.deepcopy(self.companies),
            projects=copy.deepcopy(self.projects),
            period_lock=self.period_lock,
            next_ids=dict(self.next_ids),
            web_hooks=copy.deepcopy(self.web_hooks),
            web_hook_key=self.web_hook_key,
        )

    # -- ids ------------------------------------------------------------------
    def new_id(self, kind: str) -> int:
        new = self.next_ids[kind]
        self.next_ids[kind] = new + 1
        return new

    def claim_id(self, kind: str, given: Any) -> int:
        """Use a seeded id, or hand out the next free one."""
        if given is None:
            return self.new_id(kind)
        if isinstance(given, bool) or not isinstance(given, int) or given < 1:
            raise ValueError(f"{kind} id must be a positive integer, got {given!r}")
        self.next_ids[kind] = max(self.next_ids[kind], given + 1)
        return given

    # -- lookups --------------------------------------------------------------
    def running_timer_of(self, user_id: int) -> Activity | None:
        mine = self.activities.of_user(user_id)
        return next((a for a in mine if a.timer_started_at is not None), None)

    def is_locked(self, day: date) -> bool:
        return self.period_lock is not None and day <= self.period_lock

    def rate_for(self, project: Project, task: Task, user_id: int) -> float | None:
        """The hourly rate a new booking gets, following the project's billing variant."""
        if project.billing_variant == "task":
            return task.hourly_rate
        if project.billing_variant == "user":
            contract = project.contract_of(user_id)
            return contract.hourly_rate if contract is not None else None
        return project.hourly_rate
