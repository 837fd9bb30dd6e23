"""Stateful property test of the real write path: the Engine, the sides, the executor,
the ledger and recovery, over in-memory vendor clients and in-memory SQLite.

People create, edit, delete and bill bookings in both tools between syncs, and now and
then while a sync is under way (after it read, before it writes). Syncs crash at a
random write (before or after the vendor applied it) and the next sync must recover;
answers get lost; a MOCO bulk create applies part of a batch and refuses the rest;
a listing fails. After every step:

- links are one-to-one, and no booking exists twice on a side;
- syncd never deleted a booking whose partner a person had not deleted;
- an edit made while a sync was under way survives that sync;
- after a sync that completed with full reads: every item of the window is linked or
  reported, linked pairs agree (unless parked, orphaned or held), and a second sync
  right after plans no write at all.
"""

from __future__ import annotations

import functools
import itertools
import os
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy
from hypothesis import HealthCheck, Phase, event, settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from sqlalchemy import select, text

from syncd import config
from syncd.core import model as core
from syncd.core.placement import local_instant
from syncd.core.projection import project_clockodo, project_moco
from syncd.sides.clockodo import ClockodoSide, clockodo_booking
from syncd.sides.factory import Hooks, Sides
from syncd.sides.moco import MocoSide, moco_booking
from syncd.store import db, repo
from syncd.store import models as rows
from syncd.store.lock import NoLock
from syncd.sync import engine as engine_module
from syncd.sync.engine import Engine, RunOptions, RunReport
from syncd.sync.execute import Executor
from tests.fakes import Clock, Crash, FakeClockodo, FakeMoco, Faults

FIRST_DAY = date(2026, 3, 26)  # the window holds Berlin's DST change on 2026-03-29
LAST_DAY = FIRST_DAY + timedelta(days=7)
MOCO_PROJECTS = {10: (50, (20, 21)), 11: (51, (22,)), 12: (52, (29,))}
MOCO_TASKS = [(10, 20), (10, 21), (11, 22), (12, 29)]  # the last one is unmapped
CLOCKODO_USERS = {101: "Europe/Berlin", 102: "America/New_York", 103: "UTC"}
CLOCKODO_PROJECTS = {1000: 500, 1001: 501, 1002: 502}
CLOCKODO_TASKS = [(500, 1000, 200), (500, 1000, 201), (501, 1001, 200), (502, 1002, 200)]
MAPPINGS = {
    "users": [{"moco": 1, "clockodo": 101}, {"moco": 2, "clockodo": 102}],
    "projects": [
        {"moco": 10, "clockodo_customer": 500, "clockodo_project": 1000},
        {"moco": 11, "clockodo_customer": 501, "clockodo_project": 1001},
    ],
    "tasks": [
        {"moco": 20, "clockodo_service": 200},
        {"moco": 21, "clockodo_service": 201},
        {"moco": 22, "clockodo_service": 200},
    ],
}
WINDOW = RunOptions(since=FIRST_DAY, until=LAST_DAY, mode="test")

days = st.integers(0, 7).map(lambda n: FIRST_DAY + timedelta(days=n))
durations = st.integers(1, 16).map(lambda n: n * 900)
texts = st.sampled_from(["", "work", "meeting", "review  ", "line\r\nbreak", "Überstunden"])
picks = st.integers(0, 10_000)
sides = st.sampled_from([core.Side.MOCO, core.Side.CLOCKODO])
identities = itertools.count(1)
MOCO_BOOKING = {
    "user": st.sampled_from([1, 2, 3]),
    "day": days,
    "seconds": durations,
    "text": texts,
    "billable": st.booleans(),
    "task": st.sampled_from(MOCO_TASKS),
}
CLOCKODO_BOOKING = {
    "user": st.sampled_from(sorted(CLOCKODO_USERS)),
    "day": days,
    "hour": st.integers(6, 20),
    "seconds": durations,
    "text": texts,
    "billable": st.sampled_from([0, 1]),
    "task": st.sampled_from(CLOCKODO_TASKS),
}


def _pick(ids: Any, index: int) -> int:
    ordered = sorted(ids)
    return int(ordered[index % len(ordered)])


