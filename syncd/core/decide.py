"""The per-link decision table of design §3, on projections only.

Each side of a link is compared with its *reference*: the base, or for a parked link
the version parked for that side (so an edit after a conflict resolves it in that
side's favour). The outcome is an abstract :data:`Decision`; the reconciler turns it
into concrete actions with payloads and placement.

Rules beyond the table:

- Billed is read-only: a write onto a billed item becomes a parked conflict whatever the
  policy (billing itself flows from the billed side to the other one).
- A MOCO activity cannot change its user; a clockodo user change parks.
- One-way modes never write the source side: target edits are ignored (reported),
  the source wins when both changed, a deleted target orphans the link.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from syncd.core.model import Link, Policy, Projection, Side, other_side


@dataclass(frozen=True)
class Present:
    """A side's item was read and projected; ``changed_at`` feeds the ``newest`` policy."""

    projection: Projection
    changed_at: datetime


GONE = None
State = Present | None  # None: proven gone


@dataclass(frozen=True)
class ConflictNote:
    """A conflict that was resolved in favour of ``winner`` (keep the loser's version)."""

    moco: Projection | None
    clockodo: Projection | None
    reason: str
    winner: Side


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
    Keep | Agree | Propagate | Park | IgnoreTarget | DeleteSurvivor | Recreate | Orphan | Drop
)

REASON_BOTH_CHANGED = "both_changed"
REASON_SAME_TIME = "both_changed_same_time"
REASON_BILLED = "billed"
REASON_USER_CHANGED = "user_changed"
REASON_ONE_WAY = "one_way"
REASON_DELETED_CHANGED = "deleted_and_changed"


def _by_side(side: Side, value: Projection | None) -> tuple[Projection | None, Projection | None]:
    return (value, None) if side == "moco" else (None, value)


def _policy_winner(policy: Policy, moco: Present, clockodo: Present) -> Side | None:
    """The side a conflict policy picks between two present versions (None: park)."""
    if policy.conflict in ("moco", "clockodo"):
        return policy.conflict
    if policy.conflict == "newest":
        if moco.changed_at > clockodo.changed_at:
            return "moco"
        if clockodo.changed_at > moco.changed_at:
            return "clockodo"
    return None


def decide(link: Link, moco: State, clockodo: State, policy: Policy) -> Decision:
    """What to do with ``link`` given the current state of both sides."""
    if link.orphaned is not None:
        survivor = clockodo if link.orphaned == "moco" else moco
        return Drop() if survivor is GONE else Keep()
    if moco is GONE and clockodo is GONE:
        return Drop()
    ref_m, ref_c = (link.parked.moco, link.parked.clockodo) if link.parked else (link.base,) * 2
    if moco is GONE and clockodo is not None:
        return _decide_gone("moco", clockodo, ref_m, ref_c, policy)
    if clockodo is GONE and moco is not None:
        return _decide_gone("clockodo", moco, ref_c, ref_m, policy)
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
    an unparked link (recorded again only when it differs)."""
    m, c = moco.projection, clockodo.projection
    if m == c:
        return Keep() if agreed == m else Agree(m)
    m_changed, c_changed = m != refs[0], c != refs[1]
    if not (m_changed or c_changed):
        return Keep(still_parked=True)
    source = policy.source
    conflict: ConflictNote | None = None
    if source is not None:
        source_changed = m_changed if source == "moco" else c_changed
        if not source_changed:
            return IgnoreTarget(other_side(source))
        winner = source
        if m_changed and c_changed:
            conflict = ConflictNote(m, c, REASON_ONE_WAY, winner)
    elif m_changed != c_changed:
        winner = "moco" if m_changed else "clockodo"
    else:
        picked = _policy_winner(policy, moco, clockodo)
        if picked is None:
            reason = REASON_BOTH_CHANGED if policy.conflict == "park" else REASON_SAME_TIME
            return Park(m, c, reason)
        winner = picked
        conflict = ConflictNote(m, c, REASON_BOTH_CHANGED, winner)
    return _veto_write(winner, m, c) or Propagate(winner, conflict)


def _veto_write(winner: Side, m: Projection, c: Projection) -> Park | None:
    """Writes the target cannot take: onto a billed item, or moving a MOCO activity."""
    target = c if winner == "moco" else m
    if target.billed:
        return Park(m, c, REASON_BILLED)
    if winner == "clockodo" and m.user != c.user:
        return Park(m, c, REASON_USER_CHANGED)
    return None


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
    kept = other_side(gone)
    note = ConflictNote(*_by_side(kept, s), REASON_ONE_WAY, gone) if s_changed else None
    return _delete_or_keep(gone, s, policy, note)


def _decide_gone_both_ways(
    gone: Side, s: Projection, *, deleted: bool, s_changed: bool, policy: Policy
) -> Decision:
    kept = other_side(gone)
    if not deleted:  # a parked deletion conflict, and the survivor was edited since
        return Recreate(gone)
    if not s_changed and not s.billed:
        return _delete_or_keep(gone, s, policy, conflict=None)
    reason = REASON_BILLED if s.billed and not s_changed else REASON_DELETED_CHANGED
    if policy.conflict == "park":
        return Park(*_by_side(kept, s), reason)
    if policy.conflict == gone:
        return _delete_or_keep(gone, s, policy, ConflictNote(*_by_side(kept, s), reason, gone))
    # The surviving side wins, and "newest" keeps data: the surviving edit wins.
    return Recreate(gone, ConflictNote(*_by_side(kept, s), reason, kept))


def _delete_or_keep(
    gone: Side, s: Projection, policy: Policy, conflict: ConflictNote | None
) -> Decision:
    """Propagate a deletion onto the survivor, unless it is billed or deletes are off."""
    kept = other_side(gone)
    if s.billed:
        return Park(*_by_side(kept, s), REASON_BILLED)
    if not policy.propagate_deletes:
        return Orphan(gone)
    return DeleteSurvivor(kept, conflict)
