"""The mappings kept in the store (`syncd mappings add/apply/import/remove`)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from syncd.core.mapsource import Entry
from syncd.store.models import StoredMapping


def load(session: Session) -> list[Entry]:
    rows = session.scalars(
        select(StoredMapping).order_by(StoredMapping.kind, StoredMapping.moco_id)
    )
    return [
        Entry(row.kind, row.moco_id, row.clockodo_id, row.clockodo_customer_id)  # type: ignore[arg-type]
        for row in rows
    ]


def put(session: Session, found: Iterable[Entry], source: str) -> int:
    """Add or replace (by kind and MOCO id); answers how many were written."""
    now = datetime.now(UTC)
    count = 0
    for entry in found:
        session.merge(
            StoredMapping(
                kind=entry.kind,
                moco_id=entry.moco,
                clockodo_id=entry.clockodo,
                clockodo_customer_id=entry.customer,
                source=source,
                created_at=now,
            )
        )
        count += 1
    return count


def remove(session: Session, kind: str, moco_id: int) -> bool:
    done = session.execute(
        delete(StoredMapping).where(StoredMapping.kind == kind, StoredMapping.moco_id == moco_id)
    )
    return bool(getattr(done, "rowcount", 0))
