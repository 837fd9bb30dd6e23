"""Small builders for core tests: one standard set of mappings and bookings on it."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from syncd.core.model import (
    BySide,
    ClockodoBooking,
    Link,
    Mappings,
    MocoBooking,
    ParkedConflict,
    Policy,
    Projection,
    ProjectMapping,
    Side,
    SideSnapshot,
    SkipReason,
    TaskMapping,
    UserMapping,
)
from syncd.core.plan import WRITE_ACTIONS, Pair, Plan
from syncd.core.reconcile import reconcile

DAY = date(2026, 3, 2)
T0 = datetime(2026, 3, 3, 12, 0, tzinfo=UTC)
WINDOW = (date(2026, 2, 1), date(2026, 3, 31))

# MOCO user 1 = clockodo 101 in Berlin, MOCO user 2 = clockodo 102 in New York.
# MOCO project 10 (customer 50) = clockodo customer 500 / project 1000,
# MOCO project 11 (customer 51) = clockodo customer 501 / project 1001.
# Tasks 20, 21 of project 10 -> services 200, 201; task 22 of project 11 -> service 200.
MAPPINGS = Mappings(
    users=(UserMapping(1, 101, "Europe/Berlin"), UserMapping(2, 102, "America/New_York")),
    projects=(ProjectMapping(10, 50, 500, 1000), ProjectMapping(11, 51, 501, 1001)),
    tasks=(TaskMapping(20, 10, 200), TaskMapping(21, 10, 201), TaskMapping(22, 11, 200)),
)


def policy(**overrides: Any) -> Policy:
    return Policy(window=WINDOW, **overrides)


def moco(item_id: int, **overrides: Any) -> MocoBooking:
    values: dict[str, Any] = {
        "id": item_id,
        "date": DAY,
        "seconds": 3600,
        "description": "work",
        "billable": True,
        "billed": False,
        "user_id": 1,
        "project_id": 10,
        "task_id": 20,
        "customer_id": 50,
        "running": False,
        "updated_at": T0,
        "remote_id": None,
    }
    values.update(overrides)
    return MocoBooking(**values)


def clockodo(item_id: int, **overrides: Any) -> ClockodoBooking:
    """A clockodo time entry; ``start`` (UTC) and ``seconds`` fill time_since/until/duration."""
    start = overrides.pop("start", datetime(2026, 3, 2, 8, 0, tzinfo=UTC))
    seconds = overrides.pop("seconds", 3600)
    values: dict[str, Any] = {
        "id": item_id,
        "users_id": 101,
        "customers_id": 500,
        "projects_id": 1000,
        "services_id": 200,
        "billable": 1,
        "text": "work",
        "time_since": start,
        "time_until": start + timedelta(seconds=seconds),
        "duration": seconds,
        "type": 1,
        "time_last_change": T0,
    }
    values.update(overrides)
    return ClockodoBooking(**values)


def proj(**overrides: Any) -> Projection:
    """The projection of ``moco(x)`` and ``clockodo(x)`` with no overrides."""
    base = Projection(
        user=1,
        date=DAY,
        seconds=3600,
        description="work",
        billable=True,
        billed=False,
        project=10,
        task=20,
    )
    return replace(base, **overrides)


def snap(
    *items: Any,
    complete: bool = True,
    gone: tuple[int, ...] = (),
    invalid: tuple[int, ...] = (),
) -> SideSnapshot[Any]:
    return SideSnapshot(
        items={item.id: item for item in items},
        complete=complete,
        invalid_ids=frozenset(invalid),
        proven_gone=frozenset(gone),
    )


def link(
    link_id: int,
    moco_id: int,
    clockodo_id: int,
    base: Projection | None = None,
    *,
    origin: Side = "moco",
    parked: ParkedConflict | None = None,
    orphaned: Side | None = None,
) -> Link:
    return Link(link_id, moco_id, clockodo_id, origin, base or proj(), parked, orphaned)


def run(
    moco_items: list[Any],
    clockodo_items: list[Any],
    links: list[Link],
    *,
    moco_gone: tuple[int, ...] = (),
    clockodo_gone: tuple[int, ...] = (),
    held: dict[Any, Projection] | None = None,
    **policy_overrides: Any,
) -> Plan:
    """reconcile() over complete reads of the given items, with the standard mappings."""
    return reconcile(
        snap(*moco_items, gone=moco_gone),
        snap(*clockodo_items, gone=clockodo_gone),
        links,
        MAPPINGS,
        policy(**policy_overrides),
        held=held or {},
    )


def kinds(plan: Plan) -> list[str]:
    """Action names; writes with their target, e.g. ``Update:clockodo``."""
    return [
        f"{type(a).__name__}:{a.target}" if isinstance(a, WRITE_ACTIONS) else type(a).__name__
        for a in plan.actions
    ]


def reasons(plan: Plan) -> list[tuple[str, int, SkipReason]]:
    return [(s.side, s.id, s.reason) for s in plan.skips]


def pair(link_id: int | None, moco_id: int, clockodo_id: int, origin: str = "moco") -> Pair:
    """How actions name a link (``origin`` as :func:`link` defaults it)."""
    return Pair(link_id, moco_id, clockodo_id, Side(origin))


def is_write(action: Any, kind: type, side: str) -> bool:
    """Whether ``action`` is a write of ``kind`` (Create, Update, Bill, Delete) on ``side``."""
    return isinstance(action, kind) and action.target == side


# The stamps of ``moco(x)`` and ``clockodo(x)`` (both changed at T0), as actions record them.
STAMPS = BySide(T0.isoformat(), T0.isoformat())
