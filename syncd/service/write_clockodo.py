"""Writes to clockodo: creates, updates (billing in groups), deletes.

clockodo has no external id, so a create whose answer was lost is found by
the user + exact `time_since` + duration + text that syncd chose (design §4).
Billing many entries at once goes through `PUT /v2/entrygroups`, whose
confirm handshake serves as a safety check: the first answer's
`affected_entries` must equal what the plan expects, else nothing is
confirmed and each entry is billed on its own.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from syncd.adapters import errors
from syncd.adapters.clockodo.client import ClockodoClient
from syncd.adapters.clockodo.models import Entry, EntryCreate, EntryUpdate
from syncd.core import model as core
from syncd.core import plan as p
from syncd.core.projection import normalize_description, project_clockodo
from syncd.service.outcomes import Status, classify
from syncd.service.snapshots import clockodo_booking
from syncd.service.writing import WriteContext, created_state
from syncd.store.repo import projection_to_json

BILLED = 2
# Below this many entries, one PUT each is cheaper than the two-step handshake.
GROUP_MIN = 3


def entry_create(draft: p.ClockodoEntryDraft) -> EntryCreate:
    seconds = int((draft.time_until - draft.time_since).total_seconds())
    billable = 1 if draft.billable else 0
    return EntryCreate(
        customers_id=draft.customers_id,
        services_id=draft.services_id,
        billable=billable,
        time_since=draft.time_since,
        time_until=draft.time_until,
        projects_id=draft.projects_id,
        users_id=draft.users_id,
        duration=seconds,
        text=draft.text,
    )


def create_intent(action: p.CreateInClockodo) -> dict[str, Any]:
    """What recovery needs to find this entry again: syncd chose its exact start."""
    draft = action.draft
    return {
        "source_side": "moco",
        "source_id": action.moco_id,
        "users_id": draft.users_id,
        "time_since": draft.time_since.isoformat(),
        "seconds": int((draft.time_until - draft.time_since).total_seconds()),
        "text": draft.text,
        "expected": projection_to_json(_created_state(action)),
        "replaces_link": action.replaces_link,
    }


def _created_state(action: p.CreateInClockodo) -> core.Projection:
    return created_state(action.source.projection, action.bill_after_create)


def entry_update(changes: Mapping[str, p.ClockodoValue], current_since: datetime) -> EntryUpdate:
    """The PUT body; when times change the duration is sent too, so that accounts
    that do not link duration to the span still end up with the right length."""
    body: dict[str, Any] = dict(changes)
    if "time_until" in body:
        since = body.get("time_since", current_since)
        body["duration"] = int((body["time_until"] - since).total_seconds())
    return EntryUpdate(**body)


def matches_intent(entry: Entry, users_id: int, since: datetime, seconds: int, text: str) -> bool:
    return (
        entry.users_id == users_id
        and entry.time_since == since
        and entry.duration == seconds
        and normalize_description(entry.text) == normalize_description(text)
    )


def stamp(entry: Entry) -> str:
    return entry.time_last_change.isoformat()


class ClockodoWriter:
    def __init__(self, client: ClockodoClient, context: WriteContext) -> None:
        self.client = client
        self.context = context
        self.ledger, self.results = context.ledger, context.results
        self.mappings, self.stopping = context.mappings, context.stopping
        self.entries = context.clockodo_items  # predicts what a group edit selects

    # -- creates --------------------------------------------------------------------
    def create(self, action: p.CreateInClockodo) -> None:
        intent = self.ledger.announce("create_clockodo", [create_intent(action)])[0]
        entry: Entry | None
        try:
            entry = self.client.create_entry(entry_create(action.draft))
        except errors.OutcomeUnknown:
            entry = self.find_created(action.draft)
        except errors.ApiError as exc:
            self.ledger.abandon([intent])
            status = classify(exc)
            if status in (Status.HELD, Status.PARKED, Status.GONE):
                self.ledger.held(action.source, exc.status, str(exc))
                status = Status.HELD
            self.results.add(action, status, str(exc))
            return
        if entry is None:
            self.results.add(action, Status.UNKNOWN, "answer lost; resolved next run")
            return
        self._created(intent, action, entry)

    def find_created(self, draft: p.ClockodoEntryDraft) -> Entry | None:
        since = draft.time_since
        seconds = int((draft.time_until - since).total_seconds())
        found = self.client.list_entries(
            time_since=since, time_until=since + timedelta(seconds=1), users_id=draft.users_id
        )
        for entry in found.items:
            if matches_intent(entry, draft.users_id, since, seconds, draft.text):
                return entry
        return None

    def _created(self, intent: int, action: p.CreateInClockodo, entry: Entry) -> None:
        state = _created_state(action)
        self.ledger.created(
            intent,
            moco_id=action.moco_id,
            clockodo_id=entry.id,
            origin="moco",
            base=self._agreed(state, entry),
            replaces_link=action.replaces_link,
            stamps=(None, stamp(entry)),
        )
        if not action.bill_after_create:
            self.results.add(action, Status.DONE, f"clockodo entry {entry.id}")
            return
        try:
            billed = self.client.update_entry(entry.id, {"billable": BILLED})
        except errors.ApiError as exc:
            # Created but not billed: the next run sees MOCO billed and bills it.
            self.results.add(action, Status.FAILED, f"created {entry.id}, billing failed: {exc}")
            return
        self.ledger.agreed(
            None,
            action.moco_id,
            self._agreed(action.source.projection, billed),
            source=action.source,
            stamps=(None, stamp(billed)),
        )
        self.results.add(action, Status.DONE, f"clockodo entry {entry.id}")

    def _agreed(self, expected: core.Projection, entry: Entry) -> core.Projection:
        stored = project_clockodo(clockodo_booking(entry), self.mappings)
        return self.context.agreed(expected, stored, f"clockodo entry {entry.id}")

    # -- updates ----------------------------------------------------------------------
    def update(self, actions: Sequence[p.UpdateClockodo]) -> None:
        billing = [a for a in actions if a.billing_only]
        for action in actions:
            if not action.billing_only:
                self._update_one(action)
        for group in self._billing_groups(billing):
            if len(group) >= GROUP_MIN and self._bill_group(group):
                continue
            for action in group:
                self._update_one(action)

    def _update_one(self, action: p.UpdateClockodo) -> None:
        if self.stopping():
            self.results.add(action, Status.NOT_RUN)
            return
        try:
            entry = self.client.update_entry(
                action.clockodo_id, entry_update(action.changes, action.current_time_since)
            )
        except errors.ApiError as exc:
            self.context.refused(action, exc)
            return
        self.ledger.agreed(
            action.link_id,
            action.moco_id,
            self._agreed(action.expected, entry),
            source=action.source,
            stamps=(None, stamp(entry)),
        )
        self.results.add(action, Status.DONE)

    def _billing_groups(self, actions: Sequence[p.UpdateClockodo]) -> list[list[p.UpdateClockodo]]:
        """Billing-only updates grouped by (user, project): one billed period each."""
        groups: dict[tuple[int, int | None], list[p.UpdateClockodo]] = defaultdict(list)
        for action in actions:
            entry = self.entries.get(action.clockodo_id)
            project = None if entry is None else entry.projects_id
            groups[(action.current_users_id, project)].append(action)
        return [groups[key] for key in sorted(groups, key=lambda k: (k[0], k[1] or 0))]

    def _selection(
        self, group: Sequence[p.UpdateClockodo]
    ) -> tuple[datetime, datetime, dict[str, int]] | None:
        """A group filter that selects exactly the planned entries (by the snapshot)."""
        first = self.entries.get(group[0].clockodo_id)
        if first is None or first.projects_id is None:
            return None
        since = min(a.current_time_since for a in group)
        until = max(a.current_time_since for a in group) + timedelta(seconds=1)
        filters = {"users_id": first.users_id, "projects_id": first.projects_id, "billable": 1}
        if self._predicted(since, until, filters) != {a.clockodo_id for a in group}:
            return None  # the filter would catch entries the plan does not bill
        return since, until, filters

    def _bill_group(self, group: Sequence[p.UpdateClockodo]) -> bool:
        """Bill the group with one handshake; False when it must go entry by entry."""
        selection = None if self.stopping() else self._selection(group)
        if selection is None:
            return False
        since, until, filters = selection
        try:
            handshake = self.client.edit_entry_group(
                time_since=since, time_until=until, filters=filters, changes={"billable": BILLED}
            )
            if handshake.affected_entries != len(group):
                self.results.notes.append(
                    f"clockodo would bill {handshake.affected_entries} entries, the plan "
                    f"expects {len(group)}: billed one by one instead"
                )
                return False
            edited = handshake.confirm()
        except errors.OutcomeUnknown as exc:
            for action in group:
                self.results.add(action, Status.UNKNOWN, f"group billing answer lost: {exc}")
            return True  # the next run sees which entries are billed
        except errors.ApiError:
            return False
        for action in group:
            if edited == len(group):
                self.ledger.agreed(
                    action.link_id, action.moco_id, action.expected, source=action.source
                )
                self.results.add(action, Status.DONE, "billed in a group")
            else:  # which ones changed is unknown: the next run reads and sees
                detail = f"clockodo billed {edited} of {len(group)} entries of the group"
                self.results.add(action, Status.UNKNOWN, detail)
        return True

    def _predicted(self, since: datetime, until: datetime, filters: Mapping[str, int]) -> set[int]:
        """Which snapshot entries the group filter selects (by start time)."""
        return {
            entry.id
            for entry in self.entries.values()
            if since <= entry.time_since < until
            and entry.users_id == filters["users_id"]
            and entry.projects_id == filters["projects_id"]
            and entry.billable == filters["billable"]
        }

    # -- deletes ------------------------------------------------------------------------
    def delete(self, action: p.DeleteInClockodo) -> None:
        self.context.delete(action, lambda: self.client.delete_entry(action.clockodo_id))
