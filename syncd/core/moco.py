"""MOCO's rules: what an activity means to the core, and how to write one.

MOCO books dates and seconds (no time of day). Creates carry
``remote_id = clockodo:<entry id>`` so that a create whose answer was lost is found
again (design §4); billing is not a field but a second request, a *disregard* of
the activity within its customer and project; writes are made impersonating the
activity's user.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

from syncd.core.drafting import (
    DraftContext,
    Drafted,
    Pending,
    PendingCreate,
    PendingDelete,
    PendingUpdate,
)
from syncd.core.model import Mappings, MocoBooking, Present, Projection, Seen, Side
from syncd.core.plan import Bill, Create, Delete, Update, WriteAction
from syncd.core.projection import project_moco

MocoValue = int | str | bool | date
REMOTE_ID_PREFIX = "clockodo:"
DISREGARD_REASON = "Billed in clockodo"


@dataclass(frozen=True)
class MocoActivityDraft:
    """The complete body of an activity create, sent impersonating ``user_id``."""

    user_id: int
    date: date
    seconds: int
    description: str
    billable: bool
    project_id: int
    task_id: int
    remote_id: str


@dataclass(frozen=True)
class Disregard:
    """Arguments of ``POST /activities/disregard`` (company = the project's customer)."""

    company_id: int
    project_id: int
    reason: str = DISREGARD_REASON


@dataclass(frozen=True)
class MocoItem:
    """How to address an activity: as its user (``X-IMPERSONATE-USER-ID``)."""

    user_id: int


def remote_id_for(clockodo_id: int) -> str:
    """The ``remote_id`` syncd writes on activities it creates from clockodo."""
    return f"{REMOTE_ID_PREFIX}{clockodo_id}"


def clockodo_id_from_remote(remote_id: str | None) -> int | None:
    """The clockodo entry id a ``remote_id`` names, if it is one of ours."""
    if remote_id is None or not remote_id.startswith(REMOTE_ID_PREFIX):
        return None
    digits = remote_id.removeprefix(REMOTE_ID_PREFIX)
    return int(digits) if digits.isascii() and digits.isdigit() else None


def moco_draft(projection: Projection, clockodo_id: int) -> MocoActivityDraft:
    """A complete create body for ``projection``, copied from clockodo ``clockodo_id``."""
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
    """How to mark an activity on ``projection``'s project billed."""
    project = mappings.project_by_moco(projection.project)
    if project is None:
        raise LookupError(f"projection is not mapped: {projection}")
    return Disregard(company_id=project.moco_customer, project_id=projection.project)


def moco_field_changes(target: Projection, current: Projection) -> dict[str, MocoValue]:
    """The fields that differ; billing is not a field (it is a disregard)."""
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


class MocoRules:
    side = Side.MOCO

    def stamp(self, item: MocoBooking) -> str:
        return item.updated_at.isoformat()

    def changed(self, item: MocoBooking) -> datetime:
        return item.updated_at

    def seen(self, item: MocoBooking, mappings: Mappings) -> Seen:
        projected = project_moco(item, mappings)
        state = (
            Present(projected, item.updated_at) if isinstance(projected, Projection) else projected
        )
        return Seen(item.id, state, item.date, clockodo_id_from_remote(item.remote_id))

    def own_user(self, moco_user: int, mappings: Mappings) -> int | None:
        """A projection names users by their MOCO id already."""
        return moco_user if mappings.user_by_moco(moco_user) else None

    def item(self, booking: MocoBooking) -> MocoItem:
        return MocoItem(booking.user_id)

    def draft(self, pending: Sequence[Pending], context: DraftContext) -> Drafted:
        return Drafted(tuple(self._draft_one(write, context) for write in pending))

    def _draft_one(self, write: Pending, context: DraftContext) -> tuple[WriteAction, ...]:
        mappings = context.mappings
        if isinstance(write, PendingCreate):
            projection = write.source.projection
            billing = moco_disregard(projection, mappings) if projection.billed else None
            draft = moco_draft(projection, write.source.id)
            create = Create(
                Side.MOCO, write.source, draft, projection.billed, billing, write.replaces_link
            )
            return (create,)
        item = self.item(context.items[write.pair.moco_id])
        if isinstance(write, PendingDelete):
            return (Delete(Side.MOCO, write.pair, write.current, item, write.source),)
        return self._update(write, item, mappings)

    @staticmethod
    def _update(
        write: PendingUpdate, item: MocoItem, mappings: Mappings
    ) -> tuple[WriteAction, ...]:
        """Field changes first; billing (a disregard) follows as its own request."""
        wanted, current = write.wanted, write.current
        bill = wanted.billed and not current.billed
        actions: list[WriteAction] = []
        changes = moco_field_changes(wanted, current)
        if changes:
            after = replace(wanted, billed=False, billable=current.billable) if bill else wanted
            actions.append(Update(Side.MOCO, write.pair, dict(changes), after, item, write.source))
        if bill:
            billing = moco_disregard(wanted, mappings)
            actions.append(Bill(Side.MOCO, write.pair, billing, wanted, item, write.source))
        return tuple(actions)
