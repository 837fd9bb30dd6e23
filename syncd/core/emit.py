"""Turning decisions into Plan actions with complete payloads.

The :class:`Emitter` collects the actions of one reconcile call. clockodo writes that need
times (creates, and updates that change date or seconds) stay pending until every
decision is known, then :mod:`syncd.core.placement` fixes their times in a deterministic
order: first updates of mirrored entries that can keep their start, then everything
else by (date, user, MOCO id).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from syncd.core.decide import (
    Agree,
    ConflictNote,
    Decision,
    DeleteSurvivor,
    Drop,
    IgnoreTarget,
    Keep,
    Orphan,
    Park,
    Present,
    Propagate,
    Recreate,
)
from syncd.core.model import (
    ClockodoBooking,
    Link,
    Mappings,
    MocoBooking,
    Policy,
    Projection,
    Side,
    SideSnapshot,
    Skip,
    SkipReason,
)
from syncd.core.placement import Placement, Placer, Span, local_instant, same_wall_time
from syncd.core.plan import (
    WRITE_ACTIONS,
    Action,
    AdoptLink,
    ClockodoValue,
    Conflict,
    CreateInClockodo,
    CreateInMoco,
    DeleteInClockodo,
    DeleteInMoco,
    DisregardInMoco,
    DropLink,
    MarkOrphaned,
    RecordBase,
    UpdateClockodo,
    UpdateMoco,
    WriteSource,
)
from syncd.core.writes import (
    Targets,
    clockodo_draft,
    clockodo_field_changes,
    moco_disregard,
    moco_draft,
    moco_field_changes,
)

# The order in which the executor applies actions: links first (an adopted link must exist
# before a write refers to it), then deletes, updates, creates (moved entries vacate their
# old times before new ones take them).
PHASES: dict[type, int] = {
    AdoptLink: 0,
    Conflict: 1,
    RecordBase: 2,
    MarkOrphaned: 2,
    DropLink: 2,
    DeleteInClockodo: 3,
    DeleteInMoco: 3,
    UpdateClockodo: 4,
    UpdateMoco: 4,
    DisregardInMoco: 4,
    CreateInClockodo: 5,
    CreateInMoco: 5,
}


@dataclass(frozen=True)
class Pair:
    """A link as actions refer to it (``link_id`` None: adopted in this plan)."""

    link_id: int | None
    moco_id: int
    clockodo_id: int
    origin: Side

    @classmethod
    def of(cls, link: Link) -> Pair:
        return cls(link.id, link.moco_id, link.clockodo_id, link.origin)

    @property
    def existing_id(self) -> int:
        if self.link_id is None:
            raise ValueError("this decision needs a stored link")
        return self.link_id


@dataclass(frozen=True)
class _PendingCreate:
    """A clockodo create from MOCO item ``source.id``, waiting for its times."""

    target: Projection
    source: WriteSource
    replaces_link: int | None


@dataclass(frozen=True)
class _PendingUpdate:
    """A clockodo update; when date or seconds change it waits for its times."""

    pair: Pair
    entry: ClockodoBooking
    current: Projection
    target: Projection
    changes: dict[str, ClockodoValue]
    source: WriteSource

    @property
    def moves(self) -> bool:
        return (self.target.date, self.target.seconds) != (self.current.date, self.current.seconds)


_Item = Action | _PendingCreate | _PendingUpdate
_Pending = _PendingCreate | _PendingUpdate
_WRITES = (*WRITE_ACTIONS, _PendingCreate, _PendingUpdate)


def _item_id(pair: Pair, side: Side) -> int:
    return pair.moco_id if side == "moco" else pair.clockodo_id


@dataclass
class Emitter:
    """Collects actions, skips and notes for one plan."""

    moco: SideSnapshot[MocoBooking]
    clockodo: SideSnapshot[ClockodoBooking]
    mappings: Mappings
    policy: Policy
    held: Mapping[tuple[Side, int], Projection]
    _items: list[_Item] = field(default_factory=list)
    _skips: list[Skip] = field(default_factory=list)
    _notes: list[str] = field(default_factory=list)

    def skip(self, *skips: Skip) -> None:
        self._skips.extend(skips)

    def adopt(self, pair: Pair, base: Projection) -> None:
        self._items.append(AdoptLink(pair.moco_id, pair.clockodo_id, pair.origin, base))

    def apply(
        self, pair: Pair, decision: Decision, moco: Present | None, clockodo: Present | None
    ) -> None:
        """Emit what ``decision`` means for ``pair`` (``moco``/``clockodo``: current states)."""
        m = None if moco is None else moco.projection
        c = None if clockodo is None else clockodo.projection
        if isinstance(decision, Propagate | DeleteSurvivor | Recreate):
            self._commit(self._noted(pair, decision.conflict) + self._writes(pair, decision, m, c))
        else:
            self._bookkeeping(pair, decision, m)

    def _bookkeeping(self, pair: Pair, decision: Decision, m: Projection | None) -> None:
        """Decisions that write nothing to either side."""
        ids = (pair.moco_id, pair.clockodo_id)
        match decision:
            case Keep(still_parked=True):
                side: Side = "moco" if m is not None else "clockodo"
                self.skip(Skip(side, _item_id(pair, side), SkipReason.PARKED, "waits for an edit"))
            case Agree(base=base):
                self._items.append(RecordBase(pair.existing_id, *ids, base))
            case Park(moco=pm, clockodo=pc, reason=reason):
                self._items.append(Conflict(pair.link_id, *ids, pm, pc, reason, "parked"))
            case IgnoreTarget(side=target):
                detail = "edited on the target side of a one-way sync"
                self.skip(
                    Skip(target, _item_id(pair, target), SkipReason.IGNORED_DIRECTION, detail)
                )
            case Orphan(gone=gone):
                self._items.append(MarkOrphaned(pair.existing_id, *ids, gone))
            case Drop():
                self._items.append(DropLink(pair.existing_id, *ids))

    def _writes(
        self,
        pair: Pair,
        decision: Propagate | DeleteSurvivor | Recreate,
        m: Projection | None,
        c: Projection | None,
    ) -> list[_Item]:
        if isinstance(decision, Propagate):
            assert m is not None
            assert c is not None
            return self._propagate(pair, decision.winner, m, c)
        if isinstance(decision, DeleteSurvivor):
            return [self._delete(pair, decision.side, m, c)]
        survivor = c if decision.side == "moco" else m
        assert survivor is not None
        source_id = _item_id(pair, "clockodo" if decision.side == "moco" else "moco")
        return [self._create(decision.side, source_id, survivor, replaces=pair.link_id)]

    def create_from(self, side: Side, item_id: int, projection: Projection) -> None:
        """Mirror an unlinked item onto the other side (if the direction allows)."""
        target: Side = "clockodo" if side == "moco" else "moco"
        if not self.policy.may_write(target):
            detail = f"one-way sync does not write to {target}"
            self.skip(Skip(side, item_id, SkipReason.IGNORED_DIRECTION, detail))
            return
        if not (self.moco if target == "moco" else self.clockodo).complete:
            # The booking may already be there, unseen: creating now could duplicate it.
            detail = f"{target} was not read completely; created once it is"
            self.skip(Skip(side, item_id, SkipReason.INCOMPLETE_READ, detail))
            return
        self._commit([self._create(target, item_id, projection, replaces=None)])

    def _noted(self, pair: Pair, note: ConflictNote | None) -> list[_Item]:
        if note is None:
            return []
        ids = (pair.moco_id, pair.clockodo_id)
        return [Conflict(pair.link_id, *ids, note.moco, note.clockodo, note.reason, note.winner)]

    def _commit(self, items: list[_Item]) -> None:
        """Emit ``items`` unless one of their writes is held after a 4xx."""
        for item in items:
            if not isinstance(item, _WRITES):
                continue
            source = item.source
            if self.held.get(source.key) == source.projection:
                detail = "the last write failed; waits for a change"
                self.skip(Skip(source.side, source.id, SkipReason.HELD_AFTER_ERROR, detail))
                return
        self._items.extend(items)

    def _propagate(self, pair: Pair, winner: Side, m: Projection, c: Projection) -> list[_Item]:
        ids = (pair.link_id, pair.moco_id, pair.clockodo_id)
        if winner == "moco":
            source = WriteSource("moco", pair.moco_id, m)
            entry = self.clockodo.items[pair.clockodo_id]
            changes = clockodo_field_changes(m, c, self.mappings)
            return [_PendingUpdate(pair, entry, c, m, changes, source)]
        source = WriteSource("clockodo", pair.clockodo_id, c)
        user = self.moco.items[pair.moco_id].user_id
        changes_m = moco_field_changes(c, m)
        bill = c.billed and not m.billed
        items: list[_Item] = []
        if changes_m:
            after = replace(c, billed=False, billable=m.billable) if bill else c
            items.append(UpdateMoco(*ids, user, changes_m, after, source))
        if bill:
            items.append(DisregardInMoco(*ids, user, moco_disregard(c, self.mappings), c, source))
        return items

    def _delete(
        self, pair: Pair, target: Side, m: Projection | None, c: Projection | None
    ) -> _Item:
        ids = (pair.existing_id, pair.moco_id, pair.clockodo_id)
        if target == "clockodo":
            assert c is not None
            return DeleteInClockodo(*ids, c, WriteSource("clockodo", pair.clockodo_id, c))
        assert m is not None
        user = self.moco.items[pair.moco_id].user_id
        return DeleteInMoco(*ids, user, m, WriteSource("moco", pair.moco_id, m))

    def _create(
        self, target: Side, source_id: int, projection: Projection, replaces: int | None
    ) -> _Item:
        """Create ``projection`` on ``target`` from item ``source_id`` of the other side."""
        if target == "clockodo":
            return _PendingCreate(projection, WriteSource("moco", source_id, projection), replaces)
        disregard = moco_disregard(projection, self.mappings) if projection.billed else None
        source = WriteSource("clockodo", source_id, projection)
        draft = moco_draft(projection, source_id)
        return CreateInMoco(source_id, draft, disregard, source, replaces)

    def finish(
        self, links: Sequence[Link]
    ) -> tuple[tuple[Action, ...], tuple[Skip, ...], tuple[str, ...]]:
        """Place pending clockodo writes and return (actions, skips, notes)."""
        pending = [
            item for item in self._items if isinstance(item, _PendingCreate | _PendingUpdate)
        ]
        deleted = {i.clockodo_id for i in self._items if isinstance(i, DeleteInClockodo)}
        times = _Times(self, links, deleted).resolve(pending)
        actions = [self._materialize(item, times) for item in self._items]
        actions.sort(key=lambda action: PHASES[type(action)])
        return tuple(actions), tuple(self._skips), tuple(self._notes)

    def _materialize(self, item: _Item, times: Mapping[int, Placement]) -> Action:
        if isinstance(item, _PendingCreate):
            placement = times[id(item)]
            self._note_overlap(item.source.id, item.target, placement)
            draft = clockodo_draft(item.target, self.mappings, placement.span)
            return CreateInClockodo(
                item.source.id, draft, item.target.billed, item.source, item.replaces_link
            )
        if isinstance(item, _PendingUpdate):
            changes = dict(item.changes)
            if item.moves:
                placement = times[id(item)]
                self._note_overlap(item.source.id, item.target, placement)
                if placement.time_since != item.entry.time_since:
                    changes["time_since"] = placement.time_since
                changes["time_until"] = placement.time_until
            ids = (item.pair.link_id, item.pair.moco_id, item.pair.clockodo_id)
            entry = item.entry
            return UpdateClockodo(
                *ids, changes, item.target, entry.users_id, entry.time_since, item.source
            )
        return item

    def _note_overlap(self, moco_id: int, target: Projection, placement: Placement) -> None:
        if not placement.fits:
            self._notes.append(
                f"clockodo entry for MOCO activity {moco_id} overlaps others: "
                f"{target.date} of MOCO user {target.user} holds more than fits in a day"
            )


class _Times:
    """Fixes the times of pending clockodo writes (see the module docstring)."""

    def __init__(self, emitter: Emitter, links: Sequence[Link], deleted: set[int]) -> None:
        self.mappings = emitter.mappings
        self.day_start = emitter.policy.day_start
        self.clockodo_items = emitter.clockodo.items
        self.links = links
        self.deleted = deleted
        self.placer = Placer(self.day_start)

    def resolve(self, pending: Sequence[_Pending]) -> dict[int, Placement]:
        """Placements keyed by ``id()`` of the pending write."""
        moving = [p for p in pending if isinstance(p, _PendingUpdate) and p.moves]
        self._occupy_mirrored(exclude={u.entry.id for u in moving} | self.deleted)
        times: dict[int, Placement] = {}
        to_place: list[_Pending] = [p for p in pending if isinstance(p, _PendingCreate)]
        for update in sorted(moving, key=lambda u: u.pair.moco_id):
            kept = self._keep(update)
            if kept is None:
                to_place.append(update)
            else:
                times[id(update)] = kept
        for item in sorted(to_place, key=lambda p: (p.target.date, p.target.user, p.source.id)):
            user = Targets.of(item.target, self.mappings).user
            times[id(item)] = self.placer.place(
                user.clockodo, item.target.date, item.target.seconds, user.zone
            )
        return times

    def _occupy_mirrored(self, exclude: set[int]) -> None:
        """Entries syncd placed (links with origin "moco") are busy time."""
        for link in self.links:
            entry = self.clockodo_items.get(link.clockodo_id)
            if link.origin != "moco" or entry is None or entry.id in exclude:
                continue
            if entry.time_until is not None and entry.time_until > entry.time_since:
                self.placer.occupy(entry.users_id, Span(entry.time_since, entry.time_until))

    def _keep(self, update: _PendingUpdate) -> Placement | None:
        """The new times if the entry may keep its start, else None (place it anew).

        An entry its author placed keeps its time of day, even on a new date; a mirrored
        entry keeps its start only when its date stays and the new length overlaps nothing.
        """
        user = Targets.of(update.target, self.mappings).user
        since, day, seconds = update.entry.time_since, update.target.date, update.target.seconds
        if update.pair.origin == "clockodo":
            if update.current.date != day:
                moved = same_wall_time(since, day, user.zone)
                since = moved or local_instant(day, self.day_start, user.zone)
            return Placement(Span.of(since, seconds), fits=True)
        span = Span.of(since, seconds)
        if update.current.date != day or not self.placer.is_free(user.clockodo, span):
            return None
        self.placer.occupy(user.clockodo, span)
        return Placement(span, fits=True)
