"""Reading and writing the store in the core's terms (links, bases, held failures).

Every function takes an open Session; the caller decides the transaction, so
that "link + base + intent done" can commit together (design §4).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from syncd.core import model as core
from syncd.core.codec import (
    optional_from_json,
    optional_to_json,
    projection_from_json,
    projection_to_json,
)
from syncd.store import models as rows


def now() -> datetime:
    return datetime.now(UTC)


# -- projections ---------------------------------------------------------------


def base_of(link: rows.Link) -> core.Projection:
    return projection_from_json(link.base)


def _set_base(link: rows.Link, base: core.Projection) -> None:
    link.base = projection_to_json(base)
    link.base_date = base.date


# -- mappings ----------------------------------------------------------------------


def replace_mappings(session: Session, mappings: core.Mappings) -> None:
    """Store the mappings in use (as validated against both accounts this run).

    Ambiguous ones (an id mapped twice) are not in use: the lookups ignore them.
    """
    for table in (rows.UserMapping, rows.ProjectMapping, rows.TaskMapping):
        session.execute(delete(table))
    users = {u for u in mappings.users if mappings.user_by_moco(u.moco) == u}
    users = {u for u in users if mappings.user_by_clockodo(u.clockodo) == u}
    projects = {p for p in mappings.projects if mappings.project_by_moco(p.moco) == p}
    projects = {p for p in projects if mappings.project_by_clockodo(p.clockodo_project) == p}
    tasks = {t for t in mappings.tasks if mappings.task_by_moco(t.moco) == t}
    session.add_all(
        rows.UserMapping(moco_user_id=u.moco, clockodo_user_id=u.clockodo, timezone=u.timezone)
        for u in sorted(users, key=lambda u: u.moco)
    )
    session.add_all(
        rows.ProjectMapping(
            moco_project_id=p.moco,
            clockodo_customer_id=p.clockodo_customer,
            clockodo_project_id=p.clockodo_project,
            moco_customer_id=p.moco_customer,
        )
        for p in sorted(projects, key=lambda p: p.moco)
    )
    session.add_all(
        rows.TaskMapping(
            moco_task_id=t.moco,
            clockodo_service_id=t.clockodo_service,
            moco_project_id=t.moco_project,
        )
        for t in sorted(tasks, key=lambda t: t.moco)
    )


# -- links -----------------------------------------------------------------------


CHUNK = 500  # ids per `IN (...)`: SQLite caps the parameters of one statement

_LINK_COLUMNS = (
    rows.Link.id,
    rows.Link.moco_id,
    rows.Link.clockodo_id,
    rows.Link.origin,
    rows.Link.state,
    rows.Link.orphaned_side,
    rows.Link.base,
    rows.Link.moco_stamp,
    rows.Link.clockodo_stamp,
)


def load_links(
    session: Session,
    window: tuple[date, date] | None,
    moco_ids: Iterable[int] = (),
    clockodo_ids: Iterable[int] = (),
) -> list[core.Link]:
    """Links whose base lies in ``window`` (None: none by date), or whose items are
    among the ids given (looked up in chunks: pass only those it takes)."""
    found: dict[int, Any] = {}
    if window is not None:
        query = select(*_LINK_COLUMNS).where(rows.Link.base_date.between(*window))
        found.update((row.id, row) for row in session.execute(query))
    for column, ids in ((rows.Link.moco_id, moco_ids), (rows.Link.clockodo_id, clockodo_ids)):
        wanted = sorted(set(ids))
        for start in range(0, len(wanted), CHUNK):
            query = select(*_LINK_COLUMNS).where(column.in_(wanted[start : start + CHUNK]))
            found.update((row.id, row) for row in session.execute(query))
    parked = _open_conflicts_by_link(
        session, [row.id for row in found.values() if row.state == "parked"]
    )
    return [_to_core(found[i], parked.get(i)) for i in sorted(found)]


def _open_conflicts_by_link(session: Session, link_ids: Sequence[int]) -> dict[int, rows.Conflict]:
    if not link_ids:
        return {}
    query = select(rows.Conflict).where(
        rows.Conflict.link_id.in_(link_ids), rows.Conflict.state == "open"
    )
    return {conflict.link_id: conflict for conflict in session.scalars(query) if conflict.link_id}


def _to_core(link: Any, conflict: rows.Conflict | None) -> core.Link:
    """A link row (an ORM object or a row of _LINK_COLUMNS) in the core's terms."""
    parked = None
    if link.state == "parked" and conflict is not None:
        parked = core.ParkedConflict(
            moco=optional_from_json(conflict.moco_version),
            clockodo=optional_from_json(conflict.clockodo_version),
            reason=conflict.reason,
        )
    orphaned = None
    if link.state == "orphaned":
        orphaned = core.SIDE_NAMED.get(link.orphaned_side)
    origin = core.SIDE_NAMED[link.origin]
    return core.Link(
        id=link.id,
        moco_id=link.moco_id,
        clockodo_id=link.clockodo_id,
        origin=origin,
        base=projection_from_json(link.base),
        parked=parked,
        orphaned=orphaned,
        stamps=core.BySide(link.moco_stamp, link.clockodo_stamp),
    )


def is_linked_on(session: Session, side: core.Side, item_id: int) -> bool:
    """Whether ``item_id`` on ``side`` belongs to a link."""
    column = rows.Link.moco_id if side == core.Side.MOCO else rows.Link.clockodo_id
    return session.scalars(select(rows.Link.id).where(column == item_id)).first() is not None


