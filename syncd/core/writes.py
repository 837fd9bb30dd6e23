"""Payloads: what to send so a side ends up with a given projection.

Projections name MOCO ids; these functions translate them through the mappings into the
fields each API takes. A projection reaching here was produced with the same mappings,
so every lookup succeeds (a failing one is a programming error).
"""

from __future__ import annotations

from dataclasses import dataclass

from syncd.core.model import Mappings, Projection, ProjectMapping, TaskMapping, UserMapping
from syncd.core.placement import Span
from syncd.core.plan import (
    ClockodoEntryDraft,
    ClockodoValue,
    Disregard,
    MocoActivityDraft,
    MocoValue,
)
from syncd.core.projection import clockodo_billable

REMOTE_ID_PREFIX = "clockodo:"


@dataclass(frozen=True)
class Targets:
    """The mappings a projection's MOCO ids stand for."""

    user: UserMapping
    project: ProjectMapping
    task: TaskMapping

    @classmethod
    def of(cls, projection: Projection, mappings: Mappings) -> Targets:
        user = mappings.user_by_moco(projection.user)
        project = mappings.project_by_moco(projection.project)
        task = mappings.task_by_moco(projection.task)
        if user is None or project is None or task is None:
            raise LookupError(f"projection is not mapped: {projection}")
        return cls(user, project, task)


def remote_id_for(clockodo_id: int) -> str:
    """The MOCO ``remote_id`` syncd writes on activities it creates from clockodo."""
    return f"{REMOTE_ID_PREFIX}{clockodo_id}"


def clockodo_id_from_remote(remote_id: str | None) -> int | None:
    """The clockodo entry id a MOCO ``remote_id`` names, if it is one of ours."""
    if remote_id is None or not remote_id.startswith(REMOTE_ID_PREFIX):
        return None
    digits = remote_id.removeprefix(REMOTE_ID_PREFIX)
    return int(digits) if digits.isascii() and digits.isdigit() else None


def clockodo_draft(projection: Projection, mappings: Mappings, span: Span) -> ClockodoEntryDraft:
    """A complete clockodo create body; billed entries are billed after the create
    (clockodo accepts only 0/1 on create)."""
    targets = Targets.of(projection, mappings)
    return ClockodoEntryDraft(
        users_id=targets.user.clockodo,
        customers_id=targets.project.clockodo_customer,
        projects_id=targets.project.clockodo_project,
        services_id=targets.task.clockodo_service,
        billable=clockodo_billable(projection.billable, billed=False),
        text=projection.description,
        time_since=span.start,
        time_until=span.end,
    )


def moco_draft(projection: Projection, clockodo_id: int) -> MocoActivityDraft:
    """A complete MOCO create body for ``projection``, copied from clockodo ``clockodo_id``."""
    return MocoActivityDraft(
        user_id=projection.user,
        date=projection.date,
        seconds=projection.seconds,
        description=projection.description,
        billable=projection.billable,
        project_id=projection.project,
        task_id=projection.task,
        remote_id=remote_id_for(clockodo_id),
    )


def moco_disregard(projection: Projection, mappings: Mappings) -> Disregard:
    """How to mark a MOCO activity on ``projection``'s project billed."""
    return Disregard(
        company_id=Targets.of(projection, mappings).project.moco_customer,
        project_id=projection.project,
    )


def clockodo_field_changes(
    target: Projection, current: Projection, mappings: Mappings
) -> dict[str, ClockodoValue]:
    """The clockodo fields other than times that differ between ``current`` and ``target``."""
    targets, now = Targets.of(target, mappings), Targets.of(current, mappings)
    changes: dict[str, ClockodoValue] = {}
    if targets.user != now.user:
        changes["users_id"] = targets.user.clockodo
    if targets.project != now.project:
        changes["customers_id"] = targets.project.clockodo_customer
        changes["projects_id"] = targets.project.clockodo_project
    if targets.task.clockodo_service != now.task.clockodo_service:
        changes["services_id"] = targets.task.clockodo_service
    if target.description != current.description:
        changes["text"] = target.description  # "" clears the text in clockodo
    if (target.billable, target.billed) != (current.billable, current.billed):
        changes["billable"] = clockodo_billable(target.billable, target.billed)
    return changes


def moco_field_changes(target: Projection, current: Projection) -> dict[str, MocoValue]:
    """The MOCO fields that differ; billing is not a field (it is a disregard)."""
    changes: dict[str, MocoValue] = {}
    if target.date != current.date:
        changes["date"] = target.date
    if target.seconds != current.seconds:
        changes["seconds"] = target.seconds
    if target.description != current.description:
        changes["description"] = target.description
    if target.project != current.project:
        changes["project_id"] = target.project
    if target.task != current.task:
        changes["task_id"] = target.task
    if not target.billed and target.billable != current.billable:
        changes["billable"] = target.billable
    return changes
