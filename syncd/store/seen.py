"""The store's copy of MOCO's window, kept for incremental runs (see MocoSeen)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from syncd.core import model as core
from syncd.store import journal
from syncd.store import models as rows

WATERMARK = "moco_updated_after"
COVERED = "moco_seen_window"  # "first..last": the dates the copy holds completely


def _to_json(booking: core.MocoBooking) -> dict[str, Any]:
    return {
        "id": booking.id,
        "date": booking.date.isoformat(),
        "seconds": booking.seconds,
        "description": booking.description,
        "billable": booking.billable,
        "billed": booking.billed,
        "user_id": booking.user_id,
        "project_id": booking.project_id,
        "task_id": booking.task_id,
        "customer_id": booking.customer_id,
        "running": booking.running,
        "updated_at": booking.updated_at.isoformat(),
        "remote_id": booking.remote_id,
    }


def _from_json(data: dict[str, Any]) -> core.MocoBooking:
    values = dict(data)
    values["date"] = date.fromisoformat(data["date"])
    values["updated_at"] = datetime.fromisoformat(data["updated_at"])
    return core.MocoBooking(**values)


def replace_window(
    session: Session, window: tuple[date, date], bookings: Iterable[core.MocoBooking]
) -> None:
    """After a complete read: the window holds exactly `bookings` now."""
    session.execute(delete(rows.MocoSeen).where(rows.MocoSeen.date.between(*window)))
    merge(session, bookings)
    # Only this window is known completely now; an older, wider coverage is not.
    session.execute(delete(rows.MocoSeen).where(~rows.MocoSeen.date.between(*window)))
    journal.set_watermark(session, COVERED, f"{window[0].isoformat()}..{window[1].isoformat()}")


def covered(session: Session) -> tuple[date, date] | None:
    """The dates the copy holds completely (as of the last full read), if any."""
    value = journal.get_watermark(session, COVERED)
    if value is None:
        return None
    first, _, last = value.partition("..")
    return date.fromisoformat(first), date.fromisoformat(last)


def merge(session: Session, bookings: Iterable[core.MocoBooking]) -> None:
    """Changed or new activities replace what was known of them."""
    for booking in bookings:
        session.merge(rows.MocoSeen(id=booking.id, date=booking.date, booking=_to_json(booking)))


def in_window(session: Session, window: tuple[date, date]) -> dict[int, core.MocoBooking]:
    query = select(rows.MocoSeen).where(rows.MocoSeen.date.between(*window))
    return {row.id: _from_json(row.booking) for row in session.scalars(query)}


def count_in_window(session: Session, window: tuple[date, date]) -> int:
    query = select(func.count()).select_from(rows.MocoSeen)
    return int(session.scalar(query.where(rows.MocoSeen.date.between(*window))) or 0)
