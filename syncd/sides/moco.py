"""MOCO, read and written in the core's terms (the I/O half; the rules are
:mod:`syncd.core.moco`).

- Reads: ``GET /activities`` over the window (100 a page), by ``ids`` (100 a request)
  for bookings that moved away or are about to be written, and a GET each to prove
  absence. Incremental reads (``updated_after`` and the window's count) are offered
  to :mod:`syncd.sync.reading`.
- Creates: one ``POST /activities/bulk`` per user (impersonated, up to 100 each),
  every activity carrying ``remote_id = clockodo:<entry id>``. MOCO does not document
  bulk creates as all-or-nothing, so after a refused or interrupted batch the
  batch's ``remote_id``s are looked up first (one request) and what landed is
  adopted; only the rest is sent again, one by one, to find the item refused.
- Billing: ``POST /activities/disregard`` per (customer, project); it answers ids
  only, so the billed activities are read back (one request) for the base.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from syncd.adapters import errors
from syncd.adapters.listing import Invalid, ListResult
from syncd.adapters.moco.client import BulkInterrupted, BulkOutcomeUnknown, MocoClient
from syncd.adapters.moco.models import Activity, ActivityCreate
from syncd.core import model as core
from syncd.core.moco import MocoActivityDraft, MocoItem, MocoRules
from syncd.core.plan import Bill, Create, Delete, Update
from syncd.sides.base import Failed, Fetched, Lost, Outcome, Window, Written, prove_gone
from syncd.sync.outcomes import Status

MocoOutcome = Outcome[core.MocoBooking]
# A create refused for its (impersonated) user, a locked period or a vanished
# project is held like any 4xx: the source booking must change first.
HOLD_ON_CREATE = (Status.HELD, Status.PARKED, Status.GONE)


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


@dataclass(frozen=True)
class MocoLocator:
    """Finds a create again: syncd's ``remote_id`` on it (and the user it was made as)."""

    user_id: int
    remote_id: str

    def to_json(self) -> dict[str, object]:
        return {"user_id": self.user_id, "remote_id": self.remote_id}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> MocoLocator:
        return cls(int(data["user_id"]), str(data["remote_id"]))


def activity_create(draft: MocoActivityDraft) -> ActivityCreate:
    return ActivityCreate(
        date=draft.date,
        project_id=draft.project_id,
        task_id=draft.task_id,
        seconds=draft.seconds,
        description=draft.description,
        billable=draft.billable,
        remote_id=draft.remote_id,
    )


def _draft(create: Create) -> MocoActivityDraft:
    assert isinstance(create.draft, MocoActivityDraft), create
    return create.draft


def _user(action: Update | Bill | Delete) -> int:
    assert isinstance(action.item, MocoItem), action
    return action.item.user_id


def to_fetched(listing: ListResult[Activity]) -> Fetched[core.MocoBooking]:
    """A listing in the core's terms; an activity without a user is invalid."""
    items: dict[int, core.MocoBooking] = {}
    invalid = list(listing.invalid)
    for activity in listing.items:
        booking = moco_booking(activity)
        if booking is None:
            invalid.append(Invalid(activity.id, "activity without a user"))
        else:
            items[booking.id] = booking
    return Fetched(items, tuple(invalid), listing.complete, listing.problem)


