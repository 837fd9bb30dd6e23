"""clockodo, read and written in the core's terms (the I/O half; the rules are
:mod:`syncd.core.clockodo`).

- Reads: ``GET /v2/entries`` over the window's instants (up to 1000 a page, with a
  margin for every zone), and by id: one GET each, or one listing of the narrowest
  time range that covers them when that takes fewer requests.
- Creates: one ``POST /v2/entries`` each. clockodo has no external id, so a create
  whose answer was lost is found by the user + exact ``time_since`` + duration +
  text that syncd chose (design §4).
- Billing: ``billable = 2``; three or more entries of one user and project go through
  ``PUT /v2/entrygroups``, whose confirm handshake serves as a safety check: the
  first answer's ``affected_entries`` must equal what the plan expects, else nothing
  is confirmed and each entry is billed on its own.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from math import ceil
from typing import Any

from syncd.adapters import errors
from syncd.adapters.clockodo.client import ClockodoClient
from syncd.adapters.clockodo.models import Entry, EntryCreate, EntryUpdate
from syncd.adapters.listing import IncompleteRead, ListResult
from syncd.core import model as core
from syncd.core.clockodo import ClockodoEntryDraft, ClockodoItem, ClockodoRules
from syncd.core.plan import Bill, Create, Delete, Update
from syncd.core.projection import CLOCKODO_BILLED, normalize_description
from syncd.sides.base import Failed, Fetched, Lost, Outcome, Window, Written, prove_gone
from syncd.sync.outcomes import Status

ClockodoOutcome = Outcome[core.ClockodoBooking]
PAGE = 1000  # entries per page, clockodo's maximum
# Below this many entries, one PUT each is cheaper than the two-step handshake.
GROUP_MIN = 3
SECOND = timedelta(seconds=1)


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


@dataclass(frozen=True)
class ClockodoLocator:
    """Finds a create again: clockodo has no external id, but syncd chose the exact
    start, and user + start + duration + text single an entry out."""

    users_id: int
    time_since: datetime
    seconds: int
    text: str

    def to_json(self) -> dict[str, object]:
        return {
            "users_id": self.users_id,
            "time_since": self.time_since.isoformat(),
            "seconds": self.seconds,
            "text": self.text,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ClockodoLocator:
        since = datetime.fromisoformat(str(data["time_since"]))
        return cls(int(data["users_id"]), since, int(data["seconds"]), str(data["text"]))

    def matches(self, entry: Entry) -> bool:
        return (
            entry.users_id == self.users_id
            and entry.time_since == self.time_since
            and entry.duration == self.seconds
            and normalize_description(entry.text) == normalize_description(self.text)
        )


def entry_create(draft: ClockodoEntryDraft) -> EntryCreate:
    seconds = int((draft.time_until - draft.time_since).total_seconds())
    return EntryCreate(
        customers_id=draft.customers_id,
        services_id=draft.services_id,
        billable=1 if draft.billable else 0,
        time_since=draft.time_since,
        time_until=draft.time_until,
        projects_id=draft.projects_id,
        users_id=draft.users_id,
        duration=seconds,
        text=draft.text,
    )


def entry_update(changes: Mapping[str, Any], current_since: datetime) -> EntryUpdate:
    """The PUT body; when times change the duration is sent too, so that accounts
    that do not link duration to the span still end up with the right length."""
    body: dict[str, Any] = dict(changes)
    if "time_until" in body:
        since = body.get("time_since", current_since)
        body["duration"] = int((body["time_until"] - since).total_seconds())
    return EntryUpdate(**body)


def _draft(create: Create) -> ClockodoEntryDraft:
    assert isinstance(create.draft, ClockodoEntryDraft), create
    return create.draft


def _item(action: Update | Bill | Delete) -> ClockodoItem:
    assert isinstance(action.item, ClockodoItem), action
    return action.item


def to_fetched(listing: ListResult[Entry]) -> Fetched[core.ClockodoBooking]:
    items = {entry.id: clockodo_booking(entry) for entry in listing.items}
    return Fetched(items, tuple(listing.invalid), listing.complete, listing.problem)


class ClockodoSide:
    side = core.Side.CLOCKODO
    rules = ClockodoRules()
    noun = "entry"

    def __init__(self, client: ClockodoClient) -> None:
        self.client = client
        self.notes: list[str] = []
        self.known: dict[int, core.ClockodoBooking] = {}  # as last read: predicts group edits

    # -- reading -------------------------------------------------------------------
    def read_window(self, window: Window) -> Fetched[core.ClockodoBooking]:
        since, until = window.instants
        listing = self.client.list_entries(
            time_since=since, time_until=until, keep=clockodo_booking
        )
        return self._seen(
            Fetched(
                {b.id: b for b in listing.items},
                tuple(listing.invalid),
                listing.complete,
                listing.problem,
            )
        )

    def read_day(self, user: int, day: date) -> Fetched[core.ClockodoBooking]:
        since, until = Window(day, day).instants
        listing = self.client.list_entries(time_since=since, time_until=until, users_id=user)
        return self._seen(to_fetched(listing))

    def fetch(self, ids: Collection[int]) -> Fetched[core.ClockodoBooking]:
        """By id: a GET each, or one listing over the starts last seen when cheaper."""
        wanted = set(ids)
        listed: Fetched[core.ClockodoBooking] = Fetched({})
        span = self._span_of(wanted)
        if span is not None and self._pages(span) < len(wanted):
            found = to_fetched(self.client.list_entries(time_since=span[0], time_until=span[1]))
            if found.complete:
                items = {i: b for i, b in found.items.items() if i in wanted}
                listed = Fetched(items, found.invalid)
        items = dict(listed.items)

        def add(entry: Entry) -> None:
            items[entry.id] = clockodo_booking(entry)

        unseen = wanted - items.keys() - listed.invalid_ids  # moved, deleted, or not listed
        gone = prove_gone(unseen, self.client.get_entry, add)
        complete = not (unseen - items.keys() - gone)  # a GET that failed proves nothing
        problem = None if complete else "an entry could not be read by id"
        return self._seen(Fetched(items, listed.invalid, complete, problem, gone))

    def _span_of(self, ids: set[int]) -> tuple[datetime, datetime] | None:
        starts = [self.known[i].time_since for i in ids if i in self.known]
        if len(starts) != len(ids) or not starts:
            return None
        return min(starts), max(starts) + SECOND

    def _pages(self, span: tuple[datetime, datetime]) -> int:
        """Requests a listing of ``span`` takes, by the entries last seen there."""
        inside = sum(1 for e in self.known.values() if span[0] <= e.time_since < span[1])
        return max(1, ceil(inside / PAGE))

    def _seen(self, fetched: Fetched[core.ClockodoBooking]) -> Fetched[core.ClockodoBooking]:
        self.known.update(fetched.items)
        return fetched

    def stamp(self, booking: core.ClockodoBooking) -> str:
        return self.rules.stamp(booking)

    # -- creates ---------------------------------------------------------------------
    def create_batches(self, creates: Sequence[Create]) -> list[list[Create]]:
        return [[create] for create in creates]  # clockodo has no bulk create

    def create(self, batch: Sequence[Create]) -> list[ClockodoOutcome]:
        return [self._create_one(create) for create in batch]

    def _create_one(self, create: Create) -> ClockodoOutcome:
        draft = _draft(create)
        try:
            entry = self.client.create_entry(entry_create(draft))
        except errors.OutcomeUnknown:
            before = set(self.known)  # what existed before cannot be this create's result
            try:
                found = [e for e in self.find_created(self.locator(create)) if e.id not in before]
            except (errors.ApiError, IncompleteRead):
                found = []
            if not found:
                return Lost("answer lost; resolved next run")
            return Written(found[0], found[0].id)
        except errors.ApiError as exc:
            refusal = Failed.of(exc)
            if refusal.status in (Status.HELD, Status.PARKED, Status.GONE):
                return Failed(Status.HELD, refusal.detail, exc)
            return refusal
        return Written(self._seen_one(entry), entry.id)

    def _seen_one(self, entry: Entry) -> core.ClockodoBooking:
        booking = clockodo_booking(entry)
        self.known[booking.id] = booking
        return booking

    # -- updates, billing, deletes --------------------------------------------------------
    def update(self, action: Update) -> ClockodoOutcome:
        return self._put(
            action.pair.clockodo_id, entry_update(action.changes, _item(action).time_since)
        )

    def _put(self, entry_id: int, body: EntryUpdate) -> ClockodoOutcome:
        try:
            entry = self.client.update_entry(entry_id, body)
        except errors.ApiError as exc:
            return Failed.of(exc)
        return Written(self._seen_one(entry))

    def bill_batches(self, bills: Sequence[Bill]) -> list[list[Bill]]:
        """By (user, project): one billed period each; small groups go one by one."""
        groups: dict[tuple[int, int], list[Bill]] = defaultdict(list)
        for bill in bills:
            item = _item(bill)
            groups[(item.users_id, item.projects_id or 0)].append(bill)
        batches: list[list[Bill]] = []
        for key in sorted(groups):
            group = groups[key]
            batches += [group] if len(group) >= GROUP_MIN else [[bill] for bill in group]
        return batches

    def bill(self, batch: Sequence[Bill]) -> list[ClockodoOutcome]:
        if len(batch) >= GROUP_MIN:
            grouped = self._bill_group(batch)
            if grouped is not None:
                return grouped
        billed = EntryUpdate(billable=CLOCKODO_BILLED)
        return [self._put(bill.pair.clockodo_id, billed) for bill in batch]

    def _bill_group(self, group: Sequence[Bill]) -> list[ClockodoOutcome] | None:
        """Bill the group with one handshake; None when it must go entry by entry."""
        selection = self._selection(group)
        if selection is None:
            return None
        since, until, filters = selection
        try:
            handshake = self.client.edit_entry_group(
                time_since=since,
                time_until=until,
                filters=filters,
                changes={"billable": CLOCKODO_BILLED},
            )
            if handshake.affected_entries != len(group):
                self.notes.append(
                    f"clockodo would bill {handshake.affected_entries} entries, the plan "
                    f"expects {len(group)}: billed one by one instead"
                )
                return None
            edited = handshake.confirm()
        except errors.OutcomeUnknown as exc:
            return [Lost(f"group billing answer lost: {exc}")] * len(group)
        except errors.ApiError:
            return None
        if edited == len(group):
            return [Written(None)] * len(group)
        # Which ones changed is unknown: the next run reads and sees.
        return [Lost(f"clockodo billed {edited} of {len(group)} entries of the group")] * len(group)

    def _selection(self, group: Sequence[Bill]) -> tuple[datetime, datetime, dict[str, int]] | None:
        """A group filter that selects exactly the planned entries (by what was read)."""
        first = _item(group[0])
        if first.projects_id is None:
            return None
        since = min(_item(b).time_since for b in group)
        until = max(_item(b).time_since for b in group) + SECOND
        filters = {"users_id": first.users_id, "projects_id": first.projects_id, "billable": 1}
        if self._predicted(since, until, filters) != {b.pair.clockodo_id for b in group}:
            return None  # the filter would catch entries the plan does not bill
        return since, until, filters

    def _predicted(self, since: datetime, until: datetime, filters: Mapping[str, int]) -> set[int]:
        """Which entries the group filter selects, by what was read (by start time)."""
        return {
            entry.id
            for entry in self.known.values()
            if since <= entry.time_since < until
            and entry.users_id == filters["users_id"]
            and entry.projects_id == filters["projects_id"]
            and entry.billable == filters["billable"]
        }

    def delete(self, action: Delete) -> ClockodoOutcome:
        try:
            self.client.delete_entry(action.pair.clockodo_id)
        except errors.NotFound:
            pass  # already gone: perhaps an earlier attempt whose answer was lost
        except errors.ApiError as exc:
            return Failed.of(exc)
        return Written(None)

    # -- finding writes again ------------------------------------------------------------
    def locator(self, create: Create) -> ClockodoLocator:
        draft = _draft(create)
        seconds = int((draft.time_until - draft.time_since).total_seconds())
        return ClockodoLocator(draft.users_id, draft.time_since, seconds, draft.text)

    def find_created(self, locator: object) -> list[core.ClockodoBooking]:
        assert isinstance(locator, ClockodoLocator), locator
        since = locator.time_since
        found = self.client.list_entries(
            time_since=since, time_until=since + SECOND, users_id=locator.users_id
        )
        return [self._seen_one(e) for e in found.require_complete() if locator.matches(e)]

    def exists(self, item_id: int) -> bool:
        try:
            self.client.get_entry(item_id)
        except errors.NotFound:
            return False
        return True
