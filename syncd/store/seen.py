"""The store's copy of MOCO's window, kept for incremental runs (see MocoSeen)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from syncd.core import model as core
from syncd.core.codec import from_json, to_json
from syncd.store import journal
from syncd.store import models as rows

WATERMARK = "moco_updated_after"
COVERED = "moco_seen_window"  # "first..last": the dates the copy holds completely
FULL_SCAN = "moco_full_scan"  # when the whole window was last read completely


def replace_window(
    session: Session, window: tuple[date, date], bookings: Iterable[core.MocoBooking]
) -> None:
    """After a complete read: the window holds exactly `bookings` now."""
    session.execute(delete(rows.MocoSeen).where(rows.MocoSeen.date.between(*window)))
    merge(session, bookings)
    # Only this window is known completely now; an older, wider coverage is not.
    session.execute(delete(rows.MocoSeen).where(~rows.MocoSeen.date.between(*window)))
    journal.set_watermark(session, COVERED, f"{window[0].isoformat()}..{window[1].isoformat()}")


def replace_part(
    session: Session, part: tuple[date, date], bookings: Iterable[core.MocoBooking]
) -> None:
    """A part of the covered window was read completely again (its coverage stays)."""
    session.execute(delete(rows.MocoSeen).where(rows.MocoSeen.date.between(*part)))
    merge(session, (b for b in bookings if part[0] <= b.date <= part[1]))


def covered(session: Session) -> tuple[date, date] | None:
    """The dates the copy holds completely (as of the last full read), if any."""
    value = journal.get_watermark(session, COVERED)
    if value is None:
        return None
    first, _, last = value.partition("..")
    return date.fromisoformat(first), date.fromisoformat(last)


CHUNK = 500  # ids per DELETE ... IN (...) (SQLite allows 999 parameters)


def merge(session: Session, bookings: Iterable[core.MocoBooking]) -> None:
    """Changed or new activities replace what was known of them (in bulk: a year's
    window holds tens of thousands)."""
    values = [{"id": b.id, "date": b.date, "booking": to_json(b)} for b in bookings]
    ids = [value["id"] for value in values]
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        session.execute(delete(rows.MocoSeen).where(rows.MocoSeen.id.in_(chunk)))
    if values:
        session.execute(insert(rows.MocoSeen), values)


def in_window(session: Session, window: tuple[date, date]) -> dict[int, core.MocoBooking]:
    query = select(rows.MocoSeen.id, rows.MocoSeen.booking)
    rows_ = session.execute(query.where(rows.MocoSeen.date.between(*window)))
    return {row.id: from_json(core.MocoBooking, row.booking) for row in rows_}


def count_in_window(session: Session, window: tuple[date, date]) -> int:
    query = select(func.count()).select_from(rows.MocoSeen)
    return int(session.scalar(query.where(rows.MocoSeen.date.between(*window))) or 0)
