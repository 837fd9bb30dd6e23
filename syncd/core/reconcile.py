"""The reconciler: both snapshots + links + mappings + policy -> a Plan (design §3).

Pure and deterministic: links are visited by id, unlinked items by (date, user, id), and
the actions are grouped in the order the executor should apply them (link bookkeeping,
deletes, updates, creates), so the same inputs always give the same Plan.

Steps:

1. every link: read both sides (present / proven gone / held), decide (decide.py), and
   emit actions; a write whose source is held after a 4xx is skipped instead;
2. unlinked items: adopt by ``remote_id`` first, then pair equal projections without a
   write, then create on the other side (in the window, if the direction allows);
3. place the clockodo writes that need times (placement.py);
4. the mass-delete guard (guard.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from types import MappingProxyType

from syncd.core.decide import GONE, Present, decide
from syncd.core.emit import Emitter, Pair
from syncd.core.guard import mass_delete_refusal
from syncd.core.model import (
    ClockodoBooking,
    HeldFailures,
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
from syncd.core.plan import Plan
from syncd.core.projection import clockodo_local_date, project_clockodo, project_moco
from syncd.core.unlinked import Candidate, match_unlinked

NO_HELD: HeldFailures = MappingProxyType({})


def _check_links(links: Sequence[Link]) -> None:
    """Links are one-to-one; anything else is a bug in the store, not a sync decision."""
    for name, key in (("id", "id"), ("MOCO id", "moco_id"), ("clockodo id", "clockodo_id")):
        values = [getattr(link, key) for link in links]
        if len(values) != len(set(values)):
            raise ValueError(f"links are not one-to-one: a {name} occurs twice")


class _Reader:
    """Projections of both snapshots, computed once."""

    def __init__(
        self,
        moco: SideSnapshot[MocoBooking],
        clockodo: SideSnapshot[ClockodoBooking],
        mappings: Mappings,
    ) -> None:
        self.moco, self.clockodo, self.mappings = moco, clockodo, mappings
        self._moco = {i: project_moco(b, mappings) for i, b in moco.items.items()}
        self._clockodo = {i: project_clockodo(b, mappings) for i, b in clockodo.items.items()}

    def projection(self, side: Side, item_id: int) -> Projection | Skip:
        return self._moco[item_id] if side == "moco" else self._clockodo[item_id]

    def present(self, side: Side, item_id: int) -> Present | Skip:
        projected = self.projection(side, item_id)
        if isinstance(projected, Skip):
            return projected
        if side == "moco":
            return Present(projected, self.moco.items[item_id].updated_at)
        return Present(projected, self.clockodo.items[item_id].time_last_change)

    def state(self, side: Side, item_id: int) -> Present | Skip | None:
        """Present, proven gone (None), or a reason to hold the link."""
        snapshot: SideSnapshot[MocoBooking] | SideSnapshot[ClockodoBooking]
        snapshot = self.moco if side == "moco" else self.clockodo
        if item_id in snapshot.items:
            return self.present(side, item_id)
        if item_id in snapshot.invalid_ids:
            return Skip(side, item_id, SkipReason.INVALID, "unparseable")
        if item_id in snapshot.proven_gone:
            return GONE
        return Skip(side, item_id, SkipReason.ABSENCE_UNPROVEN, "missing, not proven deleted")

    def unlinked(self, side: Side, linked: set[int], policy: Policy) -> list[Candidate | Skip]:
        """Unlinked items: candidates (any date) and skips (in the window only)."""
        found: list[Candidate | Skip] = []
        for item_id in sorted(self._ids(side) - linked):
            in_window = policy.in_window(self._local_date(side, item_id))
            state = self.present(side, item_id)
            if isinstance(state, Present):
                found.append(
                    Candidate(side, item_id, state, in_window, self._remote(side, item_id))
                )
            elif in_window:
                found.append(state)
        return found

    def _ids(self, side: Side) -> set[int]:
        return set(self.moco.items if side == "moco" else self.clockodo.items)

    def _local_date(self, side: Side, item_id: int) -> date:
        if side == "moco":
            return self.moco.items[item_id].date
        return clockodo_local_date(self.clockodo.items[item_id], self.mappings)

    def _remote(self, side: Side, item_id: int) -> str | None:
        return self.moco.items[item_id].remote_id if side == "moco" else None


def _visit_link(link: Link, reader: _Reader, policy: Policy, emitter: Emitter) -> None:
    moco, clockodo = reader.state("moco", link.moco_id), reader.state("clockodo", link.clockodo_id)
    if link.orphaned is not None:  # inert until its survivor is proven gone
        survivor = clockodo if link.orphaned == "moco" else moco
        if survivor is GONE:
            emitter.apply(Pair.of(link), decide(link, GONE, GONE, policy), None, None)
        return
    holds = [state for state in (moco, clockodo) if isinstance(state, Skip)]
    if holds:
        emitter.skip(*holds)
        return
    assert not isinstance(moco, Skip)
    assert not isinstance(clockodo, Skip)
    emitter.apply(Pair.of(link), decide(link, moco, clockodo, policy), moco, clockodo)


def _unlinked_invalid(
    moco: SideSnapshot[MocoBooking],
    clockodo: SideSnapshot[ClockodoBooking],
    links: Sequence[Link],
) -> list[Skip]:
    linked_moco = {link.moco_id for link in links}
    linked_clockodo = {link.clockodo_id for link in links}
    return [
        *(
            Skip("moco", i, SkipReason.INVALID, "unparseable")
            for i in sorted(moco.invalid_ids - linked_moco)
        ),
        *(
            Skip("clockodo", i, SkipReason.INVALID, "unparseable")
            for i in sorted(clockodo.invalid_ids - linked_clockodo)
        ),
    ]


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
    reader = _Reader(moco, clockodo, mappings)
    emitter = Emitter(moco, clockodo, mappings, policy, held)
    for link in sorted(links, key=lambda link: link.id):
        _visit_link(link, reader, policy, emitter)
    emitter.skip(*_unlinked_invalid(moco, clockodo, links))
    linked_moco = {link.moco_id for link in links}
    linked_clockodo = {link.clockodo_id for link in links}
    match_unlinked(
        reader.unlinked("moco", linked_moco, policy),
        reader.unlinked("clockodo", linked_clockodo, policy),
        linked_clockodo,
        policy,
        emitter,
    )
    actions, skips, notes = emitter.finish(links)
    refused = mass_delete_refusal(
        actions, moco=moco, clockodo=clockodo, links=links, mappings=mappings, policy=policy
    )
    return Plan(actions=actions, skips=skips, refused=refused, notes=notes)
