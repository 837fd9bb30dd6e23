"""clockodo's rules: what an entry means to the core, and how to write one.

clockodo books instants (``time_since``/``time_until`` in UTC) where MOCO books
dates, so a copy of a MOCO booking must be *placed* in time (:mod:`placement`):
writes that need times (creates, and updates that change date or seconds) are
placed together once every decision is known, in a deterministic order: first
updates of mirrored entries that can keep their start, then everything else by
(date, user, MOCO id). clockodo creates only unbilled entries (``billable`` 0/1),
so a billed copy is billed by a second request; several entries are billed at once
through entry groups when billing is all that changes (:class:`~syncd.core.plan.Bill`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from syncd.core.drafting import (
    DraftContext,
    Drafted,
    Pending,
    PendingCreate,
    PendingDelete,
    PendingUpdate,
)
from syncd.core.model import (
    ClockodoBooking,
    Mappings,
    Present,
    Projection,
    ProjectMapping,
    Seen,
    Side,
    TaskMapping,
    UserMapping,
)
from syncd.core.placement import Placement, Placer, Span, local_instant, same_wall_time
from syncd.core.plan import Bill, Create, Delete, Update, WriteAction
from syncd.core.projection import clockodo_billable, clockodo_local_date, project_clockodo

ClockodoValue = int | str | datetime
BILLING_ONLY = {"billable": 2}


@dataclass(frozen=True)
class ClockodoEntryDraft:
    """The complete body of ``POST /v2/entries`` for a time entry (``billable`` 0 or 1)."""

    users_id: int
    customers_id: int
    projects_id: int
    services_id: int
    billable: int
    text: str
    time_since: datetime
    time_until: datetime


@dataclass(frozen=True)
class ClockodoItem:
    """An entry as read: what an entry-group edit selects it by, and its current start
    (an update that changes the end sends the duration, computed from the start)."""

    users_id: int
    time_since: datetime
    projects_id: int | None


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


def clockodo_draft(projection: Projection, mappings: Mappings, span: Span) -> ClockodoEntryDraft:
    """A complete create body; a billed booking is billed after the create."""
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


def clockodo_field_changes(
    target: Projection, current: Projection, mappings: Mappings
) -> dict[str, ClockodoValue]:
    """The fields other than times that differ between ``current`` and ``target``."""
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


def _moves(write: PendingUpdate) -> bool:
    return (write.wanted.date, write.wanted.seconds) != (write.current.date, write.current.seconds)


class ClockodoRules:
    side = Side.CLOCKODO

    def stamp(self, item: ClockodoBooking) -> str:
        return item.time_last_change.isoformat()

    def changed(self, item: ClockodoBooking) -> datetime:
        return item.time_last_change

    def seen(self, item: ClockodoBooking, mappings: Mappings) -> Seen:
        projected = project_clockodo(item, mappings)
        state = (
            Present(projected, item.time_last_change)
            if isinstance(projected, Projection)
            else projected
        )
        return Seen(item.id, state, clockodo_local_date(item, mappings))

    def own_user(self, moco_user: int, mappings: Mappings) -> int | None:
        user = mappings.user_by_moco(moco_user)
        return None if user is None else user.clockodo

    def item(self, booking: ClockodoBooking) -> ClockodoItem:
        return ClockodoItem(booking.users_id, booking.time_since, booking.projects_id)

    def draft(self, pending: Sequence[Pending], context: DraftContext) -> Drafted:
        timed = [w for w in pending if isinstance(w, PendingCreate) or _is_move(w)]
        times = _Times(context).resolve(timed)
        notes: list[str] = []
        drafted: list[tuple[WriteAction, ...]] = []
        for write in pending:
            placement = times.get(id(write))
            if placement is not None and not placement.fits:
                notes.append(_overlap_note(write, placement))
            drafted.append(self._draft_one(write, placement, context))
        return Drafted(tuple(drafted), tuple(notes))

    def _draft_one(
        self, write: Pending, placement: Placement | None, context: DraftContext
    ) -> tuple[WriteAction, ...]:
        if isinstance(write, PendingCreate):
            assert placement is not None
            projection = write.source.projection
            draft = clockodo_draft(projection, context.mappings, placement.span)
            create = Create(
                Side.CLOCKODO, write.source, draft, projection.billed, None, write.replaces_link
            )
            return (create,)
        entry: ClockodoBooking = context.items[write.pair.clockodo_id]
        item = self.item(entry)
        if isinstance(write, PendingDelete):
            return (Delete(Side.CLOCKODO, write.pair, write.current, item, write.source),)
        changes = clockodo_field_changes(write.wanted, write.current, context.mappings)
        if placement is not None:
            if placement.time_since != entry.time_since:
                changes["time_since"] = placement.time_since
            changes["time_until"] = placement.time_until
        if changes == BILLING_ONLY:
            return (Bill(Side.CLOCKODO, write.pair, None, write.wanted, item, write.source),)
        return (Update(Side.CLOCKODO, write.pair, dict(changes), write.wanted, item, write.source),)


def _is_move(write: Pending) -> bool:
    return isinstance(write, PendingUpdate) and _moves(write)


def _overlap_note(write: Pending, placement: Placement) -> str:
    assert isinstance(write, PendingCreate | PendingUpdate)
    target = write.source.projection if isinstance(write, PendingCreate) else write.wanted
    moco_id = write.source.id if isinstance(write, PendingCreate) else write.pair.moco_id
    return (
        f"clockodo entry for MOCO activity {moco_id} overlaps others: "
        f"{target.date} of MOCO user {target.user} holds more than fits in a day"
    )


class _Times:
    """Fixes the times of pending clockodo writes (see the module docstring)."""

    def __init__(self, context: DraftContext) -> None:
        self.mappings = context.mappings
        self.day_start = context.policy.day_start
        self.entries: Mapping[int, ClockodoBooking] = context.items
        self.links = context.links
        self.deleted = context.deleted
        self.placer = Placer(self.day_start)

    def resolve(self, pending: Sequence[Pending]) -> dict[int, Placement]:
        """Placements keyed by ``id()`` of the pending write."""
        moving = [p for p in pending if isinstance(p, PendingUpdate)]
        self._occupy_mirrored(exclude={u.pair.clockodo_id for u in moving} | self.deleted)
        times: dict[int, Placement] = {}
        to_place: list[tuple[Projection, int, Pending]] = [
            (p.source.projection, p.source.id, p) for p in pending if isinstance(p, PendingCreate)
        ]
        for update in sorted(moving, key=lambda u: u.pair.moco_id):
            kept = self._keep(update)
            if kept is None:
                to_place.append((update.wanted, update.pair.moco_id, update))
            else:
                times[id(update)] = kept
        for target, _, item in sorted(to_place, key=lambda t: (t[0].date, t[0].user, t[1])):
            user = Targets.of(target, self.mappings).user
            times[id(item)] = self.placer.place(
                user.clockodo, target.date, target.seconds, user.zone
            )
        return times

    def _occupy_mirrored(self, exclude: set[int]) -> None:
        """Entries syncd placed (links with origin "moco") are busy time."""
        for link in self.links:
            entry = self.entries.get(link.clockodo_id)
            if link.origin != Side.MOCO or entry is None or entry.id in exclude:
                continue
            if entry.time_until is not None and entry.time_until > entry.time_since:
                self.placer.occupy(entry.users_id, Span(entry.time_since, entry.time_until))

    def _keep(self, update: PendingUpdate) -> Placement | None:
        """The new times if the entry may keep its start, else None (place it anew).

        An entry its author placed keeps its time of day, even on a new date; a mirrored
        entry keeps its start only when its date stays and the new length overlaps nothing.
        """
        user = Targets.of(update.wanted, self.mappings).user
        entry = self.entries[update.pair.clockodo_id]
        since, day, seconds = entry.time_since, update.wanted.date, update.wanted.seconds
        if update.pair.origin == Side.CLOCKODO:
            if update.current.date != day:
                moved = same_wall_time(since, day, user.zone)
                since = moved or local_instant(day, self.day_start, user.zone)
            return Placement(Span.of(since, seconds), fits=True)
        span = Span.of(since, seconds)
        if update.current.date != day or not self.placer.is_free(user.clockodo, span):
            return None
        self.placer.occupy(user.clockodo, span)
        return Placement(span, fits=True)
