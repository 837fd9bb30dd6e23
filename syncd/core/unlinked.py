"""Unlinked items: adopt before creating, so a lost store or a first sync of accounts that
already hold the same bookings never produces duplicates.

1. A MOCO activity whose ``remote_id`` is ``clockodo:<id>`` of an unlinked clockodo entry
   is linked to it (any date: the shell may fetch such entries one by one). Differing
   versions are a conflict under the policy with no base.
2. Unlinked items in the window with equal projections are paired by id order and
   linked without a write (origin "clockodo": syncd cannot tell who booked first, and
   an entry a person placed should keep its times). A ``remote_id`` can be stale (the
   entry was re-created and relinked since), so unresolved ones take part too.
3. The rest in the window are created on the other side, if the direction allows and
   that side was read completely (an unseen equal booking there would be duplicated).
   An activity whose ``remote_id`` names an entry this run did not see is skipped
   (``unresolved_remote``) instead: its entry may just lie outside the window.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from syncd.core.decide import Park, Present, Propagate, decide_unlinked_pair
from syncd.core.emit import Emitter, Pair
from syncd.core.model import Policy, Projection, Side, Skip, SkipReason
from syncd.core.writes import clockodo_id_from_remote


@dataclass(frozen=True)
class Candidate:
    """An unlinked, projectable item."""

    side: Side
    id: int
    state: Present
    in_window: bool
    remote_id: str | None = None

    @property
    def projection(self) -> Projection:
        return self.state.projection


def _adoption_base(moco: Candidate, clockodo: Candidate, winner: Side | None) -> Projection:
    """The base of a link adopted with differing versions: the loser's version, so a failed
    write is retried in the winner's favour by the ordinary table next run."""
    if winner == "moco":
        return clockodo.projection
    return moco.projection if winner == "clockodo" else clockodo.projection


def _adopt_by_remote_id(
    moco: Candidate, clockodo: Candidate, policy: Policy, emitter: Emitter
) -> None:
    pair = Pair(None, moco.id, clockodo.id, "clockodo")
    if moco.projection == clockodo.projection:
        emitter.adopt(pair, moco.projection)
        return
    decision = decide_unlinked_pair(moco.state, clockodo.state, policy)
    winner = decision.winner if isinstance(decision, Propagate) else None
    assert isinstance(decision, Propagate | Park), decision
    emitter.adopt(pair, _adoption_base(moco, clockodo, winner))
    emitter.apply(pair, decision, moco.state, clockodo.state)


def _match_remote_ids(
    moco: dict[int, Candidate],
    clockodo: dict[int, Candidate],
    linked_clockodo: set[int],
    policy: Policy,
    emitter: Emitter,
) -> set[int]:
    """Adopt by remote_id; return the MOCO ids whose named entry was not found."""
    unresolved: set[int] = set()
    for candidate in sorted(moco.values(), key=lambda c: c.id):
        target = clockodo_id_from_remote(candidate.remote_id)
        if target is None or target in linked_clockodo:
            continue  # not ours, or a copy of an activity whose entry is linked: ordinary
        if target in clockodo:
            del moco[candidate.id]
            _adopt_by_remote_id(candidate, clockodo.pop(target), policy, emitter)
        else:
            unresolved.add(candidate.id)
    return unresolved


def _pair_equal(
    moco: dict[int, Candidate], clockodo: dict[int, Candidate], emitter: Emitter
) -> None:
    waiting: dict[Projection, list[Candidate]] = defaultdict(list)
    for candidate in sorted(clockodo.values(), key=lambda c: c.id):
        if candidate.in_window:
            waiting[candidate.projection].append(candidate)
    for candidate in sorted(moco.values(), key=lambda c: c.id):
        partners = waiting.get(candidate.projection) if candidate.in_window else None
        if partners:
            partner = partners.pop(0)
            emitter.adopt(Pair(None, candidate.id, partner.id, "clockodo"), candidate.projection)
            del moco[candidate.id], clockodo[partner.id]


def _create_rest(candidates: dict[int, Candidate], unresolved: set[int], emitter: Emitter) -> None:
    def order(c: Candidate) -> tuple[object, ...]:
        return (c.projection.date, c.projection.user, c.id)

    for candidate in sorted(candidates.values(), key=order):
        if not candidate.in_window:
            continue
        if candidate.id in unresolved:
            detail = f"names {candidate.remote_id}, which is unreadable, skipped or not read"
            emitter.skip(Skip("moco", candidate.id, SkipReason.UNRESOLVED_REMOTE, detail))
        else:
            emitter.create_from(candidate.side, candidate.id, candidate.projection)


def match_unlinked(
    moco: list[Candidate | Skip],
    clockodo: list[Candidate | Skip],
    linked_clockodo: set[int],
    policy: Policy,
    emitter: Emitter,
) -> None:
    """Adopt, pair or create the unlinked items (see the module docstring)."""
    emitter.skip(*(item for item in moco + clockodo if isinstance(item, Skip)))
    moco_left = {c.id: c for c in moco if isinstance(c, Candidate)}
    clockodo_left = {c.id: c for c in clockodo if isinstance(c, Candidate)}
    unresolved = _match_remote_ids(moco_left, clockodo_left, linked_clockodo, policy, emitter)
    _pair_equal(moco_left, clockodo_left, emitter)
    _create_rest(moco_left, unresolved, emitter)
    _create_rest(clockodo_left, set(), emitter)
