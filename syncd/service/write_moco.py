"""Writes to MOCO: bulk creates per user, updates, disregards (billing), deletes.

Every create carries `remote_id = clockodo:<entry id>`, announced as an
intent before it is sent; a lost answer is resolved by looking that
remote_id up, never by sending again (design §4).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from syncd.adapters import errors
from syncd.adapters.moco.client import BulkInterrupted, BulkOutcomeUnknown, MocoClient
from syncd.adapters.moco.models import Activity, ActivityCreate
from syncd.core import model as core
from syncd.core import plan as p
from syncd.core.model import Skip, SkipReason
from syncd.core.projection import project_moco
from syncd.service.outcomes import Status, classify
from syncd.service.snapshots import moco_booking
from syncd.service.writing import WriteContext, created_state
from syncd.store.repo import projection_to_json

# A MOCO create whose (impersonated) user is refused, or whose period is
# locked, is held like any 4xx: the source booking must change first.
_HOLD_ON_CREATE = (Status.HELD, Status.PARKED, Status.GONE)


def activity_create(draft: p.MocoActivityDraft) -> ActivityCreate:
    return ActivityCreate(
        date=draft.date,
        project_id=draft.project_id,
        task_id=draft.task_id,
        seconds=draft.seconds,
        description=draft.description,
        billable=draft.billable,
        remote_id=draft.remote_id,
    )


def create_intent(action: p.CreateInMoco) -> dict[str, Any]:
    """What recovery needs to find and link this create after a crash."""
    draft = action.draft
    return {
        "source_side": "clockodo",
        "source_id": action.clockodo_id,
        "user_id": draft.user_id,
        "remote_id": draft.remote_id,
        "expected": projection_to_json(_created_state(action)),
        "replaces_link": action.replaces_link,
    }


def _created_state(action: p.CreateInMoco) -> core.Projection:
    return created_state(action.source.projection, action.disregard_after_create is not None)


def stamp(activity: Activity) -> str:
    return activity.updated_at.isoformat()


@dataclass
class _Pending:
    action: p.CreateInMoco
    intent_id: int


class MocoWriter:
    def __init__(self, client: MocoClient, context: WriteContext) -> None:
        self.client = client
        self.context = context
        self.ledger, self.results = context.ledger, context.results
        self.mappings, self.stopping = context.mappings, context.stopping
        self.created_ids: dict[int, int] = {}  # clockodo entry id -> MOCO activity created

    # -- creates ------------------------------------------------------------------
    def create(self, actions: Sequence[p.CreateInMoco]) -> None:
        """One bulk request per user (≤100 items each), then the disregards."""
        by_user: dict[int, list[p.CreateInMoco]] = defaultdict(list)
        for action in actions:
            by_user[action.draft.user_id].append(action)
        for user_id in sorted(by_user):
            group = by_user[user_id]
            if self.stopping():
                for action in group:
                    self.results.add(action, Status.NOT_RUN)
                continue
            ids = self.ledger.announce("create_moco", [create_intent(a) for a in group])
            self._bulk(user_id, [_Pending(a, i) for a, i in zip(group, ids, strict=True)])
        billed = [
            a for a in actions if a.disregard_after_create and a.clockodo_id in self.created_ids
        ]
        self.disregard_created(billed)

    def _bulk(self, user_id: int, pending: list[_Pending]) -> None:
        by_remote = {item.action.draft.remote_id: item for item in pending}
        payloads = [activity_create(item.action.draft) for item in pending]
        try:
            created = self.client.bulk_create(payloads, impersonate=user_id)
        except BulkOutcomeUnknown as exc:
            self._record(exc.done, by_remote)
            self._resolve_lost([by_remote[str(x.remote_id)] for x in exc.in_flight])
            self._not_sent([by_remote[str(x.remote_id)] for x in exc.not_sent], exc)
        except BulkInterrupted as exc:
            self._record(exc.done, by_remote)
            for payload in exc.failed:
                self._create_one(by_remote[str(payload.remote_id)])
            self._not_sent([by_remote[str(x.remote_id)] for x in exc.not_sent], exc)
        except errors.OutcomeUnknown:
            self._resolve_lost(pending)
        except errors.ApiError as exc:
            if classify(exc) in _HOLD_ON_CREATE and len(pending) > 1:
                # The whole batch was refused for some item: find it one by one.
                for item in pending:
                    self._create_one(item)
            else:
                self._refused(pending, exc)
        else:
            self._record(created, by_remote)

    def _create_one(self, item: _Pending) -> None:
        payload = activity_create(item.action.draft)
        try:
            activity = self.client.create_activity(payload, impersonate=item.action.draft.user_id)
        except errors.OutcomeUnknown:
            self._resolve_lost([item])
        except errors.ApiError as exc:
            self._refused([item], exc)
        else:
            self._record([activity], {item.action.draft.remote_id: item})

    def _record(self, created: Sequence[Activity], by_remote: dict[str, _Pending]) -> None:
        for activity in created:
            item = by_remote[str(activity.remote_id)]
            self._created(item, activity)

    def _created(self, item: _Pending, activity: Activity) -> None:
        action = item.action
        self.ledger.created(
            item.intent_id,
            moco_id=activity.id,
            clockodo_id=action.clockodo_id,
            origin="clockodo",
            base=self._agreed(_created_state(action), activity),
            replaces_link=action.replaces_link,
            stamps=(stamp(activity), None),
        )
        self.created_ids[action.clockodo_id] = activity.id
        self.results.add(action, Status.DONE, f"MOCO activity {activity.id}")

    def _agreed(self, expected: core.Projection, activity: Activity) -> core.Projection:
        booking = moco_booking(activity)
        stored = (
            project_moco(booking, self.mappings)
            if booking
            else Skip("moco", activity.id, SkipReason.INVALID)
        )
        return self.context.agreed(expected, stored, f"MOCO activity {activity.id}")

    def _resolve_lost(self, pending: Sequence[_Pending]) -> None:
        """The answer was lost: adopt what MOCO has; the rest stays pending (never
        re-sent in this run; the next start resolves it)."""
        remote_ids = [item.action.draft.remote_id for item in pending]
        found = self.client.list_activities(date_from=None, date_to=None, remote_ids=remote_ids)
        by_remote = {item.action.draft.remote_id: item for item in pending}
        for activity in found.items:
            item = by_remote.pop(str(activity.remote_id), None)
            if item is not None:
                self._created(item, activity)
        for item in by_remote.values():
            self.results.add(item.action, Status.UNKNOWN, "answer lost; resolved next run")

    def _not_sent(self, pending: Sequence[_Pending], cause: errors.ApiError) -> None:
        self.ledger.abandon([item.intent_id for item in pending])
        for item in pending:
            self.results.add(item.action, Status.FAILED, f"not sent after: {cause}")

    def _refused(self, pending: Sequence[_Pending], exc: errors.ApiError) -> None:
        status = classify(exc)
        self.ledger.abandon([item.intent_id for item in pending])
        for item in pending:
            if status in _HOLD_ON_CREATE:
                self.ledger.held(item.action.source, exc.status, str(exc))
                self.results.add(item.action, Status.HELD, str(exc))
            else:
                self.results.add(item.action, Status.FAILED, str(exc))

    # -- updates --------------------------------------------------------------------
    def update(self, action: p.UpdateMoco) -> None:
        try:
            activity = self.client.update_activity(
                action.moco_id, dict(action.changes), impersonate=action.user_id
            )
        except errors.ApiError as exc:
            self.context.refused(action, exc)
            return
        self.ledger.agreed(
            action.link_id,
            action.moco_id,
            self._agreed(action.expected, activity),
            source=action.source,
            stamps=(stamp(activity), None),
        )
        self.results.add(action, Status.DONE)

    # -- billing ----------------------------------------------------------------------
    def disregard(self, actions: Sequence[p.DisregardInMoco]) -> None:
        """Mark billed in MOCO, one request per (customer, project), then re-read:
        the API answers only ids, and the base must be what MOCO really holds."""
        groups: dict[p.Disregard, list[p.DisregardInMoco]] = defaultdict(list)
        for action in actions:
            groups[action.disregard].append(action)
        for disregard, group in groups.items():
            if self.stopping():
                for action in group:
                    self.results.add(action, Status.NOT_RUN)
                continue
            try:
                answered = self.client.disregard(
                    [a.moco_id for a in group],
                    reason=disregard.reason,
                    company_id=disregard.company_id,
                    project_id=disregard.project_id,
                )
            except errors.ApiError as exc:
                for action in group:
                    self.context.refused(action, exc)
                continue
            taken = [a for a in group if a.moco_id in answered]
            for action in group:
                if action.moco_id not in answered:
                    # Not sent again every run: held until the clockodo entry changes.
                    reason = "MOCO did not disregard it (not among the ids it answered)"
                    self.ledger.held(action.source, None, reason)
                    self.results.add(action, Status.HELD, reason)
            self._reread_billed(taken)

    def disregard_created(self, created: Sequence[p.CreateInMoco]) -> None:
        """Bill activities just created from billed clockodo entries."""
        as_disregards = []
        for action in created:
            disregard = action.disregard_after_create
            assert disregard is not None
            as_disregards.append(
                p.DisregardInMoco(
                    link_id=None,
                    moco_id=self.created_ids[action.clockodo_id],
                    clockodo_id=action.clockodo_id,
                    user_id=action.draft.user_id,
                    disregard=disregard,
                    expected=action.source.projection,
                    source=action.source,
                )
            )
        self.disregard(as_disregards)

    def _reread_billed(self, group: Sequence[p.DisregardInMoco]) -> None:
        found = self.client.list_activities(
            date_from=None, date_to=None, ids=[a.moco_id for a in group]
        )
        current = {activity.id: activity for activity in found.items}
        for action in group:
            activity = current.get(action.moco_id)
            booking = None if activity is None else moco_booking(activity)
            got = None if booking is None else project_moco(booking, self.mappings)
            if activity is None or not isinstance(got, core.Projection):
                self.results.add(action, Status.FAILED, "could not re-read after disregard")
                continue
            self.ledger.agreed(
                action.link_id,
                action.moco_id,
                got,
                source=action.source,
                stamps=(stamp(activity), None),
            )
            status = Status.DONE if got.billed else Status.FAILED
            self.results.add(action, status, "" if got.billed else "MOCO did not mark it billed")

    # -- deletes ------------------------------------------------------------------------
    def delete(self, action: p.DeleteInMoco) -> None:
        self.context.delete(
            action, lambda: self.client.delete_activity(action.moco_id, impersonate=action.user_id)
        )
