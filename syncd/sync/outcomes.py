"""What happened to each planned write, and how a vendor error is treated.

The classification is the one place that decides retry versus hold versus
park (design §3, §5): a 4xx is held until its source changes (never a retry
storm), a billed/locked refusal parks the booking for a person, transient
failures are simply tried again next run, and a lost answer is resolved by
looking for the record before anything is sent again.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum

from syncd.adapters import errors
from syncd.core import plan as p


class Status(StrEnum):
    DONE = "done"
    HELD = "held"  # refused with a 4xx; waits until the source booking changes
    PARKED = "parked"  # billed or locked on the target; a person must decide
    FAILED = "failed"  # transient (rate limit, 5xx, network); retried next run
    UNKNOWN = "unknown"  # the answer was lost; resolved at the next start
    GONE = "gone"  # the target vanished meanwhile; the next run proves it
    STALE = "stale"  # the target changed since it was read; decided again next run
    NOT_RUN = "not_run"  # stopped (SIGTERM) before this write


class Fatal(Exception):
    """A failure that concerns the whole run (bad credentials, retired API)."""


class WriterLockLost(Fatal):
    """The writer lock went away: another syncd may write now, so this one must not."""


def classify(exc: errors.ApiError) -> Status:
    match exc:
        case errors.OutcomeUnknown():
            return Status.UNKNOWN
        case errors.LockedOrBilled():
            return Status.PARKED
        case errors.NotFound():
            return Status.GONE
        case errors.AuthError() if exc.status == 401:
            raise Fatal(str(exc)) from exc
        case errors.Gone():
            raise Fatal(str(exc)) from exc
        case errors.AuthError() | errors.ValidationFailed():
            return Status.HELD
        case _:
            return Status.FAILED


@dataclass(frozen=True)
class Result:
    action: p.WriteAction
    status: Status
    detail: str = ""


@dataclass
class Results:
    items: list[Result] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, action: p.WriteAction, status: Status, detail: str = "") -> None:
        self.items.append(Result(action, status, detail))

    def by_status(self) -> Counter[Status]:
        return Counter(result.status for result in self.items)

    @property
    def failures(self) -> list[Result]:
        """Writes that did not happen and were not meant to be held back: a parked
        booking waits for a person, a stale one for the next run's decision."""
        return [r for r in self.items if r.status not in (Status.DONE, Status.PARKED, Status.STALE)]
