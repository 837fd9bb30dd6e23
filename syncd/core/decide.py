"""The per-link decision table of design §3, on projections only.

Each side of a link is compared with its *reference*: the base, or for a parked link
the version parked for that side (so an edit after a conflict resolves it in that
side's favour). The outcome is an abstract :data:`Decision`; the emitter turns it
into concrete actions with payloads and placement.

Rules beyond the table:

- Both changed differently: the configured conflict policy decides
  (:mod:`syncd.core.policies`): a winner, a merged version, or park.
- Billed is read-only: a write onto a billed item becomes a parked conflict whatever the
  policy (billing itself flows from the billed side to the other one).
- A MOCO activity cannot change its user; a clockodo user change parks.
- One-way modes never write the source side: target edits are ignored (reported),
  the source wins when both changed, a deleted target orphans the link.
"""

from __future__ import annotations

from dataclasses import dataclass

from syncd.core.model import Link, Policy, Present, Projection, Side, by_side
from syncd.core.policies import STRATEGIES

GONE = None
State = Present | None  # None: proven gone

__all__ = ["GONE", "Present", "State"]


@dataclass(frozen=True)
class ConflictNote:
    """A conflict that was resolved in favour of ``winner`` (keep the loser's version);
    a merge has no single winner (``winner`` None)."""

    moco: Projection | None
    clockodo: Projection | None
    reason: str
    winner: Side | None


@dataclass(frozen=True)
class Keep:
    """Nothing to do; ``still_parked`` asks to report the link as parked."""

    still_parked: bool = False


@dataclass(frozen=True)
class Agree:
    """Both sides are equal: record ``base`` (and unpark)."""

    base: Projection


@dataclass(frozen=True)
class Propagate:
    """Write the ``winner``'s projection onto the other side."""

    winner: Side
    conflict: ConflictNote | None = None

    def targets(self, m: Projection, c: Projection) -> list[tuple[Side, Projection]]:
        """(side to write, projection it must hold afterwards)."""
        return [(Side(self.winner).other, m if self.winner == Side.MOCO else c)]


@dataclass(frozen=True)
class Merge:
    """Write ``merged`` onto every side that does not hold it yet."""

    merged: Projection
    conflict: ConflictNote

    def targets(self, m: Projection, c: Projection) -> list[tuple[Side, Projection]]:
        current = {Side.MOCO: m, Side.CLOCKODO: c}
        return [(side, self.merged) for side, now in current.items() if now != self.merged]


@dataclass(frozen=True)
class Park:
    """Write nothing; keep both versions."""

    moco: Projection | None
    clockodo: Projection | None
    reason: str


@dataclass(frozen=True)
class IgnoreTarget:
    """One-way mode: an edit on the target ``side`` is not propagated."""

    side: Side


@dataclass(frozen=True)
class DeleteSurvivor:
    """Delete the item on ``side``; its partner is proven gone."""

    side: Side
    conflict: ConflictNote | None = None


@dataclass(frozen=True)
class Recreate:
    """Re-create the missing item on ``side`` from the survivor and relink."""

    side: Side
    conflict: ConflictNote | None = None


@dataclass(frozen=True)
class Orphan:
    """``gone`` was deleted; do not propagate, keep the link."""

    gone: Side


@dataclass(frozen=True)
class Drop:
    """Forget the link (nothing left on either side)."""


Decision = (
    Keep
    | Agree
    | Propagate
    | Merge
    | Park
    | IgnoreTarget
    | DeleteSurvivor
    | Recreate
    | Orphan
    | Drop
)

REASON_BOTH_CHANGED = "both_changed"
REASON_SAME_TIME = "both_changed_same_time"
REASON_BILLED = "billed"
REASON_USER_CHANGED = "user_changed"
REASON_ONE_WAY = "one_way"
REASON_DELETED_CHANGED = "deleted_and_changed"
REASON_MERGED = "both_changed_merged"


def decide(link: Link, moco: State, clockodo: State, policy: Policy) -> Decision:
    """What to do with ``link`` given the current state of both sides."""
    if link.orphaned is not None:
        survivor = clockodo if link.orphaned == Side.MOCO else moco
        return Drop() if survivor is GONE else Keep()
    if moco is GONE and clockodo is GONE:
        return Drop()
    ref_m, ref_c = (link.parked.moco, link.parked.clockodo) if link.parked else (link.base,) * 2
    if moco is GONE and clockodo is not None:
        return _decide_gone(Side.MOCO, clockodo, ref_m, ref_c, policy)
    if clockodo is GONE and moco is not None:
        return _decide_gone(Side.CLOCKODO, moco, ref_c, ref_m, policy)
    assert moco is not None
    assert clockodo is not None
    agreed = link.base if link.parked is None else None
    return _decide_present(moco, clockodo, (ref_m, ref_c), agreed, policy)


