"""Unlinked items: adopt before creating, so a lost store or a first sync of accounts that
already hold the same bookings never produces duplicates.

1. An item that claims to copy an unlinked item of the other side (a MOCO activity syncd
   created names its clockodo entry in ``remote_id``) is linked to it (any date: the
   shell may fetch such items one by one). Differing versions are a conflict under the
   policy with no base.
2. Unlinked items in the window with equal projections are paired by id order and
   linked without a write (origin "clockodo": syncd cannot tell who booked first, and
   an entry a person placed should keep its times). A claim can be stale (the entry was
   re-created and relinked since), so unresolved ones take part too.
3. The rest in the window are created on the other side, if the direction allows and
   that side was read completely (an unseen equal booking there would be duplicated).
   An item whose claimed partner this run did not see is skipped
   (``unresolved_remote``) instead: that partner may just lie outside the window.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from syncd.core.decide import Park, Propagate, decide_unlinked_pair
from syncd.core.emit import Emitter
from syncd.core.model import Policy, Present, Projection, Side, Skip, SkipReason
from syncd.core.plan import Pair


@dataclass(frozen=True)
class Candidate:
    """An unlinked, projectable item; ``claims``: see :class:`~syncd.core.model.Seen`."""

    side: Side
    id: int
    state: Present
    in_window: bool
    claims: int | None = None

    @property
    def projection(self) -> Projection:
        return self.state.projection


def _adoption_base(moco: Candidate, clockodo: Candidate, winner: Side | None) -> Projection:
    """The base of a link adopted with differing versions: the loser's version, so a failed
    write is retried in the winner's favour by the ordinary table next run."""
    return moco.projection if winner == Side.CLOCKODO else clockodo.projection


def _adopt_claimed(moco: Candidate, clockodo: Candidate, policy: Policy, emitter: Emitter) -> None:
    pair = Pair(None, moco.id, clockodo.id, Side.CLOCKODO)
    if moco.projection == clockodo.projection:
        emitter.adopt(pair, moco.projection)
        return
    decision = decide_unlinked_pair(moco.state, clockodo.state, policy)
    assert isinstance(decision, Propagate | Park), decision
    winner = decision.winner if isinstance(decision, Propagate) else None
    emitter.adopt(pair, _adoption_base(moco, clockodo, winner))
    emitter.apply(pair, decision, moco.state, clockodo.state)


def _match_claims(
    claimants: dict[int, Candidate],
    claimed: dict[int, Candidate],
    linked_claimed: set[int],
    policy: Policy,
    emitter: Emitter,
) -> set[int]:
    """Adopt by claim; return the ids whose claimed partner was not found."""
    unresolved: set[int] = set()
    for candidate in sorted(claimants.values(), key=lambda c: c.id):
        target = candidate.claims
        if target is None or target in linked_claimed:
            continue  # no claim, or a copy of an item whose partner is linked: ordinary
        if target in claimed:
            del claimants[candidate.id]
            partner = claimed.pop(target)
            moco, clockodo = (
                (candidate, partner) if candidate.side == Side.MOCO else (partner, candidate)
            )
            _adopt_claimed(moco, clockodo, policy, emitter)
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
            pair = Pair(None, candidate.id, partner.id, Side.CLOCKODO)
            emitter.adopt(pair, candidate.projection)
            del moco[candidate.id], clockodo[partner.id]


def _create_rest(candidates: dict[int, Candidate], unresolved: set[int], emitter: Emitter) -> None:
    def order(c: Candidate) -> tuple[object, ...]:
        return (c.projection.date, c.projection.user, c.id)

    for candidate in sorted(candidates.values(), key=order):
        if not candidate.in_window:
            continue
        if candidate.id in unresolved:
            other = Side(candidate.side).other
            detail = f"names {other.label} item {candidate.claims}, which is unreadable, "
            detail += "skipped or not read"
            emitter.skip(Skip(candidate.side, candidate.id, SkipReason.UNRESOLVED_REMOTE, detail))
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
    unresolved = _match_claims(moco_left, clockodo_left, linked_clockodo, policy, emitter)
    _pair_equal(moco_left, clockodo_left, emitter)
    _create_rest(moco_left, unresolved, emitter)
    _create_rest(clockodo_left, set(), emitter)
