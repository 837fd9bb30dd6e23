"""The pollers: read both sides into the core's snapshots, and prove absences.

A linked item missing from a window read is only *proven gone* when the read
was complete and a direct GET answers 404 (design §3). Items that moved out
of the window are fetched and included, so a re-dated booking is an update,
never a delete plus a create.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Generic, TypeVar

from syncd.adapters.clockodo.client import ClockodoClient
from syncd.adapters.clockodo.models import Entry
from syncd.adapters.errors import ApiError, NotFound
from syncd.adapters.listing import Invalid
from syncd.adapters.moco.client import MocoClient
from syncd.adapters.moco.models import Activity
from syncd.core import model as core

# clockodo instants are read with a margin on both ends so that every entry
# whose *local* date lies in the window is seen, whatever the user's zone
# (UTC-12 .. UTC+14); the core ignores unlinked items outside the date window.
ZONE_MARGIN = timedelta(hours=15)


@dataclass(frozen=True)
class Window:
    """The inclusive range of local dates kept in sync this run."""

    first: date
    last: date

    @property
    def dates(self) -> tuple[date, date]:
        return (self.first, self.last)

    @property
    def instants(self) -> tuple[datetime, datetime]:
        start = datetime.combine(self.first, time(0), UTC) - ZONE_MARGIN
        end = datetime.combine(self.last + timedelta(days=1), time(0), UTC) + ZONE_MARGIN
        return start, end


def moco_booking(activity: Activity) -> core.MocoBooking | None:
    """The core's view of an activity; None when it lacks what syncing needs."""
    if activity.user is None:
        return None
    seconds = activity.worked_seconds if activity.worked_seconds is not None else activity.seconds
    return core.MocoBooking(
        id=activity.id,
        date=activity.date,
        seconds=seconds,
        description=activity.description,
        billable=activity.billable,
        billed=activity.billed,
        user_id=activity.user.id,
        project_id=activity.project.id,
        task_id=activity.task.id,
        customer_id=activity.customer.id if activity.customer else 0,
        running=activity.timer_started_at is not None,
        updated_at=activity.updated_at,
        remote_id=activity.remote_id,
    )


def clockodo_booking(entry: Entry) -> core.ClockodoBooking:
    return core.ClockodoBooking(
        id=entry.id,
        users_id=entry.users_id,
        customers_id=entry.customers_id,
        projects_id=entry.projects_id,
        services_id=entry.services_id,
        billable=entry.billable,
        text=entry.text,
        time_since=entry.time_since,
        time_until=entry.time_until,
        duration=entry.duration,
        type=entry.type,
        time_last_change=entry.time_last_change,
    )


Booking = TypeVar("Booking", core.MocoBooking, core.ClockodoBooking)


@dataclass(frozen=True)
class SideRead(Generic[Booking]):
    """A snapshot plus what the operator should hear about the read."""

    snapshot: core.SideSnapshot[Booking]
    invalid: tuple[Invalid, ...]
    problem: str | None
    lookups: int


def _invalid_ids(invalid: Iterable[Invalid]) -> set[int]:
    return {item.raw_id for item in invalid if item.raw_id is not None}


def read_moco(
    client: MocoClient, window: Window, links: Sequence[core.Link]
) -> SideRead[core.MocoBooking]:
    listing = client.list_activities(date_from=window.first, date_to=window.last)
    invalid = list(listing.invalid)
    items: dict[int, core.MocoBooking] = {}
    for activity in listing.items:
        _add_activity(items, invalid, activity)
    read = _side_read(items, invalid, set(), listing.complete, listing.problem, lookups=0)
    return find_moco_partners(client, read, [link.moco_id for link in links])


def find_moco_partners(
    client: MocoClient, read: SideRead[core.MocoBooking], linked: Iterable[int]
) -> SideRead[core.MocoBooking]:
    """Fetch linked activities the window read did not hold (moved away, or deleted)."""
    items, invalid = dict(read.snapshot.items), list(read.invalid)
    gone: set[int] = set()
    missing = _missing(linked, items, invalid) - read.snapshot.proven_gone
    lookups = read.lookups
    if read.snapshot.complete and missing:
        # One request finds every linked activity that merely moved out of the window.
        moved = client.list_activities(date_from=None, date_to=None, ids=sorted(missing))
        lookups += 1
        for activity in moved.items:
            _add_activity(items, invalid, activity)
        if moved.complete:
            unseen = missing - items.keys() - _invalid_ids(invalid)
            gone, asked = _prove_gone(unseen, client.get_activity, items, invalid, _add_activity)
            lookups += asked
    gone |= read.snapshot.proven_gone
    return _side_read(items, invalid, gone, read.snapshot.complete, read.problem, lookups=lookups)