def decide_unlinked_pair(moco: Present, clockodo: Present, policy: Policy) -> Decision:
    """Two items known to be one booking that never agreed (no base): both count as
    changed, so differing versions are a conflict under the policy."""
    return _decide_present(moco, clockodo, (None, None), None, policy)


def _decide_present(
    moco: Present,
    clockodo: Present,
    refs: tuple[Projection | None, Projection | None],
    agreed: Projection | None,
    policy: Policy,
) -> Decision:
    """Both present; ``refs`` are what each side is compared with, ``agreed`` the base of
    an unparked link (recorded again only when it differs, and what a merge merges on)."""
    m, c = moco.projection, clockodo.projection
    if m == c:
        return Keep() if agreed == m else Agree(m)
    m_changed, c_changed = m != refs[0], c != refs[1]
    if not (m_changed or c_changed):
        return Keep(still_parked=True)
    source = policy.source
    if source is not None:
        source_changed = m_changed if source == Side.MOCO else c_changed
        if not source_changed:
            return IgnoreTarget(source.other)
        note = ConflictNote(m, c, REASON_ONE_WAY, source) if m_changed and c_changed else None
        return _veto(Propagate(source, note), m, c)
    if m_changed != c_changed:
        return _veto(Propagate(Side.MOCO if m_changed else Side.CLOCKODO), m, c)
    return _decide_conflict(moco, clockodo, agreed, policy)


def _decide_conflict(
    moco: Present, clockodo: Present, agreed: Projection | None, policy: Policy
) -> Decision:
    """Both changed, differently: the conflict policy decides (policies.py)."""
    m, c = moco.projection, clockodo.projection
    outcome = STRATEGIES[policy.conflict](moco, clockodo, agreed)
    if outcome is None:
        reason = REASON_SAME_TIME if policy.conflict == "newest" else REASON_BOTH_CHANGED
        return Park(m, c, reason)
    if isinstance(outcome, Projection):
        return _veto(Merge(outcome, ConflictNote(m, c, REASON_MERGED, None)), m, c)
    return _veto(Propagate(outcome, ConflictNote(m, c, REASON_BOTH_CHANGED, outcome)), m, c)


def _veto(decision: Propagate | Merge, m: Projection, c: Projection) -> Decision:
    """Writes the targets cannot take: onto a billed item, or moving a MOCO activity."""
    current = {Side.MOCO: m, Side.CLOCKODO: c}
    for side, projection in decision.targets(m, c):
        if current[side].billed:
            return Park(m, c, REASON_BILLED)
        if side == Side.MOCO and projection.user != m.user:
            return Park(m, c, REASON_USER_CHANGED)
    return decision


def _decide_gone(
    gone: Side,
    survivor: Present,
    ref_gone: Projection | None,
    ref_survivor: Projection | None,
    policy: Policy,
) -> Decision:
    """One side is proven gone, the other is present."""
    s = survivor.projection
    deleted = ref_gone is not None  # None: it was already gone when the conflict was parked
    s_changed = s != ref_survivor
    if not deleted and not s_changed:
        return Keep(still_parked=True)
    if policy.source is None:
        return _decide_gone_both_ways(gone, s, deleted=deleted, s_changed=s_changed, policy=policy)
    if gone != policy.source:
        return Orphan(gone)
    kept = gone.other
    note = ConflictNote(*_by_side(kept, s), REASON_ONE_WAY, gone) if s_changed else None
    return _delete_or_keep(gone, s, policy, note)


def _by_side(side: Side, value: Projection | None) -> tuple[Projection | None, Projection | None]:
    pair = by_side(side, value, None)
    return pair.moco, pair.clockodo


def _decide_gone_both_ways(
    gone: Side, s: Projection, *, deleted: bool, s_changed: bool, policy: Policy
) -> Decision:
    kept = gone.other
    if not deleted:  # a parked deletion conflict, and the survivor was edited since
        return Recreate(gone)
    if not s_changed and not s.billed:
        return _delete_or_keep(gone, s, policy, conflict=None)
    reason = REASON_BILLED if s.billed and not s_changed else REASON_DELETED_CHANGED
    if policy.conflict in ("park", "merge"):  # a deletion and an edit do not merge
        return Park(*_by_side(kept, s), reason)
    if policy.conflict == gone:
        return _delete_or_keep(gone, s, policy, ConflictNote(*_by_side(kept, s), reason, gone))
    # The surviving side wins, and "newest" keeps data: the surviving edit wins.
    return Recreate(gone, ConflictNote(*_by_side(kept, s), reason, kept))


def _delete_or_keep(
    gone: Side, s: Projection, policy: Policy, conflict: ConflictNote | None
) -> Decision:
    """Propagate a deletion onto the survivor, unless it is billed or deletes are off."""
    kept = gone.other
    if s.billed:
        return Park(*_by_side(kept, s), REASON_BILLED)
    if not policy.propagate_deletes:
        return Orphan(gone)
    return DeleteSurvivor(kept, conflict)
