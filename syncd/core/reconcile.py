"""The reconciler: both snapshots + links + mappings + policy -> a Plan (design §3).

Pure and deterministic: links are visited by id, unlinked items by (date, user, id), and
the actions are grouped in the order the executor should apply them (link bookkeeping,
deletes, updates, creates), so the same inputs always give the same Plan.

Steps:

1. every item of both sides is *seen* through its side's rules (a projection, or why it
   is skipped; its local date; which item of the other side it claims to copy);
2. every link: both sides present / proven gone / held, decide (decide.py), and emit
   actions; a write whose source is held after a 4xx is skipped instead;
3. unlinked items: adopt by claim first, then pair equal projections without a write,
   then create on the other side (in the window, if the direction allows);
4. each side's rules draft the writes (clockodo places its bookings in time);
5. the mass-delete guard (guard.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType

from syncd.core.decide import GONE, Keep, decide
from syncd.core.emit import RULES, Emitter
from syncd.core.guard import mass_delete_refusal
from syncd.core.model import (
    SIDES,
    BySide,
    ClockodoBooking,
    HeldFailures,
    Link,
    Mappings,
    MocoBooking,
    Policy,
    Present,
    Projection,
    Seen,
    Side,
    SideSnapshot,
    Skip,
    SkipReason,
)
from syncd.core.plan import Pair, Plan
from syncd.core.unlinked import Candidate, match_unlinked

NO_HELD: HeldFailures = MappingProxyType({})


def _check_links(links: Sequence[Link]) -> None:
    """Links are one-to-one; anything else is a bug in the store, not a sync decision."""
    for name, key in (("id", "id"), ("MOCO id", "moco_id"), ("clockodo id", "clockodo_id")):
        values = [getattr(link, key) for link in links]
        if len(values) != len(set(values)):
            raise ValueError(f"links are not one-to-one: a {name} occurs twice")


class _Reader:
    """Both snapshots as the core sees them, each item projected once, when needed
    (with trusted stamps, most linked items never are)."""

    def __init__(self, snapshots: BySide[SideSnapshot[object]], mappings: Mappings) -> None:
        self.snapshots = snapshots
        self.mappings = mappings
        self._seen: BySide[dict[int, Seen]] = BySide({}, {})

    def seen(self, side: Side, item_id: int) -> Seen | None:
        found = self._seen[side].get(item_id)
        if found is None:
            item = self.snapshots[side].items.get(item_id)
            if item is None:
                return None
            found = self._seen[side][item_id] = RULES[side].seen(item, self.mappings)
        return found

    def unchanged(self, link: Link) -> bool:
        """Both items carry the stamps recorded with the base (see Policy.trust_stamps)."""
        moco = self.snapshots.moco.items.get(link.moco_id)
        clockodo = self.snapshots.clockodo.items.get(link.clockodo_id)
        stamps = link.stamps
        return (
            moco is not None
            and clockodo is not None
            and stamps.moco == RULES.moco.stamp(moco)
            and stamps.clockodo == RULES.clockodo.stamp(clockodo)
        )

    def state(self, side: Side, item_id: int) -> Present | Skip | None:
        """Present, proven gone (None), or a reason to hold the link."""
        snapshot = self.snapshots[side]
        seen = self.seen(side, item_id)
        if seen is not None:
            return seen.state
        if item_id in snapshot.invalid_ids:
            return Skip(side, item_id, SkipReason.INVALID, "unparseable")
        if item_id in snapshot.proven_gone:
            return GONE
        return Skip(side, item_id, SkipReason.ABSENCE_UNPROVEN, "missing, not proven deleted")

    def unlinked(self, side: Side, linked: set[int], policy: Policy) -> list[Candidate | Skip]:
        """Unlinked items: candidates (any date) and skips (in the window only)."""
        found: list[Candidate | Skip] = []
        for item_id in sorted(self.snapshots[side].items.keys() - linked):
            seen = self.seen(side, item_id)
            assert seen is not None
            in_window = policy.in_window(seen.local_date)
            if isinstance(seen.state, Present):
                found.append(Candidate(side, item_id, seen.state, in_window, seen.claims))
            elif in_window:
                found.append(seen.state)
        return found

    def invalid_unlinked(self, links: Sequence[Link]) -> list[Skip]:
        return [
            Skip(side, i, SkipReason.INVALID, "unparseable")
            for side in SIDES
            for i in sorted(self.snapshots[side].invalid_ids - {link.item(side) for link in links})
        ]


def _visit_link(link: Link, reader: _Reader, policy: Policy, emitter: Emitter) -> None:
    active = link.parked is None and link.orphaned is None
    if active and policy.trust_stamps and reader.unchanged(link):
        return  # both still hold the base: nothing to decide
    moco = reader.state(Side.MOCO, link.moco_id)
    clockodo = reader.state(Side.CLOCKODO, link.clockodo_id)
    pair = Pair(link.id, link.moco_id, link.clockodo_id, link.origin)
    if link.orphaned is not None:  # inert until its survivor is proven gone
        survivor = clockodo if link.orphaned == Side.MOCO else moco
        if survivor is GONE:
            emitter.apply(pair, decide(link, GONE, GONE, policy), None, None)
        return
    holds = [state for state in (moco, clockodo) if isinstance(state, Skip)]
    if holds:
        emitter.skip(*holds)
        return
    assert not isinstance(moco, Skip)
    assert not isinstance(clockodo, Skip)
    decision = decide(link, moco, clockodo, policy)
    if decision == Keep() and active and policy.trust_stamps and not reader.unchanged(link):
        emitter.record_stamps(pair, link.stamps)  # the next run can trust them
        return
    emitter.apply(pair, decision, moco, clockodo)


def reconcile(
    moco: SideSnapshot[MocoBooking],
    clockodo: SideSnapshot[ClockodoBooking],
    links: Sequence[Link],
    mappings: Mappings,
    policy: Policy,
    *,
    held: Mapping[tuple[Side, int], Projection] = NO_HELD,
) -> Plan:
    """Decide what to do so that both sides agree.

    Pure: the same inputs always give the same Plan. ``links`` must be one-to-one
    (ValueError otherwise). ``held``: writes that failed with a 4xx, keyed by their source
    item, with the source projection they failed for (see :class:`~syncd.core.plan.Plan`).
    """
    _check_links(links)
    snapshots: BySide[SideSnapshot[object]] = BySide(moco, clockodo)
    reader = _Reader(snapshots, mappings)
    emitter = Emitter(snapshots, mappings, policy, held)
    for link in sorted(links, key=lambda link: link.id):
        _visit_link(link, reader, policy, emitter)
    emitter.skip(*reader.invalid_unlinked(links))
    linked = BySide(*({link.item(side) for link in links} for side in SIDES))
    match_unlinked(
        reader.unlinked(Side.MOCO, linked.moco, policy),
        reader.unlinked(Side.CLOCKODO, linked.clockodo, policy),
        linked.clockodo,
        policy,
        emitter,
    )
    actions, skips, notes = emitter.finish(links)
    refused = mass_delete_refusal(
        actions, snapshots=snapshots, seen=reader.seen, links=links, policy=policy
    )
    return Plan(actions=actions, skips=skips, refused=refused, notes=notes)
