"""The mass-delete guard (design §3): refuse a plan that deletes too much, or that sees
one side suddenly empty, unless the operator allows it explicitly."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from syncd.core.model import SIDES, BySide, Link, Policy, Seen, Side, SideSnapshot
from syncd.core.plan import Action, Delete

FLAG = "--allow-mass-delete"
EMPTY_SIDE_MIN_LINKS = 3


def _deletes(actions: Sequence[Action], side: Side) -> int:
    return sum(1 for action in actions if isinstance(action, Delete) and action.target == side)


def _too_many_deletes(actions: Sequence[Action], in_window: int, policy: Policy) -> str | None:
    limit = max(float(policy.mass_delete_min), policy.mass_delete_share * in_window)
    for side in SIDES:
        count = _deletes(actions, side)
        if count > limit:
            return (
                f"refused: would delete {count} bookings in {side.label}, more than the "
                f"limit of {limit:g} (the larger of {policy.mass_delete_min} and "
                f"{policy.mass_delete_share:.0%} of {in_window} linked bookings in the window); "
                f"run with {FLAG} to allow it"
            )
    return None


def _empty_side(side: Side, seen_in_window: int, expected: int, complete: bool) -> str | None:
    if not complete or seen_in_window or expected < EMPTY_SIDE_MIN_LINKS:
        return None
    return (
        f"refused: {side.label} returned no bookings in the window although "
        f"{expected} linked bookings are there; run with {FLAG} if they really are gone"
    )


def mass_delete_refusal(
    actions: Sequence[Action],
    *,
    snapshots: BySide[SideSnapshot[object]],
    seen: Callable[[Side, int], Seen | None],
    links: Sequence[Link],
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
    refusal = _too_many_deletes(actions, len(in_window), policy)
    for side in SIDES:
        snapshot = snapshots[side]
        # Whether anything at all is in the window: the first such item settles it.
        any_in_window = bool(snapshot.invalid_ids) or any(
            (found := seen(side, item_id)) is not None and policy.in_window(found.local_date)
            for item_id in snapshot.items
        )
        expected = sum(1 for link in in_window if link.orphaned != side)
        refusal = refusal or _empty_side(side, int(any_in_window), expected, snapshot.complete)
    return refusal
