"""Parked conflicts: list them, and settle one by hand.

Settling writes nothing to either vendor. It rearranges the link so that the
next run's ordinary three-way decision carries out the choice:

- both versions exist: the base becomes the losing version, so only the
  winner counts as changed and is copied over the loser;
- the winner is a deletion: the base becomes the survivor's version, so the
  survivor counts as unchanged and its deletion is propagated;
- the winner survived a deletion on the other side: the link is forgotten,
  so the winner is unlinked and is created again on the other side.
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
        )
        for row in repo.open_conflicts(session)
    ]


def resolve(session: Session, conflict_id: int, keep: core.Side) -> str:
    """Settle an open conflict in favour of `keep`; returns what the next run will do."""
    row = session.scalars(
        select(rows.Conflict).where(rows.Conflict.id == conflict_id, rows.Conflict.state == "open")
    ).first()
    if row is None or row.link_id is None:
        raise ConflictNotFound(f"no open conflict {conflict_id} (see `syncd conflicts`)")
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
