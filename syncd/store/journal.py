"""Write intents and run records: what syncd is about to do, and what it did."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from syncd.store import models as rows
from syncd.store.repo import now


def add_intent(
    session: Session,
    kind: str,
    payload: dict[str, Any],
    *,
    source_side: str | None = None,
    source_id: int | None = None,
    target_id: int | None = None,
    run_id: str | None = None,
) -> rows.Intent:
    """Announce a write; the caller commits before sending it."""
    intent = rows.Intent(
        token=uuid.uuid4().hex,
        kind=kind,
        state="pending",
        source_side=source_side,
        source_id=source_id,
        target_id=target_id,
        payload=payload,
        run_id=run_id,
        created_at=now(),
    )
    session.add(intent)
    session.flush()
    return intent


def pending_intents(session: Session) -> list[rows.Intent]:
    query = select(rows.Intent).where(rows.Intent.state == "pending").order_by(rows.Intent.id)
    return list(session.scalars(query))


def finish_intent(
    session: Session, intent_id: int, *, target_id: int | None = None, state: str = "done"
) -> None:
    intent = session.get(rows.Intent, intent_id)
    if intent is None:
        raise LookupError(f"intent {intent_id} vanished from the store")
    intent.state, intent.finished_at = state, now()
    if target_id is not None:
        intent.target_id = target_id


def start_run(session: Session, run_id: str, mode: str) -> rows.Run:
    run = rows.Run(run_id=run_id, mode=mode, started_at=now(), result="running", counts={})
    session.add(run)
    session.flush()
    return run


def finish_run(
    session: Session, run_id: str, result: str, counts: dict[str, Any], error: str | None = None
) -> None:
    run = session.scalars(select(rows.Run).where(rows.Run.run_id == run_id)).one()
    run.result, run.counts, run.error, run.finished_at = result, counts, error, now()


def last_runs(session: Session, limit: int = 10) -> list[rows.Run]:
    query = select(rows.Run).order_by(rows.Run.started_at.desc(), rows.Run.id.desc())
    return list(session.scalars(query.limit(limit)))


def get_watermark(session: Session, name: str) -> str | None:
    mark = session.get(rows.Watermark, name)
    return None if mark is None else mark.value


def set_watermark(session: Session, name: str, value: str) -> None:
    mark = session.get(rows.Watermark, name)
    if mark is None:
        session.add(rows.Watermark(name=name, value=value, updated_at=now()))
    else:
        mark.value, mark.updated_at = value, now()
