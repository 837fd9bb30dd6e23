"""Reading for a targeted run: a few named bookings instead of the window (webhooks).

A vendor's event names a booking; syncd reads it again (the event is a hint, the
vendor's answer is the fact), its linked partner, and — because a new booking may
already have an equal twin on the other side that must be adopted, not copied —
both sides' bookings of the same person and day. Every unlinked booking in the
result therefore had its person-day read on both sides completely, as a window read
would have, so the core may decide creates on it exactly as in a full run. Items of
other days that a clockodo day read returns (its instants span every zone) are left
out. A named booking syncd has linked is looked for in the person-day of its link's
base first, and read by id only when it is not there (it moved, or is gone): one
listing per person-day instead of one request per booking, which is what a burst of
events costs otherwise (clockodo echoes every entry syncd creates). Absence is
proven as always: a named booking missing from a read by id counts as gone only
after a GET answers 404.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import date
from typing import Any

from syncd.core import model as core
from syncd.sides.base import Fetched, VendorSide
from syncd.sync.reading import SideRead

Sides = core.BySide[VendorSide[Any]]
LoadLinks = Callable[[Iterable[int], Iterable[int]], list[core.Link]]
DayReads = dict[tuple[int, date], core.BySide[Fetched[Any]]]  # (MOCO user, date) -> reads


def read_targets(
    sides: Sides,
    targets: core.BySide[frozenset[int]],
    mappings: core.Mappings,
    load_links: LoadLinks,
) -> tuple[core.BySide[SideRead[Any]], list[core.Link]]:
    """The named bookings, their partners and their person-days; and the links of all
    that was read."""
    # Named bookings that are linked are looked for in their base's person-day first
    # (read anyway): a burst of events on one day, e.g. the echoes of syncd's own
    # creates, then costs a listing per person-day instead of a GET per booking.
    links = load_links(targets.moco, targets.clockodo)  # `fetch` finds only what it names
    day_reads: DayReads = {
        day: read
        for day in sorted({(link.base.user, link.base.date) for link in links})
        if (read := _both_days(sides, day, mappings)).moco.complete and read.clockodo.complete
    }  # an incomplete one (e.g. a person no longer mapped) is left to the reads below
    named = core.BySide(
        *(_named(sides[side], targets[side], _items(day_reads, side)) for side in core.SIDES)
    )
    for day in sorted(_person_days(sides, named, mappings) - day_reads.keys()):
        day_reads[day] = _both_days(sides, day, mappings)
    partners = core.BySide(
        *(
            {link.item(side) for link in links} - targets[side] - _items(day_reads, side).keys()
            for side in core.SIDES
        )
    )
    fetched = core.BySide(
        *(
            _merge(
                named[side],
                sides[side].fetch(sorted(partners[side])),
                *(read[side] for _, read in sorted(day_reads.items())),
            )
            for side in core.SIDES
        )
    )
    links = load_links(fetched.moco.items, fetched.clockodo.items)
    return core.BySide(*(SideRead(fetched[side], "targeted") for side in core.SIDES)), links


def _named(side: VendorSide[Any], ids: frozenset[int], listed: dict[int, Any]) -> Fetched[Any]:
    """The bookings ``ids`` names: from the day listings where they are, else by id."""
    found = {i: item for i, item in listed.items() if i in ids}
    return _merge(Fetched(found), side.fetch(sorted(ids - found.keys())))


def _items(
    day_reads: dict[tuple[int, date], core.BySide[Fetched[Any]]], side: core.Side
) -> dict[int, Any]:
    """Every booking the person-day reads found on ``side``."""
    return {i: item for read in day_reads.values() for i, item in read[side].items.items()}


def _person_days(
    sides: Sides, named: core.BySide[Fetched[Any]], mappings: core.Mappings
) -> set[tuple[int, date]]:
    """(MOCO user, local date) of every named booking that is there and mapped."""
    days = set()
    for side in core.SIDES:
        rules = sides[side].rules
        for item in named[side].items.values():
            state = rules.seen(item, mappings).state
            if isinstance(state, core.Present):
                days.add((state.projection.user, state.projection.date))
    return days


def _both_days(
    sides: Sides, day: tuple[int, date], mappings: core.Mappings
) -> core.BySide[Fetched[Any]]:
    """One person-day (MOCO user, local date) read on both sides."""
    return core.BySide(*(_day(sides[side], *day, mappings) for side in core.SIDES))


def _day(side: VendorSide[Any], user: int, day: date, mappings: core.Mappings) -> Fetched[Any]:
    """One person's bookings of one local date on ``side`` (others are left out)."""
    own = side.rules.own_user(user, mappings)
    if own is None:
        return Fetched({}, complete=False, problem=f"{side.side.label} user of {user} unmapped")
    read = side.read_day(own, day)
    kept = {
        i: item
        for i, item in read.items.items()
        if side.rules.seen(item, mappings).local_date == day
    }
    return replace(read, items=kept)


def _merge(first: Fetched[Any], *more: Fetched[Any]) -> Fetched[Any]:
    """All reads as one; complete only when every one of them was."""
    result = first
    for other in more:
        merged = result.merged(other)
        problem = result.problem or other.problem
        result = replace(merged, complete=result.complete and other.complete, problem=problem)
    return result