def read_moco_changes(
    client: MocoClient,
    window: Window,
    known: Callable[[], dict[int, core.MocoBooking]],
    merge: Callable[[list[core.MocoBooking]], None],
    since: datetime,
) -> SideRead[core.MocoBooking] | None:
    """An incremental read: what changed since `since`, merged into the store's copy
    of the window, which is trusted only while MOCO counts the window the same.

    None means "read the window fully": the changes could not all be read, or
    the counts differ (a deletion, or a booking moved out of the window).
    Nothing is ever proven gone here; deletions show up in full reads.
    """
    changed = client.list_activities(
        date_from=window.first, date_to=window.last, updated_after=since
    )
    if not changed.complete or changed.invalid:
        return None
    items: dict[int, core.MocoBooking] = {}
    invalid: list[Invalid] = []
    for activity in changed.items:
        _add_activity(items, invalid, activity)
    if invalid:
        return None
    merge(list(items.values()))
    copy = known()
    if client.count_activities(date_from=window.first, date_to=window.last) != len(copy):
        return None
    snapshot = core.SideSnapshot(items=copy, complete=True)
    return SideRead(snapshot, (), None, lookups=1)


def _add_activity(
    items: dict[int, core.MocoBooking], invalid: list[Invalid], activity: Activity
) -> None:
    booking = moco_booking(activity)
    if booking is None:
        invalid.append(Invalid(activity.id, "activity without a user"))
    else:
        items[booking.id] = booking


def _add_entry(
    items: dict[int, core.ClockodoBooking], invalid: list[Invalid], entry: Entry
) -> None:
    items[entry.id] = clockodo_booking(entry)


def read_clockodo(
    client: ClockodoClient, window: Window, links: Sequence[core.Link]
) -> SideRead[core.ClockodoBooking]:
    since, until = window.instants
    listing = client.list_entries(time_since=since, time_until=until)
    invalid = list(listing.invalid)
    items: dict[int, core.ClockodoBooking] = {}
    for entry in listing.items:
        _add_entry(items, invalid, entry)
    read = _side_read(items, invalid, set(), listing.complete, listing.problem, lookups=0)
    return find_clockodo_partners(client, read, [link.clockodo_id for link in links])


def find_clockodo_partners(
    client: ClockodoClient, read: SideRead[core.ClockodoBooking], linked: Iterable[int]
) -> SideRead[core.ClockodoBooking]:
    """Fetch linked entries the window read did not hold (moved away, or deleted)."""
    items, invalid = dict(read.snapshot.items), list(read.invalid)
    gone: set[int] = set()
    missing = _missing(linked, items, invalid) - read.snapshot.proven_gone
    lookups = read.lookups
    if read.snapshot.complete and missing:
        gone, asked = _prove_gone(missing, client.get_entry, items, invalid, _add_entry)
        lookups += asked
    gone |= read.snapshot.proven_gone
    return _side_read(items, invalid, gone, read.snapshot.complete, read.problem, lookups=lookups)


def _side_read(
    items: dict[int, Booking],
    invalid: list[Invalid],
    gone: set[int],
    complete: bool,
    problem: str | None,
    *,
    lookups: int,
) -> SideRead[Booking]:
    snapshot = core.SideSnapshot(
        items=items,
        complete=complete,
        invalid_ids=frozenset(_invalid_ids(invalid)),
        proven_gone=frozenset(gone),
    )
    return SideRead(snapshot, tuple(invalid), problem, lookups)


def _missing(
    linked: Iterable[int], items: Mapping[int, object], invalid: list[Invalid]
) -> set[int]:
    return set(linked) - items.keys() - _invalid_ids(invalid)


Record = TypeVar("Record", Activity, Entry)


def _prove_gone(
    ids: Iterable[int],
    get: Callable[[int], Record],
    items: dict[int, Booking],
    invalid: list[Invalid],
    add: Callable[[dict[int, Booking], list[Invalid], Record], None],
) -> tuple[set[int], int]:
    """GET each id: 404 proves it gone; found adds it; any other answer proves nothing."""
    gone: set[int] = set()
    asked = 0
    for item_id in sorted(ids):
        asked += 1
        try:
            record = get(item_id)
        except NotFound:
            gone.add(item_id)
        except ApiError:
            continue  # unknown: the core holds the link
        else:
            add(items, invalid, record)
    return gone, asked
