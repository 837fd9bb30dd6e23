"""The mass-delete guard (design §3): refuse a plan that deletes too much, or that sees
one side suddenly empty, unless the operator allows it explicitly."""

from __future__ import annotations

from collections.abc import Sequence

from syncd.core.model import (
    ClockodoBooking,
    Link,
    Mappings,
    MocoBooking,
    Policy,
    Side,
    SideSnapshot,
)
from syncd.core.plan import Action, DeleteInClockodo, DeleteInMoco
from syncd.core.projection import clockodo_local_date

FLAG = "--allow-mass-delete"
EMPTY_SIDE_MIN_LINKS = 3
SIDE_NAMES: dict[Side, str] = {"moco": "MOCO", "clockodo": "clockodo"}


def _deletes(actions: Sequence[Action], side: Side) -> int:
    kind = DeleteInMoco if side == "moco" else DeleteInClockodo
    return sum(1 for action in actions if isinstance(action, kind))


def _too_many_deletes(actions: Sequence[Action], in_window: int, policy: Policy) -> str | None:
    limit = max(float(policy.mass_delete_min), policy.mass_delete_share * in_window)
    for side in ("moco", "clockodo"):
        count = _deletes(actions, side)
        if count > limit:
            return (
                f"refused: would delete {count} bookings in {SIDE_NAMES[side]}, more than the "
                f"limit of {limit:g} (the larger of {policy.mass_delete_min} and "
                f"{policy.mass_delete_share:.0%} of {in_window} linked bookings in the window); "
                f"run with {FLAG} to allow it"
            )
    return None


def _empty_side(side: Side, seen_in_window: int, expected: int, complete: bool) -> str | None:
    if not complete or seen_in_window or expected < EMPTY_SIDE_MIN_LINKS:
        return None
    return (
        f"refused: {SIDE_NAMES[side]} returned no bookings in the window although "
        f"{expected} linked bookings are there; run with {FLAG} if they really are gone"
    )


def mass_delete_refusal(
    actions: Sequence[Action],
    *,
    moco: SideSnapshot[MocoBooking],
    clockodo: SideSnapshot[ClockodoBooking],
    links: Sequence[Link],
    mappings: Mappings,
    policy: Policy,
) -> str | None:
    """One line saying why the plan must not run, or None.

    "Linked bookings in the window" are links whose base date lies in the window. A side
    counts as suddenly empty when its complete read holds nothing (not even an
    unparseable item) in the window while at least three links there expect an item on it.
    """
    if policy.allow_mass_delete:
        return None
    in_window = [link for link in links if policy.in_window(link.base.date)]
    moco_seen = len(moco.invalid_ids) + sum(
        1 for item in moco.items.values() if policy.in_window(item.date)
    )
    clockodo_seen = len(clockodo.invalid_ids) + sum(
        1
        for item in clockodo.items.values()
        if policy.in_window(clockodo_local_date(item, mappings))
    )
    return (
        _too_many_deletes(actions, len(in_window), policy)
        or _empty_side(
            "moco",
            moco_seen,
            sum(1 for link in in_window if link.orphaned != "moco"),
            moco.complete,
        )
        or _empty_side(
            "clockodo",
            clockodo_seen,
            sum(1 for link in in_window if link.orphaned != "clockodo"),
            clockodo.complete,
        )
    )
