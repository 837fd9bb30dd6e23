"""Parked conflicts: list them, and settle one by hand.

Settling writes nothing to either vendor. It rearranges the link so that the
next run's ordinary three-way decision carries out the choice:

- both versions exist: the base becomes the losing version, so only the
  winner counts as changed and is copied over the loser;
- the winner is a deletion: the base becomes the survivor's version, so the
  survivor counts as unchanged and its deletion is propagated;
- the winner survived a deletion on the other side: the link is forgotten,
  so the winner is unlinked and is created again on the other side.

An operator's decision (`syncd conflicts resolve`) is only recorded on the
conflict (``decided:<side>``), without the writer lock, so it can be made while
a daemon runs; the writer carries it out at the start of its next run
(:func:`apply_decisions`). A conflict superseded before that (a booking changed
again) drops the decision: the new versions need a new look.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from syncd.core import model as core
from syncd.core.codec import optional_from_json
from syncd.store import models as rows
from syncd.store import repo

DECIDED = "decided:"  # resolution of an open conflict an operator has settled


class ConflictNotFound(Exception):
    """No open conflict with that id."""


@dataclass(frozen=True)
class OpenConflict:
    id: int
    link_id: int | None
    moco_id: int | None
    clockodo_id: int | None
    reason: str
    moco: core.Projection | None
    clockodo: core.Projection | None
    detected_at: datetime
    base: core.Projection | None = None
    decided: core.Side | None = None  # kept by an operator, applied by the next run


def decided_side(resolution: str | None) -> core.Side | None:
    if resolution and resolution.startswith(DECIDED):
        return core.Side(resolution.removeprefix(DECIDED))
    return None


def open_conflicts(session: Session) -> list[OpenConflict]:
    return [
        OpenConflict(
            id=row.id,
            link_id=row.link_id,
            moco_id=row.moco_id,
            clockodo_id=row.clockodo_id,
            reason=row.reason,
            moco=optional_from_json(row.moco_version),
            clockodo=optional_from_json(row.clockodo_version),
            detected_at=row.detected_at,
            base=optional_from_json(row.base_version),
            decided=decided_side(row.resolution),
        )
        for row in repo.open_conflicts(session)
    ]


def _open_row(session: Session, conflict_id: int) -> rows.Conflict:
    row = session.scalars(
        select(rows.Conflict).where(rows.Conflict.id == conflict_id, rows.Conflict.state == "open")
    ).first()
    if row is None or row.link_id is None:
        raise ConflictNotFound(f"no open conflict {conflict_id} (see `syncd conflicts`)")
    return row


def decide(session: Session, conflict_id: int, keep: core.Side) -> None:
    """Record that `keep` wins; the writer's next run applies it (no lock needed)."""
    _open_row(session, conflict_id).resolution = DECIDED + keep


def apply_decisions(session: Session) -> list[tuple[int, str]]:
    """Carry out every recorded decision (the writer, under its lock): id, outcome."""
    query = select(rows.Conflict.id, rows.Conflict.resolution).where(
        rows.Conflict.state == "open", rows.Conflict.resolution.startswith(DECIDED)
    )
    applied = []
    for conflict_id, resolution in session.execute(query.order_by(rows.Conflict.id)).all():
        side = decided_side(resolution)
        assert side is not None
        applied.append((conflict_id, resolve(session, conflict_id, side)))
    return applied


def resolve(session: Session, conflict_id: int, keep: core.Side) -> str:
    """Settle an open conflict in favour of `keep`; returns what the next run will do."""
    row = _open_row(session, conflict_id)
    assert row.link_id is not None
    versions = {
        "moco": optional_from_json(row.moco_version),
        "clockodo": optional_from_json(row.clockodo_version),
    }
    loser = core.Side(keep).other
    winner_version, loser_version = versions[keep], versions[loser]
    link_id = row.link_id
    row.state, row.resolution, row.resolved_at = (
        "resolved",
        f"kept {keep} by hand",
        datetime.now(UTC),
    )
    if winner_version is not None and loser_version is None:
        repo.drop_link(session, link_id)
        return f"the {keep} booking will be created again in {loser}"
    survivor = loser_version if loser_version is not None else winner_version
    assert survivor is not None  # a conflict always has at least one version
    repo.record_base(session, link_id, survivor)
    if winner_version is None:
        return f"the {loser} booking will be deleted, as it was in {keep}"
    return f"the {keep} version will be copied to {loser}"
