"""An in-memory pair of accounts and a fake executor, for the stateful convergence test.

The executor follows the contract in syncd/core/plan.py the way the real one will:
actions in order, nothing when refused, after each write the *returned* record's
projection becomes the base, creates link (or relink), deletes drop the link. It also
checks what the core promises never to do: write onto a billed item, or delete an item
whose partner was not proven gone.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from syncd.core.model import (
    ClockodoBooking,
    Link,
    Mappings,
    MocoBooking,
    Policy,
    Projection,
    Side,
    SideSnapshot,
    Skip,
)
from syncd.core.plan import (
    WRITE_ACTIONS,
    Action,
    AdoptLink,
    Conflict,
    CreateInClockodo,
    CreateInMoco,
    DeleteInClockodo,
    DeleteInMoco,
    DisregardInMoco,
    DropLink,
    MarkOrphaned,
    Plan,
    RecordBase,
    UpdateClockodo,
    UpdateMoco,
)
from syncd.core.projection import clockodo_local_date, project_clockodo, project_moco

EPOCH = datetime(2026, 4, 10, tzinfo=UTC)
CLOCKODO_FIELDS = {
    "users_id",
    "customers_id",
    "projects_id",
    "services_id",
    "text",
    "billable",
    "time_since",
    "time_until",
}
MOCO_FIELDS = {"date", "seconds", "description", "billable", "project_id", "task_id"}


@dataclass(frozen=True)
class Reading:
    """How a sync reads one side: hide some ids; ``complete`` as the shell would claim."""

    hidden: frozenset[int] = frozenset()
    complete: bool = True

    @property
    def faulty(self) -> bool:
        return bool(self.hidden) or not self.complete


@dataclass
class World:
    """Both accounts, the store (links), and who is who (identity per booking)."""

    mappings: Mappings
    moco: dict[int, MocoBooking] = field(default_factory=dict)
    clockodo: dict[int, ClockodoBooking] = field(default_factory=dict)
    links: dict[int, Link] = field(default_factory=dict)
    identity: dict[tuple[Side, int], int] = field(default_factory=dict)
    locked: set[tuple[Side, int]] = field(default_factory=set)  # writes onto these get a 4xx
    held: dict[tuple[Side, int], Projection] = field(default_factory=dict)
    ticks: int = 0
    next_id: int = 1

    # --- the vendors' side of things -----------------------------------------------------

    def now(self) -> datetime:
        self.ticks += 1
        return EPOCH + timedelta(seconds=self.ticks)

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id

    def put_moco(self, activity: MocoBooking, identity: int | None = None) -> MocoBooking:
        activity = replace(activity, updated_at=self.now())
        self.moco[activity.id] = activity
        self.identity.setdefault(("moco", activity.id), identity or self.new_id())
        return activity

    def put_clockodo(self, entry: ClockodoBooking, identity: int | None = None) -> ClockodoBooking:
        if entry.time_until is not None:
            entry = replace(
                entry, duration=int((entry.time_until - entry.time_since).total_seconds())
            )
        entry = replace(entry, time_last_change=self.now())
        self.clockodo[entry.id] = entry
        self.identity.setdefault(("clockodo", entry.id), identity or self.new_id())
        return entry

    # --- what the shell reads --------------------------------------------------------------

    def snapshots(
        self, policy: Policy, moco_read: Reading, clockodo_read: Reading
    ) -> tuple[SideSnapshot[MocoBooking], SideSnapshot[ClockodoBooking]]:
        linked_m = {link.moco_id for link in self.links.values()}
        linked_c = {link.clockodo_id for link in self.links.values()}
        moco_items = {
            i: a
            for i, a in self.moco.items()
            if (policy.in_window(a.date) or i in linked_m) and i not in moco_read.hidden
        }
        clockodo_items = {
            i: e
            for i, e in self.clockodo.items()
            if (policy.in_window(clockodo_local_date(e, self.mappings)) or i in linked_c)
            and i not in clockodo_read.hidden
        }
        return (
            SideSnapshot(
                moco_items,
                moco_read.complete,
                proven_gone=self._proven(linked_m, self.moco.keys(), moco_read),
            ),
            SideSnapshot(
                clockodo_items,
                clockodo_read.complete,
                proven_gone=self._proven(linked_c, self.clockodo.keys(), clockodo_read),
            ),
        )

    @staticmethod
    def _proven(linked: set[int], existing: Any, reading: Reading) -> frozenset[int]:
        """Complete read + 404: only ids that really are gone, and only on a complete read."""
        if not reading.complete:
            return frozenset()
        return frozenset(i for i in linked if i not in existing)

    # --- the fake executor -----------------------------------------------------------------

    def execute(
        self, plan: Plan, moco_gone: frozenset[int], clockodo_gone: frozenset[int]
    ) -> list[Action]:
        """Apply the plan; return the actions that succeeded."""
        if plan.refused is not None:
            return []
        done = []
        for action in plan.actions:
            if isinstance(action, WRITE_ACTIONS) and self._refused(action):
                self.held[action.source.key] = action.source.projection
            else:
                self._apply(action, moco_gone, clockodo_gone)
                done.append(action)
        return done

    def _link_of(self, link_id: int | None, moco_id: int) -> Link:
        if link_id is not None:
            return self.links[link_id]
        (found,) = (link for link in self.links.values() if link.moco_id == moco_id)
        return found

    def _set_base(self, link: Link, base: Projection | Skip, **changes: Any) -> None:
        assert not isinstance(base, Skip), base
        self.links[link.id] = replace(link, base=base, parked=None, **changes)

    def _apply(
        self, action: Action, moco_gone: frozenset[int], clockodo_gone: frozenset[int]
    ) -> None:
        if isinstance(action, AdoptLink):
            link_id = self.new_id()
            self.links[link_id] = Link(
                link_id, action.moco_id, action.clockodo_id, action.origin, action.base
            )
        elif isinstance(action, Conflict):
            link = self._link_of(action.link_id, action.moco_id)
            parked = action.parked if action.resolution == "parked" else None
            self.links[link.id] = replace(link, parked=parked)
        elif isinstance(action, RecordBase):
            self._set_base(self.links[action.link_id], action.base)
        elif isinstance(action, MarkOrphaned):
            self.links[action.link_id] = replace(self.links[action.link_id], orphaned=action.gone)
        elif isinstance(action, DropLink):
            del self.links[action.link_id]
        elif isinstance(action, DeleteInClockodo | DeleteInMoco):
            self._delete(action, moco_gone, clockodo_gone)
        elif isinstance(action, UpdateClockodo):
            self._update_clockodo(action)
        elif isinstance(action, UpdateMoco | DisregardInMoco):
            self._update_moco(action)
        else:
            self._create(action)

    def _refused(self, action: Action) -> bool:
        """A 4xx from the vendor: the target item is locked (a period lock, say)."""
        if isinstance(action, UpdateClockodo | DeleteInClockodo):
            return ("clockodo", action.clockodo_id) in self.locked
        if isinstance(action, UpdateMoco | DisregardInMoco | DeleteInMoco):
            return ("moco", action.moco_id) in self.locked
        return False

    def _delete(
        self,
        action: DeleteInClockodo | DeleteInMoco,
        moco_gone: frozenset[int],
        clockodo_gone: frozenset[int],
    ) -> None:
        if isinstance(action, DeleteInClockodo):
            assert action.moco_id in moco_gone, "deleted without proof"
            assert action.moco_id not in self.moco
            assert self.clockodo[action.clockodo_id].billable != 2, "deleted a billed entry"
            del self.clockodo[action.clockodo_id]
        else:
            assert action.clockodo_id in clockodo_gone, "deleted without proof"
            assert action.clockodo_id not in self.clockodo
            assert not self.moco[action.moco_id].billed, "deleted a billed activity"
            del self.moco[action.moco_id]
        del self.links[action.link_id]

    def _update_clockodo(self, action: UpdateClockodo) -> None:
        entry = self.clockodo[action.clockodo_id]
        assert entry.billable != 2, "wrote onto a billed entry"
        changes: dict[str, Any] = dict(action.changes)
        assert set(changes) <= CLOCKODO_FIELDS
        entry = self.put_clockodo(replace(entry, **changes))
        link = self._link_of(action.link_id, action.moco_id)
        self._set_base(link, project_clockodo(entry, self.mappings))

    def _update_moco(self, action: UpdateMoco | DisregardInMoco) -> None:
        activity = self.moco[action.moco_id]
        assert not activity.billed, "wrote onto a billed activity"
        if isinstance(action, DisregardInMoco):
            assert action.disregard.project_id == activity.project_id
            activity = replace(activity, billed=True)
        else:
            changes: dict[str, Any] = dict(action.changes)
            assert set(changes) <= MOCO_FIELDS
            activity = replace(activity, **changes)
        activity = self.put_moco(activity)
        link = self._link_of(action.link_id, action.moco_id)
        self._set_base(link, project_moco(activity, self.mappings))

    def _create(self, action: CreateInClockodo | CreateInMoco) -> None:
        identity = self.identity[action.source.key]
        if isinstance(action, CreateInClockodo):
            entry = self._create_entry(action, identity)
            pair: tuple[int, int, Side] = (action.moco_id, entry.id, "moco")
            base = project_clockodo(entry, self.mappings)
        else:
            activity = self._create_activity(action, identity)
            pair = (activity.id, action.clockodo_id, "clockodo")
            base = project_moco(activity, self.mappings)
        assert not isinstance(base, Skip)
        link_id = action.replaces_link if action.replaces_link is not None else self.new_id()
        self.links[link_id] = Link(link_id, *pair, base)

    def _create_entry(self, action: CreateInClockodo, identity: int) -> ClockodoBooking:
        d = action.draft
        billable = 2 if action.bill_after_create else d.billable
        entry = ClockodoBooking(
            self.new_id(),
            d.users_id,
            d.customers_id,
            d.projects_id,
            d.services_id,
            billable,
            d.text,
            d.time_since,
            d.time_until,
            None,
            1,
            EPOCH,
        )
        return self.put_clockodo(entry, identity)

    def _create_activity(self, action: CreateInMoco, identity: int) -> MocoBooking:
        d = action.draft
        project = self.mappings.project_by_moco(d.project_id)
        assert project is not None
        billed = action.disregard_after_create is not None
        activity = MocoBooking(
            self.new_id(),
            d.date,
            d.seconds,
            d.description,
            d.billable,
            billed,
            d.user_id,
            d.project_id,
            d.task_id,
            project.moco_customer,
            False,
            EPOCH,
            d.remote_id,
        )
        return self.put_moco(activity, identity)
