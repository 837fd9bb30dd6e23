"""Stateful property test: random edits on both accounts between syncs always converge.

People create, edit, delete and bill bookings on both sides; syncs run with random
policies, directions and faulty reads; the store may be lost. After every sync:

- nothing was deleted without proof, nothing billed was written (checked by the executor);
- when the sync read both sides fully: every unparked, non-orphaned link agrees, links
  are one-to-one, no booking exists twice on a side, every unlinked booking in the window
  is reported, and a second sync right after plans nothing at all;
- entries syncd placed do not overlap other mirrored entries of the user.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import date, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from syncd.core.model import (
    ClockodoBooking,
    ConflictPolicy,
    Direction,
    Link,
    Mappings,
    MocoBooking,
    Policy,
    ProjectMapping,
    Side,
    Skip,
    TaskMapping,
    UserMapping,
)
from syncd.core.placement import Span, local_instant
from syncd.core.plan import Action, CreateInClockodo, Plan, UpdateClockodo
from syncd.core.projection import project_clockodo, project_moco
from syncd.core.reconcile import reconcile
from tests.core.world import EPOCH, Reading, World

FIRST_DAY = date(2026, 3, 26)  # the window holds Berlin's DST change on 2026-03-29
WINDOW = (FIRST_DAY, FIRST_DAY + timedelta(days=7))
MAPPINGS = Mappings(
    users=(UserMapping(1, 101, "Europe/Berlin"), UserMapping(2, 102, "America/New_York")),
    projects=(ProjectMapping(10, 50, 500, 1000), ProjectMapping(11, 51, 501, 1001)),
    tasks=(TaskMapping(20, 10, 200), TaskMapping(21, 10, 201), TaskMapping(22, 11, 200)),
)
# (MOCO project, task) and (clockodo customer, project, service) people book on; the last
# ones are unmapped, so their bookings are skipped.
MOCO_TASKS = [(10, 20), (10, 21), (11, 22), (12, 29)]
CLOCKODO_TASKS = [(500, 1000, 200), (500, 1000, 201), (501, 1001, 200), (502, 1002, 200)]
MOCO_USERS = [1, 2, 3]
CLOCKODO_USERS = {101: "Europe/Berlin", 102: "America/New_York", 103: "UTC"}

days = st.integers(0, 7).map(lambda n: FIRST_DAY + timedelta(days=n))
durations = st.integers(1, 16).map(lambda n: n * 900)
texts = st.sampled_from(["", "work", "meeting", "review  ", "line\r\nbreak", "Überstunden"])
picks = st.integers(0, 10_000)
SIDES: list[Side] = ["moco", "clockodo"]
readings = st.tuples(st.sampled_from(["full", "full", "full", "incomplete", "hidden"]), picks)
DIRECTIONS: list[Direction] = ["both", "both", "moco-to-clockodo", "clockodo-to-moco"]
CONFLICT_POLICIES: list[ConflictPolicy] = ["park", "moco", "clockodo", "newest"]


def _pick(ids: object, index: int) -> int:
    ordered = sorted(ids)  # type: ignore[call-overload]
    return int(ordered[index % len(ordered)])


class Convergence(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.world = World(MAPPINGS)
        self.converged = True  # a sync read both sides fully, and nobody edited since
        self.last_policy = Policy(window=WINDOW)

    @initialize(data=st.data(), moco_count=st.integers(2, 8), clockodo_count=st.integers(2, 8))
    def accounts_in_use(self, data: st.DataObject, moco_count: int, clockodo_count: int) -> None:
        """Start from two accounts that already hold bookings, and sync them once."""
        for _ in range(moco_count):
            self.moco_create(
                user=data.draw(st.sampled_from(MOCO_USERS[:2])),
                day=data.draw(days),
                seconds=data.draw(durations),
                text=data.draw(texts),
                billable=data.draw(st.booleans()),
                task=data.draw(st.sampled_from(MOCO_TASKS[:3])),
            )
        for _ in range(clockodo_count):
            self.clockodo_create(
                user=data.draw(st.sampled_from([101, 102])),
                day=data.draw(days),
                hour=data.draw(st.integers(6, 20)),
                seconds=data.draw(durations),
                text=data.draw(texts),
                billable=data.draw(st.sampled_from([0, 1])),
                task=data.draw(st.sampled_from(CLOCKODO_TASKS[:3])),
            )
        self.sync(
            direction="both",
            conflict="park",
            propagate_deletes=True,
            moco_read=("full", 0),
            clockodo_read=("full", 0),
        )

    # --- people using MOCO ------------------------------------------------------------------

    @rule(
        user=st.sampled_from(MOCO_USERS),
        day=days,
        seconds=durations,
        text=texts,
        billable=st.booleans(),
        task=st.sampled_from(MOCO_TASKS),
    )
    def moco_create(
        self,
        *,
        user: int,
        day: date,
        seconds: int,
        text: str,
        billable: bool,
        task: tuple[int, int],
    ) -> None:
        customer = 50 if task[0] == 10 else 51
        self.converged = False
        self.world.put_moco(
            MocoBooking(
                self.world.new_id(),
                day,
                seconds,
                text,
                billable,
                False,
                user,
                task[0],
                task[1],
                customer,
                False,
                EPOCH,
            )
        )

    @precondition(lambda self: any(not a.billed for a in self.world.moco.values()))
    @rule(
        pick=picks,
        change=st.sampled_from(["date", "seconds", "text", "billable", "task"]),
        day_shift=st.integers(-2, 2),
        seconds=durations,
        text=texts,
        task=st.sampled_from(MOCO_TASKS[:3]),
    )
    def moco_edit(
        self,
        *,
        pick: int,
        change: str,
        day_shift: int,
        seconds: int,
        text: str,
        task: tuple[int, int],
    ) -> None:
        activity = self.world.moco[
            _pick((i for i, a in self.world.moco.items() if not a.billed), pick)
        ]
        edits: dict[str, dict[str, Any]] = {
            "date": {"date": activity.date + timedelta(days=day_shift)},
            "seconds": {"seconds": seconds},
            "text": {"description": text},
            "billable": {"billable": not activity.billable},
            "task": {"project_id": task[0], "task_id": task[1]},
        }
        self.converged = False
        self.world.put_moco(replace(activity, **edits[change]))

    @precondition(lambda self: any(not a.billed for a in self.world.moco.values()))
    @rule(pick=picks)
    def moco_delete(self, pick: int) -> None:  # MOCO refuses to delete billed activities
        self.converged = False
        del self.world.moco[_pick((i for i, a in self.world.moco.items() if not a.billed), pick)]

    @precondition(lambda self: bool(self.world.moco))
    @rule(pick=picks)
    def moco_bill(self, pick: int) -> None:
        activity = self.world.moco[_pick(self.world.moco, pick)]
        self.converged = False
        self.world.put_moco(replace(activity, billed=True))

    # --- people using clockodo --------------------------------------------------------------

    @rule(
        user=st.sampled_from(sorted(CLOCKODO_USERS)),
        day=days,
        hour=st.integers(6, 20),
        seconds=durations,
        text=texts,
        billable=st.sampled_from([0, 1]),
        task=st.sampled_from(CLOCKODO_TASKS),
    )
    def clockodo_create(
        self,
        *,
        user: int,
        day: date,
        hour: int,
        seconds: int,
        text: str,
        billable: int,
        task: tuple[int, int, int],
    ) -> None:
        start = local_instant(day, time(hour), ZoneInfo(CLOCKODO_USERS[user]))
        self.converged = False
        self.world.put_clockodo(
            ClockodoBooking(
                self.world.new_id(),
                user,
                task[0],
                task[1],
                task[2],
                billable,
                text,
                start,
                start + timedelta(seconds=seconds),
                seconds,
                1,
                EPOCH,
            )
        )

    @precondition(lambda self: bool(self.world.clockodo))
    @rule(
        pick=picks,
        change=st.sampled_from(["date", "seconds", "text", "billable", "task"]),
        day_shift=st.sampled_from([-1, 1]),
        seconds=durations,
        text=texts,
        task=st.sampled_from(CLOCKODO_TASKS[:3]),
    )
    def clockodo_edit(
        self,
        *,
        pick: int,
        change: str,
        day_shift: int,
        seconds: int,
        text: str,
        task: tuple[int, int, int],
    ) -> None:
        entry = self.world.clockodo[_pick(self.world.clockodo, pick)]
        assert entry.time_until is not None
        shift = timedelta(days=day_shift)
        edits: dict[str, dict[str, Any]] = {
            "date": {
                "time_since": entry.time_since + shift,
                "time_until": entry.time_until + shift,
            },
            "seconds": {"time_until": entry.time_since + timedelta(seconds=seconds)},
            "text": {"text": text},
            "billable": {"billable": 1 - entry.billable if entry.billable < 2 else 1},
            "task": {"customers_id": task[0], "projects_id": task[1], "services_id": task[2]},
        }
        self.converged = False
        self.world.put_clockodo(replace(entry, **edits[change]))

    @precondition(lambda self: bool(self.world.clockodo))
    @rule(pick=picks)
    def clockodo_delete(self, pick: int) -> None:
        self.converged = False
        del self.world.clockodo[_pick(self.world.clockodo, pick)]

    @precondition(lambda self: bool(self.world.clockodo))
    @rule(pick=picks)
    def clockodo_bill(self, pick: int) -> None:
        entry = self.world.clockodo[_pick(self.world.clockodo, pick)]
        self.converged = False
        self.world.put_clockodo(replace(entry, billable=2))

    # --- the vendors ------------------------------------------------------------------------

    @precondition(lambda self: bool(self.world.moco) and bool(self.world.clockodo))
    @rule(pick=picks, side=st.sampled_from(SIDES))
    def lock(self, pick: int, side: Side) -> None:
        """From now on writes onto this item fail with a 4xx (e.g. a period lock)."""
        items: dict[int, object] = dict(self.world.moco if side == "moco" else self.world.clockodo)
        self.world.locked.add((side, _pick(items, pick)))

    @precondition(lambda self: bool(self.world.locked))
    @rule(pick=picks)
    def unlock(self, pick: int) -> None:
        self.world.locked.discard(sorted(self.world.locked)[pick % len(self.world.locked)])

    # --- the store --------------------------------------------------------------------------

    @precondition(lambda self: self.converged and self._all_links_agree())
    @rule()
    def lose_the_store(self) -> None:
        """Losing the links after a converged sync must re-adopt, never duplicate."""
        before = (dict(self.world.moco), dict(self.world.clockodo))
        self.world.links.clear()
        self.world.held.clear()
        plan = self._sync(self.last_policy, Reading(), Reading())
        assert plan.count("create") == 0, plan
        assert (self.world.moco, self.world.clockodo) == before

    # --- syncing ----------------------------------------------------------------------------

    @rule(
        direction=st.sampled_from(DIRECTIONS),
        conflict=st.sampled_from(CONFLICT_POLICIES),
        propagate_deletes=st.booleans(),
        moco_read=readings,
        clockodo_read=readings,
    )
    def sync(
        self,
        *,
        direction: Direction,
        conflict: ConflictPolicy,
        propagate_deletes: bool,
        moco_read: tuple[str, int],
        clockodo_read: tuple[str, int],
    ) -> None:
        policy = Policy(
            window=WINDOW,
            direction=direction,
            conflict=conflict,
            propagate_deletes=propagate_deletes,
        )
        self.last_policy = policy
        self._sync(
            policy, self._reading("moco", *moco_read), self._reading("clockodo", *clockodo_read)
        )
        self.converged = not (moco_read[0] != "full" or clockodo_read[0] != "full")
        if self.converged:
            self._check_converged(policy)

    def _reading(self, side: Side, fault: str, seed: int) -> Reading:
        """How the shell reads ``side``: fully; "incomplete" (a page failed, and it knows);
        or "hidden" (items missing from a read that looks complete)."""
        if fault == "full":
            return Reading()
        ids = self.world.moco if side == "moco" else self.world.clockodo
        return Reading(frozenset(i for i in ids if (i + seed) % 3 == 0), complete=fault == "hidden")

    def _sync(self, policy: Policy, moco_read: Reading, clockodo_read: Reading) -> Plan:
        moco, clockodo = self.world.snapshots(policy, moco_read, clockodo_read)
        links = list(self.world.links.values())
        held = dict(self.world.held)
        plan = reconcile(moco, clockodo, links, MAPPINGS, policy, held=held)
        if plan.refused is not None:
            assert "--allow-mass-delete" in plan.refused
            self.world.execute(plan, moco.proven_gone, clockodo.proven_gone)  # runs nothing
            assert list(self.world.links.values()) == links
            allowed = replace(policy, allow_mass_delete=True)
            plan = reconcile(moco, clockodo, links, MAPPINGS, allowed, held=held)
        done = self.world.execute(plan, moco.proven_gone, clockodo.proven_gone)
        # Placement cannot avoid entries it did not see, an over-full day overlaps (and says
        # so), and a move that failed leaves its entry where a new one may have been placed.
        if not clockodo_read.faulty and not plan.notes and len(done) == len(plan.actions):
            self._check_placements(done)
        return plan

    # --- checks -----------------------------------------------------------------------------

    def _check_converged(self, policy: Policy) -> None:
        moco, clockodo = self.world.snapshots(policy, Reading(), Reading())
        links = list(self.world.links.values())
        again = reconcile(moco, clockodo, links, MAPPINGS, policy, held=self.world.held)
        assert again.actions == (), again.actions  # failed writes are held, not retried
        linked = {("moco", link.moco_id) for link in self.world.links.values()} | {
            ("clockodo", link.clockodo_id) for link in self.world.links.values()
        }
        reported = {(s.side, s.id) for s in again.skips}
        for side, items in (("moco", moco.items), ("clockodo", clockodo.items)):
            for item_id in items:
                assert (side, item_id) in linked or (side, item_id) in reported, (side, item_id)
        for link in self.world.links.values():
            if link.parked is not None or link.orphaned is not None or self._held(link):
                continue
            m = project_moco(self.world.moco[link.moco_id], MAPPINGS)
            c = project_clockodo(self.world.clockodo[link.clockodo_id], MAPPINGS)
            if isinstance(m, Skip) or isinstance(c, Skip):
                continue
            if policy.source is None:
                assert m == c, link
            else:
                target = c if policy.source == "moco" else m
                if target == link.base:
                    assert m == c, link

    def _held(self, link: Link) -> bool:
        keys = {("moco", link.moco_id), ("clockodo", link.clockodo_id)}
        return bool(keys & (self.world.held.keys() | self.world.locked))

    def _all_links_agree(self) -> bool:
        for link in self.world.links.values():
            if link.parked is not None or link.orphaned is not None:
                return False
            if link.moco_id not in self.world.moco or link.clockodo_id not in self.world.clockodo:
                return False
            m = project_moco(self.world.moco[link.moco_id], MAPPINGS)
            c = project_clockodo(self.world.clockodo[link.clockodo_id], MAPPINGS)
            if m != c or isinstance(m, Skip):
                return False
        return True

    def _check_placements(self, done: list[Action]) -> None:
        """Entries this sync placed overlap no other mirrored entry of their user."""
        placed = {a.moco_id for a in done if isinstance(a, CreateInClockodo)} | {
            a.moco_id for a in done if isinstance(a, UpdateClockodo) and "time_until" in a.changes
        }
        mirrored = [
            self.world.clockodo[link.clockodo_id]
            for link in self.world.links.values()
            if link.origin == "moco" and link.clockodo_id in self.world.clockodo
        ]
        by_moco = {link.moco_id: link for link in self.world.links.values()}
        for moco_id in placed:
            link = by_moco.get(moco_id)
            if link is None or link.origin != "moco":
                continue
            entry = self.world.clockodo[link.clockodo_id]
            assert entry.time_until is not None
            span = Span(entry.time_since, entry.time_until)
            for other in mirrored:
                if other.id != entry.id and other.users_id == entry.users_id and other.time_until:
                    assert not span.overlaps(Span(other.time_since, other.time_until)), (
                        entry,
                        other,
                    )

    @invariant()
    def links_are_one_to_one_and_bookings_unique(self) -> None:
        links = list(self.world.links.values())
        assert len({link.moco_id for link in links}) == len(links)
        assert len({link.clockodo_id for link in links}) == len(links)
        for side in SIDES:
            items = self.world.moco if side == "moco" else self.world.clockodo
            counts = Counter(self.world.identity[(side, i)] for i in items)
            assert not [k for k, n in counts.items() if n > 1], f"duplicate booking on {side}"


# Scales with the active hypothesis profile: 3 x its max_examples (300 by default, ~6 s).
Convergence.TestCase.settings = settings(
    max_examples=3 * settings().max_examples,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestConvergence = Convergence.TestCase
