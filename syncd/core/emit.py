"""Turning decisions into Plan actions.

The :class:`Emitter` collects the outcome of one reconcile call: bookkeeping actions
at once, writes as :data:`~syncd.core.drafting.Pending` values. When every decision is
known, each side's rules draft its writes into vendor requests (clockodo places its
bookings in time then, all at once); the actions keep the order in which they were
decided within each phase.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from syncd.core.clockodo import ClockodoRules
from syncd.core.decide import (
    Agree,
    ConflictNote,
    Decision,
    DeleteSurvivor,
    Drop,
    IgnoreTarget,
    Keep,
    Merge,
    Orphan,
    Park,
    Propagate,
    Recreate,
)
from syncd.core.drafting import (
    DraftContext,
    Pending,
    PendingCreate,
    PendingDelete,
    PendingUpdate,
    SideRules,
)
from syncd.core.moco import MocoRules
from syncd.core.model import (
    SIDES,
    BySide,
    Link,
    Mappings,
    Policy,
    Present,
    Projection,
    Side,
    SideSnapshot,
    Skip,
    SkipReason,
)
from syncd.core.plan import (
    Action,
    AdoptLink,
    Bill,
    Conflict,
    Create,
    Delete,
    DropLink,
    MarkOrphaned,
    Pair,
    RecordBase,
    RecordStamps,
    Resolution,
    Update,
    WriteSource,
)

RULES: BySide[SideRules] = BySide(MocoRules(), ClockodoRules())

# The order in which the executor applies actions: links first (an adopted link must exist
# before a write refers to it), then deletes, updates, creates (moved entries vacate their
# old times before new ones take them).
PHASES: dict[type, int] = {
    AdoptLink: 0,
    Conflict: 1,
    RecordBase: 2,
    RecordStamps: 2,
    MarkOrphaned: 2,
    DropLink: 2,
    Delete: 3,
    Update: 4,
    Bill: 4,
    Create: 5,
}

_Item = Action | Pending


@dataclass
class Emitter:
    """Collects actions, skips and notes for one plan."""

    snapshots: BySide[SideSnapshot[object]]
    mappings: Mappings
    policy: Policy
    held: Mapping[tuple[Side, int], Projection]
    _items: list[_Item] = field(default_factory=list)
    _skips: list[Skip] = field(default_factory=list)

    def skip(self, *skips: Skip) -> None:
        self._skips.extend(skips)

    def adopt(self, pair: Pair, base: Projection) -> None:
        self._items.append(AdoptLink(pair, base, self.stamps(pair)))

    def stamps(self, pair: Pair) -> BySide[str | None]:
        """Both items' change stamps as read, where settled (None: not read, or too
        recent to be trusted later; see Policy.stamps_settled_before)."""
        found = []
        cutoff = self.policy.stamps_settled_before
        for side in SIDES:
            item = self.snapshots[side].items.get(pair.item(side))
            settled = item is not None and (cutoff is None or RULES[side].changed(item) < cutoff)
            found.append(RULES[side].stamp(item) if settled else None)
        return BySide(*found)

    def record_stamps(self, pair: Pair, recorded: BySide[str | None]) -> None:
        """Store both items' settled stamps when they differ from those ``recorded``."""
        stamps = self.stamps(pair)
        if stamps != recorded and stamps.moco is not None and stamps.clockodo is not None:
            self._items.append(RecordStamps(pair, stamps))

    def apply(
        self, pair: Pair, decision: Decision, moco: Present | None, clockodo: Present | None
    ) -> None:
        """Emit what ``decision`` means for ``pair`` (``moco``/``clockodo``: current states)."""
        m = None if moco is None else moco.projection
        c = None if clockodo is None else clockodo.projection
        if isinstance(decision, Propagate | Merge | DeleteSurvivor | Recreate):
            self._commit(self._noted(pair, decision.conflict) + self._writes(pair, decision, m, c))
        else:
            self._bookkeeping(pair, decision, m)

    def _bookkeeping(self, pair: Pair, decision: Decision, m: Projection | None) -> None:
        """Decisions that write nothing to either side."""
        match decision:
            case Keep(still_parked=True):
                side = Side.MOCO if m is not None else Side.CLOCKODO
                self.skip(Skip(side, pair.item(side), SkipReason.PARKED, "waits for an edit"))
            case Agree(base=base):
                self._items.append(RecordBase(pair, base, self.stamps(pair)))
            case Park(moco=pm, clockodo=pc, reason=reason):
                self._items.append(Conflict(pair, pm, pc, reason, "parked"))
            case IgnoreTarget(side=target):
                detail = "edited on the target side of a one-way sync"
                self.skip(Skip(target, pair.item(target), SkipReason.IGNORED_DIRECTION, detail))
            case Orphan(gone=gone):
                self._items.append(MarkOrphaned(pair, gone))
            case Drop():
                self._items.append(DropLink(pair))

    def _writes(
        self,
        pair: Pair,
        decision: Propagate | Merge | DeleteSurvivor | Recreate,
        m: Projection | None,
        c: Projection | None,
    ) -> list[_Item]:
        current = BySide(m, c)
        if isinstance(decision, DeleteSurvivor):
            now = current[decision.side]
            assert now is not None
            return [PendingDelete(decision.side, pair, now)]
        if isinstance(decision, Recreate):
            survivor_side = Side(decision.side).other
            survivor = current[survivor_side]
            assert survivor is not None
            source = WriteSource(survivor_side, pair.item(survivor_side), survivor)
            return [PendingCreate(decision.side, source, pair.link_id)]
        assert m is not None
        assert c is not None
        writes: list[_Item] = []
        for target, wanted in decision.targets(m, c):
            copied = Side(target).other  # the side whose change this write copies
            now, theirs = current[target], current[copied]
            assert now is not None
            assert theirs is not None
            source = WriteSource(copied, pair.item(copied), theirs)
            writes.append(PendingUpdate(target, pair, now, wanted, source))
        return writes

    def create_from(self, side: Side, item_id: int, projection: Projection) -> None:
        """Mirror an unlinked item onto the other side (if the direction allows)."""
        target = Side(side).other
        if not self.policy.may_write(target):
            detail = f"one-way sync does not write to {target}"
            self.skip(Skip(side, item_id, SkipReason.IGNORED_DIRECTION, detail))
            return
        if not self.snapshots[target].complete:
            # The booking may already be there, unseen: creating now could duplicate it.
            detail = f"{target} was not read completely; created once it is"
            self.skip(Skip(side, item_id, SkipReason.INCOMPLETE_READ, detail))
            return
        source = WriteSource(Side(side), item_id, projection)
        self._commit([PendingCreate(target, source, None)])

    def _noted(self, pair: Pair, note: ConflictNote | None) -> list[_Item]:
        if note is None:
            return []
        resolution: Resolution = "merged"
        if note.winner is not None:
            resolution = "moco" if note.winner == Side.MOCO else "clockodo"
        return [Conflict(pair, note.moco, note.clockodo, note.reason, resolution)]

    def _commit(self, items: list[_Item]) -> None:
        """Emit ``items`` unless one of their writes is held after a 4xx."""
        for item in items:
            if not isinstance(item, PendingCreate | PendingUpdate | PendingDelete):
                continue
            source = item.source
            if self.held.get(source.key) == source.projection:
                detail = "the last write failed; waits for a change"
                self.skip(Skip(source.side, source.id, SkipReason.HELD_AFTER_ERROR, detail))
                return
        self._items.extend(items)

    def finish(
        self, links: Sequence[Link]
    ) -> tuple[tuple[Action, ...], tuple[Skip, ...], tuple[str, ...]]:
        """Draft the pending writes per side and return (actions, skips, notes)."""
        pending: list[Pending] = [
            i for i in self._items if isinstance(i, PendingCreate | PendingUpdate | PendingDelete)
        ]
        drafted: dict[int, tuple[Action, ...]] = {}
        notes: list[str] = []
        for side in SIDES:
            mine = [p for p in pending if p.target == side]
            deleted = frozenset(p.pair.item(side) for p in mine if isinstance(p, PendingDelete))
            context = DraftContext(
                self.snapshots[side].items, links, deleted, self.mappings, self.policy
            )
            result = RULES[side].draft(mine, context)
            for write, drafts in zip(mine, result.actions, strict=True):
                drafted[id(write)] = drafts
            notes += result.notes
        actions: list[Action] = []
        for item in self._items:
            if isinstance(item, PendingCreate | PendingUpdate | PendingDelete):
                actions.extend(drafted[id(item)])
            else:
                actions.append(item)
        actions.sort(key=lambda action: PHASES[type(action)])
        return tuple(actions), tuple(self._skips), tuple(notes)