def is_linked(session: Session, *, moco_id: int, clockodo_id: int) -> bool:
    """Whether either item already belongs to a link."""
    query = select(rows.Link.id).where(
        or_(rows.Link.moco_id == moco_id, rows.Link.clockodo_id == clockodo_id)
    )
    return session.scalars(query).first() is not None


def link_id_for_moco(session: Session, moco_id: int) -> int:
    found = session.scalars(select(rows.Link.id).where(rows.Link.moco_id == moco_id)).first()
    if found is None:
        raise LookupError(f"no link for MOCO activity {moco_id}")
    return found


def add_link(
    session: Session,
    *,
    moco_id: int,
    clockodo_id: int,
    origin: core.Side,
    base: core.Projection,
    stamps: core.BySide[str | None] = core.NO_STAMPS,
) -> rows.Link:
    stamp = now()
    link = rows.Link(
        moco_id=moco_id,
        clockodo_id=clockodo_id,
        origin=origin,
        state="active",
        moco_stamp=stamps.moco,
        clockodo_stamp=stamps.clockodo,
        created_at=stamp,
        updated_at=stamp,
    )
    _set_base(link, base)
    session.add(link)
    session.flush()
    return link


def link_exists(session: Session, link_id: int) -> bool:
    return session.get(rows.Link, link_id) is not None


def get_link(session: Session, link_id: int) -> rows.Link:
    link = session.get(rows.Link, link_id)
    if link is None:
        raise LookupError(f"link {link_id} vanished from the store")
    return link


def record_base(
    session: Session,
    link_id: int,
    base: core.Projection,
    *,
    stamps: core.BySide[str | None] = core.NO_STAMPS,
    clockodo_id: int | None = None,
    moco_id: int | None = None,
) -> None:
    """The two sides agree on `base` now: store it and end any parked conflict. The
    stamps are those both items were seen under holding it (None: not known, e.g.
    right after a write), never older ones."""
    link = get_link(session, link_id)
    _set_base(link, base)
    link.state, link.orphaned_side = "active", None
    link.moco_stamp, link.clockodo_stamp = stamps.moco, stamps.clockodo
    link.moco_id = moco_id or link.moco_id
    link.clockodo_id = clockodo_id or link.clockodo_id
    link.updated_at = now()
    resolve_conflicts(session, link_id, "agreed")


def set_stamps(session: Session, link_id: int, stamps: core.BySide[str | None]) -> None:
    """Both items still hold the base, under these stamps."""
    link = get_link(session, link_id)
    link.moco_stamp, link.clockodo_stamp = stamps.moco, stamps.clockodo


def drop_link(session: Session, link_id: int) -> None:
    resolve_conflicts(session, link_id, "both gone")
    session.execute(delete(rows.Link).where(rows.Link.id == link_id))


def mark_orphaned(session: Session, link_id: int, gone: core.Side) -> None:
    link = get_link(session, link_id)
    link.state, link.orphaned_side, link.updated_at = "orphaned", gone, now()


# -- conflicts -----------------------------------------------------------------------


def open_conflict(
    session: Session,
    *,
    link_id: int | None,
    moco_id: int | None,
    clockodo_id: int | None,
    reason: str,
    moco: core.Projection | None,
    clockodo: core.Projection | None,
    base: core.Projection | None,
    resolution: str | None = None,
) -> rows.Conflict:
    """Keep both versions; `resolution` set means a policy decided it at once."""
    if link_id is not None:
        resolve_conflicts(session, link_id, "superseded")
        if resolution is None:
            get_link(session, link_id).state = "parked"
    conflict = rows.Conflict(
        link_id=link_id,
        moco_id=moco_id,
        clockodo_id=clockodo_id,
        reason=reason,
        moco_version=optional_to_json(moco),
        clockodo_version=optional_to_json(clockodo),
        base_version=optional_to_json(base),
        state="open" if resolution is None else "resolved",
        resolution=resolution,
        detected_at=now(),
        resolved_at=None if resolution is None else now(),
    )
    session.add(conflict)
    session.flush()
    return conflict


def resolve_conflicts(session: Session, link_id: int, resolution: str) -> None:
    query = select(rows.Conflict).where(
        rows.Conflict.link_id == link_id, rows.Conflict.state == "open"
    )
    for conflict in session.scalars(query):
        conflict.state, conflict.resolution, conflict.resolved_at = "resolved", resolution, now()


def open_conflicts(session: Session) -> list[rows.Conflict]:
    query = select(rows.Conflict).where(rows.Conflict.state == "open")
    return list(session.scalars(query.order_by(rows.Conflict.id)))


# -- held failures ---------------------------------------------------------------------


def load_held(session: Session) -> dict[tuple[core.Side, int], core.Projection]:
    held: dict[tuple[core.Side, int], core.Projection] = {}
    for row in session.scalars(select(rows.HeldFailure)):
        held[(core.Side(row.side), row.item_id)] = projection_from_json(row.projection)
    return held


def hold_failure(
    session: Session,
    side: core.Side,
    item_id: int,
    projection: core.Projection,
    *,
    status: int | None,
    reason: str,
) -> None:
    release_failure(session, side, item_id)
    session.add(
        rows.HeldFailure(
            side=side,
            item_id=item_id,
            projection=projection_to_json(projection),
            status=status,
            reason=reason,
            created_at=now(),
        )
    )


def release_failure(session: Session, side: core.Side, item_id: int) -> None:
    session.execute(
        delete(rows.HeldFailure).where(
            rows.HeldFailure.side == side, rows.HeldFailure.item_id == item_id
        )
    )