def _settings(conflict: str) -> config.Settings:
    vendor = {"base_url": "http://fake.invalid/", "api_key": "fake-key"}
    return config.Settings.model_validate(
        {
            "moco": vendor | {"base_url": "http://fake.invalid/api/v1"},
            "clockodo": vendor | {"api_user": "a@b.example", "external_application": "t;a@b.c"},
            "database": {"url": "sqlite://"},
            "sync": {"conflict": conflict, "mass_delete_min": 1000},
            "mappings": MAPPINGS,
        }
    )


class Stateful(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.clock, self.faults = Clock(), Faults()
        moco_users = {1: "Anna", 2: "Ben", 3: "Nomap"}
        self.moco = FakeMoco(self.clock, self.faults, moco_users, MOCO_PROJECTS)
        self.clockodo = FakeClockodo(
            self.clock, self.faults, CLOCKODO_USERS, CLOCKODO_PROJECTS, [200, 201]
        )
        self.identity: dict[tuple[core.Side, int], int] = {}
        self.same: dict[int, int] = {}  # identity -> the one it was found to be
        self.deleted_ids: list[tuple[core.Side, int]] = []  # by people, for webhook events
        self.deleted_by_people: set[int] = set()
        self.during_run: list[tuple[core.Side, int, dict[str, Any]]] = []
        self.engine: Engine | None = None
        self.converged = False
        self.known_links: list[core.Link] | None = None  # as the store holds them

    # --- setup ------------------------------------------------------------------------
    @initialize(
        conflict=st.sampled_from(["park", "moco", "clockodo", "newest", "merge"]),
        data=st.data(),
        bookings=st.tuples(st.integers(0, 6), st.integers(0, 6)),
    )
    def start(self, conflict: str, data: st.DataObject, bookings: tuple[int, int]) -> None:
        """Two accounts that already hold bookings (synced by the first sync rule)."""

        @contextmanager
        def connect(hooks: Hooks) -> Iterator[Sides]:
            yield core.BySide(
                MocoSide(self.moco.client()),  # type: ignore[arg-type]
                ClockodoSide(self.clockodo.client()),  # type: ignore[arg-type]
            )

        self.engine = Engine(_settings(conflict), connect=connect, database=_empty_store())
        for _ in range(bookings[0]):
            self.moco_create(**data.draw(st.fixed_dictionaries(MOCO_BOOKING)))
        for _ in range(bookings[1]):
            self.clockodo_create(**data.draw(st.fixed_dictionaries(CLOCKODO_BOOKING)))

    def teardown(self) -> None:
        if self.engine is not None:
            self.engine.close()

    # --- people using MOCO --------------------------------------------------------------
    @rule(**MOCO_BOOKING)
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
        record = self.moco.book(
            date=day,
            seconds=seconds,
            description=text,
            billable=billable,
            billed=False,
            user_id=user,
            project_id=task[0],
            task_id=task[1],
            remote_id=None,
        )
        self._person_made(core.Side.MOCO, record.id)

    @precondition(lambda self: any(not a.billed for a in self.moco.activities.values()))
    @rule(
        pick=picks,
        edit=st.sampled_from(["date", "seconds", "text", "billable", "task"]),
        shift=st.integers(-2, 2),
        seconds=durations,
        text=texts,
        task=st.sampled_from(MOCO_TASKS[:3]),
        during=st.booleans(),
    )
    def moco_edit(
        self,
        *,
        pick: int,
        edit: str,
        shift: int,
        seconds: int,
        text: str,
        task: tuple[int, int],
        during: bool,
    ) -> None:
        unbilled = [i for i, a in self.moco.activities.items() if not a.billed]
        activity = self.moco.activities[_pick(unbilled, pick)]
        values: dict[str, Any] = {
            "date": {"date": activity.date + timedelta(days=shift)},
            "seconds": {"seconds": seconds},
            "text": {"description": text},
            "billable": {"billable": not activity.billable},
            "task": {"project_id": task[0], "task_id": task[1]},
        }[edit]
        self._edit(core.Side.MOCO, activity.id, values, during)

    @precondition(lambda self: any(not a.billed for a in self.moco.activities.values()))
    @rule(pick=picks)
    def moco_delete(self, pick: int) -> None:  # MOCO refuses to delete billed activities
        unbilled = [i for i, a in self.moco.activities.items() if not a.billed]
        activity_id = _pick(unbilled, pick)
        del self.moco.activities[activity_id]
        self._person_deleted(core.Side.MOCO, activity_id)

    @precondition(lambda self: bool(self.moco.activities))
    @rule(pick=picks, during=st.booleans())
    def moco_bill(self, pick: int, during: bool) -> None:
        self._edit(core.Side.MOCO, _pick(self.moco.activities, pick), {"billed": True}, during)

    # --- people using clockodo ----------------------------------------------------------
    @rule(**CLOCKODO_BOOKING)
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
        record = self.clockodo.book(
            users_id=user,
            customers_id=task[0],
            projects_id=task[1],
            services_id=task[2],
            billable=billable,
            text=text,
            time_since=start,
            time_until=start + timedelta(seconds=seconds),
        )
        self._person_made(core.Side.CLOCKODO, record.id)

    @precondition(lambda self: bool(self.clockodo.entries))
    @rule(
        pick=picks,
        edit=st.sampled_from(["date", "seconds", "text", "billable", "task"]),
        shift=st.sampled_from([-1, 1]),
        seconds=durations,
        text=texts,
        task=st.sampled_from(CLOCKODO_TASKS[:3]),
        during=st.booleans(),
    )
    def clockodo_edit(
        self,
        *,
        pick: int,
        edit: str,
        shift: int,
        seconds: int,
        text: str,
        task: tuple[int, int, int],
        during: bool,
    ) -> None:
        entry = self.clockodo.entries[_pick(self.clockodo.entries, pick)]
        moved = timedelta(days=shift)
        values: dict[str, Any] = {
            "date": {
                "time_since": entry.time_since + moved,
                "time_until": entry.time_until + moved,
            },
            "seconds": {"time_until": entry.time_since + timedelta(seconds=seconds)},
            "text": {"text": text},
            "billable": {"billable": 1 - entry.billable if entry.billable < 2 else 1},
            "task": {"customers_id": task[0], "projects_id": task[1], "services_id": task[2]},
        }[edit]
        self._edit(core.Side.CLOCKODO, entry.id, values, during)

    @precondition(lambda self: bool(self.clockodo.entries))
    @rule(pick=picks)
    def clockodo_delete(self, pick: int) -> None:
        entry_id = _pick(self.clockodo.entries, pick)
        del self.clockodo.entries[entry_id]
        self._person_deleted(core.Side.CLOCKODO, entry_id)

    @precondition(lambda self: bool(self.clockodo.entries))
    @rule(pick=picks, during=st.booleans())
    def clockodo_bill(self, pick: int, during: bool) -> None:
        entry_id = _pick(self.clockodo.entries, pick)
        self._edit(core.Side.CLOCKODO, entry_id, {"billable": 2}, during)

    @precondition(lambda self: bool(self._links()))
    @rule(pick=picks, first=sides, text=texts)
    def edit_a_pair_while_syncing(self, pick: int, first: core.Side, text: str) -> None:
        """The race of issue 17: one side is edited, a sync starts, and right after it
        has read, a person edits the other side of the same booking."""
        link = self._links()[pick % len(self._links())]
        later = core.Side(first).other
        for side, during, words in ((first, False, f"{text} (first)"), (later, True, "later")):
            if link.item(side) in self._account_items(side):
                key = "description" if side == core.Side.MOCO else "text"
                self._edit(side, link.item(side), {key: words}, during)
        self.sync(direction="both")

    # --- syncing ------------------------------------------------------------------------
    @rule(direction=st.sampled_from(["both", "both", "moco-to-clockodo", "clockodo-to-moco"]))
    def sync(self, direction: str) -> None:
        meanwhile = bool(self.during_run)  # edits during the run are for the next one
        report = self._run(replace(WINDOW, direction=direction))  # type: ignore[arg-type]
        self.converged = report.result == "ok" and not meanwhile and direction == "both"
        if self.converged:
            self._check_converged()

    @rule(picks=st.lists(picks, min_size=1, max_size=3), gone=st.booleans())
    def sync_what_a_webhook_names(self, picks: list[int], gone: bool) -> None:
        """A targeted run over a few bookings of either side (a deleted one, too), as
        webhook events name them; it reads those, their partners and their days."""
        named: dict[core.Side, set[int]] = {core.Side.MOCO: set(), core.Side.CLOCKODO: set()}
        for n, pick in enumerate(picks):
            side = core.Side.MOCO if n % 2 == 0 else core.Side.CLOCKODO
            ids = self._account_items(side)
            if ids:
                named[side].add(_pick(ids, pick))
        if gone and self.deleted_ids:
            side, item_id = self.deleted_ids[picks[0] % len(self.deleted_ids)]
            named[side].add(item_id)
        targets = core.BySide(
            frozenset(named[core.Side.MOCO]), frozenset(named[core.Side.CLOCKODO])
        )
        self._run(replace(WINDOW, targets=targets, mode="webhook"))
        self.converged = False

    @rule(after=st.booleans(), k=st.integers(1, 5))
    def sync_and_crash(self, after: bool, k: int) -> None:
        """The process dies at its k-th write; the next sync must recover."""
        n = self.faults.writes + k
        self.faults.crash_after, self.faults.crash_before = (n, None) if after else (None, n)
        try:
            self._run(WINDOW)
        except Crash:  # the run stays "running" in the history, as after a kill -9
            if currently_in_test_context():
                event("a sync crashed")
        self.faults.crash_after = self.faults.crash_before = None
        self.converged = False

    @rule(k=st.integers(1, 8), fault=st.sampled_from(["lose_answer", "partial_bulk"]))
    def sync_with_a_faulty_write(self, k: int, fault: str) -> None:
        setattr(self.faults, fault, self.faults.writes + k)
        self._run(WINDOW)
        setattr(self.faults, fault, None)
        self.converged = False

    @rule(side=sides)
    def sync_with_a_failing_page(self, side: core.Side) -> None:
        account = self.moco if side == core.Side.MOCO else self.clockodo
        account.incomplete = True
        self._run(WINDOW)
        account.incomplete = False
        self.converged = False

    # --- helpers ------------------------------------------------------------------------
    def _person_made(self, side: core.Side, item_id: int) -> None:
        self.identity[(side, item_id)] = next(identities)
        self.converged = False

    def _person_deleted(self, side: core.Side, item_id: int) -> None:
        self.deleted_ids.append((side, item_id))
        identity = self.identity.get((side, item_id))
        if identity is not None:
            self.deleted_by_people.add(identity)
        self.converged = False

    def _edit(self, side: core.Side, item_id: int, values: dict[str, Any], during: bool) -> None:
        if during:  # lands after the next sync read, before it writes
            self.during_run.append((side, item_id, values))
        else:
            account = self.moco if side == core.Side.MOCO else self.clockodo
            account.edit(item_id, **values)
        self.converged = False

    def _run(self, options: RunOptions) -> RunReport:
        assert self.engine is not None
        edits, self.during_run = self.during_run, []
        read: dict[tuple[core.Side, int], Any] = {}  # as the run read them
        applied: dict[tuple[core.Side, int], Any] = {}  # what people changed them to
        machine = self

        class EditedMeanwhile(Executor):
            def execute(self, plan: Any) -> Any:
                for side, item_id, values in edits:
                    account = machine.moco if side == core.Side.MOCO else machine.clockodo
                    items = account.activities if side == core.Side.MOCO else account.entries
                    if item_id in items:
                        before = read.setdefault((side, item_id), items[item_id])
                        account.edit(item_id, **values)
                        if _unstamped(items[item_id]) != _unstamped(before):
                            applied[(side, item_id)] = items[item_id]
                        else:  # edited back to what the run read: nothing to keep
                            applied.pop((side, item_id), None)
                return super().execute(plan)

        original = engine_module.Executor
        engine_module.Executor = EditedMeanwhile  # type: ignore[misc]
        try:
            report = self.engine.run(options, held_lock=NoLock())
        finally:
            engine_module.Executor = original  # type: ignore[misc]
            self.known_links = None  # only runs change links
            self._learn_identities()
        for name in report_events(report) if currently_in_test_context() else []:
            event(name)
        for (side, item_id), edited in applied.items():  # the people's edits survived
            items = self.moco.activities if side == core.Side.MOCO else self.clockodo.entries
            assert items.get(item_id) == edited, f"an edit made during the run was lost: {side}"
        return report

    def _links(self) -> list[core.Link]:
        """The store's links (read again after each run: the invariants ask after
        every step, and only runs change links)."""
        assert self.engine is not None
        if self.known_links is None:
            with db.transaction(self.engine.sessions) as session:
                found = session.scalars(select(rows.Link).order_by(rows.Link.id)).all()
                self.known_links = [repo._to_core(link, None) for link in found]
        return self.known_links

    def _learn_identities(self) -> None:
        """Copies syncd made are the booking they copy: MOCO copies name their entry in
        remote_id, and every link joins one booking's two items."""
        for activity in self.moco.activities.values():
            source = activity.remote_id
            if (
                source
                and source.startswith("clockodo:")
                and (core.Side.MOCO, activity.id) not in self.identity
            ):
                origin = self.identity.get((core.Side.CLOCKODO, int(source.split(":")[1])))
                if origin is not None:
                    self.identity[(core.Side.MOCO, activity.id)] = origin
        for link in self._links():
            keys = [(core.Side.MOCO, link.moco_id), (core.Side.CLOCKODO, link.clockodo_id)]
            known = [self._canonical(self.identity[k]) for k in keys if k in self.identity]
            for key in keys:
                if known and key not in self.identity:
                    self.identity[key] = known[0]
            if len(set(known)) == 2:  # two bookings people made alike, paired by syncd
                self.same[known[1]] = known[0]

    def _canonical(self, identity: int) -> int:
        while identity in self.same:
            identity = self.same[identity]
        return identity

    def _check_converged(self) -> None:
        assert self.engine is not None
        again = self.engine.run(replace(WINDOW, dry_run=True), held_lock=NoLock())
        assert again.plan is not None
        assert again.plan.writes == (), again.plan.writes
        links = self._links()
        linked = {(core.Side.MOCO, link.moco_id) for link in links}
        linked |= {(core.Side.CLOCKODO, link.clockodo_id) for link in links}
        reported = {(s.side, s.id) for s in again.plan.skips}
        for key in self._items():
            assert key in linked or key in reported or not self._in_window(key), key
        with db.transaction(self.engine.sessions) as session:
            held = repo.load_held(session)
        mappings = _mappings()
        with db.transaction(self.engine.sessions) as session:
            parked = set(session.scalars(select(rows.Link.id).where(rows.Link.state == "parked")))
        for link in links:
            activity = self.moco.activities.get(link.moco_id)
            entry = self.clockodo.entries.get(link.clockodo_id)
            if activity is None or entry is None or link.orphaned is not None:
                continue
            if {
                (core.Side.MOCO, link.moco_id),
                (core.Side.CLOCKODO, link.clockodo_id),
            } & held.keys():
                continue
            m = project_moco(moco_booking(self.moco.client()._activity(activity)), mappings)  # type: ignore[arg-type]
            c = project_clockodo(clockodo_booking(self.clockodo.client()._entry(entry)), mappings)
            if link.id in parked or isinstance(m, core.Skip) or isinstance(c, core.Skip):
                continue
            assert m == c, (link, m, c)

    def _account_items(self, side: core.Side) -> dict[int, Any]:
        return dict(self.moco.activities) if side == core.Side.MOCO else dict(self.clockodo.entries)

    def _items(self) -> list[tuple[core.Side, int]]:
        return [(core.Side.MOCO, i) for i in self.moco.activities] + [
            (core.Side.CLOCKODO, i) for i in self.clockodo.entries
        ]

    def _in_window(self, key: tuple[core.Side, int]) -> bool:
        side, item_id = key
        if side == core.Side.MOCO:
            return FIRST_DAY <= self.moco.activities[item_id].date <= LAST_DAY
        entry = self.clockodo.entries[item_id]
        zone = ZoneInfo(CLOCKODO_USERS[entry.users_id]) if entry.users_id in (101, 102) else None
        local = entry.time_since.astimezone(zone) if zone else entry.time_since
        return FIRST_DAY <= local.date() <= LAST_DAY

    # --- invariants ---------------------------------------------------------------------
    @invariant()
    def links_are_one_to_one_and_bookings_unique(self) -> None:
        if self.engine is None:
            return
        links = self._links()
        assert len({link.moco_id for link in links}) == len(links)
        assert len({link.clockodo_id for link in links}) == len(links)
        for side, items in (
            (core.Side.MOCO, self.moco.activities),
            (core.Side.CLOCKODO, self.clockodo.entries),
        ):
            counts = Counter(
                self._canonical(self.identity[(side, i)])
                for i in items
                if (side, i) in self.identity
            )
            assert not [k for k, n in counts.items() if n > 1], f"a booking twice in {side}"

    @invariant()
    def syncd_deletes_only_what_people_deleted(self) -> None:
        for side, account in ((core.Side.MOCO, self.moco), (core.Side.CLOCKODO, self.clockodo)):
            while account.deleted_by_syncd:
                identity = self.identity.get((side, account.deleted_by_syncd.pop()))
                deleted = {self._canonical(i) for i in self.deleted_by_people}
                assert identity is None or self._canonical(identity) in deleted, (
                    f"syncd deleted a {side} booking whose partner nobody deleted"
                )


def _unstamped(record: Any) -> Any:
    """A booking without its change stamp: saving it unchanged changes nothing."""
    stamp = "updated_at" if hasattr(record, "updated_at") else "time_last_change"
    return replace(record, **{stamp: None})


def report_events(report: RunReport) -> list[str]:
    """What a run did, for `--hypothesis-show-statistics` (the test explores these)."""
    seen = [f"a write {status}" for status in report.results.by_status() if status != "done"]
    return seen + ["an intent adopted"] * bool(report.recovered.adopted)


def _mappings() -> core.Mappings:
    return core.Mappings(
        users=(
            core.UserMapping(1, 101, "Europe/Berlin"),
            core.UserMapping(2, 102, "America/New_York"),
        ),
        projects=(core.ProjectMapping(10, 50, 500, 1000), core.ProjectMapping(11, 51, 501, 1001)),
        tasks=(
            core.TaskMapping(20, 10, 200),
            core.TaskMapping(21, 10, 201),
            core.TaskMapping(22, 11, 200),
        ),
    )


VERSION_TABLE = "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)"
HEAD = db.head_revision(db.make_engine("sqlite://"))


@functools.cache
def _store() -> sqlalchemy.Engine:
    """One in-memory store per test process, as `syncd db upgrade` leaves it. Sharing
    it (emptied for each example) keeps SQLAlchemy's statement cache warm, as in a
    daemon, instead of compiling every statement again for every example."""
    store = db.make_engine("sqlite://")
    rows.Base.metadata.create_all(store)
    with store.begin() as connection:
        connection.execute(text(VERSION_TABLE))
        connection.execute(text("INSERT INTO alembic_version VALUES (:v)"), {"v": HEAD})
    return store


def _empty_store() -> sqlalchemy.Engine:
    store = _store()
    with store.begin() as connection:
        for table in reversed(rows.Base.metadata.sorted_tables):
            connection.execute(table.delete())
    return store


Stateful.TestCase.settings = settings(
    # SYNCD_STATEFUL_EXAMPLES=2000 for a longer search than `make test` affords.
    max_examples=int(os.environ.get("SYNCD_STATEFUL_EXAMPLES", "500")),
    stateful_step_count=10,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    # No "explain" phase: it adds minutes to a failure and crashed hypothesis (6.x)
    # while explaining a long stateful run; the shrunk steps say enough.
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
)
TestStateful = Stateful.TestCase