class MocoSide:
    side = core.Side.MOCO
    rules = MocoRules()
    noun = "activity"

    def __init__(self, client: MocoClient) -> None:
        self.client = client
        self.notes: list[str] = []

    # -- reading -------------------------------------------------------------------
    def read_window(self, window: Window) -> Fetched[core.MocoBooking]:
        return to_fetched(self.client.list_activities(date_from=window.first, date_to=window.last))

    def read_day(self, user: int, day: date) -> Fetched[core.MocoBooking]:
        return to_fetched(self.client.list_activities(date_from=day, date_to=day, user_id=user))

    def read_changes(self, window: Window, since: datetime) -> Fetched[core.MocoBooking]:
        """What changed in the window since ``since`` (incremental reads)."""
        listing = self.client.list_activities(
            date_from=window.first, date_to=window.last, updated_after=since
        )
        return to_fetched(listing)

    def count(self, window: Window) -> int:
        """How many activities the window holds, by MOCO's count (one request)."""
        return self.client.count_activities(date_from=window.first, date_to=window.last)

    def fetch(self, ids: Collection[int]) -> Fetched[core.MocoBooking]:
        """One request per 100 ids; the ones not listed are asked for one by one."""
        if not ids:
            return Fetched({})
        found = to_fetched(
            self.client.list_activities(date_from=None, date_to=None, ids=sorted(ids))
        )
        if not found.complete:
            return found
        items = dict(found.items)
        invalid = list(found.invalid)

        def add(activity: Activity) -> None:
            booking = moco_booking(activity)
            if booking is None:
                invalid.append(Invalid(activity.id, "activity without a user"))
            else:
                items[booking.id] = booking

        unseen = set(ids) - items.keys() - found.invalid_ids
        gone = prove_gone(unseen, self.client.get_activity, add)
        return Fetched(items, tuple(invalid), True, None, gone)

    def stamp(self, booking: core.MocoBooking) -> str:
        return self.rules.stamp(booking)

    # -- creates ---------------------------------------------------------------------
    def create_batches(self, creates: Sequence[Create]) -> list[list[Create]]:
        """One bulk request per user (the client splits above 100)."""
        by_user: dict[int, list[Create]] = defaultdict(list)
        for create in creates:
            by_user[_draft(create).user_id].append(create)
        return [by_user[user] for user in sorted(by_user)]

    def create(self, batch: Sequence[Create]) -> list[MocoOutcome]:
        outcomes: dict[str, MocoOutcome] = {}
        by_remote = {_draft(c).remote_id: c for c in batch}
        user = _draft(batch[0]).user_id
        try:
            created = self.client.bulk_create(
                [activity_create(_draft(c)) for c in batch], impersonate=user
            )
        except BulkOutcomeUnknown as exc:
            self._landed(exc.done, outcomes)
            self._resolve_lost([str(x.remote_id) for x in exc.in_flight], outcomes)
            self._not_sent([str(x.remote_id) for x in exc.not_sent], exc, outcomes)
        except BulkInterrupted as exc:
            self._landed(exc.done, outcomes)
            self._retry([by_remote[str(x.remote_id)] for x in exc.failed], outcomes)
            self._not_sent([str(x.remote_id) for x in exc.not_sent], exc, outcomes)
        except errors.OutcomeUnknown:
            self._resolve_lost(list(by_remote), outcomes)
        except errors.ApiError as exc:
            refusal = Failed.of(exc)
            if refusal.status in HOLD_ON_CREATE and len(batch) > 1:
                self._retry(list(batch), outcomes)  # one of them was refused: find it
            else:
                outcomes.update(dict.fromkeys(by_remote, _held_on_create(refusal)))
        else:
            self._landed(created, outcomes)
        return [outcomes[_draft(c).remote_id] for c in batch]

    def _landed(self, created: Sequence[Activity], outcomes: dict[str, MocoOutcome]) -> None:
        for activity in created:
            outcomes[str(activity.remote_id)] = Written(moco_booking(activity), activity.id)

    def _look_up(self, remote_ids: list[str], outcomes: dict[str, MocoOutcome]) -> bool:
        """Adopt the creates that landed (one request); False when MOCO could not say."""
        if not remote_ids:
            return True
        wanted = set(remote_ids)
        found = self.client.list_activities(date_from=None, date_to=None, remote_ids=remote_ids)
        self._landed([a for a in found.items if a.remote_id in wanted], outcomes)
        return found.complete

    def _resolve_lost(self, remote_ids: list[str], outcomes: dict[str, MocoOutcome]) -> None:
        """Answers lost: adopt what landed; the rest stays unknown, never re-sent here."""
        self._look_up(remote_ids, outcomes)
        for remote_id in remote_ids:
            outcomes.setdefault(remote_id, Lost("answer lost; resolved next run"))

    def _retry(self, creates: list[Create], outcomes: dict[str, MocoOutcome]) -> None:
        """After a refusal whose extent is unknown: adopt what landed, then send the
        rest one by one to find the refused item (never a blind repeat)."""
        remote_ids = [_draft(c).remote_id for c in creates]
        if not self._look_up(remote_ids, outcomes):
            cause = Failed(Status.FAILED, "not sent again: MOCO could not say what landed")
            outcomes.update({r: cause for r in remote_ids if r not in outcomes})
            return
        for create in creates:
            if _draft(create).remote_id not in outcomes:
                outcomes[_draft(create).remote_id] = self._create_one(create)

    def _create_one(self, create: Create) -> MocoOutcome:
        draft = _draft(create)
        try:
            activity = self.client.create_activity(
                activity_create(draft), impersonate=draft.user_id
            )
        except errors.OutcomeUnknown:
            looked: dict[str, MocoOutcome] = {}
            self._resolve_lost([draft.remote_id], looked)
            return looked[draft.remote_id]
        except errors.ApiError as exc:
            return _held_on_create(Failed.of(exc))
        return Written(moco_booking(activity), activity.id)

    @staticmethod
    def _not_sent(
        remote_ids: list[str], cause: errors.ApiError, outcomes: dict[str, MocoOutcome]
    ) -> None:
        for remote_id in remote_ids:
            outcomes[remote_id] = Failed(Status.FAILED, f"not sent after: {cause}", None)

    # -- updates, billing, deletes --------------------------------------------------------
    def update(self, action: Update) -> MocoOutcome:
        try:
            activity = self.client.update_activity(
                action.pair.moco_id, dict(action.changes), impersonate=_user(action)
            )
        except errors.ApiError as exc:
            return Failed.of(exc)
        return Written(moco_booking(activity))

    def bill_batches(self, bills: Sequence[Bill]) -> list[list[Bill]]:
        """One disregard per (customer, project)."""
        groups: dict[object, list[Bill]] = defaultdict(list)
        for bill in bills:
            groups[bill.billing].append(bill)
        return list(groups.values())

    def bill(self, batch: Sequence[Bill]) -> list[MocoOutcome]:
        billing = batch[0].billing
        assert billing is not None, batch
        ids = [b.pair.moco_id for b in batch]
        try:
            answered = self.client.disregard(
                ids,
                reason=billing.reason,
                company_id=billing.company_id,
                project_id=billing.project_id,
            )
        except errors.ApiError as exc:
            return [Failed.of(exc)] * len(batch)
        reread = self.fetch([i for i in ids if i in answered])
        outcomes: list[MocoOutcome] = []
        for moco_id in ids:
            if moco_id not in answered:
                # Not sent again every run: held until the clockodo entry changes.
                reason = "MOCO did not disregard it (not among the ids it answered)"
                outcomes.append(Failed(Status.HELD, reason))
            elif moco_id in reread.items:
                outcomes.append(Written(reread.items[moco_id]))
            else:
                outcomes.append(Failed(Status.FAILED, "could not re-read after disregard"))
        return outcomes

    def delete(self, action: Delete) -> MocoOutcome:
        try:
            self.client.delete_activity(action.pair.moco_id, impersonate=_user(action))
        except errors.NotFound:
            pass  # already gone: perhaps an earlier attempt whose answer was lost
        except errors.ApiError as exc:
            return Failed.of(exc)
        return Written(None)

    # -- finding writes again ------------------------------------------------------------
    def locator(self, create: Create) -> MocoLocator:
        draft = _draft(create)
        return MocoLocator(draft.user_id, draft.remote_id)

    def find_created(self, locator: object) -> list[core.MocoBooking]:
        assert isinstance(locator, MocoLocator), locator
        remote_id = locator.remote_id
        found = self.client.list_activities(date_from=None, date_to=None, remote_ids=[remote_id])
        matches = [a for a in found.require_complete() if a.remote_id == remote_id]
        return [b for b in map(moco_booking, matches) if b is not None]

    def exists(self, item_id: int) -> bool:
        try:
            self.client.get_activity(item_id)
        except errors.NotFound:
            return False
        return True


def _held_on_create(refusal: Failed) -> Failed:
    """A refused create waits for its source to change, whatever the refusal was."""
    if refusal.status in HOLD_ON_CREATE:
        return Failed(Status.HELD, refusal.detail, refusal.error)
    return refusal
